// A minimal POSIX tar (ustar) writer and reader for regular files, for the embedded database's backup file: operators can
// look inside one with `tar tzvf`, and no dependency is needed for a handful of entries.
import "server-only";

const BLOCK = 512;

export type TarEntry = { name: string; data: Buffer; mode?: number; mtime?: Date };

function field(header: Buffer, offset: number, length: number, value: string): void {
  header.write(value, offset, length, "latin1");
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, "0") + "\0";
}

/** One archive holding `entries` (names up to 100 bytes, ASCII). */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (!/^[\x21-\x7e]{1,100}$/.test(entry.name)) throw new Error(`tar: unsupported entry name ${JSON.stringify(entry.name)}`);
    const header = Buffer.alloc(BLOCK);
    field(header, 0, 100, entry.name);
    field(header, 100, 8, octal(entry.mode ?? 0o600, 8));
    field(header, 108, 8, octal(0, 8));
    field(header, 116, 8, octal(0, 8));
    field(header, 124, 12, octal(entry.data.length, 12));
    field(header, 136, 12, octal(Math.floor((entry.mtime ?? new Date()).getTime() / 1000), 12));
    field(header, 148, 8, "        ");
    field(header, 156, 1, "0");
    field(header, 257, 6, "ustar\0");
    field(header, 263, 2, "00");
    let sum = 0;
    for (const byte of header) sum += byte;
    field(header, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
    parts.push(header, entry.data, Buffer.alloc((BLOCK - (entry.data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

/** The regular files of an archive written by writeTar (or any ustar archive of plain files); checksums are checked. */
export function readTar(archive: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let offset = 0; offset + BLOCK <= archive.length;) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return files;
    const text = (start: number, length: number) => header.toString("latin1", start, start + length).replace(/\0.*$/s, "");
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    if (parseInt(text(148, 8).trim(), 8) !== sum) throw new Error("not a backup file (tar header checksum wrong)");
    const size = parseInt(text(124, 12).trim() || "0", 8);
    const name = text(0, 100);
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new Error("the backup file is cut short");
    if (text(156, 1) === "0" || text(156, 1) === "") files.set(name, archive.subarray(start, start + size));
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new Error("the backup file is cut short (no end-of-archive marker)");
}
