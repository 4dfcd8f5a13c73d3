#!/bin/sh
# Remakes the minimal BTF files of tests/data/btf for the programs as they
# are now built: from the kernels of the matrix (Debian 12's newest 6.1 and
# 6.12 cloud kernels, fetched by tests/kernels/fetch.sh) and from this
# machine's kernel. Needs apt's lists, bpftool, lz4, zstd and python3; run
# from the top of the tree after `make`. Rename the files the CO-RE test
# names (tests/integration/core_layouts_test.cpp) if the versions moved.
set -eu
objs="build/uringdump.bpf.o build/uringdump_text.bpf.o"
out=tests/data/btf
kernels=build/kernels
mkdir -p "$kernels"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for series in 6.1 6.12; do
	version=$(tests/kernels/fetch.sh "$series" "$kernels" | cut -d' ' -f1)
	# The compressed kernel follows the setup code: lz4 (6.1) or zstd (6.12).
	python3 - "$kernels/$version"/boot/vmlinuz-* "$tmp/vmlinux" <<'PY'
import subprocess, sys
data = open(sys.argv[1], 'rb').read()
for magic, cmd in ((b'\x28\xb5\x2f\xfd', ['zstd', '-dcq']), (b'\x02\x21\x4c\x18', ['lz4', '-dcq']),
                   (b'\xfd7zXZ\x00', ['xz', '-dcq'])):
    at = data.find(magic)
    while at >= 0:
        elf = subprocess.run(cmd, input=data[at:], capture_output=True).stdout
        if elf[:4] == b'\x7fELF':
            open(sys.argv[2], 'wb').write(elf)
            sys.exit(0)
        at = data.find(magic, at + 1)
sys.exit('no compressed ELF found in ' + sys.argv[1])
PY
	bpftool gen min_core_btf "$tmp/vmlinux" "$out/linux-$version-min.btf" $objs
done
bpftool gen min_core_btf /sys/kernel/btf/vmlinux "$out/linux-$(uname -r | sed 's/-.*//')-min.btf" $objs
ls -l "$out"
