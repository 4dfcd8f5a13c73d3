#!/bin/sh
# The cost of `uringdump top -d 1` watching 200 fixture processes (each with
# two rings and an epoll set of 1000 items, the W4 process): CPU time of the
# top process over SECONDS (default 30) from /proc/PID/stat, as a percentage
# of one core. Prints "top_cost_percent_of_one_core N.NN".
set -eu
ud=${UD_BIN:-./uringdump}
fixture=${UD_FIXTURE:-build/tests/ud_fixture}
seconds=${SECONDS_MEASURED:-30}
n=${TOP_PROCESSES:-200}
dir=$(mktemp -d)
session=udtopcost-$$
cleanup() {
	tmux kill-session -t "$session" 2>/dev/null || true
	[ -f "$dir/pids" ] && kill $(cat "$dir/pids") 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
mkfifo "$dir/hold"
# Every fixture reads the same fifo: they live until it is closed.
exec 9<> "$dir/hold"
i=0
while [ "$i" -lt "$n" ]; do
	"$fixture" w4 < "$dir/hold" > "$dir/out.$i" &
	echo $! >> "$dir/pids"
	i=$((i + 1))
done
i=0
while [ "$i" -lt "$n" ]; do
	until grep -q READY "$dir/out.$i" 2>/dev/null; do sleep 0.05; done
	i=$((i + 1))
done
tmux -f /dev/null new-session -d -x 160 -y 50 -s "$session" "$ud top -d 1"
sleep 5 # start-up and the first refreshes
pid=$(pgrep -f "^$ud top -d 1" | head -n 1)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
t0=$(ticks "$pid")
sleep "$seconds"
t1=$(ticks "$pid")
hz=$(getconf CLK_TCK)
awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$seconds" \
	'BEGIN { printf "top_cost_percent_of_one_core %.2f\n", (b - a) / hz / s * 100 }'
