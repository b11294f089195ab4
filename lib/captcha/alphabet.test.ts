import { describe, expect, it } from "vitest";
import { ALPHABET, ANSWER_LENGTH, clipNames, randomAnswer } from "./alphabet";
import { hasGlyph } from "./glyphs";

describe("CAPTCHA alphabet", () => {
  it("has no look-alikes", () => {
    const lookAlikes = "0Oo1lIi5Ss2Zz8B6Gb9gqQ" + "CcKkOoPpSsUuVvWwXxZzYyJj";
    for (const c of lookAlikes) expect(ALPHABET).not.toContain(c);
  });

  it("has no duplicates, and every character has a glyph and two audio clips", () => {
    expect(new Set(ALPHABET).size).toBe(ALPHABET.length);
    for (const c of ALPHABET) {
      expect(hasGlyph(c)).toBe(true);
      expect(clipNames(c)).toHaveLength(2);
    }
  });

  it("names clips by kind and case-free name", () => {
    expect(clipNames("A")).toEqual(["upper", "say-a"]);
    expect(clipNames("a")).toEqual(["lower", "say-a"]);
    expect(clipNames("7")).toEqual(["digit", "say-7"]);
    expect(clipNames("B")).toBeUndefined();
    expect(clipNames("AA")).toBeUndefined();
  });

  it("draws answers of 6 characters from the alphabet, using all of it", () => {
    expect(ANSWER_LENGTH).toBe(6);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const answer = randomAnswer();
      expect(answer).toHaveLength(6);
      for (const c of answer) {
        expect(ALPHABET).toContain(c);
        seen.add(c);
      }
    }
    expect(seen.size).toBe(ALPHABET.length);
  });
});
