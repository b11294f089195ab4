// The password rules people and attackers meet: guessable passwords refused with their rule named, strong ones accepted,
// near-misses of earlier passwords caught without Argon2 work, and the order that keeps refused passwords cheap.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "@/lib/db/client";
import { passwordHistory, users } from "@/lib/db/schema";
import { drivers, freshDb } from "@/tests/db";
import { checkNewPassword, guessabilityRules, historyEntry, type PasswordOwner } from "./check";
import { hashPassword, verifyPassword } from "./hash";
import { oneEditApart } from "./dictionary";
import { coreCandidates, guessableByTerms, bannedTerms } from "./guessable";
import { passwordSkeleton } from "./skeleton";

// Every Argon2 verification is counted: refused passwords must cost none.
vi.mock("./hash", async (importOriginal) => {
  const real = await importOriginal<typeof import("./hash")>();
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) };
});

const jan: PasswordOwner = { id: null, email: "jan.jansen@flynth.nl", firstName: "Jan", lastName: "Jansen" };
const guess = (password: string, owner: PasswordOwner = jan) => guessabilityRules(password, owner);

describe("guessable passwords are refused, each with its rule", () => {
  // The list first (ORG_NAME is Flynth by default), then more of each kind.
  it.each([
    ["Welkom01!", "common"],
    ["Wachtwoord1", "common"],
    ["Zomer2026!", "seasonal"],
    ["Flynth2026!", "organisation"],
    ["Password1", "common"],
    ["Qwerty123", "common"],
    ["P@ssw0rd!", "common"],
    ["W3lk0m2026", "common"],
    ["Azerty1234!", "common"],
    ["1qaz2wsx", "common"],
    ["Monkey12345", "common"],
    ["Iloveyou2!", "common"],
    ["Voetbal99!", "common"],
    ["Wachtwoorrd1", "common"],
    ["Geheim123!", "common"],
    ["Lente2026!", "seasonal"],
    ["Herfst-2025", "seasonal"],
    ["Voorjaar2026!", "seasonal"],
    ["Winter2024!", "seasonal"],
    ["Summer2026", "seasonal"],
    ["AUTUMN1999!", "seasonal"],
    ["Januari2025!", "seasonal"],
    ["December24!", "seasonal"],
    ["Okt2026!!", "seasonal"],
    ["FLYNTH123!", "organisation"],
    ["F1ynth2026", "organisation"],
    ["#Flynth.nl1", "organisation"],
    ["Jansen1234!", "personal"],
    ["Jan.Jansen1", "personal"],
    ["JanJan2026!", "personal"],
  ])("%s → %s", async (password, rule) => {
    expect(await guess(password)).toContain(rule);
  });

  it("counts the organisation's own PASSWORD_BANNED_WORDS and the user's first name", async () => {
    const { getConfig } = await import("@/lib/config");
    const config = { ...getConfig(), password: { ...getConfig().password, bannedWords: ["Toegang", "Kantoorpark"] } };
    expect(await guessabilityRules("Toegang2026!", jan, config)).toEqual(["organisation"]);
    expect(await guessabilityRules("K4ntoorpark#1", jan, config)).toEqual(["organisation"]);
    expect(await guess("Marieke2026!", { ...jan, firstName: "Marieke" })).toEqual(["personal"]);
    expect(await guess("Marieke2026!", jan)).not.toContain("personal");
  });

  it("calls a weak password weak when no list names it (strength estimate under PASSWORD_MIN_SCORE)", async () => {
    expect(await guess("Voorbeeld7")).toEqual(["weak"]);
    expect(await guess("Aaaaaaaa1")).toEqual(["weak"]);
    expect(await guess("Abcd1234")).not.toEqual([]);
  });

  it.each([
    "Blauwe-Kikker-42",
    "Mijn-Kat-Heet-Pluis9",
    "Correct-Paard-Batterij-7",
    "Nieuw-1a2b3c4d-7Q",
    "Kikker-Blauw-Tafel-99",
    "Fietsbel#Regen88",
    "Ijsvogel-Kade-31",
    "Flynth-Blauwe-Tafel-Kikker7", // an organisation word with plenty else is fine
    "Jan-Zoekt-Vier-Groene-Stoelen3",
    "q7R!vZ2mK9#p",
  ])("accepts the strong %s", async (password) => {
    expect(await guess(password)).toEqual([]);
  });
});

