#!/usr/bin/env bash
# fetch.sh SERIES DIR: the newest Debian 12 cloud kernel of SERIES (6.1,
# 6.12, ...) unpacked below DIR/VERSION (never installed on this host);
# prints "VERSION PACKAGE" on stdout.
#
# The package is chosen now, not pinned: Debian drops old ABI numbers from
# the archive, so a fixed name would stop downloading. 6.1 is named
# linux-image-6.1.0-ABI-cloud-amd64-unsigned, backports such as 6.12
# linux-image-6.12.N+deb12-cloud-amd64-unsigned; the unsigned image is the
# same kernel without the signature wrapper. VERSION is the upstream
# version from the package's Version field (6.1.192-3 -> 6.1.192).
# An unpacked kernel is reused: nothing is downloaded twice.
set -euo pipefail

series=$1
root=$2
re_series=${series//./\\.}

pkg=$(apt-cache search --names-only \
	"^linux-image-${re_series}(\.0-[0-9]+|\.[0-9]+\+deb12)-cloud-amd64-unsigned\$" |
	awk '{print $1}' | sort -V | tail -n 1)
if [ -z "$pkg" ]; then
	echo "fetch.sh: no linux-image-$series cloud package in apt's lists (apt-get update?)" >&2
	exit 1
fi
deb_version=$(apt-cache show --no-all-versions "$pkg" | sed -n 's/^Version: //p' | head -n 1)
version=${deb_version%%-*}
dir=$root/$version

if [ ! -e "$dir/.unpacked" ]; then
	echo "fetch.sh: downloading $pkg ($deb_version)" >&2
	tmp=$(mktemp -d "$root/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# APT::Sandbox::User=root: apt would otherwise download as _apt,
	# which cannot write into a directory root created.
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$pkg=$deb_version")
	dpkg -x "$tmp"/*.deb "$tmp/x"
	# Only boot/ is used (vmlinuz; config and System.map for reference):
	# everything the suite needs is built in, so the modules are dropped.
	rm -rf "$dir"
	mkdir -p "$dir"
	mv "$tmp/x/boot" "$dir/boot"
	echo "$pkg $deb_version" >"$dir/.unpacked"
fi
echo "$version $pkg"
