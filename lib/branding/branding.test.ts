// ORG_COLOR and ORG_LOGO: the contrast check against WCAG AA, the logo's type and size, and one clear line at start.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "@/lib/config";
import { brandColor, contrastRatio, parseHex, WHITE } from "./color";
import { readLogo } from "./logo";

const dir = mkdtempSync(path.join(tmpdir(), "toegang-branding-"));
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const env = (extra: Record<string, string>) => ({ ...process.env, DATA_DIR: dir, ...extra });

/** A real 3×2 PNG (signature, IHDR, IDAT, IEND); the CRCs are not checked by the portal. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("ORG_COLOR", () => {
  it("computes WCAG contrast ratios", () => {
    expect(contrastRatio([0, 0, 0], WHITE)).toBeCloseTo(21, 5);
    expect(contrastRatio(WHITE, WHITE)).toBe(1);
    // The portal's own blue: 6.7:1.
    expect(contrastRatio(parseHex("#0b5cab")!, WHITE)).toBeCloseTo(6.7, 1);
    expect(parseHex("#08c")).toEqual([0, 136, 204]);
    expect(parseHex("blue")).toBeNull();
  });

  it("accepts a colour with at least 4.5:1 against white and derives a darker hover shade", () => {
    const result = brandColor("#0B5CAB");
    expect(result).toEqual({ ok: true, color: { accent: "#0b5cab", accentDark: expect.stringMatching(/^#[0-9a-f]{6}$/) } });
    if (!result.ok) return;
    expect(contrastRatio(parseHex(result.color.accentDark)!, WHITE)).toBeGreaterThan(contrastRatio(parseHex("#0b5cab")!, WHITE));
    // #767676 is the lightest grey that passes (4.54:1); #777777 fails (4.48:1).
    expect(brandColor("#767676").ok).toBe(true);
    expect(brandColor("#777777").ok).toBe(false);
  });

  it("refuses the portal at start with one line naming the setting, the ratio and what AA needs", () => {
    expect(() => readConfig(env({ ORG_COLOR: "#ffcc00" }))).toThrow(ConfigError);
    expect(() => readConfig(env({ ORG_COLOR: "#ffcc00" }))).toThrow(
      /^Configuration error: ORG_COLOR #ffcc00 has a contrast of 1\.\d\d:1 with white; WCAG AA needs at least 4\.5:1[^\n]*$/,
    );
    expect(() => readConfig(env({ ORG_COLOR: "rood" }))).toThrow("ORG_COLOR must be a hex colour such as #0b5cab");
    expect(readConfig(env({ ORG_COLOR: "#6b2c91" })).branding.color?.accent).toBe("#6b2c91");
    expect(readConfig(env({})).branding).toEqual({ logo: null, color: null });
  });
});

describe("ORG_LOGO", () => {
  it("reads an SVG with its proportions from the viewBox", () => {
    const svg = file(
      "logo.svg",
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><rect width="120" height="40"/></svg>',
    );
    const result = readLogo(svg);
    expect(result).toMatchObject({ ok: true, logo: { contentType: "image/svg+xml", width: 120, height: 40 } });
  });

  it("reads a PNG with its size from the header", () => {
    expect(readLogo(file("logo.png", png(3, 2)))).toMatchObject({ ok: true, logo: { contentType: "image/png", width: 3, height: 2 } });
  });

  it("refuses other types, files that are not what they say, missing and oversized files, with one line at start", () => {
    expect(readLogo(file("logo.gif", "GIF89a"))).toEqual({ ok: false, problem: expect.stringContaining("must be an .svg or .png file") });
    expect(readLogo(file("fake.png", "<svg></svg>"))).toEqual({ ok: false, problem: expect.stringContaining("is not a PNG image") });
    expect(readLogo(file("fake.svg", "hello"))).toEqual({ ok: false, problem: expect.stringContaining("is not an SVG image") });
    expect(readLogo(path.join(dir, "missing.svg"))).toEqual({ ok: false, problem: expect.stringContaining("cannot be read") });
    const big = file("big.svg", `<svg xmlns="http://www.w3.org/2000/svg">${" ".repeat(600 * 1024)}</svg>`);
    expect(readLogo(big)).toEqual({ ok: false, problem: expect.stringContaining("at most 512 KiB") });
    expect(() => readConfig(env({ ORG_LOGO: path.join(dir, "missing.svg") }))).toThrow(/^Configuration error: ORG_LOGO .*cannot be read/);
  });
});
