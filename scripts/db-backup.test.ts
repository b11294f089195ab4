// Backups of the embedded database and the move to PostgreSQL, as operators run them: `npm run db -- backup FILE`,
// wipe, `restore FILE` gives the same users, password history, open flows and a verifying audit chain; `copy-to` fills
// an empty PostgreSQL database where the demo users sign in and `audit -- verify` shows the same chain head.
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { asc, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { builtinAccountStore } from "@/lib/accounts/builtin";
import { verifyChain } from "@/lib/audit/chain";
import { pruneAuditTrail } from "@/lib/audit/prune";
import { recordAudit } from "@/lib/audit/record";
import { openDb, type Db } from "@/lib/db/client";
import { copyToPostgres } from "@/lib/db/copy";
import { rowsOf } from "@/lib/db/rows";
import { auditEvents, passwordHistory, recoveryFlows, users } from "@/lib/db/schema";
import { startRecovery } from "@/lib/recovery/steps";
import { demoUsers } from "@/lib/users/demo";
import { cliTarget, lines, runCli, type CliTarget, cliTestTimeout } from "@/tests/cli";
import { drivers, freshDb, freshServerDatabase } from "@/tests/db";

// Up to 5 CLI runs one after another in a test, each with its own limit (tests/cli.ts).
vi.setConfig({ testTimeout: cliTestTimeout(5) });

const DOMAIN = "demo.example";

/** Everything a restore or copy must carry over, read in a stable order. */
async function snapshot(db: Db) {
  return {
    users: await db
      .select({ id: users.id, email: users.email, hash: users.passwordHash, locked: users.lockedAt, changed: users.passwordChangedAt })
      .from(users)
      .orderBy(asc(users.email)),
    history: await db
      .select({
        id: passwordHistory.id,
        userId: passwordHistory.userId,
        hash: passwordHistory.passwordHash,
        skeleton: passwordHistory.skeletonHash,
      })
      .from(passwordHistory)
      .orderBy(asc(passwordHistory.id)),
    flows: await db
      .select({ id: recoveryFlows.id, token: recoveryFlows.tokenHash, step: recoveryFlows.step, expires: recoveryFlows.expiresAt })
      .from(recoveryFlows)
      .orderBy(asc(recoveryFlows.id)),
    audit: rowsOf<{ id: string; seq: string; hash: string; at: string }>(
      await db.execute(sql`select id::text as id, seq::text as seq, hash, at::text as at from audit_events order by seq`),
    ),
  };
}

/** Seeds the demo users through the CLI, then opens the folder here to change a password and start a flow that stays open. */
async function fillEmbedded(target: CliTarget): Promise<void> {
  expect((await runCli("db", ["seed"], { ...target.env, ORG_DOMAIN: DOMAIN })).code).toBe(0);
  const handle = await openDb({ dataDir: target.dataDir });
  try {
    const store = builtinAccountStore(handle.db);
    const kees = (await store.find(`kees.bakker@${DOMAIN}`))!;
    expect(await store.setPassword(kees, "Wintertaling2027!")).toEqual({ kind: "ok" });
    const started = await startRecovery(handle.db, {
      typedId: `jan.jansen@${DOMAIN}`,
      intent: null,
      context: { ip: "192.0.2.7", userAgent: "vitest/backup", locale: "nl", requestId: "vitest-backup" },
      now: new Date(),
      schedule: () => {},
    });
    expect(started.kind).toBe("started");
  } finally {
    await handle.close();
  }
}

describe("embedded database: backup, wipe, restore", () => {
  let target: CliTarget;
  let file: string;
  beforeAll(async () => {
    target = await cliTarget("pglite");
    file = path.join(target.dataDir, "..", `${path.basename(target.dataDir)}-backup.tar.gz`);
    await fillEmbedded(target);
  });
  afterAll(async () => {
    rmSync(file, { force: true });
    await target?.dispose();
  });

  // Four CLI runs in child processes, as in the copy test below.
  it("restores the same users, password history, open flows and audit chain into a wiped data folder", async () => {
    const before = await (async () => {
      const h = await openDb({ dataDir: target.dataDir });
      try {
        return await snapshot(h.db);
      } finally {
        await h.close();
      }
    })();
    expect(before.users).toHaveLength(4);
    expect(before.history).toHaveLength(5);
    expect(before.flows).toHaveLength(1);
    const head = lines((await runCli("audit", ["verify"], target.env)).stdout)[1];
    expect(head).toMatch(/^Head: seq \d+ sha256 [0-9a-f]{64}$/);

    const backup = await runCli("db", ["backup", file], target.env);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(lines(backup.stdout)[1]).toMatch(/^ {2}4 users, \d+ audit rows \(head seq \d+ sha256 [0-9a-f]{64}\)$/);
    expect(lines(backup.stdout)[2]).toBe("  secrets in the file: hash-key, session-secret");

    // The wipe: the whole data folder, secrets included.
    rmSync(target.dataDir, { recursive: true, force: true });
    const restore = await runCli("db", ["restore", file], target.env);
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(lines(restore.stdout)[0]).toMatch(/^Restored .* 4 users, \d+ audit rows$/);

    const verify = await runCli("audit", ["verify"], target.env);
    expect(verify.code).toBe(0);
    expect(lines(verify.stdout)[1]).toBe(head);
    const h = await openDb({ dataDir: target.dataDir });
    try {
      expect(await snapshot(h.db)).toEqual(before);
      // The restored folder is the portal's again: passwords check, new audit rows link on.
      const store = builtinAccountStore(h.db);
      expect((await store.checkPassword(`kees.bakker@${DOMAIN}`, "Wintertaling2027!")).kind).toBe("ok");
      await recordAudit(h.db, { event: "audit.pruned", outcome: "info", reason: "test" });
      expect((await verifyChain(h.db)).ok).toBe(true);
    } finally {
      await h.close();
    }
  });

  it("refuses while the data folder is in use, and over an existing database without --replace", async () => {
    // This test process stands in for a running portal: it holds the folder's pid file.
    const pidFile = path.join(target.dataDir, "pglite.pid");
    writeFileSync(pidFile, String(process.pid));
    try {
      for (const args of [
        ["backup", `${file}.other`],
        ["restore", file, "--replace"],
      ]) {
        const refused = await runCli("db", args, target.env);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(new RegExp(`in use by process ${process.pid} \\(is the portal running\\?\\)`));
      }
      expect(existsSync(`${file}.other`)).toBe(false);
    } finally {
      rmSync(pidFile, { force: true });
    }

    const over = await runCli("db", ["restore", file], target.env);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/already holds an embedded database; add --replace/);

    const replaced = await runCli("db", ["restore", file, "--replace"], target.env);
    expect(replaced.code).toBe(0);
    const aside = readdirSync(target.dataDir).filter((n) => n.startsWith("before-restore-"));
    expect(aside).toHaveLength(1);
    expect(readdirSync(path.join(target.dataDir, aside[0]!))).toEqual(["pglite"]);
  });

  it("refuses a file that is not a backup, changing nothing", async () => {
    const junk = `${file}.junk`;
    writeFileSync(junk, "not a backup");
    try {
      const refused = await runCli("db", ["restore", junk, "--replace"], target.env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/is not a Toegang backup/);
      expect((await runCli("audit", ["verify"], target.env)).code).toBe(0);
    } finally {
      rmSync(junk, { force: true });
    }
  });
});

