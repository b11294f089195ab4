// The canary check: its patterns find a secret in every writing but not in hashes, uuids or other numbers, and the
// check itself fails when a password, phone number or code is planted in the audit trail, the server log, the log of a
// portal a server spec started (logs/*.log) or another suite's run folder.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { recordAudit } from "@/lib/audit/record";
import { openDb, type Db } from "@/lib/db/client";
import { outboxMessages } from "@/lib/db/schema";
import { codeText } from "@/lib/messaging/texts";
import { demoUsers, formatDemoUsers } from "@/lib/users/demo";
import { runCli, cliTestTimeout } from "@/tests/cli";
import { drivers, freshServerDatabase } from "@/tests/db";
import { codeCanary, codesIn, findCanary, passwordCanary, phoneCanary } from "./canaries";

// Up to 3 CLI runs one after another in a test, each with its own limit (tests/cli.ts).
vi.setConfig({ testTimeout: cliTestTimeout(3) });

describe("canary patterns", () => {
  it("reads the code out of an SMS and out of a call's text, in both languages", () => {
    for (const locale of ["nl", "en"] as const) {
      expect(codesIn(codeText(locale, "sms", "Flynth", "048213", 10))).toEqual(["048213"]);
      expect(codesIn(codeText(locale, "voice", "Flynth", "048213", 10))).toEqual(["048213", "048213"]);
    }
  });

  it("finds a code together, spaced or read out, but not inside a hash, a uuid, an IP or a longer number", () => {
    const code = codeCanary("code", "048213")!;
    const found = (text: string) => findCanary([code], text) !== null;
    for (const text of ['{"reason": "048213"}', "code=048213&", "0 4 8 2 1 3", "0, 4, 8, 2, 1, 3", "048 213"])
      expect(found(text), text).toBe(true);
    for (const text of [
      "a048213f9",
      "9048213",
      "0482130",
      "3f2b8c1e-048213ab-4e6f",
      "10.4.8.213",
      "0-4-8-2-1-3 is dashed but not how codes are read",
    ]) {
      expect(found(text), text).toBe(false);
    }
  });

  it("finds a mobile number in every writing, but not another number or only its last digits", () => {
    const phone = phoneCanary("phone", "06-12345611")!;
    const found = (text: string) => findCanary([phone], text) !== null;
    for (const text of ["+31612345611", "06-12345611", "0612345611", "0031 6 1234 5611", "+31 (0)6 1234 56 11", '"to":"31612345611"']) {
      expect(found(text), text).toBe(true);
    }
    for (const text of ["+31612345612", "*****11", "06-1234561", "ab612345611cd", "6123456110"]) expect(found(text), text).toBe(false);
  });

  it("finds a password as typed and JSON-escaped, and leaves short words alone", () => {
    const password = passwordCanary("password", 'Zo"mer\\2026')!;
    expect(findCanary([password], 'x Zo"mer\\2026 y')).not.toBeNull();
    expect(findCanary([password], JSON.stringify({ p: 'Zo"mer\\2026' }))).not.toBeNull();
    expect(findCanary([password], 'zo"mer\\2026')).toBeNull();
    expect(passwordCanary("password", "kort")).toBeNull();
  });
});

