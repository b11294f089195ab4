// The users CLI as operators run it: a real child process per command, on PGlite and (when configured) PostgreSQL.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cliTarget, lines, runCli, type CliTarget, cliTestTimeout } from "@/tests/cli";
import { drivers } from "@/tests/db";
import { goodCsv, mixedCsv, mixedCsvProblems } from "@/tests/fixtures/users-csv";

// Up to 4 CLI runs one after another in a test, each with its own limit (tests/cli.ts).
vi.setConfig({ testTimeout: cliTestTimeout(4) });

const USAGE_START = "Usage: npm run users -- <command>";

describe("users CLI command line", () => {
  // None of these opens a database: the command line is checked first, so they run side by side. DATA_DIR lies
  // inside a file, so any attempt to create or open the embedded database would fail loudly.
  const env = { DATA_DIR: path.join(__filename, "never-opened") };

  it("prints the usage for help and for no arguments, and exits 0", async () => {
    const [help, none] = await Promise.all([runCli("users", ["help"], env), runCli("users", [], env)]);
    for (const r of [help, none]) {
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(USAGE_START)).toBe(true);
      expect(r.stdout).toContain("add --email E --first F --last L [--phone P] --password PW [--admin]");
      expect(r.stderr).toBe("");
    }
  });

  it("exits 2 with the problem and the usage for every wrong command line", async () => {
    const cases: [string[], string][] = [
      [["frob"], 'unknown command "frob"'],
      [["add", "--email", "a@example.nl", "--first", "A"], "add needs --last, --password"],
      [
        ["add", "--email", "a@example.nl", "--first", "A", "--last", "B", "--password", "Geheim2026", "--bogus"],
        "add: unknown option '--bogus'",
      ],
      [["show"], "show takes 1 argument, got 0"],
      [["add", "--email"], "add: Option '--email <value>' argument missing"],
      [["lock", "a@example.nl", "b@example.nl"], "lock takes 1 argument, got 2"],
      [["set-phone", "a@example.nl", "0612345678", "--none"], "set-phone takes EMAIL and either PHONE or --none"],
      [["set-phone", "a@example.nl", " "], "set-phone: PHONE is empty (use --none to remove the number)"],
      [["grant-admin", "a@example.nl", "--admin"], "grant-admin: unknown option '--admin'"],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli("users", args, env)));
    results.forEach((r, i) => {
      const [args, problem] = cases[i]!;
      expect({ args, code: r.code, stdout: r.stdout, first: lines(r.stderr)[0] }).toEqual({
        args,
        code: 2,
        stdout: "",
        first: `error: ${problem}`,
      });
      expect(r.stderr).toContain(`\n\n${USAGE_START}`);
    });
  });

  it("refuses bad input with one line per problem and exit 1, before touching any database", async () => {
    const [add, missingFile, config] = await Promise.all([
      runCli(
        "users",
        ["add", "--email", "piet@example.nl", "--first", "Piet", "--last", "Bos", "--phone", "020-1234567", "--password", "bosbes"],
        env,
      ),
      runCli("users", ["import", "/nonexistent/users.csv"], env),
      runCli("users", ["list"], { ...env, LOCKOUT_THRESHOLD: "abc" }),
    ]);
    expect(add).toEqual({
      code: 1,
      stdout: "",
      stderr: [
        '--phone: "020-1234567" is not a mobile number',
        "--password: is shorter than 8 characters, has no upper-case letter, has no digit, contains the last name",
        "error: user not added",
        "",
      ].join("\n"),
    });
    expect(missingFile).toEqual({ code: 1, stdout: "", stderr: "error: cannot read /nonexistent/users.csv: no such file\n" });
    expect(config).toEqual({ code: 1, stdout: "", stderr: "Configuration error: LOCKOUT_THRESHOLD must be a whole number\n" });
  });
});

