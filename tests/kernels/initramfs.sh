#!/usr/bin/env bash
# initramfs.sh OUT: the guest's whole root file system as one gzip'd cpio
# (newc) archive. The guest has no disk: the kernel unpacks this into its
# rootfs and runs /init (tests/kernels/guest-init.sh), which runs the suite.
#
# Contents: busybox-static for the shell and basic tools; the tool, the test
# runner and the fixture; every host program the tests run (tmux, fio,
# setpriv, ...) with the shared libraries ldd names for them; the files the
# tests read relative to the repository root; the terminfo and locale that
# tmux and ncurses need; root and nobody in /etc/passwd and /etc/group.
# Run from the repository root after `make test-build`.
set -euo pipefail

# The programs the guest gets are Debian's (make deps installs them), not
# whatever a developer's PATH puts first (a pyenv shim, a /usr/local build).
export PATH=/usr/sbin:/usr/bin

out=$1
# Not OUT.d: the Makefile includes every *.d below build/ as dependencies.
stage=$out.stage
rm -rf "$stage"
mkdir -p "$stage"

# Debian's merged /usr: /bin, /sbin, /lib and /lib64 are links into /usr,
# so a path ldd prints (/lib/x86_64-linux-gnu/...) and its /usr twin both
# resolve in the guest as on the host.
mkdir -p "$stage"/usr/{bin,sbin,lib,lib64} "$stage"/{proc,sys,dev,tmp,run,root,etc}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$stage/$d"; done

# copy SRC DEST: one file (symlinks followed) at DEST below the stage, with
# its mode; sources that are symlinks arrive as plain files, which is all
# the loader needs.
copy() {
	install -D -m "$(stat -L -c %a "$1")" "$1" "$stage$2"
}

# Where a host path lands: its directory resolved (merged /usr), its own
# name kept, so that a library's soname stays the name it is found by.
canon() {
	printf '%s/%s\n' "$(readlink -f "$(dirname "$1")")" "$(basename "$1")"
}

# The shared libraries (and the loader) one ELF file needs, as ldd lists
# them: "name => /path (addr)" or "/path (addr)"; vdso has no path.
libs_of() {
	local listing
	listing=$(ldd "$1" 2>/dev/null) || return 0 # a static binary (busybox)
	if grep -q 'not found' <<<"$listing"; then
		echo "initramfs.sh: $1: a library is missing: $listing" >&2
		exit 1
	fi
	awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' <<<"$listing"
}

elves=()
# add_elf SRC DEST: an executable, remembered for the library pass.
add_elf() {
	copy "$1" "$2"
	elves+=("$1")
}

# busybox first, as the fallback for every command; the host programs below
# replace the applets whose options busybox lacks (setpriv --reuid, pkill,
# dd status=none).
add_elf "$(command -v busybox)" /usr/bin/busybox
for applet in $(busybox --list); do
	[ "$applet" = busybox ] || ln -s busybox "$stage/usr/bin/$applet"
done

# Programs the tests run by name (the first word of the argv vectors
# they run, grep '{"' in tests/; execlp): tmux and its pane shell (busybox
# sh) for top, fio for the fio test, setpriv to drop to nobody, prlimit to
# run uringdump with few fds, bpftool for a map pinned beside an iterator,
# protoc to decode images, dd/cat/rm/pkill for iter and top, python3 for
# the names tests' second JSON parser; prometheus, promtool and
# prometheus-node-exporter for export's tests (over lo, which init brings up).
for prog in tmux fio setpriv prlimit bpftool protoc dd cat rm pkill python3 \
	prometheus promtool prometheus-node-exporter; do
	path=$(command -v "$prog") || {
		echo "initramfs.sh: $prog is not installed (make deps installs it)" >&2
		exit 1
	}
	rm -f "$stage/usr/bin/$prog"
	add_elf "$path" "$(canon "$path")"
done

# The suite runs from /ud as make test runs from the repository root:
# same relative paths (UD_BIN, UD_FIXTURE, tests/data, the schema).
for f in uringdump build/tests/ud_tests build/tests/ud_fixture; do
	add_elf "$f" "/ud/$f"
done
mkdir -p "$stage/ud/tests"
cp -r tests/data "$stage/ud/tests/"
copy src/image/uringdump.proto /ud/src/image/uringdump.proto
# export's tests check the unit file and the sample alerts.
for f in contrib/*; do copy "$f" "/ud/$f"; done

# python3's standard library (json, base64 and what start-up imports), not
# the parts for building, testing or GUIs; its C modules join the ELF files.
py=$(python3 -c 'import os; print(os.path.dirname(os.__file__))')
mkdir -p "$stage$py"
tar -C "$py" -c --exclude='config-*' --exclude=test --exclude=idlelib --exclude=tkinter \
	--exclude=lib2to3 --exclude=pydoc_data --exclude=ensurepip --exclude=distutils . |
	tar -C "$stage$py" -x
elves+=("$py"/lib-dynload/*.so)

for elf in "${elves[@]}"; do
	for lib in $(libs_of "$elf"); do
		[ -e "$stage$(canon "$lib")" ] || copy "$lib" "$(canon "$lib")"
	done
done

# terminfo for tmux's panes (tmux-256color) and top's vt100 test; the
# C.UTF-8 locale tmux wants before it draws UTF-8.
cp -r "$(readlink -f /usr/lib/terminfo)" "$stage/usr/lib/terminfo"
mkdir -p "$stage/usr/lib/locale"
cp -r /usr/lib/locale/C.utf8 "$stage/usr/lib/locale/"

# The fixture opens /etc/hostname as a direct descriptor; tests drop to
# nobody (uid and gid 65534) with setpriv.
echo uringdump-guest >"$stage/etc/hostname"
cat >"$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$stage/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
EOF

install -m 0755 tests/kernels/guest-init.sh "$stage/init"

# Tests run programs as nobody: everything readable, directories
# searchable; /tmp writable by all as on the host.
chmod -R a+rX "$stage"
chmod 1777 "$stage/tmp"

# busybox's cpio, so that no cpio package is needed; owner root whoever
# builds it.
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
	busybox cpio -o -H newc -0 -R 0:0 --ignore-devno --renumber-inodes 2>/dev/null) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
