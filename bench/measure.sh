#!/bin/bash
# Side measurements for the plain-build.sh baseline (not part of the baseline).
#
# Usage: measure.sh <scratchdir> [<shrunk raw image from plain-build.sh>]
#
# 1. debootstrap (with time stamps: download vs. install), /var/lib/apt/lists
#    right after debootstrap, apt-get update right after debootstrap
# 2. tar --zstd of the debootstrapped tree, extract onto fresh no-journal ext4
# 3. two unshrunk images: "less" and "less + python3 installed then purged";
#    shrink each (a) as is, (b) with zerofree, (c) with e2fsck -E discard,
#    zeroing before or after resize2fs -M; gzip / zstd size and time of each
# 4. compressors and md5sum on the given shrunk raw image
#
# Stdout: parsable "key=value" lines. Tool output goes to stderr.
set -euo pipefail

W=$1
RAW=${2:-}
HERE=$(dirname "$(realpath "$0")")
if [ -e "$W" ] && [ -n "$(ls -A "$W")" ]; then echo "$W not empty" >&2; exit 2; fi
mkdir -p "$W"
W=$(realpath "$W")
ROOT=$W/root
ROOT2=$W/root2
LOOP=
LOOP2=

exec 3>&1 1>&2
report() { echo "$@" >&3; }

# host_mirror() and the cleanup idea are shared with plain-build.sh
source <(sed -n '/^host_mirror() {/,/^}/p' "$HERE/plain-build.sh")
mounts_below() {
    findmnt -rn -o TARGET | awk -v t="$1" '$0 == t || index($0, t "/") == 1' | sort -r
}
cleanup() {
    local rc=$? m
    set +e
    for m in $(mounts_below "$W"); do umount "$m"; done
    for m in $LOOP $LOOP2; do losetup "$m" >/dev/null 2>&1 && losetup -d "$m"; done
    if [ -n "$(mounts_below "$W")" ]; then
        echo "mounts remain below $W, not removing it" >&2
    else
        rm -rf --one-file-system "$W"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# timed <name> <command...>: run command, report "<name>_s=<seconds>"
timed() {
    local name=$1 t; shift
    t=$(now)
    "$@"
    report "${name}_s=$(elapsed "$t")"
}

# compress_cmp <label> <image>: gzip and zstd time and size
compress_cmp() {
    local label=$1 img=$2
    timed "${label}_gzip" sh -c 'gzip -c "$1" > "$1.gz"' sh "$img"
    report "${label}_gzip_bytes=$(stat -c %s "$img.gz")"
    timed "${label}_zstd" sh -c 'zstd -q -T0 -c "$1" > "$1.zst"' sh "$img"
    report "${label}_zstd_bytes=$(stat -c %s "$img.zst")"
    rm -f "$img.gz" "$img.zst"
}

in_chroot() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true LC_ALL=C "$@"
}

fs_shrink() {   # same as plain-build.sh phase "shrink"
    local img=$1 rc=0 count size
    tune2fs -O has_journal "$img"
    e2fsck -y -f "$img" || rc=$?
    [ $rc -le 1 ] || return 1
    resize2fs -M "$img"
    count=$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Block count:/ { gsub(/ /, "", $2); print $2 }')
    size=$(dumpe2fs -h "$img" 2>/dev/null | awk -F: '/^Block size:/ { gsub(/ /, "", $2); print $2 }')
    truncate -s $((count * size)) "$img"
}
fsck_discard() { local rc=0; e2fsck -f -y -E discard "$1" || rc=$?; [ $rc -le 1 ]; }

MIRROR=$(host_mirror bookworm)

# ------------------------------------------------------------ 1. debootstrap
truncate -s 8G "$W/u.img"
LOOP=$(losetup --find --show "$W/u.img")
mkfs.ext4 -q -F "$LOOP"
tune2fs -O ^has_journal "$LOOP"
mkdir -p "$ROOT"
mount "$LOOP" "$ROOT"
mkdir -p "$ROOT/usr/sbin"
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"

