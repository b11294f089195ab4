// The database CLI as operators run it: migrate and seed, on PGlite and (when configured) PostgreSQL.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cliTarget, lines, runCli, type CliTarget, cliTestTimeout } from "@/tests/cli";
import { drivers } from "@/tests/db";

// Up to 3 CLI runs one after another in a test, each with its own limit (tests/cli.ts).
vi.setConfig({ testTimeout: cliTestTimeout(3) });

describe("db CLI command line", () => {
  it("prints the usage for help, and exits 2 for an unknown command", async () => {
    // DATA_DIR inside a file: opening the embedded database would fail loudly.
    const env = { DATA_DIR: `${__filename}/never-opened` };
    const [help, wrong, extra] = await Promise.all([
      runCli("db", ["help"], env),
      runCli("db", ["drop"], env),
      runCli("db", ["migrate", "now"], env),
    ]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toMatch(/^Usage: npm run db -- <command>/);
    expect(wrong.code).toBe(2);
    expect(lines(wrong.stderr)[0]).toBe('error: unknown command "drop"');
    expect(extra.code).toBe(2);
    expect(lines(extra.stderr)[0]).toBe("error: migrate takes no arguments");
  });
});

describe.each(drivers())("db CLI on %s", (driver) => {
  let target: CliTarget;
  beforeAll(async () => {
    target = await cliTarget(driver);
  });
  afterAll(async () => {
    await target?.dispose();
  });

  const where = () => (driver === "postgres" ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${target.dataDir}`);

  it("applies the migrations and says where", async () => {
    expect(await runCli("db", ["migrate"], target.env)).toEqual({ code: 0, stdout: `Migrations applied: ${where()}\n`, stderr: "" });
  });

  it("seeds the demo users and prints them; seeding again adds nobody twice", async () => {
    const first = await runCli("db", ["seed"], { ...target.env, ORG_DOMAIN: "demo.example" });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe("");
    const out = lines(first.stdout);
    expect(out[0]).toBe(`Migrations applied: ${where()}`);
    expect(out.slice(3).map((l) => l.trim().split(/\s+/)[0])).toEqual([
      "jan.jansen@demo.example",
      "petra.devries@demo.example",
      "kees.bakker@demo.example",
      "beheer@demo.example",
    ]);
    expect(out.find((l) => l.includes("jan.jansen"))).toMatch(/Zeilboot2026!\s+\+31612345656\s+ordinary user, mobile ends in 56/);

    const again = await runCli("db", ["seed"], { ...target.env, ORG_DOMAIN: "demo.example" });
    expect(again).toEqual(first);
    const list = lines((await runCli("users", ["list"], target.env)).stdout);
    expect(list.at(-1)).toBe("4 users");
    expect(list.find((l) => l.startsWith("petra.devries"))).toMatch(/locked until unlocked$/);
    expect(list.find((l) => l.startsWith("beheer"))).toMatch(/Anna Beheerder\s+\+31611112278\s+yes/);
  });
});
