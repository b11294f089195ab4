// The proxy's page list (404 for anything else) is the app's real pages: a page added without listing it fails here.
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LOCALISED_PAGES, isUnknownLocalisedPage } from "./pages";

const root = path.join(__dirname, "..", "..", "app", "[locale]");

function pagesUnder(dir: string, prefix = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name === "page.tsx") found.push(prefix);
    if (!entry.isDirectory() || entry.name.startsWith("_")) continue;
    // The catch-all shows the not-found page; route groups "(x)" add no segment.
    if (entry.name.startsWith("[...")) continue;
    const segment = /^\(.*\)$/.test(entry.name) ? "" : `/${entry.name}`;
    found.push(...pagesUnder(path.join(dir, entry.name), prefix + segment));
  }
  return found;
}

describe("localised pages", () => {
  it("lists exactly the pages under app/[locale]", () => {
    expect([...LOCALISED_PAGES].sort()).toEqual(pagesUnder(root).sort());
  });

  it("tells unknown addresses under a locale from pages", () => {
    const locales = ["nl", "en"];
    for (const known of ["/nl", "/en/", "/nl/recover", "/nl/recover/code", "/en/admin/audit/flows/0b6f", "/nl/help/"]) {
      expect(isUnknownLocalisedPage(known, locales), known).toBe(false);
    }
    for (const unknown of ["/nl/does-not-exist", "/en/recover/nope", "/nl/admin/audit/flows", "/nl/admin/audit/flows/a/b"]) {
      expect(isUnknownLocalisedPage(unknown, locales), unknown).toBe(true);
    }
    // Not under a locale: the locale routing redirects these first (to /nl/…, which is then judged).
    expect(isUnknownLocalisedPage("/does-not-exist", locales)).toBe(false);
  });
});
