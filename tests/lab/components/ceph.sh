#!/usr/bin/env bash
# Lab component `ceph`: a single-node Ceph 16 cluster on 127.0.0.1 with cephx (one mon, one
# mgr, one BlueStore OSD on a sparse file, one MDS, a CephFS named `cephfs`), mounted with
# ceph-fuse twice:
#   /mnt/opstools-cephfs          client.fsclient   MDS caps rwps (may set quotas)
#   /mnt/opstools-cephfs-noquota  client.fsnoquota  MDS caps rw   (no `p`: setting a quota fails)
# Everything lives under /var/lib/opstools-lab/ceph (config, keyrings, daemon data) so the
# machine's /etc/ceph is left alone; pass -c/-k or the OPSTOOLS_TEST_CEPH_* variables.
# Usage: ceph.sh up|down|status|env|mds_pid   (mds_pid: pid of the MDS, for fault tests)
set -euo pipefail
LAB_WHO=ceph
# shellcheck source=SCRIPTDIR/../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

CEPH_DIR=/var/lib/opstools-lab/ceph
CEPH_CONF="$CEPH_DIR/ceph.conf"
CEPH_LOG_DIR="$LAB_LOG_DIR/ceph"
ADMIN_KEYRING="$CEPH_DIR/ceph.client.admin.keyring"
OSD_BLOCK_SIZE=21474836480
MOUNT=/mnt/opstools-cephfs
MOUNT_NOQUOTA=/mnt/opstools-cephfs-noquota
CEPH_PACKAGES=(ceph-mon ceph-mgr ceph-osd ceph-mds ceph-fuse ceph-common attr)
# Daemons in start order: "<type> <id>".
DAEMONS=("mon a" "mgr x" "osd 0" "mds a")

ceph_cli() {
    ceph -c "$CEPH_CONF" -k "$ADMIN_KEYRING" --connect-timeout 10 "$@"
}

# Pid of a lab daemon or ceph-fuse, found by its command line (our config path plus its id or
# mount point), so nothing outside the lab is ever matched. Empty when not running.
lab_ceph_pid() {
    local program="$1" marker="$2" pid cmdline
    for pid in $(pgrep -x "$program" 2>/dev/null || true); do
        cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
        if [[ " $cmdline " == *" -c $CEPH_CONF "* ]] && [[ " $cmdline " == *" $marker "* ]]; then
            printf '%s\n' "$pid"
            return 0
        fi
    done
}

daemon_pid() {
    lab_ceph_pid "ceph-$1" "-i $2"
}

fuse_pid() {
    lab_ceph_pid ceph-fuse "$1"
}

# A daemon left stopped (SIGSTOP) by an interrupted fault test would hang the mount: resume it.
resume_if_stopped() {
    local pid="$1" state
    state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
    if [[ "$state" == T ]]; then
        lab_log "pid $pid was stopped (SIGSTOP); sending SIGCONT"
        kill -CONT "$pid"
    fi
}

