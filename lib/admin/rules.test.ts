// The admin area's pure rules at their edges: timeouts, who is refused and why, safe return addresses, masking.
import { describe, expect, it } from "vitest";
import { decideAccess, safeAdminPath, sessionExpiry, type AdminSessionState } from "./rules";

const policy = { idleMinutes: 30, sessionHours: 8 };
const t0 = new Date("2026-03-02T09:00:00.000Z");
const min = (n: number) => new Date(t0.getTime() + n * 60_000);

describe("sessionExpiry", () => {
  it("keeps a session until 30 idle minutes have passed, and ends it at exactly 30", () => {
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: t0 }, new Date(min(30).getTime() - 1), policy)).toBeNull();
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: t0 }, min(30), policy)).toBe("idle");
  });
  it("measures idleness from the last request, not from sign-in", () => {
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: min(25) }, min(54), policy)).toBeNull();
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: min(25) }, min(55), policy)).toBe("idle");
  });
  it("ends a busy session after 8 hours however recently it was used", () => {
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: min(479) }, new Date(min(480).getTime() - 1), policy)).toBeNull();
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: min(479) }, min(480), policy)).toBe("absolute");
  });
  it("calls it absolute when both limits have passed", () => {
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: t0 }, min(600), policy)).toBe("absolute");
  });
  it("follows the configured limits", () => {
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: t0 }, min(5), { idleMinutes: 5, sessionHours: 1 })).toBe("idle");
    expect(sessionExpiry({ signedInAt: t0, lastSeenAt: min(59) }, min(60), { idleMinutes: 5, sessionHours: 1 })).toBe("absolute");
  });
});

describe("decideAccess", () => {
  const cases: [AdminSessionState, boolean, ReturnType<typeof decideAccess>][] = [
    ["active", false, { kind: "allow" }],
    ["active", true, { kind: "allow" }],
    ["none", false, { kind: "refuse", reason: "anonymous" }],
    ["ended", false, { kind: "refuse", reason: "expired" }],
    ["none", true, { kind: "refuse", reason: "not_admin" }],
    ["ended", true, { kind: "refuse", reason: "not_admin" }],
    ["not-admin", false, { kind: "refuse", reason: "not_admin" }],
    ["not-admin", true, { kind: "refuse", reason: "not_admin" }],
  ];
  it.each(cases)("admin session %s, ordinary user signed in %s", (session, ordinary, expected) => {
    expect(decideAccess(session, ordinary)).toEqual(expected);
  });
});

describe("safeAdminPath", () => {
  it("keeps paths inside the admin area, with their query", () => {
    expect(safeAdminPath("/admin")).toBe("/admin");
    expect(safeAdminPath("/admin/accounts?user=jan%40flynth.nl")).toBe("/admin/accounts?user=jan%40flynth.nl");
    expect(safeAdminPath("/admin/audit?user=x&event=sign_in")).toBe("/admin/audit?user=x&event=sign_in");
  });
  it.each([
    null,
    "",
    "https://evil.example/admin",
    "//evil.example/admin",
    "/\\evil.example",
    "/admin\\@evil.example",
    "/administrator",
    "/admin/../help",
    "/admin/%2e%2e/help",
    "/home",
    "/admin/sign-in",
    "/admin/sign-in/code",
    "/admin /x",
    `/admin/${"a".repeat(600)}`,
  ])("refuses %s", (raw) => {
    expect(safeAdminPath(raw)).toBeNull();
  });
});
