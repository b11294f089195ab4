// The keyed hashes that must outlive SESSION_SECRET rotation: the unknown-ID digits users see, and the audit trail's hash
// of a typed user ID, both computed in real processes started with different session secrets.
import { execFile } from "node:child_process";
import { createHmac, hkdfSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { keyedHash } from "./keyed-hash";

const tmp = mkdtempSync(path.join(os.tmpdir(), "toegang-keys-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const script = `
import { maskedDigitsFor } from "@/lib/security/masked-digits";
import { keyedHash } from "@/lib/security/keyed-hash";
import { userIdKey } from "@/lib/users/normalize";
const key = userIdKey("Niemand.Bekend@Flynth.nl");
process.stdout.write(JSON.stringify({ digits: maskedDigitsFor(null, key), subject: keyedHash("user-id", key) }));`;

/** What a fresh portal process shows for an unknown ID under this environment (DATA_DIR, secrets). */
async function seen(env: Record<string, string>): Promise<{ digits: string; subject: string }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.resolve("node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "-e", script],
    { cwd: path.resolve("."), env: { PATH: process.env.PATH ?? "", ...env } as unknown as NodeJS.ProcessEnv },
  );
  return JSON.parse(stdout) as { digits: string; subject: string };
}

describe("keys that survive SESSION_SECRET rotation", () => {
  it("shows the same unknown-ID digits and audit hash after SESSION_SECRET changes (embedded default)", async () => {
    const dataDir = path.join(tmp, "embedded");
    const before = await seen({ DATA_DIR: dataDir });
    const rotated = await seen({ DATA_DIR: dataDir, SESSION_SECRET: `${"n".repeat(40)},${"o".repeat(40)}` });
    const replaced = await seen({ DATA_DIR: dataDir, SESSION_SECRET: "p".repeat(40) });
    expect(before.digits).toMatch(/^\d{2}$/);
    expect(rotated).toEqual(before);
    expect(replaced).toEqual(before);
    // Another data folder is another installation: another key.
    expect((await seen({ DATA_DIR: path.join(tmp, "other") })).subject).not.toBe(before.subject);
  });

  it("shows the same digits and hash under HASH_KEY whatever SESSION_SECRET is (PostgreSQL settings)", async () => {
    const production = { DATA_DIR: path.join(tmp, "pg"), DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", HASH_KEY: "k".repeat(40) };
    const a = await seen({ ...production, SESSION_SECRET: "a".repeat(40) });
    const b = await seen({ ...production, SESSION_SECRET: `${"b".repeat(40)},${"a".repeat(40)}` });
    expect(b).toEqual(a);
  });

  it("derives the same keys as before HASH_KEY existed when HASH_KEY is set to the old session secret", () => {
    // The derivation is unchanged, so an operator who sets HASH_KEY to the first SESSION_SECRET keeps every stored hash.
    const old = "q".repeat(40);
    const legacy = createHmac("sha256", Buffer.from(hkdfSync("sha256", old, "toegang", "user-id", 32)))
      .update("x@y.nl")
      .digest("hex");
    expect(keyedHash("user-id", "x@y.nl", old)).toBe(legacy);
    expect(keyedHash("masked-digits", "x@y.nl", old)).not.toBe(legacy);
  });
});
