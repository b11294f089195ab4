// fast-check over the two places that keep malformed input away from Next's action decoding and from the database:
// whatever a client posts, malformedActionRequest() answers (never throws), and whatever a form holds, parseForm()
// answers (never throws) and never passes on a control character or an over-long value.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CONTROL_CHARACTERS, MAX_FIELD_LENGTH, asForm, formKeys, parseForm } from "@/lib/forms/form-state";
import { malformedActionRequest } from "./action-request";

const nasty = fc.oneof(
  fc.string({ unit: "binary", maxLength: 60 }),
  fc.constantFrom(
    "\u0000",
    "a\u0000b",
    "\u001b[2J",
    "$1",
    "$h1",
    "$@1",
    "$K1",
    "$$x",
    "$undefined",
    "[",
    "{}",
    "[]",
    '["$K1"]',
    '[{"a":"$Q1"}]',
  ),
  fc.integer({ min: 0, max: 3 * MAX_FIELD_LENGTH }).map((n) => "x".repeat(n)),
  fc.json(),
);

const boundary = "fuzzB0undary";
const multipartBody = fc
  .tuple(
    fc.array(
      fc.tuple(fc.constantFrom("0", "1", "1_userId", "$ACTION_REF_1", "$ACTION_1:0", "$ACTION_ID_abc", "$ACTION_ID_zz", "userId"), nasty),
      { maxLength: 6 },
    ),
    fc.nat(200),
    fc.boolean(),
  )
  .map(([parts, cut, truncate]) => {
    const text =
      parts.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`).join("") +
      `--${boundary}--\r\n`;
    return truncate ? text.slice(0, cut) : text;
  });

describe("malformedActionRequest under fast-check", () => {
  it("answers every POST, however broken, without throwing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.oneof(fc.stringMatching(/^[0-9a-f]{40,42}$/), nasty), { nil: null }),
        fc.constantFrom(
          `multipart/form-data; boundary=${boundary}`,
          "multipart/form-data",
          "multipart/form-data; boundary=other",
          "text/plain;charset=UTF-8",
          "application/json",
          "application/x-www-form-urlencoded",
          "",
        ),
        fc.oneof(multipartBody, nasty),
        async (actionId, type, body) => {
          const headers: Record<string, string> = type ? { "content-type": type } : {};
          if (actionId !== null) headers["next-action"] = actionId.replace(/[\r\n\u0000]/g, "");
          let request: Request;
          try {
            request = new Request("http://localhost/nl/recover", { method: "POST", headers, body });
          } catch {
            return; // a header value fetch itself refuses never reaches the portal either
          }
          const verdict = await malformedActionRequest(request);
          expect(verdict === null || typeof verdict === "string").toBe(true);
        },
      ),
      { numRuns: 500, seed: 10_007 },
    );
  });
});

describe("parseForm under fast-check", () => {
  const keys = formKeys<"invalid" | "required">("invalid");
  const schema = z.object({ userId: z.string().min(1, keys.key("required")).max(254, keys.key("invalid")), note: z.string().default("") });

  it("never throws, and what it passes on holds no control character and nothing over the maximum", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom("userId", "note", "other", "$ACTION_ID_x"), fc.oneof(nasty, fc.constant(new Blob(["x"])))), {
          maxLength: 6,
        }),
        (entries) => {
          const form = new FormData();
          for (const [k, v] of entries) form.append(k, v);
          const parsed = parseForm(schema, form, keys);
          if (parsed.ok) {
            for (const value of Object.values(parsed.data)) {
              expect(CONTROL_CHARACTERS.test(value)).toBe(false);
              expect(value.length).toBeLessThanOrEqual(MAX_FIELD_LENGTH);
            }
          } else {
            for (const key of Object.values(parsed.fieldErrors)) expect(["invalid", "required"]).toContain(key);
          }
        },
      ),
      { numRuns: 1000, seed: 10_008 },
    );
  });

  it("an action posted with anything but a form answers like an empty form", () => {
    fc.assert(
      fc.property(fc.anything(), (argument) => {
        expect(parseForm(schema, asForm(argument), keys)).toEqual({ ok: false, fieldErrors: { userId: "invalid" } });
      }),
      { numRuns: 300, seed: 10_009 },
    );
  });
});
