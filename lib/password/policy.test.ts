// Password rules at their edges: length in code points after NFKC, upper case, digit, last name (Dutch compounds), confirmation.
import { describe, expect, it } from "vitest";
import { checkPasswordRules, codePointLength, lastNameParts, MAX_LENGTH, MIN_LENGTH } from "./policy";

const rules = (password: string, opts: { lastName?: string; confirmation?: string } = {}) => checkPasswordRules(password, opts);

describe("length", () => {
  it("refuses 7 code points and accepts 8", () => {
    expect(MIN_LENGTH).toBe(8);
    expect(rules("Abcdef1")).toEqual(["length"]);
    expect(rules("Abcdef12")).toEqual([]);
  });

  it("counts an emoji as one code point, not two UTF-16 units", () => {
    expect("Abcde1😀".length).toBe(8);
    expect(codePointLength("Abcde1😀")).toBe(7);
    expect(rules("Abcde1😀")).toEqual(["length"]);
    expect(rules("Abcdef1😀")).toEqual([]);
  });

  it("counts after NFKC: a letter plus combining accent is one, a ligature is two", () => {
    // "e" + U+0301 composes to "é": 8 code points typed, 7 after NFKC.
    const combining = "Abcde\u0301f1";
    expect([...combining].length).toBe(8);
    expect(rules(combining)).toEqual(["length"]);
    expect(rules("Abcde\u0301fg1")).toEqual([]);
    // "ﬁ" (U+FB01) becomes "fi": 7 code points typed, 8 after NFKC.
    const ligature = "Abcde1\uFB01";
    expect([...ligature].length).toBe(7);
    expect(rules(ligature)).toEqual([]);
  });

  it("accepts 128 code points and refuses 129", () => {
    expect(MAX_LENGTH).toBe(128);
    expect(rules("A1" + "a".repeat(126))).toEqual([]);
    expect(rules("A1" + "a".repeat(127))).toEqual(["maxLength"]);
    // Emoji at the limit: 128 code points are 254 UTF-16 units.
    expect(rules("A1" + "😀".repeat(126))).toEqual([]);
    expect(rules("A1" + "😀".repeat(127))).toEqual(["maxLength"]);
  });
});

describe("character classes", () => {
  it("needs an upper-case letter, in any script", () => {
    expect(rules("abcdefg1")).toEqual(["uppercase"]);
    expect(rules("abcdefG1")).toEqual([]);
    expect(rules("Ébcdefg1")).toEqual([]);
  });

  it("needs a digit", () => {
    expect(rules("Abcdefgh")).toEqual(["digit"]);
    expect(rules("Abcdefg9")).toEqual([]);
  });

  it("names every broken rule at once", () => {
    expect(rules("abc", { lastName: "Abc", confirmation: "abd" })).toEqual(["length", "uppercase", "digit", "lastName", "confirmation"]);
  });
});

describe("last name", () => {
  it("refuses the last name in any case and position", () => {
    for (const password of ["Jansen2026", "xJANSENx1A", "Mijnjansen1", "2026JaNsEn"])
      expect(rules(password, { lastName: "Jansen" })).toEqual(["lastName"]);
    expect(rules("Janssen2026", { lastName: "Jansen" })).toEqual([]);
  });

  it("ignores diacritics on either side", () => {
    expect(rules("Hoevenaars1", { lastName: "Hoëvenaars" })).toEqual(["lastName"]);
    expect(rules("Xhoëvenaars1", { lastName: "Hoevenaars" })).toEqual(["lastName"]);
    expect(rules("Celik2026A", { lastName: "Çelik" })).toEqual(["lastName"]);
  });

  it("checks the main words of 'van der Berg' but not the particles on their own", () => {
    expect(lastNameParts("van der Berg")).toEqual(["berg"]);
    expect(rules("Ijsberg2026", { lastName: "van der Berg" })).toEqual(["lastName"]);
    expect(rules("Vanille2026", { lastName: "van der Berg" })).toEqual([]);
    expect(rules("Vandaag2026Der", { lastName: "van der Berg" })).toEqual([]);
  });

  it("checks both names of 'Jansen-de Vries'", () => {
    expect(lastNameParts("Jansen-de Vries")).toEqual(["jansen", "vries"]);
    expect(rules("Jansen2026", { lastName: "Jansen-de Vries" })).toEqual(["lastName"]);
    expect(rules("Vries2026X", { lastName: "Jansen-de Vries" })).toEqual(["lastName"]);
    expect(rules("Devries2026", { lastName: "Jansen-de Vries" })).toEqual(["lastName"]);
    expect(rules("Dedication2026", { lastName: "Jansen-de Vries" })).toEqual([]);
  });

  it("does not check without a last name", () => {
    expect(rules("Jansen2026")).toEqual([]);
  });
});

describe("confirmation", () => {
  it("must equal the password", () => {
    expect(rules("Zomer2026!", { confirmation: "Zomer2026!" })).toEqual([]);
    expect(rules("Zomer2026!", { confirmation: "zomer2026!" })).toEqual(["confirmation"]);
    expect(rules("Zomer2026!", { confirmation: "" })).toEqual(["confirmation"]);
  });

  it("compares after NFKC, so composed and decomposed accents match", () => {
    expect(rules("Café2026x", { confirmation: "Cafe\u03012026x" })).toEqual([]);
  });
});
