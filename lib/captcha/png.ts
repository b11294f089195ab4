// Minimal PNG encoder (8-bit indexed or RGB, node:zlib deflate, CRC-32 per chunk) so the CAPTCHA image needs no native or npm dependency.
import { deflateSync } from "node:zlib";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, the polynomial PNG and zlib use). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Filters one scanline five ways and keeps the one with the smallest sum of absolute bytes (the usual heuristic). */
function filterRow(row: Uint8Array, prev: Uint8Array, bpp: number): Uint8Array {
  let best: Uint8Array | undefined;
  let bestScore = Infinity;
  for (let type = 0; type <= 4; type++) {
    const out = new Uint8Array(row.length + 1);
    out[0] = type;
    let score = 0;
    for (let i = 0; i < row.length; i++) {
      const a = i >= bpp ? row[i - bpp]! : 0;
      const b = prev[i]!;
      const c = i >= bpp ? prev[i - bpp]! : 0;
      const predictor = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth(a, b, c);
      const v = (row[i]! - predictor) & 0xff;
      out[i + 1] = v;
      score += v < 128 ? v : 256 - v;
    }
    if (score < bestScore) {
      bestScore = score;
      best = out;
    }
  }
  return best!;
}

/** Encodes width × height RGB pixels (3 bytes each, row by row) as a PNG file: indexed when 256 colours suffice, else truecolour. */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  if (rgb.length !== width * height * 3) throw new Error("pixel buffer does not match the dimensions");
  const colours = new Map<number, number>();
  const indices = new Uint8Array(width * height);
  for (let p = 0; p < indices.length && colours.size <= 256; p++) {
    const key = (rgb[p * 3]! << 16) | (rgb[p * 3 + 1]! << 8) | rgb[p * 3 + 2]!;
    let index = colours.get(key);
    if (index === undefined) colours.set(key, (index = colours.size));
    indices[p] = index;
  }
  if (colours.size <= 256) {
    const palette = new Uint8Array(colours.size * 3);
    for (const [key, index] of colours) palette.set([key >>> 16, (key >>> 8) & 0xff, key & 0xff], index * 3);
    return encodeIndexedPng(width, height, indices, palette);
  }
  const stride = width * 3;
  const rows: Uint8Array[] = [];
  let prev: Uint8Array = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = rgb.subarray(y * stride, (y + 1) * stride);
    rows.push(filterRow(row, prev, 3));
    prev = row;
  }
  return assemble(width, height, 2, Buffer.concat(rows), null);
}

const rowBuffers = new Map<string, Buffer>();

/** A buffer zeroed once for these dimensions' unfiltered rows: each row's filter byte (0) is never written over. */
function rowBuffer(width: number, height: number): Buffer {
  const key = `${width}x${height}`;
  let b = rowBuffers.get(key);
  if (!b) rowBuffers.set(key, (b = Buffer.alloc(height * (width + 1))));
  return b;
}

/** Encodes width × height palette indices (one byte each, row by row) with their palette (RGB triples, ≤ 256) as a PNG file. */
export function encodeIndexedPng(width: number, height: number, indices: Uint8Array, palette: Uint8Array): Buffer {
  if (indices.length !== width * height) throw new Error("index buffer does not match the dimensions");
  if (palette.length % 3 !== 0 || palette.length === 0 || palette.length > 256 * 3) throw new Error("a palette holds 1 to 256 RGB colours");
  // Palette images compress best unfiltered (filter type 0 on every row), as the PNG spec advises. The rows go into a
  // buffer kept per size (deflateSync reads it before this returns; see Buffers in ./image.ts for why).
  const raw = rowBuffer(width, height);
  for (let y = 0; y < height; y++) raw.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  return assemble(width, height, 3, raw, palette);
}

function assemble(width: number, height: number, colourType: 2 | 3, filtered: Buffer, palette: Uint8Array | null): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType; // 3: palette, 2: truecolour
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  // Level 6: level 9 costs several times the CPU on these small images for a few percent of their size.
  const idat = deflateSync(filtered, { level: 6 });
  const chunks = [SIGNATURE, chunk("IHDR", ihdr)];
  if (palette) chunks.push(chunk("PLTE", palette));
  chunks.push(chunk("IDAT", idat), chunk("IEND", new Uint8Array(0)));
  return Buffer.concat(chunks);
}
