// The names of audit events: the labels in messages/*.json (Audit.events, nested by the dots of the name) are the list,
// and AuditEventName is derived from it, so every writer (recordAudit and its wrappers) names an event the audit page
// can label. Writing a name without a label fails the type check; adding an event means adding its label.
import type messages from "@/messages/nl.json";

type Labels = (typeof messages)["Audit"]["events"];

/** "a" + {"b": {"c": "…"}} → "a.b.c": the dotted paths of a label tree's texts. */
type LabelPaths<T, Prefix extends string = ""> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : LabelPaths<T[K], `${Prefix}${K}.`>;
}[keyof T & string];

export type AuditEventName = LabelPaths<Labels>;

/** The events of one group ("admin" → "admin.sign_in.failed" | "admin.signed_out" | …). */
export type AuditEventIn<Group extends string> = Extract<AuditEventName, `${Group}.${string}`>;
