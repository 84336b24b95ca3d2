# shellcheck shell=bash
# Shared helpers for the OpsTools test lab. Sourced by up.sh, down.sh, status.sh
# and every tests/lab/components/<name>.sh; never executed on its own.
#
# Contract of a component (tests/lab/components/<name>.sh, run with bash):
#   up      install what is missing, start, wait until ready (idempotent, fast when up)
#   down    stop (idempotent); keep data that is expensive to rebuild
#   status  print ONE line of detail on stdout; exit 0 when up, 1 when down
#   env     print `export NAME=value` lines the tests need (stdout only)
# Progress and errors go to stderr through lab_log / lab_die.

# Order matters: up.sh starts components in this order, down.sh stops them in reverse.
# A new component = one file in components/ + its name here.
LAB_COMPONENTS=(docker images registry postgres redis ceph compose)

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_LOG_DIR=/var/log/opstools-lab
LAB_ENV_FILE="$LAB_DIR/.lab.env"
# Components run as separate processes; the lock serialises concurrent up/down runs
# (e.g. two test runners calling up.sh at once).
LAB_LOCK_FILE=/run/opstools-lab.lock

# Name used in log lines; components set it to their own name.
LAB_WHO="${LAB_WHO:-lab}"

lab_log() {
    printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "$LAB_WHO" "$*" >&2
}

lab_die() {
    printf '[%s %s] ERROR: %s\n' "$(date +%H:%M:%S)" "$LAB_WHO" "$*" >&2
    exit 1
}

# Everything here touches dockerd, apt and /var/log: there is no useful non-root mode.
lab_require_root() {
    if [[ "$(id -u)" != 0 ]]; then
        lab_die "the test lab must be run as root (try: sudo $0${*:+ $*})"
    fi
    mkdir -p "$LAB_LOG_DIR"
}

lab_is_component() {
    local name="$1" c
    for c in "${LAB_COMPONENTS[@]}"; do
        [[ "$c" == "$name" ]] && return 0
    done
    return 1
}

