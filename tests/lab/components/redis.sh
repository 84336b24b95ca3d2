#!/usr/bin/env bash
# Lab component `redis`: two instances of Debian's redis-server (7.0) on loopback, started by
# hand (no systemd), run by the package's `redis` user:
#   127.0.0.1:56379  no password, AOF on (appendonly yes, fsync everysec) plus RDB snapshots
#   127.0.0.1:56380  requirepass (generated password), RDB only
# Data under /var/lib/opstools-lab/redis/<port> (kept by down), logs under
# /var/log/opstools-lab/redis. Tests start their own extra redis-server processes (for restore
# proofs) with the binary named in OPSTOOLS_TEST_REDIS_SERVER_BIN.
# Usage: redis.sh up|down|status|env
set -euo pipefail
LAB_WHO=redis
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

REDIS_BIN=/usr/bin/redis-server
REDIS_CLI=/usr/bin/redis-cli
REDIS_OS_USER=redis
REDIS_ROOT=/var/lib/opstools-lab/redis
REDIS_LOG_DIR="$LAB_LOG_DIR/redis"
REDIS_PASSWORD_FILE="$REDIS_ROOT/requirepass.password"
AOF_PORT=56379
AUTH_PORT=56380
PORTS=("$AOF_PORT" "$AUTH_PORT")

data_dir() {
    printf '%s/%s\n' "$REDIS_ROOT" "$1"
}

config_file() {
    printf '%s/%s/redis.conf\n' "$REDIS_ROOT" "$1"
}

pid_file() {
    printf '%s/%s/redis.pid\n' "$REDIS_ROOT" "$1"
}

cli() {
    local port="$1"
    shift
    if [[ "$port" == "$AUTH_PORT" ]]; then
        REDISCLI_AUTH="$(cat "$REDIS_PASSWORD_FILE" 2>/dev/null)" "$REDIS_CLI" -h 127.0.0.1 -p "$port" "$@"
    else
        "$REDIS_CLI" -h 127.0.0.1 -p "$port" "$@"
    fi
}

# PONG (not LOADING, not NOAUTH) means the instance serves.
instance_ready() {
    [[ "$(cli "$1" ping 2>/dev/null)" == PONG ]]
}

ensure_installed() {
    [[ -x "$REDIS_BIN" && -x "$REDIS_CLI" ]] && return 0
    lab_apt_install_missing redis-server redis-tools
    [[ -x "$REDIS_BIN" ]] || lab_die "$REDIS_BIN is still missing after installing redis-server"
}

ensure_layout() {
    id -u "$REDIS_OS_USER" >/dev/null 2>&1 || lab_die "user $REDIS_OS_USER missing (the redis-server package creates it)"
    install -d -m 755 "$(dirname "$REDIS_ROOT")"
    install -d -m 755 -o root -g root "$REDIS_ROOT"
    install -d -m 755 -o "$REDIS_OS_USER" -g "$REDIS_OS_USER" "$REDIS_LOG_DIR"
    if [[ ! -s "$REDIS_PASSWORD_FILE" ]]; then
        # Hex only: the value travels through .lab.env unquoted.
        (umask 077 && openssl rand -hex 16 >"$REDIS_PASSWORD_FILE")
    fi
    chmod 600 "$REDIS_PASSWORD_FILE"
}

write_config() {
    local port="$1" dir extra=""
    dir="$(data_dir "$port")"
    install -d -m 750 -o "$REDIS_OS_USER" -g "$REDIS_OS_USER" "$dir"
    if [[ "$port" == "$AOF_PORT" ]]; then
        extra="appendonly yes
appendfsync everysec"
    else
        extra="appendonly no
requirepass $(cat "$REDIS_PASSWORD_FILE")"
    fi
    (
        umask 027
        cat >"$(config_file "$port")" <<EOF
# OpsTools test lab (tests/lab/components/redis.sh): instance on port $port
bind 127.0.0.1
port $port
protected-mode yes
daemonize yes
pidfile $(pid_file "$port")
logfile $REDIS_LOG_DIR/$port.log
dir $dir
dbfilename dump.rdb
save 3600 1 300 100 60 10000
maxmemory 256mb
maxmemory-policy noeviction
$extra
EOF
    )
    chown "$REDIS_OS_USER:$REDIS_OS_USER" "$(config_file "$port")"
}

