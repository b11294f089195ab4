// The branding routes as the browser meets them: the ORG_LOGO file with its type and a day's cache, the ORG_COLOR
// stylesheet, empty answers when unset, no file read chosen by the request, and the links the layout puts in the page.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, readConfig, type AppConfig } from "@/lib/config";
import { contrastRatio, darker, parseHex, WHITE } from "@/lib/branding/color";

const stubs = vi.hoisted(() => ({ config: null as unknown }));
vi.mock("@/lib/config", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/config")>();
  return { ...original, getConfig: () => (stubs.config as AppConfig | null) ?? original.getConfig() };
});

const { GET: logoRoute } = await import("./logo/route");
const { GET: themeRoute } = await import("./theme.css/route");
const { getPortalInfo } = await import("@/lib/portal-info");

const dir = mkdtempSync(path.join(tmpdir(), "toegang-branding-routes-"));
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
/** The portal configured as an operator would, with these settings in its environment. */
const configure = (extra: Record<string, string>) => {
  stubs.config = readConfig({ ...process.env, ORG_LOGO: "", ORG_COLOR: "", ...extra });
};
const get = (url: string, headers: Record<string, string> = {}) => new Request(new URL(url, "http://localhost:3000"), { headers });
const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());

const SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40"><script>alert(1)</script><rect width="120" height="40"/></svg>';
/** A PNG's signature and IHDR (4×2) are all the portal reads; the rest of the file is served as it is. */
const PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
  Buffer.from("IHDR"),
  Buffer.from([0, 0, 0, 4, 0, 0, 0, 2, 8, 2, 0, 0, 0, 0, 0, 0, 0]),
  Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]),
]);

afterEach(() => {
  stubs.config = null;
});

