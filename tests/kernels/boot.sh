#!/usr/bin/env bash
# boot.sh VERSION VMLINUZ INITRD LOG: boots one kernel under qemu (TCG: no
# KVM needed) with the suite's initramfs, keeps the whole serial console in
# LOG, and prints the verdict as the line
#   VERSION: N passed, N failed, N skipped
# followed by the failing test cases. Exits non-zero on a failed test, a
# non-zero exit of the runner, no result line (panic, hang, deadline) or
# zero tests run.
#
# Environment: UD_TEST_ARGS (doctest options, as TEST_ARGS of make test),
# KERNEL_TIMEOUT (seconds per kernel), QEMU_CPU, QEMU_SMP, QEMU_MEM.
set -euo pipefail

version=$1
vmlinuz=$2
initrd=$3
log=$4
timeout=${KERNEL_TIMEOUT:-2400}

# The options travel on the kernel command line, base64 so that no quote
# or space is lost there (guest-init.sh decodes them). The command line
# holds 2048 bytes; TEST_ARGS are a few dozen.
args=$(printf '%s' "${UD_TEST_ARGS:-}" | base64 -w0)

# -cpu qemu64, not max: under TCG, glibc on a "max" CPU picks AVX2/EVEX
# string and memory routines that qemu emulates slowly; a guest process
# start, tmux client or uringdump show took 1.3-1.7x as long as on qemu64.
# -nic none: the suite needs no network, and without a NIC qemu needs no
# iPXE ROM (ipxe-qemu is only recommended by qemu-system-x86).
# quiet: the console carries the suite, and kernel messages of level 4 and
# up (WARN splats, oopses, hung tasks) still reach it. panic=1 with
# -no-reboot: a panicking guest ends qemu at once instead of at the deadline.
# ud.report_at: the guest lists its tasks a minute before the deadline.
start=$(date +%s)
rc=0
timeout -k 10 "$timeout" qemu-system-x86_64 -accel tcg -cpu "${QEMU_CPU:-qemu64}" \
	-smp "${QEMU_SMP:-2}" -m "${QEMU_MEM:-4G}" \
	-nographic -no-reboot -nic none \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 quiet panic=1 ud.test_args=$args ud.report_at=$((timeout > 120 ? timeout - 60 : timeout))" \
	</dev/null >"$log" 2>&1 || rc=$?
wall=$(($(date +%s) - start))

# The console ends lines with CR LF.
text=$(tr -d '\r' <"$log")

# The markers guest-init.sh prints (the first may follow the firmware's
# escape sequences on the same line).
exit_line=$(sed -nE 's/.*UD-GUEST: ud_tests exit ([0-9]+), up ([0-9.]+)s$/\1 \2/p' <<<"$text" | tail -n 1)
start_line=$(sed -nE 's/.*UD-GUEST: kernel .*, up ([0-9.]+)s$/\1/p' <<<"$text" | tail -n 1)
read -r runner_rc up_end <<<"${exit_line:-? ?}"

# The runner's last line: "N passed, N failed", or with ", N skipped" once
# main.cpp counts skips in it; older runners print skips on a line of their own.
result=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' <<<"$text" | tail -n 1 || true)
if [ -z "$result" ]; then
	why="no result line"
	if [ -n "$exit_line" ]; then why="the runner exited $runner_rc without its result line"; fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then why="deadline of ${timeout}s passed"; fi
	if grep -q 'Kernel panic' <<<"$text"; then why="kernel panic"; fi
	echo "$version: no result ($why after ${wall}s; console in $log)"
	exit 1
fi
read -r passed failed skipped <<<"$(sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/' <<<"$result")"
if [ -z "$skipped" ]; then
	skipped=$(sed -nE 's/^([0-9]+) skipped.*/\1/p' <<<"$text" | tail -n 1)
fi
echo "$version: $passed passed, $failed failed, ${skipped:-0} skipped"

# doctest reports in blocks between lines of '=': "TEST CASE: name", then
# its failed assertions (ERROR, FATAL ERROR, THREW, CRASHED) or MESSAGEs.
# The names of the blocks with an error, once each.
awk '/^==========/ { if (name != "" && bad && !seen[name]++) print "  failed: " name; name = ""; bad = 0; next }
	/^TEST CASE: / { sub(/^TEST CASE: +/, ""); name = $0; next }
	/ERROR/ { bad = 1 }' <<<"$text"

suite=?
if [ -n "$start_line" ] && [ "$up_end" != "?" ]; then
	suite=$(awk -v a="$start_line" -v b="$up_end" 'BEGIN {printf "%.0f", b - a}')
fi
echo "  timing: /init after ${start_line:-?}s, suite ${suite}s, qemu ${wall}s"

[ "$failed" -eq 0 ] && [ "$runner_rc" = 0 ] && [ $((passed + failed)) -gt 0 ]
