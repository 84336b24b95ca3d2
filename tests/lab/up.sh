#!/usr/bin/env bash
# Brings the OpsTools test lab up: up.sh [component ...] (default: all, in the order of
# LAB_COMPONENTS in lib.sh). Idempotent; a second run when all is up takes ~1 s.
# Progress goes to stderr; stdout gets only the `export NAME=value` lines for the tests,
# which are also written to tests/lab/.lab.env.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    lab_require_root "$@"
    local components
    lab_select_components "$@"
    components=("${LAB_SELECTED[@]}")
    lab_take_lock
    # Shared by the component processes of this run: apt-get update happens at most once.
    LAB_RUN_DIR="$(mktemp -d /tmp/opstools-lab-run.XXXXXX)"
    export LAB_RUN_DIR
    trap 'rm -rf "$LAB_RUN_DIR"' EXIT
    local c start=$SECONDS
    for c in "${components[@]}"; do
        lab_run_component "$c" up || lab_die "component '$c' failed to come up"
    done
    lab_write_env print
    lab_log "lab up (${components[*]}) in $((SECONDS - start)) s; variables in $LAB_ENV_FILE"
}

main "$@"
