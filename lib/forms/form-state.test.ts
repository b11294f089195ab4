// The rules every form shares before its own schema: files, over-long values and control characters (NUL above all,
// which PostgreSQL text cannot hold) are refused with the form's message for an invalid value, never passed on.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MAX_FIELD_LENGTH, asForm, formKeys, parseForm } from "./form-state";

const keys = formKeys<"invalid" | "required">("invalid");
const schema = z.object({ name: z.string().min(1, keys.key("required")).max(254, keys.key("invalid")), note: z.string().default("") });

const form = (entries: [string, string | Blob][]) => {
  const f = new FormData();
  for (const [k, v] of entries) f.append(k, v);
  return f;
};

describe("parseForm", () => {
  it("passes ordinary text (tabs and line breaks included) and ignores fields the schema does not know", () => {
    expect(
      parseForm(
        schema,
        form([
          ["name", "Jan"],
          ["note", "a\tb\r\nc"],
          ["$ACTION_ID_x", ""],
          ["junk", "\u0000"],
        ]),
        keys,
      ),
    ).toEqual({
      ok: true,
      data: { name: "Jan", note: "a\tb\r\nc" },
    });
  });

  it.each([
    ["a NUL byte", "jan\u0000@example.nl"],
    ["a lone NUL", "\u0000"],
    ["an escape sequence", "\u001b[2J"],
    ["DEL", "jan\u007f"],
    ["a value over the shared maximum", "x".repeat(MAX_FIELD_LENGTH + 1)],
  ])("refuses %s with the form's invalid message, whatever the schema would say", (_, value) => {
    expect(parseForm(schema, form([["name", value]]), keys)).toEqual({ ok: false, fieldErrors: { name: "invalid" } });
    // In a field the schema would otherwise accept as anything, too.
    expect(
      parseForm(
        schema,
        form([
          ["name", "Jan"],
          ["note", value],
        ]),
        keys,
      ),
    ).toEqual({ ok: false, fieldErrors: { note: "invalid" } });
  });

  it("refuses a file where text belongs, and a field whose repeated value was bad", () => {
    expect(parseForm(schema, form([["name", new Blob(["Jan"])]]), keys)).toEqual({ ok: false, fieldErrors: { name: "invalid" } });
    expect(
      parseForm(
        schema,
        form([
          ["name", "\u0000"],
          ["name", "Jan"],
        ]),
        keys,
      ),
    ).toEqual({ ok: false, fieldErrors: { name: "invalid" } });
    expect(
      parseForm(
        schema,
        form([
          ["name", "Piet"],
          ["name", "Jan"],
        ]),
        keys,
      ),
    ).toEqual({ ok: true, data: { name: "Jan", note: "" } });
  });

  it("keeps the schema's own messages for the other fields", () => {
    expect(parseForm(schema, form([["note", "\u0000"]]), keys)).toEqual({ ok: false, fieldErrors: { note: "invalid", name: "invalid" } });
    expect(parseForm(schema, form([["name", ""]]), keys)).toEqual({ ok: false, fieldErrors: { name: "required" } });
  });
});

describe("asForm", () => {
  it("passes a form through and reads anything else an action might be posted with as an empty form", () => {
    const f = form([["name", "Jan"]]);
    expect(asForm(f)).toBe(f);
    for (const other of [undefined, null, "name=Jan", 42, ["name", "Jan"], { name: "Jan" }]) {
      expect([...asForm(other).entries()]).toEqual([]);
    }
    expect(parseForm(schema, asForm("name=Jan"), keys)).toEqual({ ok: false, fieldErrors: { name: "invalid" } });
  });
});
