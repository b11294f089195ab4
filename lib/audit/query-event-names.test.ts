// Event names from the catalogue: nested lookups, the code as fallback, and every event the portal writes named.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import en from "@/messages/en.json";
import nl from "@/messages/nl.json";
import { eventGroups, eventName, type EventNameTree } from "./query-event-names";

const tree: EventNameTree = {
  password: { reset: "Wachtwoord opnieuw ingesteld" },
  admin: { sign_in: { failed: "Mislukt" }, signed_out: "Afgemeld" },
};

/** Every event name written in lib/ (event: "…" literals), outside tests. */
function writtenEvents(): string[] {
  const root = path.resolve(__dirname, "..");
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts") && !f.includes(".test"));
  const found = new Set<string>();
  for (const file of files) {
    for (const [, name] of readFileSync(path.join(root, file), "utf8").matchAll(/event: "([a-z_]+(?:\.[a-z_]+)+)"/g)) found.add(name!);
  }
  return [...found].sort();
}

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

  it.each([
    ["nl", nl.Audit.events],
    ["en", en.Audit.events],
  ])("names every event the portal writes in %s, and every group", (_locale, events) => {
    const written = writtenEvents();
    expect(written.length).toBeGreaterThan(30);
    expect(written.filter((e) => eventName(events as EventNameTree, e) === e)).toEqual([]);
    const groups = eventGroups(events as EventNameTree).map((g) => g.group);
    expect(groups.filter((g) => !(g in nl.Audit.groups))).toEqual([]);
  });
});
