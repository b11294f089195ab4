// A directory's refusals as the portal's named rules: Samba's words, Windows' silent 0000052D, ppolicy's codes.
import { describe, expect, it } from "vitest";
import { adPasswordRefusal, meetsAdComplexity, ppolicyPasswordRefusal } from "./refusals";

const names = { sAMAccountName: "pz4711", displayName: "Jan van Jansen", lastName: "van Jansen" };
const policy = { minLength: 10, complexity: true };
const samba = (reason: string) => `0000052D: Constraint violation - check_password_restrictions: ${reason}`;
const windows =
  "0000052D: AtrErr: DSID-03191083, #1:\n\t0: 0000052D: DSID-03191083, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)";

describe("adPasswordRefusal with Samba's reasons", () => {
  it("names too short (the portal's own rule when below its 8 too), complexity, history and minimum age", () => {
    const short = samba("the password is too short. It should be equal or longer than 10 characters!");
    expect(adPasswordRefusal(short, "Kort2026!", policy, names)).toEqual(["directoryLength"]);
    expect(adPasswordRefusal(short, "Kort26!", policy, names)).toEqual(["length"]);
    expect(adPasswordRefusal(samba("the password does not meet the complexity criteria!"), "ZOMERTULPEN2026", policy, names)).toEqual([
      "complexity",
    ]);
    expect(adPasswordRefusal(samba("the password was already used (in history)!"), "Zomer-Tulpen-2026", policy, names)).toEqual([
      "history",
    ]);
    expect(adPasswordRefusal(samba("password is too young to change!"), "Zomer-Tulpen-2026", policy, names)).toEqual(["minAge"]);
  });

  it("calls a complexity refusal over the last name the last-name rule", () => {
    expect(adPasswordRefusal(samba("the password does not meet the complexity criteria!"), "Jansen2026", policy, names)).toEqual([
      "lastName",
    ]);
  });

  it("names anything else the directory's policy, never the server's words", () => {
    expect(adPasswordRefusal("00002082: something new", "Zomer-Tulpen-2026", policy, names)).toEqual(["directoryPolicy"]);
  });
});

describe("adPasswordRefusal with Windows' bare 0000052D", () => {
  it("works the reason out from the domain's policy; what remains is the history", () => {
    expect(adPasswordRefusal(windows, "Kort2026!", policy, names)).toEqual(["directoryLength"]);
    expect(adPasswordRefusal(windows, "ZOMERTULPEN2026", policy, names)).toEqual(["complexity"]);
    expect(adPasswordRefusal(windows, "Zomer-PZ4711-26", policy, names)).toEqual(["complexity"]);
    expect(adPasswordRefusal(windows, "Zomer-Jansen-26", policy, names)).toEqual(["lastName"]);
    expect(adPasswordRefusal(windows, "Zomer-Tulpen-2026", policy, names)).toEqual(["history"]);
    expect(adPasswordRefusal(windows, "ZOMERTULPEN2026", { minLength: 10, complexity: false }, names)).toEqual(["history"]);
  });
});

describe("meetsAdComplexity", () => {
  it("needs three kinds of characters", () => {
    expect(meetsAdComplexity("Zomertulpen", names)).toBe(false);
    expect(meetsAdComplexity("ZOMERTULPEN2026", names)).toBe(false);
    expect(meetsAdComplexity("Zomertulpen2026", names)).toBe(true);
    expect(meetsAdComplexity("zomer-tulpen-2026", names)).toBe(true);
  });

  it("refuses the account name and any 3+ letter part of the display name, in any case", () => {
    expect(meetsAdComplexity("Xx-pz4711-Yy", names)).toBe(false);
    expect(meetsAdComplexity("Welkom-Jan-1", names)).toBe(false);
    expect(meetsAdComplexity("Welkom-vAN-1", names)).toBe(false);
    expect(meetsAdComplexity("Welkom-Ja-1", names)).toBe(true);
  });
});

describe("ppolicyPasswordRefusal", () => {
  it("maps ppolicy's codes; the service account's own problems are not the user's", () => {
    expect(ppolicyPasswordRefusal(6, "Kort2026!")).toBe("directoryLength");
    expect(ppolicyPasswordRefusal(6, "Kort26!")).toBe("length");
    expect(ppolicyPasswordRefusal(5, "Zomer-Tulpen-2026")).toBe("complexity");
    expect(ppolicyPasswordRefusal(7, "Zomer-Tulpen-2026")).toBe("minAge");
    expect(ppolicyPasswordRefusal(8, "Zomer-Tulpen-2026")).toBe("history");
    expect(ppolicyPasswordRefusal(3, "Zomer-Tulpen-2026")).toBe("service");
    expect(ppolicyPasswordRefusal(4, "Zomer-Tulpen-2026")).toBe("service");
    expect(ppolicyPasswordRefusal(undefined, "Zomer-Tulpen-2026")).toBe("directoryPolicy");
  });
});
