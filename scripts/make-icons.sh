#!/usr/bin/env bash
# Renders the PNG app icons from the SVG sources with headless Chromium.
# The PNGs are committed; run this only after changing an SVG.
set -euo pipefail
cd "$(dirname "$0")/../public/icons"
render() { # svg size out
  local tmp; tmp=$(mktemp -d)
  printf '<html><body style="margin:0;background:transparent"><img src="file://%s" width="%s" height="%s"></body></html>' \
    "$PWD/$1" "$2" "$2" > "$tmp/page.html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --default-background-color=00000000 \
    --user-data-dir="$tmp/profile" --window-size="$2,$2" --screenshot="$PWD/$3" "file://$tmp/page.html" 2>/dev/null
  rm -rf "$tmp"
}
render icon.svg 192 icon-192.png
render icon.svg 512 icon-512.png
render icon-maskable.svg 512 icon-maskable-512.png
