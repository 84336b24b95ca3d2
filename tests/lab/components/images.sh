#!/usr/bin/env bash
# Lab component `images`: local images built from the host's own files, because no
# registry is reachable (nothing can be pulled):
#   lab/busybox:1    static busybox and its applets
#   lab/postgres:15  host PostgreSQL 15 + the libraries ldd names + static busybox
#   lab/redis:7      Debian's redis (redis-tools) + libraries + static busybox
# Each image carries the label org.opstools.lab.recipe = hash of its recipe functions
# and of the host package versions; up rebuilds only when that hash changes.
# Usage: images.sh up|down|status|env|verify   (verify: slow end-to-end check, by hand)
set -euo pipefail
LAB_WHO=images
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

RECIPE_LABEL=org.opstools.lab.recipe
IMAGES=(busybox postgres redis)
PG_ROOT=/usr/lib/postgresql/15
BUILD_LOG="$LAB_LOG_DIR/images-build.log"

image_tag() {
    case "$1" in
        busybox) echo lab/busybox:1 ;;
        postgres) echo lab/postgres:15 ;;
        redis) echo lab/redis:7 ;;
    esac
}

# ---------------------------------------------------------------- recipe hashing

# Host package versions that end up inside an image: an upgrade must rebuild it.
host_versions() {
    local pkgs=(busybox-static)
    case "$1" in
        postgres) pkgs+=(postgresql-15 postgresql-client-15) ;;
        redis) pkgs+=(redis-tools) ;;
    esac
    dpkg-query -W -f='${Package}=${Version}\n' "${pkgs[@]}" 2>/dev/null || true
}

# Hash of everything that defines an image: the shared rootfs helpers, the image's
# own recipe function (declare -f includes its heredocs) and host_versions.
recipe_hash() {
    {
        declare -f rootfs_new rootfs_add_busybox rootfs_add_with_libs import_and_build "recipe_$1"
        host_versions "$1"
    } | sha256sum | cut -c1-16
}

# Recipe label of the image as built, or empty when the tag does not exist.
built_recipe() {
    docker image inspect --format "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$(image_tag "$1")" 2>/dev/null || true
}

# ---------------------------------------------------------------- rootfs helpers

# A usr-merged skeleton (/bin, /lib, /lib64 link into /usr like Debian 12's) so the
# paths ldd prints exist inside the image unchanged.
rootfs_new() {
    local root
    root="$(mktemp -d /tmp/opstools-lab-rootfs.XXXXXX)"
    # mktemp -d makes 0700: non-root processes in the container could not enter `/`.
    chmod 755 "$root"
    mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,root,run,var/lib,dev,proc,sys}
    ln -s usr/bin "$root/bin"
    ln -s usr/sbin "$root/sbin"
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    ln -s ../run "$root/var/run"
    mkdir -m 1777 "$root/tmp" "$root/var/tmp"
    chmod 700 "$root/root"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    printf '%s\n' "$root"
}

# Static busybox plus a symlink per applet; existing files win (added afterwards so
# real binaries copied earlier are never overwritten through a link).
rootfs_add_busybox() {
    local root="$1" applet
    cp /bin/busybox "$root/usr/bin/busybox"
    while read -r applet; do
        [[ -e "$root/$applet" || -L "$root/$applet" ]] && continue
        mkdir -p "$root/$(dirname "$applet")"
        ln -s /usr/bin/busybox "$root/$applet"
    done < <(/bin/busybox --list-full)
}

# Copies ELF files' shared libraries (as ldd resolves them on the host) into the rootfs
# at the same paths. Files themselves must already be in the rootfs.
rootfs_add_with_libs() {
    local root="$1"
    shift
    local libs
    libs="$(for f in "$@"; do ldd "$f" 2>/dev/null || true; done |
        awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)"
    local lib
    while read -r lib; do
        [[ -z "$lib" || -e "$root$lib" ]] && continue
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done <<<"$libs"
}

# import_and_build <image> <rootfs> <Dockerfile lines after FROM>
# `docker import` cannot set STOPSIGNAL/HEALTHCHECK, so the imported filesystem gets a
# one-step `docker build` (legacy builder: BuildKit/buildx is not available here).
import_and_build() {
    local name="$1" root="$2" body="$3"
    local tag base
    tag="$(image_tag "$name")"
    base="$tag-rootfs"
    {
        tar -C "$root" --numeric-owner -c . | docker import - "$base"
        printf 'FROM %s\n%s\nLABEL %s=%s\n' "$base" "$body" "$RECIPE_LABEL" "$(recipe_hash "$name")" |
            DOCKER_BUILDKIT=0 docker build --quiet -t "$tag" -
        # The built image keeps the imported layer; only the helper tag goes.
        docker image rm "$base"
    } >>"$BUILD_LOG" 2>&1
    rm -rf "$root"
}

