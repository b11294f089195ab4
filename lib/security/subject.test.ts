// One home for the typed user ID's keyed hash: every module that needs it calls subjectHash(), so the normalisation
// (every spelling of one ID gives one hash) cannot drift between the audit trail, the limits and the CAPTCHA check.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "node_modules" || name.startsWith(".") ? [] : sources(full);
    return /\.(ts|tsx)$/.test(name) && !/\.test(-helper)?\.ts$/.test(name) ? [full] : [];
  });
}

describe("subjectHash", () => {
  it("is the only place that keys a typed user ID (lib/captcha/check.ts used to do it itself)", () => {
    const offenders = ["lib", "app", "scripts"]
      .flatMap((d) => sources(path.join(root, d)))
      .filter((f) => !f.endsWith(path.join("lib", "security", "subject.ts")))
      .filter((f) => /keyedHash\(\s*["']user-id["']/.test(readFileSync(f, "utf8")))
      .map((f) => path.relative(root, f));
    expect(offenders).toEqual([]);
  });
});
