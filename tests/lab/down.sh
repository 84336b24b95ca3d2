#!/usr/bin/env bash
# Stops the OpsTools test lab: down.sh [component ...] (default: all), in the reverse
# of the up order. Idempotent. Data that is slow to rebuild (swarm state, images) stays.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    lab_require_root "$@"
    local components i
    lab_select_components "$@"
    components=("${LAB_SELECTED[@]}")
    lab_take_lock
    for ((i = ${#components[@]} - 1; i >= 0; i--)); do
        lab_run_component "${components[i]}" down || lab_die "component '${components[i]}' failed to stop"
    done
    # Keep .lab.env truthful: only variables of components still up.
    lab_write_env quiet
    lab_log "lab down (${components[*]})"
}

main "$@"