# Sets LAB_SELECTED to the requested components in canonical order (all when none are
# given), so `up.sh images docker` still starts docker first. Not meant for $(...):
# lab_die must end the calling script.
lab_select_components() {
    local c
    for c in "$@"; do
        lab_is_component "$c" || lab_die "unknown component '$c' (known: ${LAB_COMPONENTS[*]})"
    done
    LAB_SELECTED=()
    for c in "${LAB_COMPONENTS[@]}"; do
        if [[ $# -eq 0 ]] || [[ " $* " == *" $c "* ]]; then
            LAB_SELECTED+=("$c")
        fi
    done
}

lab_component_script() {
    printf '%s/components/%s.sh\n' "$LAB_DIR" "$1"
}

# Runs `components/<name>.sh <subcommand>` in its own bash process so components
# cannot clobber each other's functions or variables.
lab_run_component() {
    local name="$1" sub="$2"
    bash "$(lab_component_script "$name")" "$sub"
}

# Holds an exclusive lock for the rest of the calling process (fd 9).
lab_take_lock() {
    exec 9>"$LAB_LOCK_FILE"
    if ! flock -n 9; then
        lab_log "another lab up/down is running; waiting for it"
        flock 9
    fi
}

# lab_spawn_daemon <log-file> <command...>
# Starts a long-lived process detached from this script (setsid + nohup) with fd 9,
# the lab lock, closed: a daemon inheriting it would hold the lock forever and make the
# next up.sh/down.sh wait.
lab_spawn_daemon() {
    local log="$1"
    shift
    setsid nohup "$@" >>"$log" 2>&1 </dev/null 9>&- &
}

# lab_wait_until <timeout-seconds> <description> <command...>
# Polls the command (quietly) every 0.2 s; returns 1 after the timeout.
lab_wait_until() {
    local timeout="$1" what="$2"
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            lab_log "timed out after ${timeout}s waiting for $what"
            return 1
        fi
        sleep 0.2
    done
}

lab_pkg_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

# apt-get that tolerates another apt/dpkg run holding the locks (a background install
# on a fresh machine is common): dpkg's lock has a timeout option, the lists lock of
# `apt-get update` does not, so retry on "Could not get lock".
lab_apt_get() {
    local log="$LAB_LOG_DIR/apt.log" attempt
    for attempt in $(seq 1 60); do
        if DEBIAN_FRONTEND=noninteractive apt-get -q -y \
            -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef \
            -o Dpkg::Options::=--force-confold "$@" >>"$log" 2>&1; then
            return 0
        fi
        if tail -n 5 "$log" | grep -q 'Could not get lock'; then
            ((attempt == 1)) && lab_log "apt/dpkg is busy (another install running); waiting"
            sleep 5
            continue
        fi
        tail -n 20 "$log" >&2
        lab_die "apt-get $* failed (full log: $log)"
    done
    lab_die "apt/dpkg stayed locked for 5 minutes (see $log)"
}

# lab_apt_install_missing <package...>: installs only packages not yet installed; runs
# `apt-get update` at most once per up.sh run (marker shared through LAB_RUN_DIR).
lab_apt_install_missing() {
    local missing=() p
    for p in "$@"; do
        lab_pkg_installed "$p" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    local marker="${LAB_RUN_DIR:-/nonexistent}/apt-updated"
    if [[ ! -e "$marker" ]]; then
        lab_log "apt-get update (needed for: ${missing[*]})"
        lab_apt_get update
        [[ -n "${LAB_RUN_DIR:-}" ]] && touch "$marker"
    fi
    lab_log "installing Debian packages: ${missing[*]} (log: $LAB_LOG_DIR/apt.log)"
    lab_apt_get install "${missing[@]}"
}

# True when the docker daemon answers (whatever client is first on PATH).
lab_docker_answers() {
    docker info --format '{{.ID}}' >/dev/null 2>&1
}

# Components that need the daemon call this first; gives a clear message instead of a
# docker CLI stack of errors.
lab_require_docker() {
    lab_docker_answers || lab_die "docker daemon is not answering; run: $LAB_DIR/up.sh docker"
}

# Writes .lab.env with the variables of every component that is up right now, so a
# test runner never sees a variable for something that is down. Also echoes the lines
# on stdout when asked (up.sh prints them; down.sh only rewrites the file).
lab_write_env() {
    local print="${1:-no}" c lines=""
    for c in "${LAB_COMPONENTS[@]}"; do
        if lab_run_component "$c" status >/dev/null 2>&1; then
            lines+="$(lab_run_component "$c" env)"$'\n'
        fi
    done
    local tmp
    tmp="$(mktemp "$LAB_ENV_FILE.XXXXXX")"
    {
        printf '# Written by tests/lab/up.sh / down.sh: variables of the lab components that are up.\n'
        printf '%s' "$lines"
    } >"$tmp"
    chmod 644 "$tmp"
    mv -f "$tmp" "$LAB_ENV_FILE"
    [[ "$print" == print ]] && printf '%s' "$lines"
    return 0
}

# Dispatch for component scripts: `lab_component_main "$@"` at the end of each file.
# The component defines comp_up, comp_down, comp_status and comp_env.
lab_component_main() {
    local sub="${1:-}"
    case "$sub" in
        up | down)
            lab_require_root "$@"
            "comp_$sub"
            ;;
        status | env)
            "comp_$sub"
            ;;
        *)
            # Extra subcommands (e.g. `images.sh verify`) are comp_<name> functions.
            if [[ -n "$sub" ]] && declare -F "comp_$sub" >/dev/null; then
                lab_require_root "$@"
                "comp_$sub"
            else
                echo "usage: $0 up|down|status|env" >&2
                exit 2
            fi
            ;;
    esac
}
