// The words of the code messages: the call reads the digits one by one (twice), in the user's language; the SMS has
// organisation, code, validity and "never share", and no user ID.
import { describe, expect, it } from "vitest";
import { codeText, notificationText } from "./texts";

describe("codeText", () => {
  it("a Dutch call reads every digit on its own, leading zero kept, and says the code twice", () => {
    expect(codeText("nl", "voice", "Flynth", "040719", 10)).toBe(
      "Dit is Flynth. Uw verificatiecode is: 0, 4, 0, 7, 1, 9. Ik herhaal: 0, 4, 0, 7, 1, 9. De code is 10 minuten geldig. Deel deze code met niemand.",
    );
  });

  it("an English call reads every digit on its own and says the code twice", () => {
    expect(codeText("en", "voice", "Flynth", "407193", 10)).toBe(
      "This is Flynth. Your verification code is: 4, 0, 7, 1, 9, 3. I repeat: 4, 0, 7, 1, 9, 3. The code is valid for 10 minutes. Never share this code.",
    );
  });

  it("never puts the code as one number into a call (a speech engine would say 'four hundred and seven thousand …')", () => {
    for (const locale of ["nl", "en"] as const) {
      const withoutValidity = codeText(locale, "voice", "Flynth", "407193", 10).replace(/10 minut(en|es)/, "");
      expect(withoutValidity).not.toMatch(/\d{2}/);
    }
  });

  it("an SMS holds organisation, code, validity and 'never share'", () => {
    expect(codeText("nl", "sms", "Flynth", "040719", 10)).toBe(
      "Flynth: uw verificatiecode is 040719. De code is 10 minuten geldig. Deel deze code met niemand.",
    );
    expect(codeText("en", "sms", "Flynth", "040719", 5)).toBe(
      "Flynth: your verification code is 040719. It is valid for 5 minutes. Never share this code.",
    );
  });

  it("a notification names the helpdesk and holds no code", () => {
    expect(notificationText("nl", "reset", "Flynth", "+31 88 236 00 00")).toBe(
      "Flynth: uw wachtwoord is zojuist gewijzigd. Was u dit niet? Bel direct de servicedesk: +31 88 236 00 00.",
    );
    expect(notificationText("en", "unlock", "Flynth", "+31 88 236 00 00")).toContain("your account was just unlocked");
  });
});
