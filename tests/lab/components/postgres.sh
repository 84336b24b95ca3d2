#!/usr/bin/env bash
# Lab component `postgres`: plain PostgreSQL 15 servers from the host's binaries, run by the
# unprivileged user `opstools` on loopback ports, scram-sha-256 for every connection:
#   55432        the platform server: database `instance`, SSL on (self-signed lab CA)
#   55433-55436  pool servers (tests register them in db_servers; some tests stop and
#                restart one, so each test suite uses its own)
# All settings live in each server's postgresql.conf, so a plain
# `pg_ctl -D <dir> -l <log> start` (what tests do after stopping one) brings it back as it was.
# Data under /var/lib/opstools-lab/postgres (kept by down), logs under
# /var/log/opstools-lab/postgres. The password of the `postgres` role is generated once.
# Usage: postgres.sh up|down|status|env
set -euo pipefail
LAB_WHO=postgres
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PG_BIN=/usr/lib/postgresql/15/bin
PG_OS_USER=opstools
PG_ROOT=/var/lib/opstools-lab/postgres
PG_LOG_DIR="$LAB_LOG_DIR/postgres"
PG_SOCKET_DIR=/run/opstools-lab-postgres
PG_PASSWORD_FILE="$PG_ROOT/postgres.password"
PG_SSL_DIR="$PG_ROOT/ssl"
PLATFORM_PORT=55432
POOL_PORTS=(55433 55434 55435 55436)
PLATFORM_DATABASE=instance

all_ports() {
    printf '%s\n' "$PLATFORM_PORT" "${POOL_PORTS[@]}"
}

data_dir() {
    printf '%s/%s\n' "$PG_ROOT" "$1"
}

# The server's log file, created writable for the server's user.
log_file() {
    local file="$PG_LOG_DIR/$1.log"
    [[ -e "$file" ]] || install -m 640 -o "$PG_OS_USER" -g "$PG_OS_USER" /dev/null "$file"
    printf '%s\n' "$file"
}

as_pg_user() {
    runuser -u "$PG_OS_USER" -- "$@"
}

# pg_isready over TCP (no password needed): exit 0 when the server accepts connections.
server_ready() {
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 2
}

ensure_binaries() {
    if [[ ! -x "$PG_BIN/initdb" || ! -x "$PG_BIN/pg_ctl" || ! -x "$PG_BIN/psql" ]]; then
        lab_apt_install_missing postgresql-15 postgresql-client-15
    fi
    [[ -x "$PG_BIN/initdb" ]] || lab_die "PostgreSQL 15 binaries missing in $PG_BIN"
}

ensure_os_user() {
    if ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
        lab_log "creating system user $PG_OS_USER"
        useradd --system --user-group --home-dir "$PG_ROOT" --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    install -d -m 755 -o root -g root "$(dirname "$PG_ROOT")"
    install -d -m 755 -o "$PG_OS_USER" -g "$PG_OS_USER" "$PG_ROOT" "$PG_LOG_DIR" "$PG_SOCKET_DIR"
}

ensure_password() {
    if [[ ! -s "$PG_PASSWORD_FILE" ]]; then
        # Hex only: the value travels through .lab.env and connection strings unquoted.
        (umask 077 && openssl rand -hex 16 >"$PG_PASSWORD_FILE")
    fi
    chown "$PG_OS_USER:$PG_OS_USER" "$PG_PASSWORD_FILE"
    chmod 600 "$PG_PASSWORD_FILE"
}

