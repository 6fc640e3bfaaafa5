#!/usr/bin/env bash
# Regenerates every icon size from icon.svg, the one source image.
# Needs librsvg2-bin (rsvg-convert), imagemagick and icnsutils (png2icns).
set -euo pipefail
cd "$(dirname "$0")"
render() { rsvg-convert -w "$1" -h "$1" icon.svg -o "$2"; }
render 32 32x32.png
render 64 64x64.png
render 128 128x128.png
render 256 128x128@2x.png
render 512 icon.png
for s in 16 24 48 256; do render "$s" "tmp-$s.png"; done
/usr/bin/convert tmp-16.png tmp-24.png 32x32.png tmp-48.png 64x64.png tmp-256.png icon.ico
render 1024 tmp-1024.png
png2icns icon.icns tmp-16.png 32x32.png tmp-48.png 128x128.png tmp-256.png icon.png tmp-1024.png >/dev/null
rm -f tmp-*.png
