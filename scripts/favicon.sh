#!/usr/bin/env bash
# Makes public/favicon.ico (16, 32 and 48 px PNGs in an ICO) from scripts/favicon.svg. Run by hand after changing the
# picture; needs rsvg-convert (Debian: librsvg2-bin). The portal serves the icon at /favicon.ico, where browsers look
# for it by themselves, instead of naming it in every page's head (issue #13: a metadata icon costs each page ~110
# bytes gzipped: its link tag and Next's IconMark, in the HTML and in the payload).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 16 32 48; do rsvg-convert -w "$size" -h "$size" scripts/favicon.svg -o "$tmp/$size.png"; done
node - "$tmp" <<'JS'
const { readFileSync, writeFileSync } = require("node:fs");
const dir = process.argv[2];
const images = [16, 32, 48].map((size) => ({ size, png: readFileSync(`${dir}/${size}.png`) }));
// ICONDIR (6 bytes), one ICONDIRENTRY (16 bytes) per image, then the PNGs as they are.
const header = Buffer.alloc(6 + 16 * images.length);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(images.length, 4);
let offset = header.length;
images.forEach(({ size, png }, i) => {
  const e = 6 + 16 * i;
  header.writeUInt8(size, e);
  header.writeUInt8(size, e + 1);
  header.writeUInt16LE(1, e + 4);
  header.writeUInt16LE(32, e + 6);
  header.writeUInt32LE(png.length, e + 8);
  header.writeUInt32LE(offset, e + 12);
  offset += png.length;
});
writeFileSync("public/favicon.ico", Buffer.concat([header, ...images.map((i) => i.png)]));
JS
echo "public/favicon.ico: $(wc -c < public/favicon.ico) bytes"