# A lab CA and a server certificate for localhost / 127.0.0.1, so tests can use
# sslmode=verify-full with OPSTOOLS_TEST_PG_SSL_ROOT_CERT.
ensure_certificates() {
    [[ -s "$PG_SSL_DIR/server.crt" && -s "$PG_SSL_DIR/ca.crt" ]] && return 0
    lab_log "creating the lab CA and server certificate in $PG_SSL_DIR"
    install -d -m 755 -o "$PG_OS_USER" -g "$PG_OS_USER" "$PG_SSL_DIR"
    local log="$PG_LOG_DIR/openssl.log"
    {
        openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=OpsTools lab CA' \
            -keyout "$PG_SSL_DIR/ca.key" -out "$PG_SSL_DIR/ca.crt"
        openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' \
            -keyout "$PG_SSL_DIR/server.key" -out "$PG_SSL_DIR/server.csr"
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$PG_SSL_DIR/san.ext"
        openssl x509 -req -in "$PG_SSL_DIR/server.csr" -CA "$PG_SSL_DIR/ca.crt" -CAkey "$PG_SSL_DIR/ca.key" \
            -CAcreateserial -days 3650 -extfile "$PG_SSL_DIR/san.ext" -out "$PG_SSL_DIR/server.crt"
    } >>"$log" 2>&1 || lab_die "openssl failed (log: $log)"
    chown "$PG_OS_USER:$PG_OS_USER" "$PG_SSL_DIR"/*
    chmod 600 "$PG_SSL_DIR/server.key" "$PG_SSL_DIR/ca.key"
    chmod 644 "$PG_SSL_DIR/ca.crt" "$PG_SSL_DIR/server.crt"
}

init_server() {
    local port="$1" dir
    dir="$(data_dir "$port")"
    [[ -s "$dir/PG_VERSION" ]] && return 0
    lab_log "initdb for port $port ($dir)"
    rm -rf "$dir"
    install -d -m 700 -o "$PG_OS_USER" -g "$PG_OS_USER" "$dir"
    as_pg_user "$PG_BIN/initdb" -D "$dir" -U postgres --auth=scram-sha-256 --pwfile="$PG_PASSWORD_FILE" \
        --encoding=UTF8 --locale=C.UTF-8 >>"$(log_file "$port")" 2>&1 ||
        lab_die "initdb for port $port failed (log: $(log_file "$port"))"
    local ssl=off
    [[ "$port" == "$PLATFORM_PORT" ]] && ssl=on
    # Small and fast: a lab server holds a few test databases; durability is not the point.
    cat >>"$dir/postgresql.conf" <<EOF

# OpsTools test lab (tests/lab/components/postgres.sh)
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 60
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
ssl = $ssl
ssl_cert_file = '$PG_SSL_DIR/server.crt'
ssl_key_file = '$PG_SSL_DIR/server.key'
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

start_server() {
    local port="$1"
    server_ready "$port" && return 0
    lab_log "starting PostgreSQL on 127.0.0.1:$port"
    # A server killed hard leaves its pid file; pg_ctl start copes with a stale one. fd 9 (the
    # lab lock) is closed: a postmaster inheriting it would hold the lock for its whole life.
    as_pg_user "$PG_BIN/pg_ctl" -D "$(data_dir "$port")" -l "$(log_file "$port")" -w -t 60 start >/dev/null 9>&- ||
        lab_die "PostgreSQL on port $port did not start (log: $(log_file "$port"))"
}

psql_platform() {
    PGPASSWORD="$(cat "$PG_PASSWORD_FILE")" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PLATFORM_PORT" -U postgres "$@"
}

ensure_platform_database() {
    if [[ "$(psql_platform -d postgres -Atc "SELECT count(*) FROM pg_database WHERE datname = '$PLATFORM_DATABASE'")" != 1 ]]; then
        lab_log "creating database $PLATFORM_DATABASE on port $PLATFORM_PORT"
        psql_platform -d postgres -c "CREATE DATABASE $PLATFORM_DATABASE"
    fi
}

all_ready() {
    local port
    for port in $(all_ports); do
        server_ready "$port" || return 1
    done
}

comp_up() {
    if all_ready && [[ -s "$PG_PASSWORD_FILE" ]]; then
        lab_log "up (ports $(all_ports | paste -sd ' '))"
        return 0
    fi
    ensure_binaries
    ensure_os_user
    ensure_password
    ensure_certificates
    local port
    for port in $(all_ports); do
        init_server "$port"
        start_server "$port"
    done
    ensure_platform_database
    lab_log "up (ports $(all_ports | paste -sd ' '))"
}

comp_down() {
    local port dir stopped=0
    for port in $(all_ports); do
        dir="$(data_dir "$port")"
        [[ -s "$dir/postmaster.pid" ]] || continue
        as_pg_user "$PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null 2>&1 || true
        stopped=$((stopped + 1))
    done
    lab_log "down ($stopped server(s) stopped; data kept in $PG_ROOT)"
}

comp_status() {
    local port up=() down=()
    for port in $(all_ports); do
        if server_ready "$port"; then up+=("$port"); else down+=("$port"); fi
    done
    if ((${#down[@]} > 0)); then
        echo "down (not answering on port(s) ${down[*]})"
        return 1
    fi
    echo "up (PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') as $PG_OS_USER on 127.0.0.1 ports ${up[*]}; platform $PLATFORM_PORT/$PLATFORM_DATABASE)"
}

comp_env() {
    echo "export OPSTOOLS_TEST_PG_HOST=127.0.0.1"
    echo "export OPSTOOLS_TEST_PG_PORT=$PLATFORM_PORT"
    echo "export OPSTOOLS_TEST_PG_DATABASE=$PLATFORM_DATABASE"
    echo "export OPSTOOLS_TEST_PG_USER=postgres"
    echo "export OPSTOOLS_TEST_PG_PASSWORD=$(cat "$PG_PASSWORD_FILE" 2>/dev/null)"
    echo "export OPSTOOLS_TEST_PG_POOL_PORTS=$(
        IFS=,
        echo "${POOL_PORTS[*]}"
    )"
    echo "export OPSTOOLS_TEST_PG_SSL_ROOT_CERT=$PG_SSL_DIR/ca.crt"
    # For tests that stop a pool server and start it again (as $PG_OS_USER, with pg_ctl).
    echo "export OPSTOOLS_TEST_PG_BIN=$PG_BIN"
    echo "export OPSTOOLS_TEST_PG_DATA_ROOT=$PG_ROOT"
    echo "export OPSTOOLS_TEST_PG_LOG_DIR=$PG_LOG_DIR"
    echo "export OPSTOOLS_TEST_PG_OS_USER=$PG_OS_USER"
}

lab_component_main "$@"
