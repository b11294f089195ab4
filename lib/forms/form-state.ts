// How forms and their server actions talk: zod parses FormData into typed message keys (translated by the page, or by
// the action where the page should not carry every message: the identify form), and each action returns a small
// discriminated union of states, never a secret.
import { z } from "zod";

/** Nothing to show yet (or a step that needs no message). */
export type Idle = { status: "idle" };

/** Fields the user must correct, each with the key of its message; `values` refills the form (never a password or code). */
export type Invalid<F extends string, K extends string, V extends string = F> = {
  status: "invalid";
  fieldErrors: Partial<Record<F, K>>;
  values?: Partial<Record<V, string>>;
};

/** A refusal of the form as a whole (a limit, a lock, an outage), with its message's placeholders. */
export type Refused<K extends string, P = object, V extends string = never> = {
  status: "refused";
  formError: K;
  params?: P;
  values?: Partial<Record<V, string>>;
};

export const idle: Idle = { status: "idle" };

/** The message keys a form's schema may use: `key()` is checked at compile time and remembered for parseForm. */
export type FormKeys<K extends string> = {
  key: <T extends K>(key: T) => T;
  is: (value: string) => value is K;
  /** For a problem zod names itself (a field the form never sent). */
  fallback: K;
};

/** `also`: keys that come from elsewhere than the schema (another module's verdict) but are shown by this form. */
export function formKeys<K extends string>(fallback: K, also: readonly K[] = []): FormKeys<K> {
  const known = new Set<string>([fallback, ...also]);
  return {
    key: (key) => {
      known.add(key);
      return key;
    },
    is: (value: string): value is K => known.has(value),
    fallback,
  };
}

/**
 * NUL and the other control characters (tab, line feed and carriage return aside): nobody types them, PostgreSQL text
 * cannot hold NUL (the query would fail), and a log or CSV should never meet them.
 */
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The longest value any form field may carry at all (each schema has its own, smaller maximum for what it expects). */
export const MAX_FIELD_LENGTH = 10_000;

/**
 * An action's form argument as it really arrived: anyone can post an action with other arguments than the form (a
 * string, a number, nothing), which would make `formData.get` throw and the request end in a 500. Such an argument is
 * read as an empty form, so the action answers with its ordinary "required" messages.
 */
export function asForm(value: unknown): FormData {
  return value instanceof FormData ? value : new FormData();
}

/**
 * Parses FormData with a zod schema whose messages are keys from `keys`; the first problem per field is kept. Before
 * the schema, the rules every form shares: a field that is a file instead of text, over MAX_FIELD_LENGTH, or holds a
 * control character is refused with the form's own message for an invalid value (`keys.fallback`) and never reaches
 * the schema, the database or a log. Fields the schema does not know are ignored; a field sent twice counts by its
 * last value (as before), and is refused if any of its values is.
 */
export function parseForm<S extends z.ZodObject, K extends string>(
  schema: S,
  formData: FormData,
  keys: FormKeys<K>,
): { ok: true; data: z.infer<S> } | { ok: false; fieldErrors: Partial<Record<string, K>> } {
  const raw: Record<string, string> = {};
  const fieldErrors: Partial<Record<string, K>> = {};
  for (const [k, v] of formData.entries()) {
    if (!Object.hasOwn(schema.shape, k)) continue;
    if (typeof v !== "string" || v.length > MAX_FIELD_LENGTH || CONTROL_CHARACTERS.test(v)) fieldErrors[k] = keys.fallback;
    else raw[k] = v;
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success && Object.keys(fieldErrors).length === 0) return { ok: true, data: parsed.data };
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const field = String(issue.path[0]);
    fieldErrors[field] ??= keys.is(issue.message) ? issue.message : keys.fallback;
  }
  return { ok: false, fieldErrors };
}