describe("GET /api/branding/logo", () => {
  it("serves the PNG file as it is, cached for a day, with its ETag and never sniffed", async () => {
    configure({ ORG_LOGO: file("logo.png", PNG) });
    const res = logoRoute(get("/api/branding/logo?v=abc"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("etag")).toMatch(/^"[\w-]{16}"$/);
    expect((await bytes(res)).equals(PNG)).toBe(true);
  });

  it("serves an SVG as an image whose scripts cannot run when it is opened on its own", async () => {
    configure({ ORG_LOGO: file("logo.svg", SVG) });
    const res = logoRoute(get("/api/branding/logo"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp.split(";").map((d) => d.trim())).toContain("sandbox");
    expect(csp).not.toMatch(/script-src/);
    expect(await res.text()).toBe(SVG);
  });

  it("answers 304 without a body when the browser already has this logo, and the whole file for an old one", async () => {
    configure({ ORG_LOGO: file("logo.svg", SVG) });
    const etag = logoRoute(get("/api/branding/logo")).headers.get("etag")!;
    const same = logoRoute(get("/api/branding/logo", { "if-none-match": etag }));
    expect(same.status).toBe(304);
    expect(same.body).toBeNull();
    expect(same.headers.get("etag")).toBe(etag);
    const old = logoRoute(get("/api/branding/logo", { "if-none-match": '"an-older-logo-00"' }));
    expect(old.status).toBe(200);
    expect(await old.text()).toBe(SVG);
  });

  it("answers 404 when ORG_LOGO is not set", async () => {
    configure({});
    const res = logoRoute(get("/api/branding/logo"));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    // Not kept by browsers: once ORG_LOGO is set, the logo shows after a restart.
    expect(res.headers.get("cache-control") ?? "").not.toMatch(/public|max-age/);
  });

  it("serves only the file read at start: nothing in the request picks a file, and a changed file waits for a restart", async () => {
    const logo = file("logo-kept.svg", SVG);
    configure({ ORG_LOGO: logo });
    writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg"><text>changed</text></svg>');
    for (const url of [
      "/api/branding/logo?v=../../../../etc/passwd",
      "/api/branding/logo?path=/etc/passwd&file=/etc/passwd",
      "/api/branding/logo/..%2F..%2F..%2Fetc%2Fpasswd",
    ]) {
      const res = logoRoute(get(url));
      expect(res.headers.get("content-type")).toBe("image/svg+xml");
      expect(await res.text()).toBe(SVG);
    }
  });

  it("refuses at start an ORG_LOGO that points at something other than an SVG or PNG image", () => {
    const secret = file("secret.txt", "SESSION_SECRET=do-not-serve-me\n");
    expect(() => configure({ ORG_LOGO: secret })).toThrow(ConfigError);
    expect(() => configure({ ORG_LOGO: "/etc/passwd" })).toThrow(/ORG_LOGO .*must be an \.svg or \.png file/);
    // Renamed to .svg or .png, a file that is not one is still refused.
    expect(() => configure({ ORG_LOGO: file("secret.svg", "SESSION_SECRET=do-not-serve-me\n") })).toThrow(/is not an SVG image/);
    expect(() => configure({ ORG_LOGO: file("secret.png", "SESSION_SECRET=do-not-serve-me\n") })).toThrow(/is not a PNG image/);
  });
});

describe("GET /api/branding/theme.css", () => {
  it("carries ORG_COLOR as the accent and its darker hover shade, both at least AA against the white text on them", async () => {
    configure({ ORG_COLOR: "#6B2C91" });
    const res = themeRoute();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=86400");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const css = await res.text();
    const accent = /--accent:\s*(#[0-9a-f]{6});/.exec(css)?.[1];
    const accentDark = /--accent-dark:\s*(#[0-9a-f]{6});/.exec(css)?.[1];
    expect(accent).toBe("#6b2c91");
    expect(accentDark).toBe(darker(parseHex("#6b2c91")!));
    expect(contrastRatio(parseHex(accent!)!, WHITE)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(parseHex(accentDark!)!, WHITE)).toBeGreaterThanOrEqual(4.5);
    // Outweighs globals.css's :root whichever sheet comes first.
    expect(css).toMatch(/^html:root \{/);
  });

  it("is an empty stylesheet when ORG_COLOR is not set, so the portal's own colours stay", async () => {
    configure({});
    const res = themeRoute();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await res.text()).toBe("");
  });

  it("never carries anything but a hex colour: a value that would add CSS is refused at start", () => {
    for (const value of ["#0b5cab;} body{display:none", "#0b5cab}", "red", "#0b5cab /* x */"]) {
      expect(() => configure({ ORG_COLOR: value })).toThrow(ConfigError);
    }
  });
});

describe("what the layout links (getPortalInfo().branding)", () => {
  it("links the logo with a version from its content and a 32 px high size in its proportions", () => {
    configure({ ORG_LOGO: file("wide.svg", SVG) });
    const { logo } = getPortalInfo().branding;
    expect(logo).toEqual({ src: expect.stringMatching(/^\/api\/branding\/logo\?v=\w{12}$/), width: 96, height: 32 });
    const first = logo!.src;
    configure({ ORG_LOGO: file("other.svg", SVG.replace("<rect", '<rect fill="red"')) });
    expect(getPortalInfo().branding.logo!.src).not.toBe(first);
    configure({ ORG_LOGO: file("logo-4x2.png", PNG) });
    expect(getPortalInfo().branding.logo).toMatchObject({ width: 64, height: 32 });
  });

  it("links the colour sheet with the colour as its version, and the theme colour for the browser", () => {
    configure({ ORG_COLOR: "#6b2c91" });
    const { colorSheet, color } = getPortalInfo().branding;
    expect(colorSheet).toBe("/api/branding/theme.css?v=6b2c91");
    expect(color?.accent).toBe("#6b2c91");
  });

  it("links neither when both are unset", () => {
    configure({});
    expect(getPortalInfo().branding).toEqual({ logo: null, color: null, colorSheet: null });
  });
});