# time stamp every debootstrap line ($EPOCHREALTIME: no fork per line): first/last "Retrieving" = download window
t0=$(now)
debootstrap --variant=minbase --include=ca-certificates --arch=amd64 \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg bookworm "$ROOT" "$MIRROR" 2>&1 |
    while IFS= read -r line; do echo "$EPOCHREALTIME $line"; done > "$W/debootstrap.log"
report "debootstrap_s=$(elapsed "$t0")"
at() { awk -v a="$t0" -v b="$1" 'BEGIN { printf "%.3f", b - a }'; }
report "debootstrap_last_retrieve_at_s=$(at "$(grep 'I: Retrieving' "$W/debootstrap.log" | tail -1 | cut -d' ' -f1)")"
report "debootstrap_first_extract_at_s=$(at "$(grep 'I: Extracting' "$W/debootstrap.log" | head -1 | cut -d' ' -f1)")"
report "debootstrap_second_stage_at_s=$(at "$(grep 'I: Installing core packages' "$W/debootstrap.log" | head -1 | cut -d' ' -f1)")"
report "debootstrap_packages=$(grep -c 'I: Retrieving' "$W/debootstrap.log")"
echo "--- mounts below root after debootstrap:"; mounts_below "$ROOT"
echo "--- /var/lib/apt/lists after debootstrap:"; ls -la "$ROOT/var/lib/apt/lists" "$ROOT/var/lib/apt/lists/partial"
echo "--- sources.list written by debootstrap:"; sed 's#//[^/]*/#//<mirror>/#' "$ROOT/etc/apt/sources.list"
report "debootstrap_tree_kb=$(du -sk --one-file-system "$ROOT" | cut -f1)"

# ------------------------------------------------------------ 2. tar of the tree
timed tar_create tar --zstd -cf "$W/tree.tar.zst" --numeric-owner --xattrs --xattrs-include='*' \
    --acls --one-file-system -C "$ROOT" .
report "tar_zst_bytes=$(stat -c %s "$W/tree.tar.zst")"
truncate -s 8G "$W/x.img"
LOOP2=$(losetup --find --show "$W/x.img")
mkfs.ext4 -q -F "$LOOP2"
tune2fs -O ^has_journal "$LOOP2"
mkdir -p "$ROOT2"
mount "$LOOP2" "$ROOT2"
timed tar_extract tar --zstd -xf "$W/tree.tar.zst" --numeric-owner --xattrs --xattrs-include='*' \
    --acls -C "$ROOT2"
timed tar_extract_sync sync -f "$ROOT2"
report "tar_extracted_kb=$(du -sk "$ROOT2" | cut -f1)"
umount "$ROOT2"
losetup -d "$LOOP2"; LOOP2=
rm -f "$W/x.img" "$W/tree.tar.zst"

# ------------------------------------------------------------ apt right after debootstrap
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
timed apt_update_after_debootstrap in_chroot apt-get update
timed apt_update_second in_chroot apt-get update
echo "--- /var/lib/apt/lists after apt-get update:"; ls -la "$ROOT/var/lib/apt/lists"

# build configuration, as in plain-build.sh
cat > "$ROOT/etc/apt/apt.conf.d/02image-build" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::http::Pipeline-Depth "0";
EOF
echo "deb $MIRROR bookworm main" > "$ROOT/etc/apt/sources.list.d/debian.list"
: > "$ROOT/etc/apt/sources.list"
echo "force-unsafe-io" > "$ROOT/etc/dpkg/dpkg.cfg.d/02image-build-unsafe-io"
timed apt_update_build_sources in_chroot apt-get update
in_chroot apt-get -y dist-upgrade
in_chroot apt-get -y install less

