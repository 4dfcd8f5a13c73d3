#!/bin/sh
# Remakes the minimal BTF files of tests/data/btf from Debian's kernel
# packages (6.1 from bookworm, 6.12 from bookworm-backports) and this
# machine's kernel, for the programs as they are now built. Needs network
# access to deb.debian.org, bpftool, zstd and python3; run from the top of
# the tree after `make`.
set -eu
obj=build/uringdump.bpf.o
out=tests/data/btf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'deb http://deb.debian.org/debian bookworm main\ndeb http://deb.debian.org/debian bookworm-backports main\n' > "$tmp/sources.list"
mkdir -p "$tmp/lists/partial"
apt_opts="-o Dir::Etc::SourceList=$tmp/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$tmp/lists"
apt-get $apt_opts update -qq
for pkg in linux-image-6.1.0-47-amd64-unsigned linux-image-6.12.95+deb12-amd64-unsigned; do
	(cd "$tmp" && apt-get $apt_opts download "$pkg")
done
for deb in "$tmp"/*.deb; do
	dir="$tmp/x"
	rm -rf "$dir"
	dpkg-deb -x "$deb" "$dir"
	vmlinuz=$(ls "$dir"/boot/vmlinuz-*)
	version=$(dpkg-deb -f "$deb" Version | sed 's/[-~].*//')
	# The compressed kernel follows the setup code: xz (6.1) or zstd (6.12).
	python3 - "$vmlinuz" "$tmp/vmlinux" <<'PY'
import lzma, subprocess, sys
data = open(sys.argv[1], 'rb').read()
xz = data.find(b'\xfd7zXZ\x00')
zs = data.find(b'\x28\xb5\x2f\xfd')
if xz >= 0 and (zs < 0 or xz < zs):
    out = lzma.LZMADecompressor().decompress(data[xz:])
else:
    out = subprocess.run(['zstd', '-d', '-q', '--memory=2048MB', '-c'], input=data[zs:],
                         capture_output=True).stdout
open(sys.argv[2], 'wb').write(out)
PY
	bpftool gen min_core_btf "$tmp/vmlinux" "$out/linux-$version-min.btf" "$obj"
done
bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$out/linux-$(uname -r | sed 's/-.*//')-min.btf" "$obj"
ls -l "$out"
