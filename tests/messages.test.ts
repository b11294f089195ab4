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

/** The ICU arguments a message uses ({name}, {count, plural, …}, {kind, select, …}). */
function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\s*([A-Za-z_][\w]*)\s*[,}]/g)].map((m) => m[1]!))].sort();
}

const nl = flatten(load("nl"));
const en = flatten(load("en"));

describe("messages", () => {
  it("has something to check, and the checks see nesting, empty text and placeholders", () => {
    expect(nl.size).toBeGreaterThan(10);
    expect([...flatten({ A: { b: "x", c: { d: "" } }, E: 1 as unknown as string })]).toEqual([["A.b", "x"], ["A.c.d", ""], ["E", ""]]);
    expect(placeholders("{org}: {count, plural, one {# code} other {# codes}} {org}")).toEqual(["count", "org"]);
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

  it("uses the same placeholders in both languages", () => {
    const differing = [...nl]
      .filter(([key]) => en.has(key))
      .filter(([key, text]) => placeholders(text).join() !== placeholders(en.get(key)!).join())
      .map(([key]) => key);
    expect(differing).toEqual([]);
  });
});
