// Test-only PNG reader that checks everything a strict decoder would: signature, chunk CRCs, IHDR, zlib stream and filters.
import { crc32 as zlibCrc32, inflateSync } from "node:zlib";

export type DecodedPng = { width: number; height: number; colourType: number; chunks: string[]; rgb: Uint8Array };

export function decodePng(png: Buffer): DecodedPng {
  if (!png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error("bad signature");
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let ihdr: Buffer | undefined;
  let plte: Buffer | undefined;
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("ascii", offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    const crc = png.readUInt32BE(offset + 8 + length);
    if (zlibCrc32(png.subarray(offset + 4, offset + 8 + length)) !== crc) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === "IHDR") ihdr = data;
    if (type === "PLTE") plte = data;
    if (type === "IDAT") idat.push(data);
    offset += 12 + length;
  }
  if (offset !== png.length) throw new Error("trailing bytes");
  if (!ihdr || chunks[0] !== "IHDR" || chunks.at(-1) !== "IEND") throw new Error("bad chunk order");
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const colourType = ihdr[9]!;
  if (ihdr[8] !== 8 || ![2, 3].includes(colourType) || ihdr[10] !== 0 || ihdr[11] !== 0 || ihdr[12] !== 0)
    throw new Error("unexpected IHDR");
  if (colourType === 3 && (!plte || plte.length % 3 !== 0 || plte.length > 768)) throw new Error("bad PLTE");
  const bpp = colourType === 3 ? 1 : 3;
  const stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== height * (stride + 1)) throw new Error("wrong amount of image data");
  const lines = new Uint8Array(width * height * bpp);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    if (filter > 4) throw new Error(`bad filter ${filter}`);
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? lines[y * stride + i - bpp]! : 0;
      const b = y > 0 ? lines[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? lines[(y - 1) * stride + i - bpp]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      lines[y * stride + i] = (raw[y * (stride + 1) + 1 + i]! + predictor) & 0xff;
    }
  }
  let rgb = lines;
  if (colourType === 3) {
    rgb = new Uint8Array(width * height * 3);
    for (let p = 0; p < width * height; p++) {
      const index = lines[p]!;
      if (index * 3 >= plte!.length) throw new Error("palette index out of range");
      rgb.set(plte!.subarray(index * 3, index * 3 + 3), p * 3);
    }
  }
  return { width, height, colourType, chunks, rgb };
}