# ---------------------------------------------------------------- recipes

recipe_busybox() {
    local root
    root="$(rootfs_new)"
    rootfs_add_busybox "$root"
    # No init of its own: test services use `init: true` (docker-init from the host) or
    # a shell trap, otherwise sh as PID 1 ignores SIGTERM and removal waits 10 s.
    import_and_build busybox "$root" "$(
        cat <<'EOF'
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CMD ["sh"]
EOF
    )"
}

recipe_postgres() {
    local root
    root="$(rootfs_new)"
    # JIT (llvmjit + bitcode, ~150 MB with libLLVM) is left out; postgres runs without it.
    tar -C / --exclude='llvmjit*' --exclude=bitcode --exclude=man -c \
        usr/lib/postgresql/15 usr/share/postgresql/15 usr/share/zoneinfo usr/lib/locale/C.utf8 |
        tar -C "$root" -x
    ln -s /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
    # initdb imports collations from `locale -a` (busybox has no `locale`); without it the
    # log says "no usable system locales were found".
    cat >"$root/usr/bin/locale" <<'EOF'
#!/bin/sh
[ "${1:-}" = -a ] && printf 'C\nC.utf8\nPOSIX\n'
EOF
    chmod 755 "$root/usr/bin/locale"
    rootfs_add_with_libs "$root" "$root$PG_ROOT"/bin/* "$root$PG_ROOT"/lib/*.so
    rootfs_add_busybox "$root"
    # uid/gid 999 like the official image, so volume ownership looks familiar.
    echo 'postgres:x:999:999:PostgreSQL:/var/lib/postgresql:/bin/sh' >>"$root/etc/passwd"
    echo 'postgres:x:999:' >>"$root/etc/group"
    mkdir -p "$root/var/lib/postgresql/data" "$root/run/postgresql" \
        "$root/docker-entrypoint-initdb.d" "$root/usr/local/bin"
    cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# lab/postgres:15 entry point (OpsTools test lab): the useful subset of the official
# image's script. POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_USER,
# POSTGRES_DB, POSTGRES_INITDB_ARGS, PGDATA, /docker-entrypoint-initdb.d/*.sql|*.sh.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA
case "${1:-}" in -*) set -- postgres "$@" ;; esac
[ "${1:-}" = postgres ] || exec "$@"

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /run/postgresql
    chmod 700 "$PGDATA"
    chmod 2775 /run/postgresql
    find "$PGDATA" /run/postgresql \! -user postgres -exec chown postgres:postgres {} \;
    # busybox su: -p keeps the environment; `--` ends su's own options so the server's
    # (-c name=value, --version) reach the script, which runs again as postgres.
    exec su -p -s /bin/sh -c 'exec "$0" "$@"' -- postgres "$0" "$@"
fi

init_db() {
    : "${POSTGRES_USER:=postgres}"
    : "${POSTGRES_DB:=$POSTGRES_USER}"
    auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
    pwopt=""
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then
        pwfile="$(mktemp)"
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
        pwopt="--pwfile=$pwfile"
    elif [ "$auth" != trust ]; then
        echo "error: POSTGRES_PASSWORD is not set (or set POSTGRES_HOST_AUTH_METHOD=trust)" >&2
        exit 1
    fi
    # shellcheck disable=SC2086 # word splitting of the option strings is intended
    initdb -D "$PGDATA" --username="$POSTGRES_USER" $pwopt --auth-local=trust \
        --auth-host="$auth" --encoding=UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-}
    [ -n "$pwopt" ] && rm -f "$pwfile"
    printf 'host all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

    scripts="$(ls -A /docker-entrypoint-initdb.d 2>/dev/null || true)"
    [ "$POSTGRES_DB" != postgres ] || [ -n "$scripts" ] || return 0
    # Socket-only temporary server for database creation and init scripts.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -k /run/postgresql" -w -t 60 start
    export PGHOST=/run/postgresql PGUSER="$POSTGRES_USER"
    if [ "$POSTGRES_DB" != postgres ]; then
        psql -v ON_ERROR_STOP=1 -q -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh) echo "running $f"; . "$f" ;;
            *.sql) echo "running $f"; psql -v ON_ERROR_STOP=1 -d "$POSTGRES_DB" -f "$f" ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    unset PGHOST PGUSER
}

[ -s "$PGDATA/PG_VERSION" ] || init_db
shift
exec postgres -c listen_addresses='*' "$@"
EOF
    chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
    # Fast health checks: tests wait for `healthy`, the default 30 s interval is too slow.
    import_and_build postgres "$root" "$(
        cat <<'EOF'
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin PGDATA=/var/lib/postgresql/data LANG=C.UTF-8
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
EXPOSE 5432
STOPSIGNAL SIGINT
HEALTHCHECK --interval=2s --timeout=5s --start-period=60s --retries=5 CMD ["pg_isready", "-q", "-h", "127.0.0.1"]
EOF
    )"
}

recipe_redis() {
    local root
    root="$(rootfs_new)"
    # redis-tools' redis-check-rdb *is* the server binary (it picks its role from argv[0]);
    # taking it instead of the redis-server package avoids starting a host redis service.
    cp /usr/bin/redis-check-rdb "$root/usr/bin/redis-server"
    cp /usr/bin/redis-cli "$root/usr/bin/redis-cli"
    rootfs_add_with_libs "$root" /usr/bin/redis-check-rdb /usr/bin/redis-cli
    rootfs_add_busybox "$root"
    echo 'redis:x:999:999:redis:/data:/bin/sh' >>"$root/etc/passwd"
    echo 'redis:x:999:' >>"$root/etc/group"
    mkdir -p "$root/data" "$root/usr/local/bin"
    cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# lab/redis:7 entry point (OpsTools test lab): like the official image's, runs
# redis-server as user redis and turns protected mode off unless told otherwise.
set -eu
case "${1:-}" in -* | *.conf) set -- redis-server "$@" ;; esac
if [ "${1:-}" = redis-server ]; then
    if [ "$(id -u)" = 0 ]; then
        find /data \! -user redis -exec chown redis:redis {} \;
        # `--` ends su's own options so redis-server's (--port, --version) pass through.
        exec su -p -s /bin/sh -c 'exec "$0" "$@"' -- redis "$0" "$@"
    fi
    case " $* " in
        *" --protected-mode "*) ;;
        *) set -- "$@" --protected-mode no ;;
    esac
fi
exec "$@"
EOF
    chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
    import_and_build redis "$root" "$(
        cat <<'EOF'
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /data
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["redis-server"]
EXPOSE 6379
HEALTHCHECK --interval=2s --timeout=5s --start-period=30s --retries=5 CMD redis-cli -h 127.0.0.1 ping | grep -q PONG
EOF
    )"
}

# ---------------------------------------------------------------- subcommands

# Host files the recipes copy; installed only when a build is actually needed.
ensure_build_inputs() {
    lab_apt_install_missing busybox-static redis-tools
    if [[ ! -x "$PG_ROOT/bin/postgres" || ! -x "$PG_ROOT/bin/psql" ]]; then
        lab_apt_install_missing postgresql-15 postgresql-client-15
    fi
}

build_image() {
    local name="$1" start=$SECONDS
    lab_log "building $(image_tag "$name") (log: $BUILD_LOG)"
    if ! "recipe_$name" >>"$BUILD_LOG" 2>&1; then
        tail -n 20 "$BUILD_LOG" >&2
        lab_die "building $(image_tag "$name") failed (log: $BUILD_LOG)"
    fi
    lab_log "built $(image_tag "$name") in $((SECONDS - start)) s"
}

comp_up() {
    lab_require_docker
    local name stale=()
    for name in "${IMAGES[@]}"; do
        [[ "$(built_recipe "$name")" == "$(recipe_hash "$name")" ]] || stale+=("$name")
    done
    if ((${#stale[@]} == 0)); then
        lab_log "up (${IMAGES[*]} current)"
        return 0
    fi
    ensure_build_inputs
    for name in "${stale[@]}"; do
        build_image "$name"
    done
    # Images of an older recipe lose their tag; drop those (only ours carry the label).
    docker image prune -f --filter "label=$RECIPE_LABEL" >>"$BUILD_LOG"
    lab_log "up"
}

# Images are cheap to keep and slow-ish to rebuild; down stops nothing and keeps them.
comp_down() {
    lab_log "nothing to stop (images are kept)"
}

comp_status() {
    if ! lab_docker_answers; then
        echo "down (docker daemon not answering)"
        return 1
    fi
    local name ok=() bad=()
    for name in "${IMAGES[@]}"; do
        case "$(built_recipe "$name")" in
            "") bad+=("$(image_tag "$name") missing") ;;
            "$(recipe_hash "$name")") ok+=("$(image_tag "$name")") ;;
            *) bad+=("$(image_tag "$name") outdated") ;;
        esac
    done
    if ((${#bad[@]} > 0)); then
        echo "down (${bad[*]})"
        return 1
    fi
    echo "up (${ok[*]})"
}

comp_env() {
    echo "export OPSTOOLS_TEST_IMAGE_BUSYBOX=$(image_tag busybox)"
    echo "export OPSTOOLS_TEST_IMAGE_POSTGRES=$(image_tag postgres)"
    echo "export OPSTOOLS_TEST_IMAGE_REDIS=$(image_tag redis)"
}

# ---------------------------------------------------------------- verify (by hand)

VERIFY_PREFIX=opstools-labverify

container_healthy() {
    [[ "$(docker inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null)" == healthy ]]
}

verify_wait_healthy() {
    local c="$1"
    if ! lab_wait_until 90 "$c to be healthy" container_healthy "$c"; then
        docker logs --tail 30 "$c" >&2 || true
        lab_die "$c did not become healthy"
    fi
}

# Times `docker stop`; a quick stop proves the stop signal reaches the server process.
verify_stop() {
    local c="$1" start
    start="$(date +%s%N)"
    docker stop "$c" >/dev/null
    lab_log "$c stopped in $((($(date +%s%N) - start) / 1000000)) ms"
    docker rm "$c" >/dev/null
}

verify_busybox() {
    docker run --rm lab/busybox:1 true
    docker run --rm --init --user 65534 lab/busybox:1 sh -c 'cd / && ls /bin/sh >/dev/null'
    lab_log "lab/busybox:1 ok (runs as root and as nobody, with --init)"
}

verify_postgres() {
    local c="$VERIFY_PREFIX-postgres" ip
    docker rm -f "$c" >/dev/null 2>&1 || true
    # A leading option means "postgres <options>", as in the official image.
    docker run -d --name "$c" -e POSTGRES_PASSWORD=labsecret -e POSTGRES_USER=ops \
        -e POSTGRES_DB=opsdb lab/postgres:15 -c max_connections=42 >/dev/null
    verify_wait_healthy "$c"
    ip="$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$c")"
    # Over TCP from the host with a password: listen_addresses, pg_hba and scram work.
    local got
    got="$(PGPASSWORD=labsecret PGCONNECT_TIMEOUT=5 "$PG_ROOT/bin/psql" -h "$ip" -U ops -d opsdb \
        -Atc "select current_user || ' ' || current_database() || ' ' || current_setting('max_connections')")"
    [[ "$got" == "ops opsdb 42" ]] || lab_die "unexpected answer from postgres in $c: '$got'"
    if docker logs "$c" 2>&1 | grep -E 'WARNING|ERROR|FATAL' >&2; then
        lab_die "postgres in $c logged warnings or errors"
    fi
    docker exec "$c" sh -c 'grep -q "^Uid:[[:space:]]*999" /proc/1/status' ||
        lab_die "postgres does not run as uid 999 in $c"
    verify_stop "$c"
    lab_log "lab/postgres:15 ok"
}

verify_redis() {
    local c="$VERIFY_PREFIX-redis" ip
    docker rm -f "$c" >/dev/null 2>&1 || true
    docker run -d --name "$c" lab/redis:7 --maxclients 77 >/dev/null
    verify_wait_healthy "$c"
    ip="$(docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$c")"
    # From the host: protected mode is off and the server options got through.
    [[ "$(redis-cli -h "$ip" set lab ok)" == OK ]] || lab_die "redis set failed"
    [[ "$(redis-cli -h "$ip" config get maxclients | tail -n 1)" == 77 ]] ||
        lab_die "redis-server did not get --maxclients 77"
    docker exec "$c" sh -c 'grep -q "^Uid:[[:space:]]*999" /proc/1/status' ||
        lab_die "redis does not run as uid 999 in $c"
    verify_stop "$c"
    lab_log "lab/redis:7 ok"
}

comp_verify() {
    lab_require_docker
    verify_busybox
    verify_postgres
    verify_redis
}

lab_component_main "$@"
