#!/usr/bin/env bash
# Re-fetch the intersphinx inventories from Debian's documentation packages.
#
# The docs are built without internet access, so conf.py reads these local
# copies.  Run this as root on Debian (or in a Debian container), then
# update README.md with the versions it prints and, if a version changed,
# the matching base URLs in docs/conf.py's intersphinx_mapping.
set -euo pipefail
cd "$(dirname "$0")"

apt-get update -q
# Only the package files are needed: download and unpack, do not install.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download runs as the _apt user, which must be able to write here
# (otherwise it falls back to an unsandboxed download, with a warning).
chmod 777 "$work"

fetch() {  # fetch <package> <path inside the package> <inventory>
  (cd "$work" && apt-get download -q "$1")
  dpkg-deb -x "$work/$1"_*.deb "$work/$1"
  cp "$work/$1$2" "$3"
  printf '%-20s %-24s -> %s\n' "$1" "$(dpkg-deb -f "$work/$1"_*.deb Version)" "$3"
}

fetch python3.11-doc /usr/share/doc/python3.11/html/objects.inv python.inv
fetch python-attr-doc /usr/share/doc/python-attr-doc/html/objects.inv attrs.inv
fetch python-cattrs-doc /usr/share/doc/python-cattrs-doc/html/objects.inv cattrs.inv
