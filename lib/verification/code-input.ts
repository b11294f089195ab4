// The code field as people type it, for the wizard's and the admin sign-in's forms alike: spaces and dashes dropped,
// then exactly six digits.
import { z } from "zod";

export function codeInputSchema(messages: { required: string; format: string }) {
  return z
    .string()
    .transform((s) => s.replace(/[\s-]/g, ""))
    .pipe(
      z
        .string()
        .min(1, messages.required)
        .regex(/^\d{6}$/, messages.format),
    );
}
