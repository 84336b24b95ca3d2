#!/usr/bin/env bash
# Lab component `registry`: two instances of Debian's docker-registry (distribution 2.8) on
# loopback, started by hand (no systemd), for push and digest tests:
#   127.0.0.1:5000  open: anyone may push and pull
#   127.0.0.1:5001  htpasswd (bcrypt) basic auth: user `opstools`, generated password
# The daemon trusts loopback registries as insecure (plain HTTP) by default, so no TLS and no
# daemon.json change is needed. Storage and configs under /var/lib/opstools-lab/registry
# (kept by down, so pushed images survive a restart), logs under /var/log/opstools-lab/registry.
# Usage: registry.sh up|down|status|env
set -euo pipefail
LAB_WHO=registry
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

REGISTRY_BIN=/usr/bin/docker-registry
REGISTRY_ROOT=/var/lib/opstools-lab/registry
REGISTRY_LOG_DIR="$LAB_LOG_DIR/registry"
OPEN_PORT=5000
AUTH_PORT=5001
AUTH_USER=opstools
AUTH_PASSWORD_FILE="$REGISTRY_ROOT/auth.password"
INSTANCES=(open auth)

instance_port() {
    case "$1" in
        open) echo "$OPEN_PORT" ;;
        auth) echo "$AUTH_PORT" ;;
    esac
}

config_file() {
    printf '%s/%s/config.yml\n' "$REGISTRY_ROOT" "$1"
}

pid_file() {
    printf '%s/%s/registry.pid\n' "$REGISTRY_ROOT" "$1"
}

# The registry answers /v2/ with 200 (open) or 401 (auth): either means it is serving.
instance_answers() {
    local code
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(instance_port "$1")/v2/" 2>/dev/null || true)"
    case "$1" in
        open) [[ "$code" == 200 ]] ;;
        auth) [[ "$code" == 401 ]] ;;
    esac
}

instance_pid() {
    local pid
    pid="$(cat "$(pid_file "$1")" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == docker-registry ]]; then
        printf '%s\n' "$pid"
    fi
}

