// Directory values as the portal's: AD FILETIMEs and intervals, GeneralizedTime, GUIDs, mobile numbers.
import { describe, expect, it } from "vitest";
import {
  bytes,
  fromFiletime,
  fromGeneralizedTime,
  fromInterval,
  guidToBuffer,
  guidToString,
  mobileNumber,
  text,
  texts,
} from "./attributes";

describe("attributes", () => {
  it("reads text whatever the server's spelling of the name, an absent value as null", () => {
    const entry = { mail: "jan@flynth.nl", MOBILE: ["06-12345656", "x"], lockoutTime: [], cn: Buffer.from("Jan") };
    expect(text(entry, "mail")).toBe("jan@flynth.nl");
    expect(text(entry, "mobile")).toBe("06-12345656");
    expect(texts(entry, "Mobile")).toEqual(["06-12345656", "x"]);
    expect(text(entry, "lockoutTime")).toBeNull();
    expect(text(entry, "sn")).toBeNull();
    expect(text(entry, "cn")).toBe("Jan");
    expect(bytes(entry, "cn")).toEqual(Buffer.from("Jan"));
    expect(bytes(entry, "mail")).toBeNull();
  });

  it("turns AD FILETIMEs into dates, with 0 and 'never' as none", () => {
    expect(fromFiletime("134405147721389710")?.toISOString()).toBe("2026-11-30T12:19:32.138Z");
    expect(fromFiletime("0")).toBeNull();
    expect(fromFiletime("9223372036854775807")).toBeNull();
    expect(fromFiletime(null)).toBeNull();
    expect(fromFiletime("soon")).toBeNull();
  });

  it("turns AD intervals into milliseconds, with 0 and 'forever' as none", () => {
    expect(fromInterval("-18000000000")).toBe(30 * 60_000);
    expect(fromInterval("0")).toBeNull();
    expect(fromInterval("-9223372036854775808")).toBeNull();
  });

  it("reads LDAP GeneralizedTime, with or without a fraction", () => {
    expect(fromGeneralizedTime("20261130121948Z")?.toISOString()).toBe("2026-11-30T12:19:48.000Z");
    expect(fromGeneralizedTime("20261130121948.412722Z")?.toISOString()).toBe("2026-11-30T12:19:48.412Z");
    expect(fromGeneralizedTime("000001010000Z")?.getUTCFullYear()).toBe(0);
    expect(fromGeneralizedTime("yesterday")).toBeNull();
  });

  it("writes objectGUID bytes in AD's text form and back", () => {
    const bytes = Buffer.from("f557d4906b63dd43aa2085a72f0d9202", "hex");
    expect(guidToString(bytes)).toBe("90d457f5-636b-43dd-aa20-85a72f0d9202");
    expect(guidToBuffer("90d457f5-636b-43dd-aa20-85a72f0d9202")).toEqual(bytes);
    expect(() => guidToBuffer("not-a-guid")).toThrow();
  });

  it("normalises the mobile number to E.164; an invalid one is none", () => {
    expect(mobileNumber("06-12345656")).toBe("+31612345656");
    expect(mobileNumber("+31 6 8765 4321")).toBe("+31687654321");
    expect(mobileNumber("0031612345656")).toBe("+31612345656");
    expect(mobileNumber("12345")).toBeNull();
    expect(mobileNumber(null)).toBeNull();
  });
});
