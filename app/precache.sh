#!/bin/sh
# Trunk post-build hook: writes the precache list (every file Trunk staged,
# with its hashed name) and a version (a hash of all their contents) into
# the staged sw.js, so each build's service worker caches exactly that build.
set -eu
cd "${TRUNK_STAGING_DIR:?this script is run by trunk as a post_build hook}"
version=$(find . -type f ! -name sw.js -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
list=$(find . -type f ! -name sw.js | sed 's|^\./|/|' | sort \
  | awk 'BEGIN { printf "[\"/\"" } { printf ",\"%s\"", $0 } END { printf "]" }')
sed -i "s|\"__VERSION__\"|\"$version\"|; s|__PRECACHE__|$list|" sw.js
grep -q "__PRECACHE__" sw.js && { echo "precache.sh: the list was not written" >&2; exit 1; }
exit 0
