// User ID keys and Dutch-friendly mobile numbers.
import { describe, expect, it } from "vitest";
import { checkMobileNumber, parsePhone, userIdKey } from "./normalize";

describe("userIdKey", () => {
  it("makes every spelling of one user ID the same key", () => {
    expect(userIdKey("Jan.Jansen@Flynth.nl")).toBe("jan.jansen@flynth.nl");
    expect(userIdKey("  jan.jansen@flynth.nl \t")).toBe("jan.jansen@flynth.nl");
    // Full-width letters (from some IMEs) fold to ASCII under NFKC.
    expect(userIdKey("Ｊａｎ.jansen@flynth.nl")).toBe("jan.jansen@flynth.nl");
  });

  it("keeps different user IDs apart", () => {
    expect(userIdKey("jan.jansen@flynth.nl")).not.toBe(userIdKey("jan.janssen@flynth.nl"));
  });
});

describe("parsePhone", () => {
  it.each([
    ["06-12345678"],
    ["0612345678"],
    ["06 12 34 56 78"],
    ["+31 6 1234 5678"],
    ["+31612345678"],
    ["0031612345678"],
    ["0031 6 12345678"],
    [" (06) 123 456 78 "],
  ])("reads %j as the Dutch mobile +31612345678", (typed) => {
    expect(parsePhone(typed)).toEqual({ ok: true, e164: "+31612345678", isMobile: true, country: "NL" });
  });

  it("reads a landline but says it is not a mobile number", () => {
    expect(parsePhone("020-1234567")).toEqual({ ok: true, e164: "+31201234567", isMobile: false, country: "NL" });
    expect(parsePhone("+31 88 236 00 00")).toMatchObject({ ok: true, isMobile: false });
  });

  it("reads foreign mobile numbers in international form", () => {
    expect(parsePhone("+32 470 12 34 56")).toEqual({ ok: true, e164: "+32470123456", isMobile: true, country: "BE" });
  });

  it.each([["hello"], [""], ["06-1234"], ["06-123456789"], ["12345"], ["+999 123"], ["0031"]])("refuses %j", (typed) => {
    expect(parsePhone(typed)).toEqual({ ok: false });
  });
});

describe("checkMobileNumber", () => {
  it("accepts a mobile number in an allowed country, in E.164", () => {
    expect(checkMobileNumber("06-12345678", ["NL"])).toEqual({ ok: true, e164: "+31612345678" });
    expect(checkMobileNumber("+32 470 12 34 56", ["NL", "BE"])).toEqual({ ok: true, e164: "+32470123456" });
  });

  it("refuses a mobile number outside the allowed countries, naming its country", () => {
    expect(checkMobileNumber("+32 470 12 34 56", ["NL"])).toEqual({ ok: false, problem: "country-not-allowed", country: "BE" });
    expect(checkMobileNumber("06-12345678", ["BE"])).toEqual({ ok: false, problem: "country-not-allowed", country: "NL" });
  });

  it("refuses landlines, service numbers and garbage whatever the countries", () => {
    expect(checkMobileNumber("020-1234567", ["NL"])).toEqual({ ok: false, problem: "not-mobile" });
    expect(checkMobileNumber("+31 88 236 00 00", ["NL"])).toEqual({ ok: false, problem: "not-mobile" });
    expect(checkMobileNumber("0900-1234567", ["NL"])).toMatchObject({ ok: false });
    expect(checkMobileNumber("bel me", ["NL"])).toEqual({ ok: false, problem: "invalid" });
  });
});
