// Benchmark (`npm run bench:audit`): the administrators' audit page on a million audit rows. Seeds a PostgreSQL database
// with a year of realistic events as a valid hash chain, verifies the chain, then measures the page's server time
// (p50/p95 over sequential requests) for the unfiltered view and three filtered ones: the queries alone through
// lib/audit/query.ts, and whole pages from `next start` of this checkout's production build with an admin session.
// Results: docs/benchmarks.md. Never part of the tests (no timing assertions anywhere else).
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { eq, sql } from "drizzle-orm";
import { sealData } from "iron-session";
import postgres from "postgres";
import { verifyChain } from "@/lib/audit/chain";
import { auditPage, auditSummary, resolveFilters } from "@/lib/audit/query";
import { parseAuditFilters } from "@/lib/audit/query-filters";
import { openDb, type Db } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";
import { adminSessions, users } from "@/lib/db/schema";
import { seedAuditTrail } from "./seed-audit";

const USAGE = `Usage: npm run bench:audit -- [--database URL] [--rows N] [--requests N] [--port P] [--reseed] [--no-server]

  --database URL  PostgreSQL database to create or reuse (default BENCH_DATABASE_URL, else
                  postgres://postgres@127.0.0.1:5432/toegang_bench); it is created when missing
  --rows N        audit rows to seed (default 1000000); an existing database with that many rows is reused
  --reseed        seed again even if the row count matches
  --requests N    measured requests per view (default 100, after 5 warm-up requests of every view, then 5 of that view)
  --port P        port for next start (default 3450); needs a production build (npx next build)
  --no-server     measure the queries only`;