ensure_installed() {
    local missing=()
    [[ -x "$REGISTRY_BIN" ]] || missing+=(docker-registry)
    command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    ((${#missing[@]} == 0)) && return 0
    lab_apt_install_missing "${missing[@]}"
    [[ -x "$REGISTRY_BIN" ]] || lab_die "$REGISTRY_BIN is still missing after installing docker-registry"
}

# Debian's package ships an init script and a unit for its own instance on :5000 with
# /etc/docker/registry/config.yml; where systemd runs it, it would take our port.
check_port_free_of_foreign_registry() {
    if [[ -d /run/systemd/system ]] && systemctl is-active --quiet docker-registry.service 2>/dev/null; then
        lab_die "docker-registry.service (the Debian package's own instance) is running on :5000; stop it: systemctl disable --now docker-registry"
    fi
}

ensure_password() {
    if [[ ! -s "$AUTH_PASSWORD_FILE" ]]; then
        # Hex only: the value travels through .lab.env unquoted.
        (umask 077 && openssl rand -hex 16 >"$AUTH_PASSWORD_FILE")
    fi
    chmod 600 "$AUTH_PASSWORD_FILE"
    local htpasswd_file="$REGISTRY_ROOT/auth/htpasswd"
    # Regenerated only when the password changed (htpasswd -v checks the bcrypt hash).
    if ! htpasswd -vb "$htpasswd_file" "$AUTH_USER" "$(cat "$AUTH_PASSWORD_FILE")" >/dev/null 2>&1; then
        htpasswd -Bbc "$htpasswd_file" "$AUTH_USER" "$(cat "$AUTH_PASSWORD_FILE")" >/dev/null 2>&1 ||
            lab_die "htpasswd failed for $htpasswd_file"
        chmod 600 "$htpasswd_file"
    fi
}

write_config() {
    local name="$1" port
    port="$(instance_port "$name")"
    install -d -m 755 "$REGISTRY_ROOT/$name" "$REGISTRY_ROOT/$name/data"
    local auth=""
    if [[ "$name" == auth ]]; then
        auth="$(printf 'auth:\n  htpasswd:\n    realm: opstools-lab\n    path: %s/auth/htpasswd\n' "$REGISTRY_ROOT")"
    fi
    cat >"$(config_file "$name")" <<EOF
# OpsTools test lab (tests/lab/components/registry.sh): registry '$name'
version: 0.1
log:
  level: info
  fields:
    service: registry-$name
storage:
  filesystem:
    rootdirectory: $REGISTRY_ROOT/$name/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  headers:
    X-Content-Type-Options: [nosniff]
$auth
EOF
}

start_instance() {
    local name="$1"
    instance_answers "$name" && return 0
    local pid
    pid="$(instance_pid "$name")"
    if [[ -n "$pid" ]]; then
        lab_log "registry '$name' pid $pid runs but does not answer; restarting it"
        kill -TERM "$pid" 2>/dev/null || true
        lab_wait_until 10 "registry '$name' to exit" registry_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
    write_config "$name"
    local log="$REGISTRY_LOG_DIR/$name.log"
    lab_log "starting registry '$name' on 127.0.0.1:$(instance_port "$name") (log: $log)"
    # Detached, with the lab lock's fd closed (lab_spawn_daemon); the pid is the registry's own.
    lab_spawn_daemon "$log" "$REGISTRY_BIN" serve "$(config_file "$name")"
    echo $! >"$(pid_file "$name")"
    if ! lab_wait_until 30 "registry '$name' to answer" instance_answers "$name"; then
        tail -n 20 "$log" >&2
        lab_die "registry '$name' did not answer on 127.0.0.1:$(instance_port "$name") (log: $log)"
    fi
}

registry_gone() {
    [[ "$(cat "/proc/$1/comm" 2>/dev/null)" != docker-registry ]]
}

all_answer() {
    local name
    for name in "${INSTANCES[@]}"; do
        instance_answers "$name" || return 1
    done
}

comp_up() {
    if all_answer && [[ -s "$AUTH_PASSWORD_FILE" ]]; then
        lab_log "up (127.0.0.1:$OPEN_PORT open, 127.0.0.1:$AUTH_PORT with basic auth)"
        return 0
    fi
    ensure_installed
    check_port_free_of_foreign_registry
    install -d -m 755 "$(dirname "$REGISTRY_ROOT")" "$REGISTRY_LOG_DIR"
    install -d -m 700 "$REGISTRY_ROOT/auth"
    chmod 755 "$REGISTRY_ROOT"
    ensure_password
    local name
    for name in "${INSTANCES[@]}"; do
        start_instance "$name"
    done
    lab_log "up (127.0.0.1:$OPEN_PORT open, 127.0.0.1:$AUTH_PORT with basic auth)"
}

comp_down() {
    local name pid stopped=0
    for name in "${INSTANCES[@]}"; do
        pid="$(instance_pid "$name")"
        [[ -n "$pid" ]] || continue
        kill -TERM "$pid" 2>/dev/null || true
        lab_wait_until 15 "registry '$name' to exit" registry_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
        rm -f "$(pid_file "$name")"
        stopped=$((stopped + 1))
    done
    lab_log "down ($stopped registry instance(s) stopped; data kept in $REGISTRY_ROOT)"
}

comp_status() {
    local name up=() down=()
    for name in "${INSTANCES[@]}"; do
        if instance_answers "$name"; then
            up+=("$name:$(instance_port "$name")")
        else
            down+=("$name:$(instance_port "$name")")
        fi
    done
    if ((${#down[@]} > 0)); then
        echo "down (not answering: ${down[*]})"
        return 1
    fi
    echo "up (docker-registry $("$REGISTRY_BIN" --version 2>/dev/null | awk '{print $3}') on 127.0.0.1: ${up[*]}; auth user $AUTH_USER)"
}

comp_env() {
    echo "export OPSTOOLS_TEST_REGISTRY=127.0.0.1:$OPEN_PORT"
    echo "export OPSTOOLS_TEST_REGISTRY_AUTH=127.0.0.1:$AUTH_PORT"
    echo "export OPSTOOLS_TEST_REGISTRY_USER=$AUTH_USER"
    echo "export OPSTOOLS_TEST_REGISTRY_PASSWORD=$(cat "$AUTH_PASSWORD_FILE" 2>/dev/null)"
}

lab_component_main "$@"
