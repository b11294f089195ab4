import { randomBytes } from "node:crypto";
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, encodePng } from "./png";
import { decodePng } from "./png-decode.test-helper";

describe("encodePng", () => {
  it("computes the standard CRC-32", () => {
    expect(crc32(Buffer.from("IEND"))).toBe(0xae426082);
    const bytes = Buffer.from("The quick brown fox jumps over the lazy dog");
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  });

  it("writes an indexed PNG when 256 colours suffice, and it round-trips", () => {
    const width = 7;
    const height = 5;
    const rgb = new Uint8Array(width * height * 3).map((_, i) => (i % 3 === 0 ? (i * 7) % 256 : 40));
    const png = encodePng(width, height, rgb);
    const decoded = decodePng(png);
    expect(decoded).toMatchObject({ width, height, colourType: 3, chunks: ["IHDR", "PLTE", "IDAT", "IEND"] });
    expect(decoded.rgb).toEqual(rgb);
  });

  it("falls back to truecolour with filters for many colours, and it round-trips", () => {
    const width = 40;
    const height = 30;
    const rgb = new Uint8Array(randomBytes(width * height * 3));
    const decoded = decodePng(encodePng(width, height, rgb));
    expect(decoded).toMatchObject({ width, height, colourType: 2, chunks: ["IHDR", "IDAT", "IEND"] });
    expect(decoded.rgb).toEqual(rgb);
  });

  it("refuses a pixel buffer of the wrong size", () => {
    expect(() => encodePng(2, 2, new Uint8Array(11))).toThrow();
  });
});
