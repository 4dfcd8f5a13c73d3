#!/bin/sh
# /init of the test VM (busybox ash, PID 1): prepares what `make test` finds
# on a CI host, runs the suite once, prints markers on the serial console
# that boot.sh looks for, and powers off. Whatever happens, the EXIT trap
# powers off: PID 1 exiting would only panic the kernel.
set -eu -o pipefail
export PATH=/usr/sbin:/usr/bin
trap 'echo "UD-GUEST: init stopped early"; poweroff -f' EXIT

# No /dev/console in the archive (making one needs mknod and root); the
# kernel's devtmpfs has it, so console output starts once that is mounted.
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t bpf bpf /sys/fs/bpf
# tmux needs pseudo-terminals; /tmp and /dev/shm behave as on the host.
mkdir -p /dev/pts /dev/shm
mount -t devpts -o mode=0620,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# No hugetlb pool (vm.nr_hugepages stays 0), as on the CI host: with a pool
# the fixture backs its huge-page buffer with hugetlb instead of THP, and
# dump rightly refuses hugetlb memory, which 8 dump tests do not expect.

# The fixture registers 20000 fixed files, which needs RLIMIT_NOFILE of at
# least that (the host CI has 20000); the kernel's default is 1024/4096.
ulimit -n 65536
hostname -F /etc/hostname
ip link set lo up

# CI=true: a BPF test fails instead of skipping. The rest is what `make
# test` sets, run from the same relative layout (/ud mirrors the repo).
export CI=true HOME=/root LANG=C.UTF-8 UD_BIN=./uringdump UD_FIXTURE=build/tests/ud_fixture
cd /ud

# TEST_ARGS arrive base64-encoded on the kernel command line (ud.test_args=)
# so that quotes and spaces survive; they are then word-split and unquoted
# by this shell exactly as make's recipe shell does for `make test`.
uptime=$(cut -d' ' -f1 /proc/uptime)
args=$(sed -n 's/.*ud\.test_args=\([^ ]*\).*/\1/p' /proc/cmdline | base64 -d)

# Tests that do not depend on the kernel stay on the host (the one list,
# documented in README "Kernels verified"): zsh/fish/bash completion and the
# man page check (shells and mandoc, no kernel state), `make install` (needs
# make and the source tree). A --test-case-exclude in TEST_ARGS replaces it.
host_only='*completion:*,make install*,man page:*'

# Shortly before the host kills a guest whose suite hangs (ud.report_at=
# seconds of uptime, set by boot.sh), print what every task is waiting in,
# so that the console log says where it hung.
report_at=$(sed -n 's/.*ud\.report_at=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -n "$report_at" ]; then
	(
		sleep "$((report_at - ${uptime%%.*}))"
		echo "UD-GUEST: still running at ${report_at}s; user tasks:"
		for t in /proc/[0-9]*/task/*; do
			p=${t%/task/*}
			[ "$(wc -c <"$p/cmdline")" -gt 0 ] || continue # a kernel thread
			echo "-- ${p#/proc/}/${t##*/} $(tr '\0' ' ' <"$p/cmdline")"
			echo "   $(awk '/^State:/ {print "state", $2, $3}' "$t/status"), wchan $(cat "$t/wchan")"
			cat "$t/stack"
		done 2>/dev/null
	) &
fi

echo "UD-GUEST: kernel $(uname -r), $(nproc) cpus, up $(cut -d' ' -f1 /proc/uptime)s"
echo "UD-GUEST: running ud_tests --test-case-exclude=$host_only $args"
set +e
eval "set -- $args"
# Output through a pipe, as in CI: doctest prints no colour codes and
# programs the tests start (fio) see no terminal to draw progress on.
./build/tests/ud_tests "--test-case-exclude=$host_only" "$@" </dev/null 2>&1 | cat
rc=$?
set -e
echo "UD-GUEST: ud_tests exit $rc, up $(cut -d' ' -f1 /proc/uptime)s"
trap - EXIT
sync
poweroff -f
