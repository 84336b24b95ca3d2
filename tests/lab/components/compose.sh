#!/usr/bin/env bash
# Lab component `compose`: Debian's docker-compose 1.29 (the compose v2 plugin is not
# obtainable offline) and the lab project tests/lab/compose/shop, which tests start under
# their own project names. Nothing runs between tests: `up` installs and checks, `down`
# removes leftover test projects (compose label com.docker.compose.project=opstools-*).
# Usage: compose.sh up|down|status|env
set -euo pipefail
LAB_WHO=compose
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

COMPOSE_BIN=/usr/bin/docker-compose
SHOP_DIR="$LAB_DIR/compose/shop"
# Images the shop project uses; built by the images component.
SHOP_IMAGES=(lab/busybox:1 lab/postgres:15 lab/redis:7)

compose_version() {
    "$COMPOSE_BIN" version --short 2>/dev/null || true
}

missing_images() {
    local image
    for image in "${SHOP_IMAGES[@]}"; do
        docker image inspect "$image" >/dev/null 2>&1 || printf '%s ' "$image"
    done
}

cmd_up() {
    lab_require_root
    [[ -x "$COMPOSE_BIN" ]] || lab_apt_install_missing docker-compose
    [[ -n "$(compose_version)" ]] || lab_die "$COMPOSE_BIN does not run (see $LAB_LOG_DIR/apt.log)"
    local missing
    missing="$(missing_images)"
    [[ -z "$missing" ]] || lab_die "images missing for the shop project: $missing(run: tests/lab/up.sh images)"
    "$COMPOSE_BIN" --project-directory "$SHOP_DIR" -f "$SHOP_DIR/docker-compose.yml" \
        -f "$SHOP_DIR/docker-compose.prod.yml" config -q ||
        lab_die "the shop project does not validate with docker-compose $(compose_version)"
    lab_log "docker-compose $(compose_version) ready; project in $SHOP_DIR"
}

# Containers, networks and volumes of test projects left by killed runs.
cmd_down() {
    lab_require_root
    docker info >/dev/null 2>&1 || return 0
    local ids
    ids="$(docker ps -aq --filter label=com.docker.compose.project | while read -r id; do
        project="$(docker inspect --format '{{index .Config.Labels "com.docker.compose.project"}}' "$id" 2>/dev/null || true)"
        [[ "$project" == opstools-* ]] && printf '%s\n' "$id"
    done)"
    [[ -n "$ids" ]] && docker rm -f $ids >/dev/null
    docker network ls -q --filter label=com.docker.compose.project | while read -r id; do
        project="$(docker network inspect --format '{{index .Labels "com.docker.compose.project"}}' "$id" 2>/dev/null || true)"
        [[ "$project" == opstools-* ]] && docker network rm "$id" >/dev/null 2>&1 || true
    done
    docker volume ls -q --filter label=com.docker.compose.project | while read -r name; do
        project="$(docker volume inspect --format '{{index .Labels "com.docker.compose.project"}}' "$name" 2>/dev/null || true)"
        [[ "$project" == opstools-* ]] && docker volume rm "$name" >/dev/null 2>&1 || true
    done
    return 0
}

cmd_status() {
    local version
    version="$(compose_version)"
    if [[ -z "$version" ]]; then
        echo "docker-compose not installed"
        return 1
    fi
    local missing
    missing="$(missing_images)"
    if [[ -n "$missing" ]]; then
        echo "docker-compose $version; images missing: $missing"
        return 1
    fi
    echo "docker-compose $version; shop project at $SHOP_DIR"
}

cmd_env() {
    echo "export OPSTOOLS_TEST_DOCKER_COMPOSE=$COMPOSE_BIN"
    echo "export OPSTOOLS_TEST_COMPOSE_SHOP=$SHOP_DIR"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) lab_die "usage: $0 up|down|status|env" ;;
esac
