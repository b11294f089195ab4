// Reading a directory's answers: AD's bind reasons, ppolicy's, and which errors mean "the directory is not there".
import { InvalidCredentialsError, UnavailableError, ConstraintViolationError, BusyError } from "ldapts";
import { describe, expect, it } from "vitest";
import { adBindOutcome, adDataCode, diagnostic, isConnectionFailure, ppolicyBindOutcome, resultCode } from "./errors";

const samba = (data: string) => `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1`;

describe("AD bind refusals", () => {
  it("reads the reason after 'data' in Samba's and Windows' messages", () => {
    expect(adDataCode(samba("52e"))).toBe("52e");
    expect(adDataCode("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563")).toBe("775");
    expect(adDataCode("Invalid credentials")).toBeNull();
  });

  it("maps each reason: locked, must change, expired, disabled; everything else is a wrong password", () => {
    expect(adBindOutcome("775")).toBe("locked");
    expect(adBindOutcome("773")).toBe("must-change");
    expect(adBindOutcome("532")).toBe("expired");
    expect(adBindOutcome("533")).toBe("disabled");
    expect(adBindOutcome("701")).toBe("disabled");
    for (const code of ["52e", "525", "530", "531", null]) expect(adBindOutcome(code)).toBe("wrong");
  });
});

describe("ppolicy bind outcomes", () => {
  it("reads the control's error on success and on refusal", () => {
    expect(ppolicyBindOutcome(true, undefined)).toBe("ok");
    expect(ppolicyBindOutcome(true, 2)).toBe("must-change");
    expect(ppolicyBindOutcome(false, 1)).toBe("locked");
    expect(ppolicyBindOutcome(false, 0)).toBe("expired");
    expect(ppolicyBindOutcome(false, undefined)).toBe("wrong");
  });
});

describe("isConnectionFailure", () => {
  it("is true for socket, TLS and timeout errors and a busy or unavailable server", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:636"), { code: "ECONNREFUSED" });
    const tls = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), { code: "ERR_TLS_CERT_ALTNAME_INVALID" });
    for (const error of [
      refused,
      tls,
      new Error("Connection timeout"),
      new Error("BindRequest: Operation timed out"),
      new BusyError(),
      new UnavailableError(),
    ]) {
      expect(isConnectionFailure(error), String(error)).toBe(true);
    }
  });

  it("is false for the directory's answers and for bugs", () => {
    for (const error of [
      new InvalidCredentialsError(samba("52e")),
      new ConstraintViolationError("0000052D"),
      new TypeError("x is undefined"),
      "text",
    ]) {
      expect(isConnectionFailure(error), String(error)).toBe(false);
    }
  });

  it("gives the result code and the server's words without ldapts's suffix", () => {
    const error = new InvalidCredentialsError(samba("52e"));
    expect(resultCode(error)).toBe(49);
    expect(diagnostic(error)).toBe(samba("52e"));
    expect(resultCode(new Error("x"))).toBeUndefined();
  });
});
