#!/bin/sh
# Refresh the vendored Leaflet from the npm registry: the version is the one pinned in package.json.
# Usage: sh voting/web/static/vendor/leaflet/refresh.sh   (needs npm; writes only into this folder)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's/.*"leaflet": "\([0-9.]*\)".*/\1/p' "$here/package.json")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "leaflet@$version" >/dev/null && tar xzf "leaflet-$version.tgz")
cp "$work/package/dist/leaflet.js" "$work/package/dist/leaflet.css" "$work/package/LICENSE" "$here/"
mkdir -p "$here/images"
cp "$work/package/dist/images/"*.png "$here/images/"
echo "leaflet $version copied to $here"