postinstall() {
    rm -f "$ROOT/usr/sbin/policy-rc.d" "$ROOT"/etc/ssh/ssh_host_*
    truncate -s 0 "$ROOT/etc/machine-id"
    in_chroot apt-get clean
}
# ------------------------------------------------------------ 3a. image "less"
postinstall
for m in $(mounts_below "$ROOT"); do umount "$m"; done
losetup -d "$LOOP"; LOOP=
cp --sparse=always "$W/u.img" "$W/u-less.img"
report "less_used_kb=$(dumpe2fs -h "$W/u-less.img" 2>/dev/null | awk -F: '/^Block count:/{c=$2} /^Free blocks:/{f=$2} END{print (c-f)*4}')"

# ------------------------------------------------------------ 3b. image "purge": + python3, purged
LOOP=$(losetup --find --show "$W/u.img")
mount "$LOOP" "$ROOT"
mount -t proc proc "$ROOT/proc"
mount -t sysfs sysfs "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
chmod 755 "$ROOT/usr/sbin/policy-rc.d"
in_chroot apt-get -y install python3
report "purge_python3_installed_kb=$(df -k --output=used "$ROOT" | tail -1)"
in_chroot apt-get -y purge python3
in_chroot apt-get -y autoremove --purge
postinstall
rm -f "$ROOT/etc/apt/apt.conf.d/02image-build" "$ROOT/etc/dpkg/dpkg.cfg.d/02image-build-unsafe-io"
report "purge_after_purge_kb=$(df -k --output=used "$ROOT" | tail -1)"
for m in $(mounts_below "$ROOT"); do umount "$m"; done
losetup -d "$LOOP"; LOOP=
mv "$W/u.img" "$W/u-purge.img"

# ------------------------------------------------------------ 3c. zeroing variants
for base in less purge; do
    u=$W/u-$base.img
    v=$W/v.img

    cp --sparse=always "$u" "$v"                       # (a) as is
    fs_shrink "$v"
    report "${base}_shrunk_bytes=$(stat -c %s "$v")"
    compress_cmp "${base}_a_asis" "$v"

    cp --sparse=always "$u" "$v"                       # (b1) zerofree, then resize
    timed "${base}_b1_zerofree" zerofree "$v"
    fs_shrink "$v"
    compress_cmp "${base}_b1_zerofree_before_resize" "$v"

    cp --sparse=always "$u" "$v"                       # (b2) resize, then zerofree
    fs_shrink "$v"
    timed "${base}_b2_zerofree" zerofree "$v"
    compress_cmp "${base}_b2_zerofree_after_resize" "$v"

    cp --sparse=always "$u" "$v"                       # (c1) discard, then resize
    timed "${base}_c1_discard" fsck_discard "$v"
    fs_shrink "$v"
    compress_cmp "${base}_c1_discard_before_resize" "$v"

    cp --sparse=always "$u" "$v"                       # (c2) resize, then discard
    fs_shrink "$v"
    timed "${base}_c2_discard" fsck_discard "$v"
    compress_cmp "${base}_c2_discard_after_resize" "$v"
    rm -f "$v"
done
rm -f "$W/u-less.img" "$W/u-purge.img"

# ------------------------------------------------------------ 4. compressors on shrunk raw
if [ -n "$RAW" ]; then
    cat "$RAW" > /dev/null                              # warm page cache: all runs equal
    report "raw_bytes=$(stat -c %s "$RAW")"
    timed md5sum md5sum "$RAW"
    timed gzip sh -c 'gzip -c "$1" > "$2/c.gz"' sh "$RAW" "$W"
    report "gzip_bytes=$(stat -c %s "$W/c.gz")"
    timed pigz sh -c 'pigz -c "$1" > "$2/c.pigz.gz"' sh "$RAW" "$W"
    report "pigz_bytes=$(stat -c %s "$W/c.pigz.gz")"
    timed zstd sh -c 'zstd -q -T0 -c "$1" > "$2/c.zst"' sh "$RAW" "$W"
    report "zstd_bytes=$(stat -c %s "$W/c.zst")"
    timed xz sh -c 'xz -T0 -c "$1" > "$2/c.xz"' sh "$RAW" "$W"
    report "xz_bytes=$(stat -c %s "$W/c.xz")"
    rm -f "$W"/c.*
fi