is_mounted() {
    awk -v m="$1" '$5 == m { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# The mount answers a metadata call that needs the MDS (recursive statistics) within 5 s.
# A FUSE request already handed to ceph-fuse cannot be killed, not even with SIGKILL (the
# process sits in state D until ceph-fuse answers or dies), so `timeout` would hang with it:
# the probe runs in the background and is left behind when it does not answer in time; it
# ends when the mount recovers or its ceph-fuse is stopped.
mount_answers() {
    local pid deadline=$((SECONDS + 5))
    getfattr --only-values -n ceph.dir.rentries "$1" >/dev/null 2>&1 9>&- &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            return 1
        fi
        sleep 0.05
    done
    wait "$pid"
}

write_config() {
    local fsid="$1"
    # $cluster, $type, $id and $name are Ceph metavariables, expanded by Ceph, not by bash.
    cat >"$CEPH_CONF" <<EOF
# OpsTools test lab: single-node cluster, written by tests/lab/components/ceph.sh.
[global]
fsid = $fsid
mon_initial_members = a
mon_host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
public_network = 127.0.0.0/8
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
keyring = $CEPH_DIR/\$cluster.\$name.keyring
run_dir = $CEPH_DIR/run
log_file = $CEPH_LOG_DIR/\$cluster-\$name.log
# One OSD: pools of size 1, no redundancy warnings, no autoscaler.
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_autoscale_mode = off
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
osd_crush_chooseleaf_type = 0
# Quick MDS recovery and statistics that settle in about a second.
mds_reconnect_timeout = 5
mds_scatter_nudge_interval = 1
client_caps_release_delay = 1

[mon]
mon_data = $CEPH_DIR/mon/\$cluster-\$id

[mgr]
mgr_data = $CEPH_DIR/mgr/\$cluster-\$id

[osd]
osd_data = $CEPH_DIR/osd/\$cluster-\$id
osd_objectstore = bluestore
# A sparse file outside osd_data; BlueStore creates it and links osd_data/block to it.
bluestore_block_path = $CEPH_DIR/osd/\$cluster-\$id.block
bluestore_block_create = true
bluestore_block_size = $OSD_BLOCK_SIZE
osd_memory_target = 1073741824

[mds]
mds_data = $CEPH_DIR/mds/\$cluster-\$id
EOF
}

# Keys of every entity, generated locally and handed to `ceph-mon --mkfs`, which seeds the
# auth database from its keyring: no round trip to the monitor per entity.
create_keyrings() {
    local all="$CEPH_DIR/bootstrap.keyring"
    ceph-authtool "$all" --create-keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
    new_key client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *'
    new_key mgr.x --cap mon 'allow profile mgr' --cap osd 'allow *' --cap mds 'allow *'
    new_key osd.0 --cap mon 'allow profile osd' --cap mgr 'allow profile osd' --cap osd 'allow *'
    new_key mds.a --cap mon 'allow profile mds' --cap mgr 'allow profile mds' --cap osd 'allow *' --cap mds 'allow'
    new_key client.fsclient --cap mon 'allow r' --cap mds 'allow rwps' --cap osd 'allow rw tag cephfs data=cephfs'
    new_key client.fsnoquota --cap mon 'allow r' --cap mds 'allow rw' --cap osd 'allow rw tag cephfs data=cephfs'
}

new_key() {
    local name="$1"
    shift
    ceph-authtool "$CEPH_DIR/ceph.$name.keyring" --create-keyring --gen-key -n "$name" "$@" >/dev/null
    ceph-authtool "$CEPH_DIR/bootstrap.keyring" --import-keyring "$CEPH_DIR/ceph.$name.keyring" >/dev/null
}

bootstrap() {
    lab_log "bootstrapping a new cluster in $CEPH_DIR"
    rm -rf "$CEPH_DIR"
    mkdir -p "$CEPH_DIR"/{run,mon,mgr/ceph-x,osd/ceph-0,mds/ceph-a} "$CEPH_LOG_DIR"
    chmod 700 "$CEPH_DIR"
    local fsid osd_uuid
    fsid="$(cat /proc/sys/kernel/random/uuid)"
    osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
    write_config "$fsid"
    create_keyrings
    monmaptool --create --fsid "$fsid" --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' "$CEPH_DIR/monmap" >/dev/null
    ceph-mon -c "$CEPH_CONF" --mkfs -i a --monmap "$CEPH_DIR/monmap" --keyring "$CEPH_DIR/bootstrap.keyring"
    rm -f "$CEPH_DIR/monmap"
    start_daemon mon a
    lab_wait_until 30 "the monitor to answer" ceph_cli mon stat ||
        lab_die "ceph-mon does not answer (log: $CEPH_LOG_DIR/ceph-mon.a.log)"

    # One `ceph` process for every setup command: much faster than one process each.
    ceph_cli <<EOF >>"$CEPH_LOG_DIR/bootstrap.log" 2>&1 || lab_die "cluster setup failed (log: $CEPH_LOG_DIR/bootstrap.log)"
osd new $osd_uuid 0
osd pool create cephfs_metadata 16 16
osd pool create cephfs_data 32 32
fs new cephfs cephfs_metadata cephfs_data
fs set cephfs standby_count_wanted 0
EOF
    ceph-osd -c "$CEPH_CONF" --mkfs -i 0 --osd-uuid "$osd_uuid" >>"$CEPH_LOG_DIR/mkfs.log" 2>&1 ||
        lab_die "ceph-osd --mkfs failed (log: $CEPH_LOG_DIR/mkfs.log)"
    cp "$CEPH_DIR/ceph.osd.0.keyring" "$CEPH_DIR/osd/ceph-0/keyring"
    touch "$CEPH_DIR/bootstrapped"
}

start_daemon() {
    local type="$1" id="$2"
    if [[ -n "$(daemon_pid "$type" "$id")" ]]; then
        return 0
    fi
    lab_log "starting ceph-$type.$id"
    # -f: stay in the foreground so lab_spawn_daemon detaches it without the lab lock's fd.
    lab_spawn_daemon "$CEPH_LOG_DIR/ceph-$type.$id.out" "ceph-$type" -f -c "$CEPH_CONF" -i "$id"
}

mount_cephfs() {
    local mountpoint="$1" client="$2"
    if is_mounted "$mountpoint"; then
        if mount_answers "$mountpoint"; then
            return 0
        fi
        lab_log "$mountpoint is mounted but does not answer; remounting"
        unmount_cephfs "$mountpoint"
    fi
    mkdir -p "$mountpoint"
    lab_log "mounting CephFS at $mountpoint as client.$client"
    lab_spawn_daemon "$CEPH_LOG_DIR/ceph-fuse.$client.out" ceph-fuse -f -c "$CEPH_CONF" -n "client.$client" "$mountpoint"
    lab_wait_until 30 "$mountpoint to answer" mount_answers "$mountpoint" ||
        lab_die "ceph-fuse did not mount $mountpoint (log: $CEPH_LOG_DIR/ceph-client.$client.log)"
}

# Lazy unmount first (it never blocks), then stop ceph-fuse; once it is gone, calls stuck on
# the mount fail with ENOTCONN instead of waiting for an MDS that may never answer.
unmount_cephfs() {
    local mountpoint="$1" pid
    pid="$(fuse_pid "$mountpoint")"
    if is_mounted "$mountpoint"; then
        fusermount -u -z "$mountpoint" 2>/dev/null || umount -l "$mountpoint" 2>/dev/null || true
    fi
    if [[ -n "$pid" ]]; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! lab_wait_until 10 "ceph-fuse pid $pid to exit" test ! -e "/proc/$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
}

osd_is_up() {
    [[ "$(ceph_cli osd stat -f json 2>/dev/null | grep -o '"num_up_osds":[0-9]*')" == '"num_up_osds":1' ]]
}

mds_is_active() {
    ceph_cli fs status cephfs -f json 2>/dev/null | grep -q '"state": *"active"'
}

all_running() {
    local d
    for d in "${DAEMONS[@]}"; do
        # shellcheck disable=SC2086
        [[ -n "$(daemon_pid $d)" ]] || return 1
    done
    [[ -n "$(fuse_pid "$MOUNT")" ]] && [[ -n "$(fuse_pid "$MOUNT_NOQUOTA")" ]]
}

comp_up() {
    local d pid
    # Fast path: every process runs and both mounts answer (no ceph CLI call: ~50 ms).
    if [[ -e "$CEPH_DIR/bootstrapped" ]] && all_running; then
        for d in "${DAEMONS[@]}"; do
            # shellcheck disable=SC2086
            resume_if_stopped "$(daemon_pid $d)"
        done
        if mount_answers "$MOUNT" && mount_answers "$MOUNT_NOQUOTA"; then
            lab_log "up (mon, mgr, osd, mds running; $MOUNT and $MOUNT_NOQUOTA answer)"
            return 0
        fi
    fi

    lab_apt_install_missing "${CEPH_PACKAGES[@]}"
    if [[ ! -e "$CEPH_DIR/bootstrapped" ]]; then
        # A half-made cluster from an interrupted bootstrap: stop what runs and start over.
        for d in "${DAEMONS[@]}"; do
            # shellcheck disable=SC2086
            pid="$(daemon_pid $d)"
            [[ -z "$pid" ]] || kill -KILL "$pid"
        done
        unmount_cephfs "$MOUNT_NOQUOTA"
        unmount_cephfs "$MOUNT"
        bootstrap
    fi
    for d in "${DAEMONS[@]}"; do
        # shellcheck disable=SC2086
        start_daemon $d
        # shellcheck disable=SC2086
        pid="$(daemon_pid $d)"
        [[ -z "$pid" ]] || resume_if_stopped "$pid"
    done
    lab_wait_until 60 "the OSD to be up" osd_is_up || lab_die "the OSD is not up (log: $CEPH_LOG_DIR/ceph-osd.0.log)"
    lab_wait_until 60 "the MDS to be active" mds_is_active || lab_die "the MDS is not active (log: $CEPH_LOG_DIR/ceph-mds.a.log)"
    mount_cephfs "$MOUNT" fsclient
    mount_cephfs "$MOUNT_NOQUOTA" fsnoquota
    lab_log "up ($(ceph_cli health 2>/dev/null || echo 'health unknown'); CephFS at $MOUNT)"
}

# Data and keys stay in $CEPH_DIR: the next up restarts the daemons (~10 s), no bootstrap.
comp_down() {
    unmount_cephfs "$MOUNT_NOQUOTA"
    unmount_cephfs "$MOUNT"
    local d pid pids=()
    for d in "${DAEMONS[@]}"; do
        # shellcheck disable=SC2086
        pid="$(daemon_pid $d)"
        if [[ -n "$pid" ]]; then
            resume_if_stopped "$pid"
            kill -TERM "$pid"
            pids+=("$pid")
        fi
    done
    if ((${#pids[@]} == 0)); then
        lab_log "already down"
        return 0
    fi
    lab_log "stopping daemons (pids ${pids[*]}); the MDS takes ~8 s to exit"
    for pid in "${pids[@]}"; do
        if ! lab_wait_until 30 "pid $pid to exit" test ! -e "/proc/$pid"; then
            lab_log "pid $pid ignored SIGTERM; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    lab_log "down"
}

comp_status() {
    if [[ ! -e "$CEPH_DIR/bootstrapped" ]]; then
        echo "down (no cluster in $CEPH_DIR)"
        return 1
    fi
    local d missing=()
    for d in "${DAEMONS[@]}"; do
        # shellcheck disable=SC2086
        [[ -n "$(daemon_pid $d)" ]] || missing+=("${d/ /.}")
    done
    [[ -n "$(fuse_pid "$MOUNT")" ]] || missing+=("ceph-fuse $MOUNT")
    [[ -n "$(fuse_pid "$MOUNT_NOQUOTA")" ]] || missing+=("ceph-fuse $MOUNT_NOQUOTA")
    if ((${#missing[@]} > 0)); then
        echo "down (not running: ${missing[*]})"
        return 1
    fi
    if ! mount_answers "$MOUNT"; then
        echo "down ($MOUNT does not answer within 5 s: is the MDS up?)"
        return 1
    fi
    echo "up (Ceph $(ceph --version | awk '{print $3}'), mon/mgr/osd/mds on 127.0.0.1, CephFS at $MOUNT, no-p-cap client at $MOUNT_NOQUOTA)"
}

comp_env() {
    echo "export OPSTOOLS_TEST_CEPH_CONF=$CEPH_CONF"
    echo "export OPSTOOLS_TEST_CEPH_KEYRING=$ADMIN_KEYRING"
    echo "export OPSTOOLS_TEST_CEPH_ID=admin"
    echo "export OPSTOOLS_TEST_CEPHFS_MOUNT=$MOUNT"
    echo "export OPSTOOLS_TEST_CEPHFS_MOUNT_NOQUOTA=$MOUNT_NOQUOTA"
}

# For fault tests (stop the MDS with SIGSTOP, resume with SIGCONT): the MDS's pid.
comp_mds_pid() {
    daemon_pid mds a
}

lab_component_main "$@"
