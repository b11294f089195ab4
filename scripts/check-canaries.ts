// After the browser suites (scripts/test.sh): no password, phone number or code of the runs may appear in an audit trail
// or in the log of any portal they started. Canaries: every password and mobile number in the suites' users CSVs and
// of the demo users, everything the specs typed (e2e/fixtures/canaries.ts), and every code the runs sent (the outboxes).
// Exit 1 names the first hit.
import "server-only";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDb, pgliteFolder, type Db } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { demoUsers } from "@/lib/users/demo";
import { readUsersCsv } from "@/lib/users/csv";
import { RUN_DIR, type TypedSecret } from "@/e2e/fixtures/canaries";
import { around, codeCanary, codesIn, distinct, findCanary, passwordCanary, phoneCanary, type Canary } from "./canaries";
import { UserError, runCli } from "./cli-runtime";

const USAGE = `Usage: tsx --conditions=react-server scripts/check-canaries.ts [RUN_DIR …]

Searches the audit trails and the portal logs of e2e runs for their passwords, phone numbers and codes.
Each RUN_DIR (default E2E_RUN_DIR or .e2e-run) is one browser suite's folder: every *.log in it is a portal's log
(server.log of e2e/web-server.sh, logs/*.log of the portals the server specs start, <kind>/server.log of the
directory portals), typed-secrets.jsonl holds what its specs typed, and every data/ folder in it is an embedded
database (with DATABASE_URL, that database too). Exit 0: nothing found; 1: a hit, or nothing to check.`;

const ROOT = path.join(__dirname, "..");
/** Every suite's users: the main suite's and the provider suite's (imported by e2e/web-server.sh). */
const USERS_CSVS = [path.join(ROOT, "e2e", "fixtures", "users.csv"), path.join(ROOT, "e2e", "providers", "users.csv")];
const BATCH = 5_000;

type Database = { name: string; db: Db; close: () => Promise<void> };
type LogFile = { name: string; text: string };

async function main(argv: string[]): Promise<number | void> {
  if (argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const runDirs = (argv.length ? argv : [RUN_DIR]).map((dir) => path.resolve(dir));
  const logs = runDirs.flatMap(readLogs);

  const databases: Database[] = [];
  try {
    for (const target of databaseTargets(runDirs)) {
      const handle = await openDb({ ...target, migrate: false }).catch((error: unknown) => {
        throw new UserError(`cannot open the e2e database (${target.name}): ${(error as Error).message}`);
      });
      databases.push({ name: target.name, db: handle.db, close: () => handle.close() });
    }
    const { canaries, codes } = await collect(databases, runDirs);
    if (codes === 0) throw new UserError("the outbox holds no codes: the run sent none, so the check would prove nothing");
    let hit: string | null = null;
    let rows = 0;
    for (const database of databases) {
      const inAudit = await searchAudit(database, canaries, databases.length > 1);
      rows += inAudit.rows;
      hit ??= inAudit.hit;
      if (hit) break;
    }
    for (const log of logs) {
      hit ??= searchLog(log, canaries);
      if (hit) break;
    }
    if (hit) {
      process.stderr.write(`Canary check FAILED: ${hit}\n`);
      return 1;
    }
    const lines = logs.reduce((n, log) => n + log.text.split("\n").length, 0);
    process.stdout.write(
      `Canary check OK: ${canaries.length} canaries (passwords, phone numbers, ${codes} codes sent) found nowhere in ${rows} audit rows or ${lines} log lines (${logs.length} ${logs.length === 1 ? "log" : "logs"})\n`,
    );
  } finally {
    for (const database of databases) await database.close();
  }
}

/**
 * A run folder's portal logs: every *.log below it (its data folders aside). Each folder must hold at least one, and a
 * server.log must not be empty: otherwise the output was not captured and the check would prove nothing.
 */
function readLogs(runDir: string): LogFile[] {
  if (!existsSync(runDir)) throw new UserError(`no run folder at ${runDir}: did the e2e run (e2e/web-server.sh) happen?`);
  const files = filesBelow(runDir).filter((file) => file.endsWith(".log"));
  if (!files.length) throw new UserError(`no server log in ${runDir}: did the e2e run (e2e/web-server.sh) happen?`);
  return files.map((file) => {
    const text = readFileSync(file, "utf8");
    if (path.basename(file) === "server.log" && !text.trim()) throw new UserError(`${file} is empty: the server's output was not captured`);
    return { name: path.join(path.basename(runDir), path.relative(runDir, file)), text };
  });
}

/** Every file below a folder, skipping embedded databases (data/). */
function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "data" ? [] : filesBelow(full);
    return entry.isFile() ? [full] : [];
  });
}

/** DATABASE_URL when set (the suites on PostgreSQL share it), and every embedded database in the run folders. */
function databaseTargets(runDirs: string[]): Array<{ name: string; databaseUrl?: string; dataDir?: string }> {
  const targets: Array<{ name: string; databaseUrl?: string; dataDir?: string }> = [];
  const databaseUrl = process.env.DATABASE_URL || undefined;
  if (databaseUrl) targets.push({ name: "DATABASE_URL", databaseUrl });
  const embedded = (dir: string, depth: number): string[] => {
    const data = path.join(dir, "data");
    const here = existsSync(pgliteFolder(data)) ? [data] : [];
    if (depth === 0) return here;
    const below = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== "data" && e.name !== "logs")
      .flatMap((e) => embedded(path.join(dir, e.name), depth - 1));
    return [...here, ...below];
  };
  for (const runDir of runDirs) for (const dataDir of embedded(runDir, 2)) targets.push({ name: dataDir, dataDir });
  if (!targets.length) {
    const expected = path.join(runDirs[0]!, "data");
    throw new UserError(`cannot open the e2e database (${expected}): no embedded database there, and DATABASE_URL is not set`);
  }
  return targets;
}

