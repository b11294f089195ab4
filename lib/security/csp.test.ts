// The Content-Security-Policy with and without hCaptcha: nothing extra by default; with hCaptcha exactly its hosts (or a
// stand-in's origin), while the nonce and 'strict-dynamic' stay.
import { describe, expect, it } from "vitest";
import { buildCsp, hcaptchaCspSources } from "./headers";

/** The policy as directive → sources. */
function parse(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name!, sources]),
  );
}

const NONCE = "bm9uY2Utbm9uY2Utbm9uY2U=";
const HCAPTCHA_HOSTS = ["https://hcaptcha.com", "https://*.hcaptcha.com"];

describe("Content-Security-Policy", () => {
  it("without hCaptcha: only the portal itself, scripts by nonce and 'strict-dynamic', no frames", () => {
    const csp = parse(buildCsp(NONCE, hcaptchaCspSources(undefined)));
    expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${NONCE}'`, "'strict-dynamic'"]);
    expect(csp.get("style-src")).toEqual(["'self'", `'nonce-${NONCE}'`]);
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("frame-src")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(buildCsp(NONCE, hcaptchaCspSources(undefined))).not.toMatch(/hcaptcha|https?:/);
  });

  it("with hCaptcha's own script: its documented hosts for script, frame, style and connect, and nowhere else", () => {
    const csp = parse(buildCsp(NONCE, hcaptchaCspSources("https://js.hcaptcha.com/1/api.js")));
    expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${NONCE}'`, "'strict-dynamic'", ...HCAPTCHA_HOSTS]);
    expect(csp.get("frame-src")).toEqual(HCAPTCHA_HOSTS);
    expect(csp.get("style-src")).toEqual(["'self'", `'nonce-${NONCE}'`, ...HCAPTCHA_HOSTS]);
    expect(csp.get("connect-src")).toEqual(["'self'", ...HCAPTCHA_HOSTS]);
    for (const directive of [
      "default-src",
      "img-src",
      "media-src",
      "font-src",
      "form-action",
      "frame-ancestors",
      "object-src",
      "base-uri",
    ]) {
      expect(csp.get(directive)!.join(" "), directive).not.toContain("hcaptcha");
    }
  });

  it("with a stand-in (or any other script URL): exactly that script's origin, never hCaptcha's hosts", () => {
    const csp = parse(buildCsp(NONCE, hcaptchaCspSources("http://127.0.0.1:3181/1/api.js")));
    expect(csp.get("script-src")).toEqual(["'self'", `'nonce-${NONCE}'`, "'strict-dynamic'", "http://127.0.0.1:3181"]);
    expect(csp.get("frame-src")).toEqual(["http://127.0.0.1:3181"]);
    expect(csp.get("style-src")).toEqual(["'self'", `'nonce-${NONCE}'`, "http://127.0.0.1:3181"]);
    expect(csp.get("connect-src")).toEqual(["'self'", "http://127.0.0.1:3181"]);
  });

  it("does not mistake a look-alike host, or plain HTTP, for hCaptcha", () => {
    expect(hcaptchaCspSources("https://hcaptcha.com.evil.example/1/api.js").frameHosts).toEqual(["https://hcaptcha.com.evil.example"]);
    expect(hcaptchaCspSources("https://evilhcaptcha.com/1/api.js").frameHosts).toEqual(["https://evilhcaptcha.com"]);
    expect(hcaptchaCspSources("http://js.hcaptcha.com/1/api.js").frameHosts).toEqual(["http://js.hcaptcha.com"]);
  });
});