start_instance() {
    local port="$1"
    instance_ready "$port" && return 0
    write_config "$port"
    lab_log "starting redis-server on 127.0.0.1:$port (log: $REDIS_LOG_DIR/$port.log)"
    # daemonize yes: redis-server forks and detaches itself; fd 9 (the lab lock) is closed.
    runuser -u "$REDIS_OS_USER" -- "$REDIS_BIN" "$(config_file "$port")" 9>&- ||
        lab_die "redis-server on port $port did not start (log: $REDIS_LOG_DIR/$port.log)"
    if ! lab_wait_until 30 "redis on port $port to answer" instance_ready "$port"; then
        tail -n 20 "$REDIS_LOG_DIR/$port.log" >&2
        lab_die "redis on port $port did not answer (log: $REDIS_LOG_DIR/$port.log)"
    fi
}

instance_pid() {
    local pid
    pid="$(cat "$(pid_file "$1")" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == redis-server ]]; then
        printf '%s\n' "$pid"
    fi
}

process_gone() {
    [[ "$(cat "/proc/$1/comm" 2>/dev/null)" != redis-server ]]
}

all_ready() {
    local port
    for port in "${PORTS[@]}"; do
        instance_ready "$port" || return 1
    done
}

comp_up() {
    if all_ready && [[ -s "$REDIS_PASSWORD_FILE" ]]; then
        lab_log "up (127.0.0.1:$AOF_PORT with AOF, 127.0.0.1:$AUTH_PORT with requirepass)"
        return 0
    fi
    ensure_installed
    ensure_layout
    local port
    for port in "${PORTS[@]}"; do
        start_instance "$port"
    done
    lab_log "up (127.0.0.1:$AOF_PORT with AOF, 127.0.0.1:$AUTH_PORT with requirepass)"
}

comp_down() {
    local port pid stopped=0
    for port in "${PORTS[@]}"; do
        pid="$(instance_pid "$port")"
        [[ -n "$pid" ]] || continue
        # SIGTERM makes redis save (RDB, and fsync the AOF) before it exits.
        kill -TERM "$pid" 2>/dev/null || true
        lab_wait_until 30 "redis on port $port to exit" process_gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
        stopped=$((stopped + 1))
    done
    lab_log "down ($stopped redis instance(s) stopped; data kept in $REDIS_ROOT)"
}

comp_status() {
    local port up=() down=()
    for port in "${PORTS[@]}"; do
        if instance_ready "$port"; then up+=("$port"); else down+=("$port"); fi
    done
    if ((${#down[@]} > 0)); then
        echo "down (not answering on port(s) ${down[*]})"
        return 1
    fi
    echo "up (redis-server $("$REDIS_BIN" --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') as $REDIS_OS_USER on 127.0.0.1 ports ${up[*]}; AOF on $AOF_PORT, requirepass on $AUTH_PORT)"
}

comp_env() {
    echo "export OPSTOOLS_TEST_REDIS=127.0.0.1:$AOF_PORT"
    echo "export OPSTOOLS_TEST_REDIS_AUTH=127.0.0.1:$AUTH_PORT"
    echo "export OPSTOOLS_TEST_REDIS_PASSWORD=$(cat "$REDIS_PASSWORD_FILE" 2>/dev/null)"
    echo "export OPSTOOLS_TEST_REDIS_SERVER_BIN=$REDIS_BIN"
    echo "export OPSTOOLS_TEST_REDIS_DATA_ROOT=$REDIS_ROOT"
}

lab_component_main "$@"