describe.each(drivers())("canary check on %s", (driver) => {
  let runDir: string;
  let env: Record<string, string>;
  let drop = async () => {};
  const check = () => runCli("check-canaries", [runDir], env);
  const log = (text: string) => writeFileSync(path.join(runDir, "server.log"), text);
  const withDb = async (fn: (db: Db) => Promise<void>) => {
    const handle = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: path.join(runDir, "data") });
    try {
      await fn(handle.db);
    } finally {
      await handle.close();
    }
  };
  const cleanLog = [
    "e2e: embedded database (PGlite)",
    "3 added, 0 updated",
    "▲ Next.js 16.4.6",
    "✓ Ready in 812ms",
    "correlation 9f2c1e0b4a7d",
  ].join("\n");

  beforeAll(async () => {
    runDir = mkdtempSync(path.join(os.tmpdir(), "toegang-canaries-"));
    env = { DATA_DIR: path.join(runDir, "data") };
    if (driver === "postgres") {
      const database = await freshServerDatabase();
      env.DATABASE_URL = database.url;
      env.SESSION_SECRET = "canary-test-session-secret-0123456789abcdef";
      env.HASH_KEY = "canary-test-hash-key-0123456789abcdefghijk";
      drop = database.drop;
    }
    await withDb(async (db) => {
      await recordAudit(db, {
        event: "recovery.code_failed",
        outcome: "failure",
        reason: "wrong-code",
        flowId: "3f2b8c1e-4d5a-4e6f-9a7b-1c2d3e4f5a6b",
        ip: "127.0.0.1",
        userAgent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0.0.0",
        locale: "nl",
        details: { attemptsLeft: 4, maskedDigits: "11" },
      });
    });
    log(cleanLog);
    appendFileSync(path.join(runDir, "typed-secrets.jsonl"), `${JSON.stringify({ kind: "password", value: "Nieuw-5ca1ab1e-7Q" })}\n`);
  });
  afterAll(async () => {
    await drop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it("refuses to pass when the run sent no code (it would prove nothing)", async () => {
    expect(await check()).toMatchObject({
      code: 1,
      stderr: "error: the outbox holds no codes: the run sent none, so the check would prove nothing\n",
    });
  });

  it("passes a clean run", async () => {
    await withDb(async (db) => {
      await db.insert(outboxMessages).values([
        {
          recipient: "+31612345611",
          channel: "sms",
          locale: "nl",
          body: codeText("nl", "sms", "Flynth", "048213", 10),
          purpose: "code",
          transport: "outbox",
        },
        {
          recipient: "+31612345612",
          channel: "voice",
          locale: "en",
          body: codeText("en", "voice", "Flynth", "771904", 10),
          purpose: "code",
          transport: "outbox",
        },
      ]);
    });
    const r = await check();
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Canary check OK: \d+ canaries \(passwords, phone numbers, 2 codes sent\) found nowhere in 1 audit rows or 5 log lines \(1 log\)\n$/,
    );
  });

  it("fails on a mobile number from users.csv, a typed password or a sent code in the server log", async () => {
    const serverLog = `${path.basename(runDir)}/server.log`;
    log(`${cleanLog}\nsending to +31 6 1234 5611`);
    expect(await check()).toEqual({
      code: 1,
      stdout: "",
      stderr: `Canary check FAILED: phone number of signin-nl-js@flynth.nl (fixtures/users.csv) appears in ${serverLog}, line 6: …sending to +31 [phone]…\n`,
    });
    log(`${cleanLog}\nPOST /nl/recover/password {"password":"Nieuw-5ca1ab1e-7Q"}`);
    expect((await check()).stderr).toBe(
      `Canary check FAILED: password typed by a spec appears in ${serverLog}, line 6: …POST /nl/recover/password {"password":"[password]"}…\n`,
    );
    log(`${cleanLog}\nvoice: 7, 7, 1, 9, 0, 4`);
    expect((await check()).stderr).toBe(
      `Canary check FAILED: code sent in outbox message 2 appears in ${serverLog}, line 6: …voice: [code]…\n`,
    );
    log(cleanLog);
  });

  it("searches the logs of the portals the server specs start (logs/*.log): a typed code, a sent code, a demo user's password", async () => {
    const portalLog = path.join(runDir, "logs", "unavailable-5213-4242-1764589000000.log");
    mkdirSync(path.dirname(portalLog), { recursive: true });
    // The start's table of demo users (printed on purpose, lib/users/demo.ts) is not a leak; anything else is.
    const banner = JSON.stringify({
      level: "info",
      msg: `\nToegang is running: http://localhost:5213\nDemo users:\n${formatDemoUsers(demoUsers("flynth.nl").map((u) => ({ ...u, passwordChanged: false })))}\n`,
    });
    const request =
      '{"level":"info","reqId":"0b9e6c1a-55b1-4c7e-9d0f-2a6f1e3c8d47","method":"POST","route":"/nl/recover/code","status":303}';
    writeFileSync(portalLog, `${banner}\n${request}\n`);
    const clean = await check();
    expect(clean.stderr).toBe("");
    expect(clean.stdout).toMatch(/ log lines \(2 logs\)\n$/);

    appendFileSync(path.join(runDir, "typed-secrets.jsonl"), `${JSON.stringify({ kind: "code", value: "530172" })}\n`);
    writeFileSync(portalLog, `${banner}\n${request}\n{"level":"error","msg":"wrong code 530172 for flow"}\n`);
    expect((await check()).stderr).toBe(
      `Canary check FAILED: code typed by a spec appears in ${path.basename(runDir)}/logs/unavailable-5213-4242-1764589000000.log, line 3: …{"level":"error","msg":"wrong code [code] for flow"}…\n`,
    );
    writeFileSync(portalLog, `${banner}\n{"level":"warn","msg":"sending 0, 4, 8, 2, 1, 3 by voice"}\n`);
    expect((await check()).stderr).toMatch(
      /^Canary check FAILED: code sent in outbox message 1 appears in .*\/logs\/unavailable-5213-.*\.log, line 2: /,
    );
    writeFileSync(portalLog, `${banner}\n{"level":"info","msg":"sign-in","password":"Fietsen2026!"}\n`);
    expect((await check()).stderr).toMatch(/^Canary check FAILED: password of demo user kees\.bakker appears in .*\.log, line 2: /);
    writeFileSync(portalLog, `${banner}\n${request}\n`);
  });

  it("reads every run folder given: another suite's logs (any depth) and its typed secrets", async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), "toegang-canaries-other-"));
    try {
      mkdirSync(path.join(other, "ad"));
      writeFileSync(path.join(other, "ad", "server.log"), cleanLog);
      appendFileSync(path.join(other, "typed-secrets.jsonl"), `${JSON.stringify({ kind: "password", value: "Sneeuwvlok-42-Ijs" })}\n`);
      const both = () => runCli("check-canaries", [runDir, other], env);
      expect((await both()).code).toBe(0);
      writeFileSync(path.join(other, "ad", "server.log"), `${cleanLog}\nbind failed for Sneeuwvlok-42-Ijs`);
      expect((await both()).stderr).toBe(
        `Canary check FAILED: password typed by a spec appears in ${path.basename(other)}/ad/server.log, line 6: …bind failed for [password]…\n`,
      );
      // The first suite's secrets in the other suite's log.
      writeFileSync(path.join(other, "ad", "server.log"), `${cleanLog}\nPOST {"password":"Nieuw-5ca1ab1e-7Q"}`);
      expect((await both()).stderr).toMatch(/^Canary check FAILED: password typed by a spec appears in .*\/ad\/server\.log, line 6: /);
      // A directory portal's embedded database (<kind>/data): the codes of its outbox are canaries in every log.
      const nested = await openDb({ dataDir: path.join(other, "ad", "data") });
      try {
        await nested.db.insert(outboxMessages).values({
          recipient: "+31612345613",
          channel: "sms",
          locale: "nl",
          body: codeText("nl", "sms", "Flynth", "902614", 10),
          purpose: "code",
          transport: "outbox",
        });
      } finally {
        await nested.close();
      }
      writeFileSync(path.join(other, "ad", "server.log"), cleanLog);
      expect((await both()).code).toBe(0);
      log(`${cleanLog}\nverify 902614`);
      expect((await both()).stderr).toBe(
        `Canary check FAILED: code sent in outbox message 1 (${path.join(other, "ad", "data")}) appears in ${path.basename(runDir)}/server.log, line 6: …verify [code]…\n`,
      );
      log(cleanLog);
      rmSync(path.join(other, "ad"), { recursive: true });
      expect((await both()).stderr).toBe(`error: no server log in ${other}: did the e2e run (e2e/web-server.sh) happen?\n`);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("fails on a secret in any column of an audit row, naming the row", async () => {
    log(cleanLog);
    await withDb((db) =>
      recordAudit(db, { event: "sign_in.failed", outcome: "failure", userAgent: "curl/8.0", details: { typed: "Krokusveld2026!" } }),
    );
    const r = await check();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Canary check FAILED: password of signin-nl-js@flynth\.nl \(fixtures\/users\.csv\) appears in audit row id 2 \(sign_in\.failed\): ….*"typed": "\[password\]".*…\n$/,
    );
  });
});