describe.skipIf(!drivers().includes("postgres"))("copy-to PostgreSQL", () => {
  let target: CliTarget;
  let database: Awaited<ReturnType<typeof freshServerDatabase>>;
  beforeAll(async () => {
    target = await cliTarget("pglite");
    database = await freshServerDatabase();
    await fillEmbedded(target);
  });
  afterAll(async () => {
    await database?.drop();
    await target?.dispose();
  });

  // Four CLI runs in child processes (each starts tsx and opens PGlite) and a copy: the file's CLI timeout.
  it("moves everything into an empty database where the demo users sign in and the audit chain verifies", async () => {
    const source = await openDb({ dataDir: target.dataDir });
    const before = await snapshot(source.db).finally(() => source.close());
    const head = lines((await runCli("audit", ["verify"], target.env)).stdout)[1];

    const copy = await runCli("db", ["copy-to", database.url], target.env);
    expect(copy.stderr).toBe("");
    expect(copy.code).toBe(0);
    expect(copy.stdout).toContain("  users: 4 rows\n");
    expect(copy.stdout).toContain("  password_history: 5 rows\n");
    expect(copy.stdout).toContain("  recovery_flows: 1 row\n");
    expect(copy.stdout).not.toContain(new URL(database.url).password || "\u0000");

    // The portal's settings after the move: PostgreSQL, and the data folder's keys.
    const portalEnv = {
      DATA_DIR: target.dataDir,
      DATABASE_URL: database.url,
      HASH_KEY: (await import("node:fs")).readFileSync(path.join(target.dataDir, "hash-key"), "utf8").trim(),
      SESSION_SECRET: (await import("node:fs")).readFileSync(path.join(target.dataDir, "session-secret"), "utf8").trim(),
    };
    const verify = await runCli("audit", ["verify"], portalEnv);
    expect(verify.stderr).toBe("");
    expect(lines(verify.stdout)[1]).toBe(head);

    const copied = await openDb({ databaseUrl: database.url, migrate: false });
    try {
      expect(await snapshot(copied.db)).toEqual(before);
      const store = builtinAccountStore(copied.db);
      for (const demo of demoUsers(DOMAIN)) {
        const check = await store.checkPassword(demo.email, demo.email.startsWith("kees") ? "Wintertaling2027!" : demo.password);
        expect(check.kind, demo.email).toBe("ok");
        // Petra's account is locked in the demo set, and stays locked after the move.
        expect((await store.find(demo.email))?.locked, demo.email).toBe(demo.locked === true);
      }
      // New rows get new ids and link onto the copied chain.
      await recordAudit(copied.db, { event: "audit.pruned", outcome: "info", reason: "test" });
      const [newest] = await copied.db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .orderBy(sql`seq desc`)
        .limit(1);
      expect(newest!.id).toBeGreaterThan(Math.max(...before.audit.map((r) => Number(r.id))));
      expect(await verifyChain(copied.db)).toMatchObject({ ok: true, rows: before.audit.length + 1 });
    } finally {
      await copied.close();
    }

    const again = await runCli("db", ["copy-to", database.url], target.env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: the target database is not empty \(rows in .*users.*\); copy-to only fills an empty database\n$/);
  });

  it("keeps a pruned audit trail's chain: the copy starts at the same seq, anchored by the same audit.pruned row", async () => {
    const source = await freshDb("pglite");
    const emptyTarget = await freshServerDatabase();
    try {
      const old = new Date(Date.now() - 10 * 86_400_000);
      for (let i = 0; i < 5; i++) await recordAudit(source.db, { event: "audit.pruned", outcome: "info", reason: `old ${i}`, at: old });
      await recordAudit(source.db, { event: "audit.pruned", outcome: "info", reason: "recent" });
      await pruneAuditTrail(source.db, { cutoff: new Date(Date.now() - 5 * 86_400_000), retentionDays: 5 });
      const sourceChain = await verifyChain(source.db);
      expect(sourceChain).toMatchObject({ ok: true, anchor: { kind: "pruned", seq: 6 } });

      const result = await copyToPostgres(source.db, emptyTarget.url);
      expect(result.auditHead).toEqual(sourceChain.ok && sourceChain.head);
      const copied = await openDb({ databaseUrl: emptyTarget.url, migrate: false });
      try {
        expect(await verifyChain(copied.db)).toEqual(sourceChain);
      } finally {
        await copied.close();
      }
      // The triggers are on again: a sealed row typed in by hand is refused on the copy as on any portal database.
      const raw = postgres(emptyTarget.url, { max: 1, onnotice: () => {} });
      try {
        await expect(
          raw`insert into audit_events (event, outcome, seq, prev_hash, hash) values ('x', 'info', 99, ${"0".repeat(64)}, ${"0".repeat(64)})`,
        ).rejects.toThrow(/set by the database/);
      } finally {
        await raw.end();
      }
    } finally {
      await source.close();
      await emptyTarget.drop();
    }
  });
});
