// Plain links name the page in its language, and the language switch keeps the page while changing the language.
import { describe, expect, it } from "vitest";
import { localHref, otherLanguageHref } from "./local-href";

describe("local addresses", () => {
  it("prefix every page with its language, the sign-in page being the language's root", () => {
    expect(localHref("nl", "/")).toBe("/nl");
    expect(localHref("en", "/help")).toBe("/en/help");
    expect(localHref("nl", "/recover/code")).toBe("/nl/recover/code");
  });

  it("switch the language of the page shown, its own root included", () => {
    expect(otherLanguageHref("/nl/recover", "en")).toBe("/en/recover");
    expect(otherLanguageHref("/en/admin/audit/flows/abc", "nl")).toBe("/nl/admin/audit/flows/abc");
    expect(otherLanguageHref("/nl", "en")).toBe("/en");
    expect(otherLanguageHref("/en/", "nl")).toBe("/nl");
  });
});