describe("normalisation as Microsoft's banned-password check does it", () => {
  it("folds case and accents, reads look-alikes (1 as l and as i), ignores digits and symbols at the ends", () => {
    expect(coreCandidates("W3lk0m01!")).toContain("welkom");
    expect(coreCandidates("P@$$w0rd")).toContain("password");
    expect(coreCandidates("W1nter2026")).toEqual(expect.arrayContaining(["winter"]));
    expect(coreCandidates("F1ynth")).toEqual(expect.arrayContaining(["flynth"]));
    expect(coreCandidates("!!Zómer2026??")).toContain("zomer");
  });

  it("scores terms: a banned word with enough else around it passes, with too little it does not", () => {
    const terms = bannedTerms({ orgTerms: ["Flynth"], names: ["Jan", "Jansen"] });
    expect(guessableByTerms("Flynth2026!", terms)).toEqual(["organisation"]);
    expect(guessableByTerms("FlynthAbc1", terms)).toEqual(["organisation"]); // 1 + 3 points
    expect(guessableByTerms("FlynthAbcd1", terms)).toEqual([]); // 1 + 4 points
    expect(guessableByTerms("ZomerFlynth1!", terms)).toEqual(["organisation", "seasonal"]);
  });

  it("finds one typo", () => {
    expect(oneEditApart("wachtwoorrd", "wachtwoord")).toBe(true);
    expect(oneEditApart("wachtwoort", "wachtwoord")).toBe(true);
    expect(oneEditApart("achtwoord", "wachtwoord")).toBe(true);
    expect(oneEditApart("wachtwoord", "wachtwoord")).toBe(false);
    expect(oneEditApart("wachtwrd", "wachtwoord")).toBe(false);
  });
});

describe("skeletons", () => {
  it("drop digits, symbols and case, and read look-alikes between letters", () => {
    expect(passwordSkeleton("Herfst-Wandeling-2025")).toBe("herfstwandellng");
    expect(passwordSkeleton("herfst_w4ndel1ng_2026!")).toBe("herfstwandellng");
    expect(passwordSkeleton("HERFSTWANDELING7")).toBe("herfstwandellng");
    expect(passwordSkeleton("Herfst-Wandelingen-2025")).not.toBe("herfstwandellng");
    expect(passwordSkeleton("Ab1!2345")).toBeNull(); // too short to say anything
  });
});

describe.each(drivers())("checkNewPassword on %s", (driver) => {
  let handle: DbHandle;
  let owner: PasswordOwner;
  const previous = "Blauwe-Kikker-42";

  beforeAll(async () => {
    handle = await freshDb(driver);
    const [row] = await handle.db
      .insert(users)
      .values({ email: "jan.jansen@flynth.nl", emailKey: "jan.jansen@flynth.nl", firstName: "Jan", lastName: "Jansen", passwordHash: "x" })
      .returning({ id: users.id });
    owner = { ...jan, id: row!.id };
    await handle.db.insert(passwordHistory).values(historyEntry(row!.id, previous, await hashPassword(previous)));
  });
  afterAll(async () => {
    await handle?.close();
  });

  it("refuses the previous password with one digit changed, or only symbols and case changed, as a near-miss", async () => {
    for (const nearMiss of ["Blauwe-Kikker-43", "Blauwe_kikker_42!", "BLAUWE-KIKKER-7", "Blauwe-K1kker-42"]) {
      expect(await checkNewPassword(handle.db, { password: nearMiss, owner })).toEqual(["previous"]);
    }
  });

  it("calls the previous password itself reused, and accepts something new", async () => {
    expect(await checkNewPassword(handle.db, { password: previous, owner })).toEqual(["history"]);
    expect(await checkNewPassword(handle.db, { password: "Groene-Salamander-42", owner, confirmation: "Groene-Salamander-42" })).toEqual(
      [],
    );
  });

  it("names every broken rule at once, guessability after the named rules", async () => {
    expect(await checkNewPassword(handle.db, { password: "Zomer2026!", owner, confirmation: "Zomer2026?" })).toEqual([
      "confirmation",
      "seasonal",
    ]);
    expect(await checkNewPassword(handle.db, { password: "Jansen2026!", owner })).toEqual(["lastName"]);
    expect(await checkNewPassword(handle.db, { password: "kort", owner })).toEqual(["length", "uppercase", "digit"]);
  });

  it("spends no Argon2 work on a refused password, and none on a near-miss beyond the rows it matched", async () => {
    const verify = vi.mocked(verifyPassword);
    verify.mockClear();
    {
      for (const refused of ["Welkom01!", "Zomer2026!", "Flynth2026!", "Jansen1234!", "Voorbeeld7", "kort"]) {
        expect(await checkNewPassword(handle.db, { password: refused, owner })).not.toEqual([]);
      }
      expect(verify).not.toHaveBeenCalled();
      await checkNewPassword(handle.db, { password: "Blauwe-Kikker-43", owner });
      expect(verify).toHaveBeenCalledTimes(1);
    }
  });

  it("skips the history and near-miss rules when the depth is 0", async () => {
    expect(await checkNewPassword(handle.db, { password: "Blauwe-Kikker-43", owner, historyDepth: 0 })).toEqual([]);
  });
});
