// The operator's two-role setup on PostgreSQL, as real CLI runs: db:migrate as the owner grants the runtime role;
// `audit -- prune` deletes old rows as the owner and says what to set when it only has the runtime role.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { lines, runCli, cliTestTimeout } from "@/tests/cli";
import { drivers, freshServerDatabase } from "@/tests/db";

// Up to 3 CLI runs one after another in a test, each with its own limit (tests/cli.ts).
vi.setConfig({ testTimeout: cliTestTimeout(3) });

describe.skipIf(!drivers().includes("postgres"))("CLI with an owner and a runtime role (PostgreSQL)", () => {
  const role = `toegang_cli_${randomBytes(4).toString("hex")}`;
  let database: Awaited<ReturnType<typeof freshServerDatabase>>;
  let env: Record<string, string>;
  let runtimeOnly: Record<string, string>;

  beforeAll(async () => {
    database = await freshServerDatabase();
    const admin = postgres(database.url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role ${role} login`);
    await admin.end();
    const runtime = new URL(database.url);
    runtime.username = role;
    const common = { SESSION_SECRET: "cli-roles-session-secret-0123456789abcdef", HASH_KEY: "cli-roles-hash-key-0123456789abcdefghij" };
    env = { ...common, DATABASE_URL: runtime.toString(), MIGRATION_DATABASE_URL: database.url };
    runtimeOnly = { ...common, DATABASE_URL: runtime.toString() };
  });
  afterAll(async () => {
    await database?.drop();
    const admin = postgres(database.url.replace(/\/[^/]+$/, "/postgres"), { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop role if exists ${role}`);
    await admin.end();
  });

  it("migrates as the owner and gives the runtime role its rights", async () => {
    const r = await runCli("db", ["migrate"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toContain(
      `Roles: postgres owns the tables (MIGRATION_DATABASE_URL); ${role} (DATABASE_URL) may only add to the audit trail`,
    );
  });

  it("prunes as the owner; with only the runtime role it says what to set", async () => {
    const denied = await runCli("audit", ["prune", "--days", "30"], runtimeOnly);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/prune: DATABASE_URL's role may not delete audit rows; set MIGRATION_DATABASE_URL/);
    const pruned = await runCli("audit", ["prune", "--days", "30"], env);
    expect(pruned.stderr).toBe("");
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^Audit trail: 0 rows older than/);
    const verified = await runCli("audit", ["verify"], runtimeOnly);
    expect(verified.code).toBe(0);
  });
});
