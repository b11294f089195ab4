// Human words for the codes an audit row carries besides its event: outcome and reason (which also says the method:
// sms or voice, reset or unlock). One home for the page, the timeline and the CSV export, in either language.
// Reasons are read from the catalogue (Audit.reasons) and, for the few composed ones, from their parts: a message's
// "purpose:channel", a cancelled flow's "at-<step>", a step violation's "wanted-<a|b>-at-<step>", a refused password's
// comma list of rules (Audit.passwordRules), hCaptcha's "http-<status>" and a throttled row's event name. An unknown code is shown as itself.
import type messages from "@/messages/nl.json";
import { eventName, type EventNameTree } from "./query-event-names";

export type AuditCatalogue = Pick<
  (typeof messages)["Audit"],
  "events" | "outcomes" | "reasons" | "passwordRules" | "steps" | "purposes" | "channels" | "reasonPatterns"
>;

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? "");
const lookup = (table: Record<string, string>, code: string): string | undefined =>
  Object.prototype.hasOwnProperty.call(table, code) ? table[code] : undefined;

export function outcomeLabel(c: AuditCatalogue, outcome: string): string {
  return lookup(c.outcomes, outcome) ?? outcome;
}

/** The reason's words, or null when the code is not known (the caller shows the code). */
export function reasonLabel(c: AuditCatalogue, reason: string): string | null {
  const known = lookup(c.reasons, reason) ?? lookup(c.passwordRules, reason);
  if (known) return known;
  const message = /^([a-z]+):([a-z]+)$/.exec(reason);
  if (message) {
    const purpose = lookup(c.purposes, message[1]!);
    const channel = lookup(c.channels, message[2]!);
    return purpose && channel ? fill(c.reasonPatterns.message, { purpose, channel }) : null;
  }
  const at = /^at-([a-z]+)$/.exec(reason);
  if (at) {
    const step = lookup(c.steps, at[1]!);
    return step ? fill(c.reasonPatterns.atStep, { step }) : null;
  }
  const wanted = /^wanted-([a-z|]+)-at-([a-z]+)$/.exec(reason);
  if (wanted) {
    const steps = wanted[1]!.split("|").map((s) => lookup(c.steps, s));
    const step = lookup(c.steps, wanted[2]!);
    return step && steps.every(Boolean) ? fill(c.reasonPatterns.wanted, { wanted: steps.join(" / "), step }) : null;
  }
  const http = /^http-(\d{3})$/.exec(reason);
  if (http) return fill(c.reasonPatterns.http, { status: http[1]! });
  if (reason.includes(",")) {
    const parts = reason.split(",").map((part) => reasonLabel(c, part));
    return parts.every(Boolean) ? parts.join(", ") : null;
  }
  const event = eventName(c.events as EventNameTree, reason);
  return event !== reason ? event : null;
}
