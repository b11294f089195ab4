// The two message catalogues stay in step: the same keys, no empty text, the same placeholders.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

type Tree = { [key: string]: string | Tree };

function load(locale: string): Tree {
  return JSON.parse(readFileSync(path.resolve(__dirname, "..", "messages", `${locale}.json`), "utf8")) as Tree;
}

/** Flattens nested messages to "Namespace.key" → text; a value that is neither text nor an object is reported as "". */
function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "string") out.set(name, value);
    else if (value && typeof value === "object" && !Array.isArray(value)) for (const [k, v] of flatten(value, name)) out.set(k, v);
    else out.set(name, "");
  }
  return out;
}

/** The ICU arguments a message uses ({name}, {n, number}, and those of plural/select branches, recursively). */
function placeholders(text: string): string[] {
  const found = new Set<string>();
  let i = 0;
  // Reads message text until an unmatched "}" (or the end), collecting arguments; ICU quoting is not used in our catalogues.
  const message = (): void => {
    while (i < text.length && text[i] !== "}") {
      if (text[i] === "{") argument();
      else i++;
    }
  };
  const argument = (): void => {
    const close = (): void => {
      if (text[i] !== "}") throw new Error(`unbalanced braces in ${JSON.stringify(text)}`);
      i++;
    };
    i++;
    const head = /^\s*([A-Za-z_]\w*)\s*(?:,\s*(\w+)\s*)?(,)?/.exec(text.slice(i));
    if (!head) throw new Error(`bad argument in ${JSON.stringify(text)}`);
    found.add(head[1]!);
    i += head[0].length;
    const type = head[2];
    if (head[3] && (type === "plural" || type === "select" || type === "selectordinal")) {
      // Branches: key {message} pairs (plural offsets are not used here).
      for (;;) {
        const key = /^\s*(=?[\w-]+)\s*\{/.exec(text.slice(i));
        if (!key) break;
        i += key[0].length;
        message();
        close();
      }
      i += /^\s*/.exec(text.slice(i))![0].length;
    } else if (head[3]) {
      // A style such as {n, number, integer}: skip to the closing brace.
      while (i < text.length && text[i] !== "}") i++;
    }
    close();
  };
  message();
  if (i < text.length) throw new Error(`unbalanced braces in ${JSON.stringify(text)}`);
  return [...found].sort();
}

const nl = flatten(load("nl"));
const en = flatten(load("en"));

describe("messages", () => {
  it("has something to check, and the checks see nesting, empty text and placeholders", () => {
    expect(nl.size).toBeGreaterThan(10);
    expect([...flatten({ A: { b: "x", c: { d: "" } }, E: 1 as unknown as string })]).toEqual([
      ["A.b", "x"],
      ["A.c.d", ""],
      ["E", ""],
    ]);
    expect(placeholders("{org}: {count, plural, =0 {no code} one {# code} other {# codes for {name}}} {org}")).toEqual([
      "count",
      "name",
      "org",
    ]);
    expect(placeholders("{kind, select, sms {text} call {voice} other {x}}")).toEqual(["kind"]);
    expect(() => placeholders("{open")).toThrow(/unbalanced/);
  });

  it("has the same keys in Dutch and English", () => {
    const onlyNl = [...nl.keys()].filter((k) => !en.has(k));
    const onlyEn = [...en.keys()].filter((k) => !nl.has(k));
    expect({ onlyNl, onlyEn }).toEqual({ onlyNl: [], onlyEn: [] });
  });

  it.each([
    ["nl", nl],
    ["en", en],
  ])("has no empty text in %s", (_locale, messages) => {
    expect([...messages].filter(([, text]) => text.trim() === "").map(([key]) => key)).toEqual([]);
  });

  it("uses the same placeholders in both languages (and every message's braces are balanced)", () => {
    const differing = [...nl]
      .filter(([key]) => en.has(key))
      .filter(([key, text]) => placeholders(text).join() !== placeholders(en.get(key)!).join())
      .map(([key]) => key);
    expect(differing).toEqual([]);
  });
});
