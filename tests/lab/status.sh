#!/usr/bin/env bash
# One line per lab component: "<name> up|down (detail)". Exit 0 only when all are up.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    lab_require_root "$@"
    local c detail all_up=0
    for c in "${LAB_COMPONENTS[@]}"; do
        if detail="$(lab_run_component "$c" status 2>/dev/null)"; then
            printf '%-10s %s\n' "$c" "$detail"
        else
            printf '%-10s %s\n' "$c" "${detail:-down}"
            all_up=1
        fi
    done
    return "$all_up"
}

main "$@"
