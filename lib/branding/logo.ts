// The organisation's logo (ORG_LOGO): an SVG or PNG file, checked once at start and served by /api/branding/logo.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";

/** Larger files are refused: a logo in the header needs far less. */
export const LOGO_MAX_BYTES = 512 * 1024;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export type Logo = { path: string; contentType: "image/svg+xml" | "image/png"; bytes: Buffer; etag: string; width: number; height: number };

/** Reads and checks the file: the logo, or the one line that says what is wrong with it. */
export function readLogo(file: string): { ok: true; logo: Logo } | { ok: false; problem: string } {
  const resolved = path.resolve(file);
  const ext = path.extname(resolved).toLowerCase();
  if (ext !== ".svg" && ext !== ".png") return { ok: false, problem: `${file} must be an .svg or .png file` };
  let size: number;
  try {
    size = statSync(resolved).size;
  } catch {
    return { ok: false, problem: `${file} cannot be read (does it exist?)` };
  }
  if (size > LOGO_MAX_BYTES)
    return { ok: false, problem: `${file} is ${Math.ceil(size / 1024)} KiB; at most ${LOGO_MAX_BYTES / 1024} KiB` };
  const bytes = readFileSync(resolved);
  const etag = `"${createHash("sha256").update(bytes).digest("base64url").slice(0, 16)}"`;
  if (ext === ".png") {
    if (!bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return { ok: false, problem: `${file} is not a PNG image` };
    // IHDR: width and height, big-endian, right after the signature and the chunk's length and type.
    return {
      ok: true,
      logo: { path: resolved, contentType: "image/png", bytes, etag, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) },
    };
  }
  const text = bytes.toString("utf8");
  const svg = /<svg\b[^>]*>/i.exec(text);
  if (!svg) return { ok: false, problem: `${file} is not an SVG image` };
  const { width, height } = svgSize(svg[0]);
  return { ok: true, logo: { path: resolved, contentType: "image/svg+xml", bytes, etag, width, height } };
}

/** The drawing's proportions from viewBox (else width/height); a square when it says neither. */
function svgSize(tag: string): { width: number; height: number } {
  const viewBox = /viewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(tag);
  if (viewBox) return { width: Number(viewBox[1]), height: Number(viewBox[2]) };
  const w = /\swidth\s*=\s*["']([\d.]+)/i.exec(tag);
  const h = /\sheight\s*=\s*["']([\d.]+)/i.exec(tag);
  return w && h ? { width: Number(w[1]), height: Number(h[1]) } : { width: 1, height: 1 };
}