const { values: args } = parseArgs({
  options: {
    database: { type: "string" },
    rows: { type: "string", default: "1000000" },
    requests: { type: "string", default: "100" },
    port: { type: "string", default: "3450" },
    reseed: { type: "boolean", default: false },
    "no-server": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const databaseUrl = args.database ?? process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/toegang_bench";
const rows = Number(args.rows);
const requests = Number(args.requests);
const port = Number(args.port);
const WARM_UP = 5;
const SESSION_SECRET = randomBytes(32).toString("base64url");
/** Amsterdam wall time as the filter form sends it. */
const local = (d: Date) => d.toLocaleString("sv-SE", { timeZone: "Europe/Amsterdam" }).slice(0, 16).replace(" ", "T");
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

type View = { name: string; params: Record<string, string> };

async function main() {
  await ensureDatabase(databaseUrl);
  const handle = await openDb({ databaseUrl });
  const db = handle.db;
  try {
    const [{ n }] = rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from audit_events`)) as [{ n: string }];
    if (args.reseed || Number(n) !== rows) {
      const seeded = await timed(() => seedAuditTrail(db, rows));
      console.log(`Seeded ${rows} audit rows in ${seconds(seeded.ms)}`);
    } else {
      console.log(`Reusing ${n} audit rows in ${redact(databaseUrl)}`);
    }
    const verified = await timed(() => verifyChain(db));
    console.log(
      `verifyChain: ${verified.value.ok ? `OK, ${verified.value.rows} rows` : `BROKEN ${JSON.stringify(verified.value)}`} in ${seconds(verified.ms)}`,
    );

    const views = await pickViews(db);
    console.log("\nQueries (lib/audit/query.ts: resolveFilters + auditPage + auditSummary), ms:");
    const queryResults = [];
    for (const view of views) queryResults.push({ view, ...(await measure(() => runQueries(db, view))) });
    printTable(queryResults);

    if (!args["no-server"]) {
      console.log(`\nPages (GET /nl/admin/audit against next start on port ${port}), ms:`);
      const pageResults = await measurePages(db, views);
      if (pageResults) printTable(pageResults);
    }
    console.log(
      `\nMachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; ${new Date().toISOString().slice(0, 10)}`,
    );
  } finally {
    await handle.close();
  }
}

/** Creates the benchmark database on its server when it does not exist yet. */
async function ensureDatabase(url: string) {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name} must be lower-case letters, digits and _`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const exists = await client`select 1 from pg_database where datname = ${name}`;
    if (!exists.length) await client.unsafe(`create database ${name}`);
  } finally {
    await client.end();
  }
}

/** The unfiltered page and three filtered ones an administrator would open, with values that exist in the seed. */
async function pickViews(db: Db): Promise<View[]> {
  const [user] = rowsOf<{ id: string; n: string }>(
    await db.execute(
      sql`select user_id::text as id, count(*)::text as n from audit_events where user_id = md5('bench-user-42')::uuid group by user_id`,
    ),
  );
  const [ip] = rowsOf<{ ip: string; n: string }>(
    await db.execute(sql`select ip, count(*)::text as n from audit_events where ip = '203.0.113.2' group by ip`),
  );
  const yearAgo = local(daysAgo(366));
  console.log(`Views: user ${user?.id} (${user?.n} rows in the year), IP ${ip?.ip} (${ip?.n} rows)`);
  return [
    { name: "unfiltered (default period: last 7 days)", params: {} },
    { name: "one user ID, whole year", params: { user: user!.id, from: yearAgo } },
    {
      name: "event + outcome (recovery.code_failed, failure), one week",
      params: { event: "recovery.code_failed", outcome: "failure", from: local(daysAgo(14)), to: local(daysAgo(7)) },
    },
    { name: "one IP address, whole year", params: { ip: ip!.ip, from: yearAgo } },
  ];
}

async function runQueries(db: Db, view: View) {
  const parsed = parseAuditFilters(view.params, new Date());
  if (!parsed.ok) throw new Error(`bad filters for ${view.name}: ${JSON.stringify(parsed.errors)}`);
  const filters = await resolveFilters(db, parsed.filters);
  await Promise.all([auditPage(db, filters, null), auditSummary(db, filters)]);
}

/** The page against a production server of this checkout, signed in through an admin session made in the database. */
async function measurePages(db: Db, views: View[]) {
  if (!existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
    console.log("  skipped: no production build in .next/ (run npx next build in a copy of the repository first)");
    return null;
  }
  const cookie = await adminCookie(db);
  const server = await startServer();
  try {
    const base = `http://localhost:${port}/nl/admin/audit`;
    const probe = await fetch(base, { headers: { cookie }, redirect: "manual" });
    await probe.arrayBuffer();
    if (probe.status !== 200) {
      console.log(`  skipped: GET /nl/admin/audit answered ${probe.status} (is the audit page built yet?)`);
      return null;
    }
    const page = (view: View) => async () => {
      const response = await fetch(`${base}?${new URLSearchParams(view.params)}`, { headers: { cookie }, redirect: "manual" });
      const body = await response.text();
      if (response.status !== 200 || body.length < 1000) throw new Error(`${view.name}: status ${response.status}`);
    };
    // A fresh server: every view rendered a few times first, so the first view measured does not carry the whole
    // server's first optimisation alone.
    for (const view of views) for (let i = 0; i < WARM_UP; i++) await page(view)();
    const results = [];
    for (const view of views) results.push({ view, ...(await measure(page(view))) });
    return results;
  } finally {
    server.kill("SIGTERM");
  }
}

/** An administrator with a live session row, and the sealed cookie that carries its token (lib/admin/session.ts). */
async function adminCookie(db: Db): Promise<string> {
  const email = "bench.admin@flynth.nl";
  await db
    .insert(users)
    .values({ email, emailKey: email, firstName: "Bench", lastName: "Beheerder", passwordHash: "not-a-hash", isAdmin: true })
    .onConflictDoNothing();
  const [admin] = await db.select().from(users).where(eq(users.emailKey, email));
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  await db.insert(adminSessions).values({
    tokenHash: createHash("sha256").update(token).digest("hex"),
    userId: admin!.id,
    stage: "active",
    locale: "nl",
    expiresAt: new Date(now.getTime() + 8 * 3600_000),
    signedInAt: now,
    lastSeenAt: now,
  });
  return `__Host-toegang-admin=${await sealData({ token }, { password: SESSION_SECRET, ttl: 8 * 3600 })}`;
}

function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "--port", String(port)], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SESSION_SECRET,
      HASH_KEY: SESSION_SECRET,
      BASE_URL: `http://localhost:${port}`,
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL"); // a server left running would keep this process, and the run that called it, waiting
      reject(new Error("next start did not become ready in 60 s"));
    }, 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      if (/Ready in/i.test(chunk.toString())) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => reject(new Error(`next start exited with ${code}`)));
  });
}

async function measure(fn: () => Promise<void>) {
  for (let i = 0; i < WARM_UP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < requests; i++) times.push((await timed(fn)).ms);
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), max: times[times.length - 1]! };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

function printTable(results: { view: View; p50: number; p95: number; max: number }[]) {
  console.log("| view | p50 | p95 | max |\n|---|---:|---:|---:|");
  for (const r of results) console.log(`| ${r.view.name} | ${r.p50.toFixed(0)} | ${r.p95.toFixed(0)} | ${r.max.toFixed(0)} |`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const redact = (url: string) => url.replace(/\/\/[^@]*@/, "//…@");

main().catch((error: unknown) => {
  console.error(error);
  // Open database connections would keep the process alive after a failure.
  process.exit(1);
});
