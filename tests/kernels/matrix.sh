#!/usr/bin/env bash
# matrix.sh DIR INITRD SERIES...: the suite on each kernel series (6.1,
# 6.12): fetch.sh picks and unpacks the kernel, boot.sh runs the suite on
# it; the console of each goes to DIR/VERSION.log. Fails if any kernel
# failed.
#
# The kernels boot at the same time unless KERNELS_PARALLEL=0: a guest
# under TCG spends most of its time in one vCPU thread, so two guests on
# two host cores finish in little more than the time of one (kernels.mk).
set -euo pipefail

dir=$1
initrd=$2
shift 2
here=$(dirname "$0")

# Fetch first, one at a time: apt output stays readable and a missing
# package stops the run before any qemu starts.
versions=()
for series in "$@"; do
	read -r version pkg <<<"$("$here/fetch.sh" "$series" "$dir")"
	echo "kernel $series: $version ($pkg)"
	versions+=("$version")
done

# One kernel's report goes to DIR/VERSION.result, printed whole once that
# kernel is done, so that concurrent runs do not interleave their lines.
run() {
	"$here/boot.sh" "$1" "$dir/$1"/boot/vmlinuz-* "$initrd" "$dir/$1.log" >"$dir/$1.result" 2>&1
}

status=0
if [ "${KERNELS_PARALLEL:-1}" = 1 ]; then
	pids=()
	for v in "${versions[@]}"; do
		echo "$v: running the suite (console: $dir/$v.log)"
		run "$v" &
		pids+=($!)
	done
	for i in "${!versions[@]}"; do
		wait "${pids[$i]}" || status=1
		cat "$dir/${versions[$i]}.result"
	done
else
	for v in "${versions[@]}"; do
		echo "$v: running the suite (console: $dir/$v.log)"
		run "$v" || status=1
		cat "$dir/$v.result"
	done
fi
exit "$status"
