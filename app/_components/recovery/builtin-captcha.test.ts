// The built-in CAPTCHA's markup: the picture's srcset offers the route's x=2 rendering to high-density screens.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { IMAGE_HEIGHT, IMAGE_WIDTH } from "@/lib/captcha/image";
import messages from "@/messages/nl.json";
import { BuiltinCaptcha } from "./builtin-captcha";

/** A sealed token has characters a URL or a srcset must not carry as they are (a comma would split the candidates). */
const TOKEN = "Fe26.2*1*ab+c/d=e,f g*~2";

function render(): string {
  const { captcha, captchaHint, captchaImageAlt, captchaAudio, captchaRefresh } = messages.Recovery.identify;
  const texts = { captcha, captchaHint, captchaImageAlt, captchaAudio, captchaRefresh };
  return renderToStaticMarkup(createElement(BuiltinCaptcha, { token: TOKEN, locale: "nl", texts }));
}

/** The picture's attributes as the browser reads them (entities decoded). */
function imageAttributes(html: string): Record<string, string> {
  const tag = /<img\b[^>]*>/.exec(html)?.[0] ?? "";
  const decode = (v: string) =>
    v
      .replace(/&amp;/g, "&")
      .replace(/&quot;/g, '"')
      .replace(/&#x27;/g, "'");
  return Object.fromEntries([...tag.matchAll(/\s([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), decode(m[2]!)]));
}

describe("BuiltinCaptcha", () => {
  it("offers the x=2 picture of the same challenge to 2x screens in srcset, and the 1x one as src", () => {
    const img = imageAttributes(render());
    const src = new URL(img.src!, "http://localhost");
    expect(src.pathname).toBe("/api/captcha/image");
    expect(src.searchParams.get("t")).toBe(TOKEN);
    expect(src.searchParams.has("x")).toBe(false);
    // Candidates are "URL descriptor" pairs separated by commas; the URLs themselves hold none.
    const candidates = img.srcset!.split(",").map((c) => c.trim().split(/\s+/));
    expect(candidates.map((c) => c.length)).toEqual([2, 2]);
    const byDensity = Object.fromEntries(candidates.map(([url, density]) => [density!, new URL(url!, "http://localhost")]));
    expect(Object.keys(byDensity).sort()).toEqual(["1x", "2x"]);
    expect(byDensity["1x"]!.href).toBe(src.href);
    expect(byDensity["2x"]!.pathname).toBe("/api/captcha/image");
    expect(byDensity["2x"]!.searchParams.get("t")).toBe(TOKEN);
    expect(byDensity["2x"]!.searchParams.get("x")).toBe("2");
  });

  it("lays the picture out at the 1x rendering's size, so the 2x one is drawn at half its pixels", () => {
    const img = imageAttributes(render());
    expect({ width: Number(img.width), height: Number(img.height) }).toEqual({ width: IMAGE_WIDTH, height: IMAGE_HEIGHT });
    expect(img.alt).toBe(messages.Recovery.identify.captchaImageAlt);
  });
});
