// The one shape every form's action returns: message keys (translated by the page), never secrets.
import { z } from "zod";

export type FormState<F extends string = string> =
  | { status: "idle" }
  | {
      status: "error";
      formError?: string;
      /** Values for the message's placeholders (seconds, an ISO time, attempts left). */
      params?: Record<string, string | number>;
      fieldErrors?: Partial<Record<F, string>>;
      /** Refills the form; never holds a password, code or CAPTCHA answer. */
      values?: Partial<Record<F, string>>;
    };

export const idle: FormState = { status: "idle" };

/** A form state that only tells the page something happened (e.g. a new code was sent). */
export type Notice = { notice?: string };

/** Parses FormData with a zod schema whose messages are message keys; the first problem per field is kept. */
export function parseForm<S extends z.ZodObject>(
  schema: S,
  formData: FormData,
): { ok: true; data: z.infer<S> } | { ok: false; fieldErrors: Partial<Record<keyof z.infer<S> & string, string>> } {
  const raw = Object.fromEntries(
    [...formData.entries()].filter(([k]) => !k.startsWith("$")).map(([k, v]) => [k, typeof v === "string" ? v : ""]),
  );
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0]);
    fieldErrors[field] ??= issue.message;
  }
  return { ok: false, fieldErrors: fieldErrors as Partial<Record<keyof z.infer<S> & string, string>> };
}
