#!/bin/bash
# Plain shell baseline of the fuel-agent style image build:
# one ext4 image mounted at /, Debian bookworm, minbase, amd64.
#
# Usage: plain-build.sh <workdir> <outdir> [package ...]
#
#   <workdir>  scratch directory (must not exist or be empty); removed on exit
#   <outdir>   receives image.img.gz
#   package    packages to install after debootstrap (default: less)
#
# Stdout carries only parsable result lines:
#   phase=<name> seconds=<s>     one per phase, then phase=total
#   <key>=<value>                mirror, raw/container md5 and size
# Everything else (tool output, progress) goes to stderr.
set -euo pipefail

SUITE=bookworm
ARCH=amd64
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# fuel-agent's 8 GiB unless IMAGE_SIZE says otherwise (bench/run: 1G, the content the peers build)
IMAGE_SIZE=${IMAGE_SIZE:-8G}

if [ $# -lt 2 ]; then
    echo "usage: $0 <workdir> <outdir> [package ...]" >&2
    exit 2
fi
if [ "$(id -u)" != 0 ]; then
    echo "must run as root" >&2
    exit 2
fi

WORKDIR=$1
OUTDIR=$2
shift 2
PACKAGES=("$@")
[ ${#PACKAGES[@]} -gt 0 ] || PACKAGES=(less)

if [ -e "$WORKDIR" ] && [ -n "$(ls -A "$WORKDIR")" ]; then
    echo "workdir $WORKDIR exists and is not empty; refusing (it is removed on exit)" >&2
    exit 2
fi
mkdir -p "$WORKDIR" "$OUTDIR"
WORKDIR=$(realpath "$WORKDIR")
OUTDIR=$(realpath "$OUTDIR")

IMG=$WORKDIR/root.img
ROOT=$WORKDIR/root
LOOP=

# fd 3 = original stdout (results); stdout of all tools goes to stderr.
exec 3>&1 1>&2
report() { echo "$@" >&3; }

# ---------------------------------------------------------------- cleanup

# Mount points at or below $1, deepest first: reverse lexical order puts
# every child path before its parent.
mounts_below() {
    findmnt -rn -o TARGET | awk -v t="$1" '$0 == t || index($0, t "/") == 1' | sort -r
}

# Unmount everything at or below $1, deepest first, never lazily.
umount_below() {
    local m tries
    for tries in 1 2 3; do
        for m in $(mounts_below "$1"); do
            umount "$m" || true
        done
    done
    [ -z "$(mounts_below "$1")" ]
}

cleanup() {
    local rc=$?
    set +e
    if [ -d "$ROOT" ]; then
        umount_below "$ROOT" || echo "cleanup: something is still mounted below $ROOT" >&2
    fi
    if [ -n "$LOOP" ] && losetup "$LOOP" >/dev/null 2>&1; then
        losetup -d "$LOOP"
    fi
    # Only delete the work dir when nothing is mounted inside it any more
    # (a leftover bind mount of /dev must never be rm -rf'ed).
    if [ -n "$(mounts_below "$WORKDIR")" ]; then
        echo "cleanup: mounts remain below $WORKDIR, not removing it" >&2
    else
        rm -rf --one-file-system "$WORKDIR"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- timing

now() { date +%s.%N; }
T_TOTAL=$(now)
T_PHASE=
phase_start() { T_PHASE=$(now); echo "=== phase $1" >&2; }
phase_end() {
    local t; t=$(now)
    report "phase=$1 seconds=$(awk -v a="$T_PHASE" -v b="$t" 'BEGIN { printf "%.3f", b - a }')"
}

# ---------------------------------------------------------------- helpers

. "$(dirname "$0")/host-mirror.sh"

in_chroot() {
    chroot "$ROOT" /usr/bin/env -i \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root \
        DEBIAN_FRONTEND=noninteractive \
        DEBCONF_NONINTERACTIVE_SEEN=true \
        LC_ALL=C \
        "$@"
}

# ---------------------------------------------------------------- 1. mirror

phase_start mirror
MIRROR=$(host_mirror "$SUITE") || { echo "no $SUITE mirror in host apt sources" >&2; exit 1; }
report "mirror=$MIRROR"
phase_end mirror

# ---------------------------------------------------------------- 2. filesystem

phase_start mkfs
truncate -s "$IMAGE_SIZE" "$IMG"
LOOP=$(losetup --find --show "$IMG")
mkfs.ext4 -F "$LOOP"
tune2fs -O ^has_journal "$LOOP"
mkdir -p "$ROOT"
mount "$LOOP" "$ROOT"
phase_end mkfs

# ---------------------------------------------------------------- 3. debootstrap

phase_start debootstrap
mkdir -p "$ROOT/usr/sbin"
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
debootstrap --variant=minbase --include=ca-certificates --arch="$ARCH" \
    --keyring="$KEYRING" "$SUITE" "$ROOT" "$MIRROR"
phase_end debootstrap

# ---------------------------------------------------------------- 4. apt config

phase_start aptconf
cat > "$ROOT/etc/apt/apt.conf.d/02image-build" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::http::Pipeline-Depth "0";
EOF
echo "deb $MIRROR $SUITE main" > "$ROOT/etc/apt/sources.list.d/debian.list"
: > "$ROOT/etc/apt/sources.list"
echo "force-unsafe-io" > "$ROOT/etc/dpkg/dpkg.cfg.d/02image-build-unsafe-io"
phase_end aptconf

# ---------------------------------------------------------------- 5. packages

phase_start chroot_mounts
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
phase_end chroot_mounts

phase_start apt_update
in_chroot apt-get update
phase_end apt_update

phase_start apt_dist_upgrade
in_chroot apt-get -y dist-upgrade
phase_end apt_dist_upgrade

phase_start apt_install
in_chroot apt-get -y install "${PACKAGES[@]}"
phase_end apt_install

# ---------------------------------------------------------------- 6. post-install

phase_start postinstall
rm -f "$ROOT/usr/sbin/policy-rc.d"
rm -f "$ROOT"/etc/ssh/ssh_host_*
truncate -s 0 "$ROOT/etc/machine-id"
in_chroot apt-get clean
rm -f "$ROOT/etc/apt/apt.conf.d/02image-build"
rm -f "$ROOT/etc/dpkg/dpkg.cfg.d/02image-build-unsafe-io"
phase_end postinstall

# ---------------------------------------------------------------- 7. unmount, shrink

phase_start umount
umount "$ROOT/dev/pts"
umount "$ROOT/dev"
umount "$ROOT/sys"
umount "$ROOT/proc"
umount "$ROOT"
losetup -d "$LOOP"
LOOP=
phase_end umount

phase_start shrink
tune2fs -O has_journal "$IMG"
rc=0; e2fsck -y -f "$IMG" || rc=$?
if [ $rc -gt 1 ]; then echo "e2fsck failed with $rc" >&2; exit 1; fi
resize2fs -M "$IMG"
BLOCK_COUNT=$(dumpe2fs -h "$IMG" 2>/dev/null | awk -F: '/^Block count:/ { gsub(/ /, "", $2); print $2 }')
BLOCK_SIZE=$(dumpe2fs -h "$IMG" 2>/dev/null | awk -F: '/^Block size:/ { gsub(/ /, "", $2); print $2 }')
truncate -s $((BLOCK_COUNT * BLOCK_SIZE)) "$IMG"
phase_end shrink

# ---------------------------------------------------------------- 8. checksums, container

phase_start md5_raw
RAW_MD5=$(md5sum "$IMG" | cut -d' ' -f1)
RAW_SIZE=$(stat -c %s "$IMG")
phase_end md5_raw

phase_start compress
gzip -c "$IMG" > "$OUTDIR/image.img.gz"
phase_end compress

phase_start md5_container
GZ_MD5=$(md5sum "$OUTDIR/image.img.gz" | cut -d' ' -f1)
GZ_SIZE=$(stat -c %s "$OUTDIR/image.img.gz")
phase_end md5_container

report "raw_md5=$RAW_MD5 raw_size=$RAW_SIZE"
report "container=$OUTDIR/image.img.gz container_md5=$GZ_MD5 container_size=$GZ_SIZE"
report "phase=total seconds=$(awk -v a="$T_TOTAL" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')"