async function collect(databases: Database[], runDirs: string[]): Promise<{ canaries: Canary[]; codes: number }> {
  const fromCsv = USERS_CSVS.flatMap((file) => {
    const csv = readUsersCsv(readFileSync(file, "utf8"));
    if (!csv.ok) throw new UserError(`cannot read ${file}`);
    return csv.value.rows.flatMap(({ input }) => [
      input.password ? passwordCanary(`password of ${input.email} (${path.basename(path.dirname(file))}/users.csv)`, input.password) : null,
      input.phone ? phoneCanary(`phone number of ${input.email} (${path.basename(path.dirname(file))}/users.csv)`, input.phone) : null,
    ]);
  });
  // The server specs' portals seed the demo users; only their start's table may print those (see searchLog).
  const fromDemo = demoUsers("demo").flatMap((u) => [
    passwordCanary(`password of demo user ${u.email.split("@")[0]}`, u.password),
    u.phone ? phoneCanary(`phone number of demo user ${u.email.split("@")[0]}`, u.phone) : null,
  ]);

  const typed = runDirs.flatMap((runDir) => {
    const typedFile = path.join(runDir, "typed-secrets.jsonl");
    return existsSync(typedFile)
      ? readFileSync(typedFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line) as TypedSecret)
      : [];
  });
  const make = { password: passwordCanary, phone: phoneCanary, code: codeCanary };
  const fromSpecs = typed.map((s) => make[s.kind](`${s.kind} typed by a spec`, s.value));

  const sent: Array<{ code: string; canary: Canary | null }> = [];
  for (const { name, db } of databases) {
    const where = databases.length > 1 ? ` (${name})` : "";
    const bodies = rowsOf<{ id: string; body: string }>(
      await db.execute(sql`select id::text as id, body from outbox_messages order by id`),
    );
    for (const m of bodies)
      for (const code of codesIn(m.body)) sent.push({ code, canary: codeCanary(`code sent in outbox message ${m.id}${where}`, code) });
  }
  // Codes the specs read elsewhere (the MessageBird stand-in, a server spec's own portal) count as sent too.
  const noted = typed.filter((s) => s.kind === "code").map((s) => s.value);
  return {
    canaries: distinct([...fromCsv, ...fromDemo, ...fromSpecs, ...sent.map((s) => s.canary)]),
    codes: new Set([...sent.map((s) => s.code), ...noted]).size,
  };
}

/**
 * Every audit row as jsonb text, all columns but id, seq and at: those are numbers and times the database makes, where
 * six digits turn up by chance (row 123456, 12:00:00.123456) and no secret can hide.
 */
async function searchAudit({ name, db }: Database, canaries: Canary[], named: boolean): Promise<{ hit: string | null; rows: number }> {
  let after = 0;
  let rows = 0;
  for (;;) {
    const batch = rowsOf<{ id: string; event: string; text: string }>(
      await db.execute(sql`
        select a.id::text as id, a.event, (to_jsonb(a) - 'id' - 'seq' - 'at')::text as text
        from audit_events a where a.id > ${after} order by a.id limit ${BATCH}`),
    );
    for (const row of batch) {
      const hit = findCanary(canaries, row.text);
      if (hit)
        return {
          hit: `${hit.canary.label} appears in audit row id ${row.id} (${row.event})${named ? ` of ${name}` : ""}: …${around(row.text, hit)}…`,
          rows: rows + 1,
        };
      rows += 1;
    }
    if (batch.length < BATCH) return { hit: null, rows };
    after = Number(batch.at(-1)!.id);
  }
}

/**
 * Every line as printed, and for the server's JSON lines (server/log.mjs) also every string value decoded, so a secret
 * cannot hide behind JSON escaping (a quote or backslash in a password, \u sequences). The demo users' rows of the
 * start's table (lib/users/demo.ts, printed on purpose for the quick start) are the one place their passwords and
 * numbers may stand: those rows, and only they, are taken out before searching.
 */
function searchLog(log: LogFile, canaries: Canary[]): string | null {
  const lines = log.text.split("\n");
  for (const [i, line] of lines.entries()) {
    for (const text of [line, ...decodedValues(line)].map(withoutDemoRows)) {
      const hit = findCanary(canaries, text);
      if (hit) return `${hit.canary.label} appears in ${log.name}, line ${i + 1}: …${around(text, hit)}…`;
    }
  }
  return null;
}

/** A demo user's row of the start's table: user ID, password (or "(changed)"), mobile (or "—"), what it shows. */
const DEMO_ROWS = demoUsers("demo").map(
  (u) =>
    new RegExp(
      [
        `${escapeRegExp(u.email.split("@")[0]!)}@\\S+`,
        `(?:${escapeRegExp(u.password)}|\\(changed\\))`,
        u.phone ? escapeRegExp(u.phone) : "—",
        escapeRegExp(u.note),
      ].join(" +"),
      "g",
    ),
);

function withoutDemoRows(text: string): string {
  return DEMO_ROWS.reduce((t, row) => t.replace(row, "[demo user row]"), text);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function decodedValues(line: string): string[] {
  const start = line.indexOf("{");
  if (start < 0) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(start));
  } catch {
    return [];
  }
  const out: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === "string") out.push(value);
    else if (value && typeof value === "object") for (const v of Object.values(value)) walk(v);
  };
  walk(parsed);
  return out;
}

void runCli(USAGE, () => main(process.argv.slice(2)));
