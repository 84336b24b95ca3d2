#!/usr/bin/env bash
# Lab component `docker`: Debian's docker.io engine started by hand (no systemd on the
# lab machines) plus a single-node swarm on 127.0.0.1.
# Usage: docker.sh up|down|status|env
set -euo pipefail
LAB_WHO=docker
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DOCKERD_LOG="$LAB_LOG_DIR/dockerd.log"
DOCKERD_PIDFILE=/var/run/docker.pid
CONTAINERD_PIDFILE=/var/run/docker/containerd/containerd.pid
DOCKER_SOCK=/var/run/docker.sock

# True while the process lives. A zombie counts as dead: on the lab VMs PID 1 does not
# reap orphans, so an exited dockerd stays <defunct> forever.
process_alive() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    # Field 3 (state) follows "(comm) "; comm is "dockerd", no spaces to trip over.
    [[ "$(awk '{print $3}' <<<"$stat")" != Z ]]
}

# Pid of the running dockerd, from its own pidfile (empty when not running).
dockerd_pid() {
    local pid
    pid="$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)"
    if [[ -n "$pid" ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] &&
        process_alive "$pid"; then
        printf '%s\n' "$pid"
    fi
}

# The machines come with a 28.x client in /usr/local/bin; docker.io adds a 20.10 client
# in /usr/bin. Either talks to the daemon; we only check that *some* client is on PATH
# and say which one, so a shadowing surprise is visible in the log.
ensure_engine_installed() {
    if ! command -v dockerd >/dev/null 2>&1; then
        lab_apt_install_missing docker.io
    fi
    command -v dockerd >/dev/null 2>&1 || lab_die "dockerd is still missing after installing docker.io"
    command -v docker >/dev/null 2>&1 || lab_die "no docker client on PATH"
}

# On a machine booted with systemd, docker.io's postinst enables docker.service
# (Restart=always) and docker.socket: a hand-started dockerd would fight them, and a
# SIGTERM'd one would be restarted. There, systemd manages the daemon. (The lab VMs
# have no systemd: the by-hand path is the one exercised.)
systemd_manages_docker() {
    [[ -d /run/systemd/system ]] && systemctl cat docker.service >/dev/null 2>&1
}

start_dockerd() {
    if systemd_manages_docker; then
        lab_log "starting docker.service (systemd; journalctl -u docker for its log)"
        systemctl start docker.service
    else
        # A dockerd killed hard leaves its pidfile, and on these VMs its zombie keeps the pid
        # "existing": dockerd then refuses to start ("pid file found"). No live dockerd owns
        # it here (dockerd_pid is empty), so it is stale.
        if [[ -f "$DOCKERD_PIDFILE" ]]; then
            lab_log "removing stale $DOCKERD_PIDFILE (pid $(cat "$DOCKERD_PIDFILE" 2>/dev/null) is not a live dockerd)"
            rm -f "$DOCKERD_PIDFILE"
        fi
        # The same for the containerd that dockerd manages: with a stale pidfile dockerd waits
        # for the dead containerd's socket instead of starting a new one.
        local containerd_pid
        containerd_pid="$(cat "$CONTAINERD_PIDFILE" 2>/dev/null || true)"
        if [[ -n "$containerd_pid" ]] && ! process_alive "$containerd_pid"; then
            lab_log "removing stale $CONTAINERD_PIDFILE (pid $containerd_pid is not alive)"
            rm -f "$CONTAINERD_PIDFILE" /var/run/docker/containerd/containerd.sock /var/run/docker/containerd/containerd.sock.ttrpc
        fi
        lab_log "starting dockerd (log: $DOCKERD_LOG)"
        # Detached: the daemon must outlive this script and the caller's session.
        lab_spawn_daemon "$DOCKERD_LOG" dockerd
    fi
    if ! lab_wait_until 60 "docker info to answer" lab_docker_answers; then
        tail -n 30 "$DOCKERD_LOG" >&2
        lab_die "dockerd did not come up within 60 s (log: $DOCKERD_LOG)"
    fi
    lab_log "dockerd is up: $(docker version --format 'server {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}') via $(command -v docker)"
}

swarm_state() {
    docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown
}

ensure_swarm() {
    local state
    state="$(swarm_state)"
    case "$state" in
        active) return 0 ;;
        inactive)
            lab_log "initialising single-node swarm on 127.0.0.1"
            docker swarm init --advertise-addr 127.0.0.1 >/dev/null
            ;;
        *)
            # pending/error/locked: a half-configured swarm; let dockerd settle first.
            lab_log "swarm state is '$state'; waiting for it to settle"
            ;;
    esac
    if ! lab_wait_until 30 "swarm to become active" swarm_is_active; then
        lab_die "swarm is '$(swarm_state)', not active (log: $DOCKERD_LOG)"
    fi
}

swarm_is_active() {
    [[ "$(swarm_state)" == active ]]
}

comp_up() {
    # Fast path: daemon answers and swarm is active -> nothing to do (one docker call).
    if [[ "$(swarm_state)" == active ]]; then
        lab_log "up (dockerd answering, swarm active)"
        return 0
    fi
    ensure_engine_installed
    if ! lab_docker_answers; then
        if [[ -n "$(dockerd_pid)" ]]; then
            lab_log "dockerd pid $(dockerd_pid) runs but does not answer yet; waiting"
            lab_wait_until 60 "docker info to answer" lab_docker_answers ||
                lab_die "dockerd pid $(dockerd_pid) does not answer (log: $DOCKERD_LOG)"
        else
            start_dockerd
        fi
    fi
    ensure_swarm
    lab_log "up (swarm active)"
}

# dockerd removes its pidfile before it has quite finished: wait for the process.
dockerd_gone() {
    ! process_alive "$1"
}

# Swarm state is kept on purpose (it lives in /var/lib/docker/swarm): the next up only
# restarts the daemon, and services/tests objects come back as they were.
comp_down() {
    if systemd_manages_docker && systemctl is-active --quiet docker.service docker.socket; then
        lab_log "stopping docker.service and docker.socket (systemd)"
        systemctl stop docker.socket docker.service
    fi
    local pid
    pid="$(dockerd_pid)"
    if [[ -z "$pid" ]]; then
        lab_log "already down"
        return 0
    fi
    lab_log "stopping dockerd pid $pid (SIGTERM; it stops its containers first)"
    kill -TERM "$pid"
    # dockerd gives each container its stop timeout (10 s default) before killing it.
    if ! lab_wait_until 90 "dockerd to exit" dockerd_gone "$pid"; then
        tail -n 20 "$DOCKERD_LOG" >&2
        lab_die "dockerd pid $pid did not exit within 90 s"
    fi
    lab_log "down"
}

comp_status() {
    local info
    if ! info="$(docker info --format '{{.ServerVersion}} {{.Swarm.LocalNodeState}} {{.Swarm.Nodes}} {{.Swarm.Managers}}' 2>/dev/null)"; then
        local pid
        pid="$(dockerd_pid)"
        if [[ -n "$pid" ]]; then
            echo "down (dockerd pid $pid not answering)"
        else
            echo "down (dockerd not running)"
        fi
        return 1
    fi
    local version state nodes managers
    read -r version state nodes managers <<<"$info"
    if [[ "$state" != active ]]; then
        echo "down (dockerd $version answering, swarm $state)"
        return 1
    fi
    echo "up (dockerd $version pid $(dockerd_pid), swarm active: $nodes node(s), $managers manager(s), socket $DOCKER_SOCK)"
}

comp_env() {
    echo "export OPSTOOLS_TEST_DOCKER_HOST=unix://$DOCKER_SOCK"
}

lab_component_main "$@"
