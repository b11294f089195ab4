// Every outcome, reason and method the portal writes has words in both languages. The reason codes come from the
// modules that write them: their types are checked against the catalogue by the compiler (a code without a label fails
// `tsc`), and the limits' reasons, the flow's steps and every event name are read at run time.
import { describe, expect, it } from "vitest";
import type { HelpdeskAction } from "@/lib/admin/helpdesk";
import type { RefusalReason } from "@/lib/admin/rules";
import type { SessionEndReason } from "@/lib/auth/sessions";
import type { AuditEventName } from "@/lib/audit/events";
import type { AuditOutcome } from "@/lib/audit/record";
import type { UnavailableReason } from "@/lib/captcha/hcaptcha";
import { readConfig } from "@/lib/config";
import { limits, type LimitPolicy } from "@/lib/limits/policies";
import type { Channel, Purpose } from "@/lib/messaging/transport";
import type { PasswordRule } from "@/lib/password/policy";
import { STEPS, type EndReason, type Intent } from "@/lib/recovery/flow";
import type { RefusalRule } from "@/lib/verification/send";
import type { SendRefusal } from "@/lib/verification/policy";
import en from "@/messages/en.json";
import nl from "@/messages/nl.json";
import { outcomeLabel, reasonLabel, type AuditCatalogue } from "./labels";
import { eventGroups } from "./query-event-names";

type Catalogue = (typeof nl)["Audit"];
/** Compiles only when every member of `Codes` is a key of `Labels`. */
type Covered<Codes extends string, Labels> = [Exclude<Codes, keyof Labels>] extends [never]
  ? true
  : { missing: Exclude<Codes, keyof Labels> };
const covered = <T extends true>(check: T) => check;

covered<Covered<AuditOutcome, Catalogue["outcomes"]>>(true);
covered<Covered<PasswordRule, Catalogue["passwordRules"]>>(true);
covered<Covered<RefusalRule | SendRefusal["kind"] | EndReason | RefusalReason | Intent | Channel, Catalogue["reasons"]>>(true);
covered<Covered<SessionEndReason, Catalogue["reasons"]>>(true);
covered<Covered<Exclude<UnavailableReason, `http-${number}`>, Catalogue["reasons"]>>(true);
covered<Covered<Exclude<HelpdeskAction, "end-sessions" | "require-change">, Catalogue["reasons"]>>(true);
covered<Covered<Purpose, Catalogue["purposes"]>>(true);
covered<Covered<Channel, Catalogue["channels"]>>(true);
covered<Covered<(typeof STEPS)[number], Catalogue["steps"]>>(true);

const catalogues: [string, AuditCatalogue][] = [
  ["nl", nl.Audit],
  ["en", en.Audit],
];
const config = readConfig({ ...process.env, SMS_PROVIDER: "outbox" });

describe.each(catalogues)("audit labels in %s", (_, c) => {
  it("names every outcome, and keeps an unknown one as its code", () => {
    for (const outcome of ["success", "failure", "refused", "info"] satisfies AuditOutcome[]) {
      expect(outcomeLabel(c, outcome)).not.toBe(outcome);
    }
    expect(outcomeLabel(c, "something")).toBe("something");
  });

  it("names the reason of every limit", () => {
    // Every limit there is, each called with what it takes (the configuration, or an event name for the one per event).
    const policies = Object.entries(limits).map(([name, policy]) =>
      (policy as (arg: unknown) => LimitPolicy)(name === "auditedRefusalsPerIp" ? "admin.access_refused" : config),
    );
    expect(policies.length).toBeGreaterThanOrEqual(9);
    for (const policy of policies) expect(reasonLabel(c, policy.reason), policy.reason).not.toBeNull();
  });

  it("names composed reasons from their parts", () => {
    for (const step of STEPS) {
      expect(reasonLabel(c, `at-${step}`)).toContain(c.steps[step]);
      expect(reasonLabel(c, `wanted-code|password-at-${step}`)).toContain(c.steps[step]);
    }
    expect(reasonLabel(c, "code:voice")).toBe(
      c.reasonPatterns.message.replace("{purpose}", c.purposes.code).replace("{channel}", c.channels.voice),
    );
    expect(reasonLabel(c, "notification:sms")).toContain(c.purposes.notification);
    expect(reasonLabel(c, "length,history")).toBe(`${c.passwordRules.length}, ${c.passwordRules.history}`);
    expect(reasonLabel(c, "http-503")).toContain("503");
    expect(reasonLabel(c, "invalid-input-response,timeout")).toBe(`${c.reasons["invalid-input-response"]}, ${c.reasons.timeout}`);
  });

  it("names a throttled row's reason, which is an event name", () => {
    const events = eventGroups(c.events).flatMap((g) => g.events.map((e) => e.event));
    for (const event of events) expect(reasonLabel(c, event), event).not.toBeNull();
    const written: AuditEventName = "admin.access_refused";
    expect(reasonLabel(c, written)).toBe(c.events.admin.access_refused);
  });

  it("gives null for a code it does not know, so the page shows the code", () => {
    expect(reasonLabel(c, "brand-new-reason")).toBeNull();
    expect(reasonLabel(c, "at-nowhere")).toBeNull();
    expect(reasonLabel(c, "length,brand-new")).toBeNull();
    expect(reasonLabel(c, "toString")).toBeNull();
  });
});

it("both catalogues name the same codes", () => {
  for (const table of ["outcomes", "reasons", "passwordRules", "steps", "purposes", "channels", "reasonPatterns"] as const) {
    expect(Object.keys(en.Audit[table]), table).toEqual(Object.keys(nl.Audit[table]));
  }
});