describe.each(drivers())("users CLI on %s", (driver) => {
  let target: CliTarget;
  const users = (...args: string[]) => runCli("users", args, target.env);
  const file = (name: string, text: string) => {
    const p = path.join(target.dataDir, name);
    writeFileSync(p, text);
    return p;
  };

  beforeAll(async () => {
    target = await cliTarget(driver);
  });
  afterAll(async () => {
    await target?.dispose();
  });

  it("adds a user", async () => {
    const r = await users(
      "add",
      "--email",
      "Jan.Jansen@Example.nl",
      "--first",
      "Jan",
      "--last",
      "Jansen",
      "--phone",
      "06-12345678",
      "--password",
      "Zeilboot2026!",
      "--admin",
    );
    expect(r).toEqual({ code: 0, stdout: "Added Jan.Jansen@Example.nl\n", stderr: "" });
  });

  it("imports nothing from a CSV with bad rows and names every bad line with its column", async () => {
    const csv = file("mixed.csv", mixedCsv);
    const r = await users("import", csv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const dutch: Record<string, string> = {
      email: "e-mail",
      first_name: "voornaam",
      mobile: "mobiel",
      password: "wachtwoord",
      admin: "beheerder",
    };
    const reported = lines(r.stderr);
    expect(reported).toHaveLength(mixedCsvProblems.length + 1);
    mixedCsvProblems.forEach((p, i) => {
      const where = `${csv} line ${p.line}${p.field ? `, ${dutch[p.field]}` : ""}: `;
      expect(reported[i]!.startsWith(where), `${reported[i]} should start with ${where}`).toBe(true);
      expect(reported[i]!.slice(where.length)).toMatch(p.pattern);
    });
    expect(reported.at(-1)).toBe("error: nothing imported (8 of 10 rows have problems)");
  });

  it("imports a good CSV, then updates instead of duplicating", async () => {
    const good = file("good.csv", goodCsv);
    expect(await users("import", good)).toEqual({ code: 0, stdout: "3 added, 0 updated\n", stderr: "" });
    expect(await users("import", good)).toEqual({ code: 0, stdout: "0 added, 3 updated\n", stderr: "" });
  });

  it("locks, registers a number in a Dutch format, grants the administrator role", async () => {
    expect(await users("lock", "anna.smit@example.nl")).toEqual({
      code: 0,
      stdout: "anna.smit@example.nl: locked until unlocked\n",
      stderr: "",
    });
    expect(await users("set-phone", "ANNA.SMIT@example.nl", "+31 6 2222 3333")).toEqual({
      code: 0,
      stdout: "ANNA.SMIT@example.nl: mobile number set\n",
      stderr: "",
    });
    expect(await users("grant-admin", "anna.smit@example.nl")).toEqual({
      code: 0,
      stdout: "anna.smit@example.nl: administrator role granted\n",
      stderr: "",
    });
  });

  it("refuses a password that breaks the rules, naming each one", async () => {
    expect(await users("set-password", "anna.smit@example.nl", "smit")).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: the password is shorter than 8 characters, has no upper-case letter, has no digit, contains the last name\n",
    });
  });

  it("shows one user: locked, with the new number and role, without secrets", async () => {
    const r = await users("show", "Anna.Smit@example.nl");
    expect(r.code).toBe(0);
    const fields = Object.fromEntries(lines(r.stdout).map((l) => [l.slice(0, 16).trim(), l.slice(18)]));
    expect(fields).toEqual({
      "User ID": "anna.smit@example.nl",
      "First name": "Anna",
      "Last name": "Smit",
      Mobile: "+31622223333",
      Administrator: "yes",
      Status: "locked until unlocked",
      "Failed sign-ins": "0",
      "Password changed": expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
      Created: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/),
    });
    expect(r.stdout).not.toMatch(/argon2|Narcistuin2026/);
  });

  it("unlocks, sets a good password, revokes the role and removes a number", async () => {
    expect(await users("unlock", "anna.smit@example.nl")).toEqual({ code: 0, stdout: "anna.smit@example.nl: unlocked\n", stderr: "" });
    expect(await users("set-password", "anna.smit@example.nl", "Eikenblad2026?")).toEqual({
      code: 0,
      stdout: "anna.smit@example.nl: password set; account unlocked; sessions ended\n",
      stderr: "",
    });
    expect(await users("grant-admin", "jan.jansen@example.nl", "--revoke")).toEqual({
      code: 0,
      stdout: "jan.jansen@example.nl: administrator role revoked\n",
      stderr: "",
    });
    expect(await users("set-phone", "jan.jansen@example.nl", "--none")).toEqual({
      code: 0,
      stdout: "jan.jansen@example.nl: mobile number removed\n",
      stderr: "",
    });
  });

  it("lists every user once in a table, without password hashes", async () => {
    const r = await users("list");
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toMatch(/^USER ID\s+NAME\s+MOBILE\s+ADMIN\s+FAILED\s+STATUS$/);
    expect(out[1]).toMatch(/^-+( +-+)+$/);
    expect(out.slice(2).map((l) => l.split(/ {2,}/))).toEqual([
      ["anna.smit@example.nl", "Anna Smit", "+31622223333", "yes", "0", "active"],
      ["bert.bos@example.nl", "Bert Bos", "+31623456789", "yes", "0", "active"],
      ["carla.dekker@example.nl", "Carla Dekker-van Dam", "+31634567890", "no", "0", "active"],
      ["Jan.Jansen@Example.nl", "Jan Jansen", "-", "no", "0", "active"],
      ["4 users"],
    ]);
    expect(r.stdout).not.toMatch(/argon2|\$v=19/);
  });

  it("says so in one line when a user does not exist", async () => {
    expect(await users("show", "nobody@example.nl")).toEqual({
      code: 1,
      stdout: "",
      stderr: "error: there is no user nobody@example.nl\n",
    });
  });

  if (driver === "pglite") {
    it("refuses cleanly when another process has the embedded database open", async () => {
      // This test process is alive and is not the child, so its pid in the pid file means "in use".
      const pidFile = path.join(target.dataDir, "pglite.pid");
      writeFileSync(pidFile, String(process.pid));
      const r = await users("list");
      writeFileSync(pidFile, "");
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr: `error: The embedded database in ${target.dataDir} is in use by process ${process.pid} (is the portal running?). Stop it first, or set DATABASE_URL to use PostgreSQL.\n`,
      });
    });
  } else {
    it("refuses cleanly when PostgreSQL cannot be reached", async () => {
      const r = await runCli("users", ["list"], { ...target.env, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none" });
      expect(r.code).toBe(1);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: cannot open the PostgreSQL database \(DATABASE_URL\): .*ECONNREFUSED/);
    });
  }
});
