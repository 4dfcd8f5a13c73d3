#!/bin/sh
# The demo of `make demo`: start fixture processes that hold a ring and epoll
# sets, run `uringdump show` on them, end them.
set -eu
ud=$1
fixture=$2
dir=$(mktemp -d)
p1= p2=
cleanup() {
	exec 7>&- 8>&- 2>/dev/null || true
	kill $p1 $p2 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
mkfifo "$dir/ring.in" "$dir/epoll.in"
# Each fixture runs until its stdin (a fifo held open here) closes.
"$fixture" ring < "$dir/ring.in" > "$dir/ring.out" & p1=$!
exec 7> "$dir/ring.in"
"$fixture" epoll < "$dir/epoll.in" > "$dir/epoll.out" & p2=$!
exec 8> "$dir/epoll.in"
for f in ring epoll; do
	until grep -q READY "$dir/$f.out" 2>/dev/null; do sleep 0.05; done
done
echo "\$ uringdump show $p1 $p2"
"$ud" show $p1 $p2
