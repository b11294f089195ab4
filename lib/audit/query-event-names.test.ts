// Event names from the catalogue: nested lookups, the code as fallback, and both catalogues naming the same events.
// That every event the portal writes has a name is checked by tsc: recordAudit takes only an AuditEventName, which is
// derived from these labels (lib/audit/events.ts).
import { describe, expect, it } from "vitest";
import en from "@/messages/en.json";
import nl from "@/messages/nl.json";
import type { AuditEventName } from "./events";
import { eventGroups, eventName, type EventNameTree } from "./query-event-names";

const tree: EventNameTree = {
  password: { reset: "Wachtwoord opnieuw ingesteld" },
  admin: { sign_in: { failed: "Mislukt" }, signed_out: "Afgemeld" },
};

describe("event names", () => {
  it("finds a nested name and falls back to the code, also for a group or a longer name", () => {
    expect(eventName(tree, "password.reset")).toBe("Wachtwoord opnieuw ingesteld");
    expect(eventName(tree, "admin.sign_in.failed")).toBe("Mislukt");
    expect(eventName(tree, "admin.sign_in")).toBe("admin.sign_in");
    expect(eventName(tree, "password.reset.extra")).toBe("password.reset.extra");
    expect(eventName(tree, "brand.new")).toBe("brand.new");
  });

  it("groups the filter's choices by the first part, nested names flattened", () => {
    expect(eventGroups(tree)).toEqual([
      { group: "password", prefix: "password.", events: [{ event: "password.reset", name: "Wachtwoord opnieuw ingesteld" }] },
      {
        group: "admin",
        prefix: "admin.",
        events: [
          { event: "admin.sign_in.failed", name: "Mislukt" },
          { event: "admin.signed_out", name: "Afgemeld" },
        ],
      },
    ]);
  });

  it("both catalogues name the same events, and every group is named", () => {
    const names = (tree: EventNameTree) => eventGroups(tree).flatMap((g) => g.events.map((e) => e.event));
    const written: AuditEventName[] = ["recovery.started", "password.reset", "admin.sign_in.code_requested", "user.phone_changed"];
    expect(names(nl.Audit.events)).toEqual(names(en.Audit.events));
    expect(names(nl.Audit.events).length).toBeGreaterThan(30);
    expect(names(nl.Audit.events)).toEqual(expect.arrayContaining(written));
    for (const name of names(nl.Audit.events)) expect(name).toMatch(/^[a-z_]+(\.[a-z_]+)+$/);
    expect(
      eventGroups(nl.Audit.events)
        .map((g) => g.group)
        .filter((g) => !(g in nl.Audit.groups)),
    ).toEqual([]);
    // @ts-expect-error an event without a label is no AuditEventName, so no writer can record it
    const unlabelled: AuditEventName = "recovery.made_up";
    expect(eventName(nl.Audit.events, unlabelled)).toBe("recovery.made_up");
  });
});
