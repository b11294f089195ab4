// `npm run bench`: Toegang side by side with a bare Next.js 16 + next-intl page, in one run, on this machine. Builds the
// bare app (bench/bare-app.ts, in a temporary folder) and Toegang, starts them, and measures: server CPU per page (the server
// process's own CPU counters, /proc/<pid>/stat), HTML and JS bytes per page, a CAPTCHA picture's CPU, the password step
// of a reset at history depth 24 and 1 against its Argon2 floor (bench/reset-cost.ts), cold start on a fresh embedded
// database, RSS under load on PGlite and PostgreSQL, and the audit page on a million rows (bench/audit-page.ts).
// Writes docs/benchmarks.md (the generated part between its markers). `--smoke`: tiny counts, no goals judged, output to
// .bench/benchmarks-smoke.md — what CI runs. Linux only. Never part of the tests.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { bareAppFiles } from "./bare-app";
import { cpuMsOf, freePort, loadavg, npmStartArgs, rssMiB, tree } from "./proc";

const USAGE = `Usage: npm run bench -- [--smoke] [--no-build] [--port-base P] [--database URL] [--out FILE]

  --smoke        tiny counts (a couple of minutes); judges no goals; writes .bench/benchmarks-smoke.md
  --no-build     reuse this checkout's .next build (the bare app is still built)
  --port-base P  where the search for free ports starts (default 3700)
  --database URL PostgreSQL server for the PostgreSQL runs and the audit page (default
                 postgres://postgres@127.0.0.1:5432)
  --db-prefix N  its databases: N_pages (made afresh, dropped at the end) and N (the audit rows, kept for the next
                 run; default toegang_bench)
  --out FILE     where to write the report (default docs/benchmarks.md, or .bench/benchmarks-smoke.md with --smoke)`;

const { values: args } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    "port-base": { type: "string", default: "3700" },
    database: { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
    "db-prefix": { type: "string", default: "toegang_bench" },
    out: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const smoke = args.smoke;
const root = process.cwd();
const benchDir = path.join(root, ".bench");
let bareDir = "";
const portBase = Number(args["port-base"]);
const pgServer = args.database.replace(/\/+$/, "");
const pagesDb = `${args["db-prefix"]}_pages`;
const auditDb = args["db-prefix"];
const counts = smoke
  ? { requests: 10, rounds: 1, cold: 1, images: 10, resets: 2, auditRows: 20_000, auditRequests: 5 }
  : { requests: 100, rounds: 3, cold: 3, images: 100, resets: 10, auditRows: 1_000_000, auditRequests: 100 };
const out = args.out ?? (smoke ? path.join(benchDir, "benchmarks-smoke.md") : path.join(root, "docs", "benchmarks.md"));
const SECRET = "bench-secret-bench-secret-bench-secret-0123456789";
const loads: string[] = [];
/** Requests each measured page gets before its series. */
const WARM_UP = smoke ? 10 : 50;

// ---- processes ----------------------------------------------------------------------------------------------------

type Server = { name: string; child: ChildProcess; base: string; startedMs: number; log: string[] };

function noteLoad(what: string) {
  loads.push(`${what}: ${loadavg()}`);
}

/** Servers started and not yet stopped: killed when the run fails, so a failure never leaves one holding the run open. */
const live = new Set<Server>();
let nextPort = portBase;

/**
 * The bare app on `next start`; Toegang as `npm start` runs it (node, its flags, server/main.mjs), as operators do.
 * Each on a port found free just before (`env` gets it, for BASE_URL).
 */
async function start(name: string, cwd: string, env: (port: number) => Record<string, string> = () => ({})): Promise<Server> {
  const port = await freePort(nextPort);
  nextPort = port + 1;
  const argv = cwd === root ? npmStartArgs(root) : [path.join(cwd, "node_modules/next/dist/bin/next"), "start", "--port", String(port)];
  const child = spawn(process.execPath, argv, {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      ...env(port),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: string[] = [];
  child.stdout!.on("data", (c: Buffer) => log.push(c.toString()));
  child.stderr!.on("data", (c: Buffer) => log.push(c.toString()));
  const server = { name, child, base: `http://127.0.0.1:${port}`, startedMs: performance.now(), log };
  live.add(server);
  return server;
}

/** Milliseconds from spawn to the first 200 of the page (the server has migrated, seeded and rendered once). */
async function firstOk(server: Server, pathname: string): Promise<number> {
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited:\n${server.log.join("")}`);
    try {
      const res = await fetch(server.base + pathname);
      await res.arrayBuffer();
      if (res.ok) return performance.now() - server.startedMs;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - server.startedMs > 120_000) throw new Error(`${server.name} not ready in 120 s:\n${server.log.join("")}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stop(server: Server): Promise<void> {
  live.delete(server);
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const done = new Promise((r) => server.child.once("exit", r));
  server.child.kill("SIGTERM");
  const timer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
  await done;
  clearTimeout(timer);
}

function run(cmd: string, argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  return execFileSync(cmd, argv, {
    cwd: opts.cwd ?? root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...opts.env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 2 ** 20,
    // No step may hang the run (and CI with it); the slowest, seeding a million audit rows, takes minutes.
    timeout: 30 * 60_000,
    killSignal: "SIGKILL",
  });
}

async function ensureDatabase(name: string, fresh: boolean) {
  const { default: postgres } = await import("postgres");
  const sql = postgres(`${pgServer}/postgres`, { max: 1, onnotice: () => {} });
  try {
    if (fresh) await sql.unsafe(`drop database if exists ${name} with (force)`);
    const exists = await sql`select 1 from pg_database where datname = ${name}`;
    if (!exists.length) await sql.unsafe(`create database ${name}`);
  } finally {
    await sql.end();
  }
}

async function dropDatabase(name: string) {
  const { default: postgres } = await import("postgres");
  const sql = postgres(`${pgServer}/postgres`, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe(`drop database if exists ${name} with (force)`);
  } finally {
    await sql.end();
  }
}

// ---- measurements -------------------------------------------------------------------------------------------------

type PageStats = { cpuMs: number[]; html: number; htmlGzip: number; htmlBrotli: number; js: number; jsGzip: number };

async function fetchText(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers });
  const body = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return body;
}

/** CPU per request of `n` sequential GETs (the server's own CPU counters around the series). */
async function cpuPerRequest(server: Server, urls: string[]): Promise<number> {
  const before = cpuMsOf(tree(server.child.pid!));
  for (const url of urls) {
    // Uncompressed on both sides: Toegang leaves compression to the reverse proxy (compress: false), and a bare Next
    // server would gzip — that would compare compression, not pages.
    const res = await fetch(url, { headers: { "accept-encoding": "identity" } });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
  }
  return (cpuMsOf(tree(server.child.pid!)) - before) / urls.length;
}

/** Bytes of the page and of the scripts it loads (raw and gzipped). */
async function pageBytes(server: Server, pathname: string): Promise<Omit<PageStats, "cpuMs">> {
  const html = await fetchText(server.base + pathname);
  const scripts = [...new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&")))];
  let js = 0;
  let jsGzip = 0;
  for (const src of scripts) {
    const body = Buffer.from(await (await fetch(new URL(src, server.base))).arrayBuffer());
    js += body.length;
    jsGzip += gzipSync(body).length;
  }
  const buf = Buffer.from(html);
  return { html: buf.length, htmlGzip: gzipSync(buf).length, htmlBrotli: brotliCompressSync(buf).length, js, jsGzip };
}

type Target = { label: string; server: Server; path: string };

/** Rounds of interleaved series, so a burst of load elsewhere on the machine hits every target alike. */
async function measurePages(targets: Target[]): Promise<Map<string, PageStats>> {
  const stats = new Map<string, PageStats>();
  for (const t of targets) {
    // Warm-up: enough for V8 to optimise the hot paths of a freshly started server, bare or Toegang alike.
    for (let i = 0; i < WARM_UP; i++) await fetchText(t.server.base + t.path);
    stats.set(t.label, { cpuMs: [], ...(await pageBytes(t.server, t.path)) });
  }
  for (let r = 0; r < counts.rounds; r++) {
    for (const t of targets) {
      stats.get(t.label)!.cpuMs.push(
        await cpuPerRequest(
          t.server,
          Array.from({ length: counts.requests }, () => t.server.base + t.path),
        ),
      );
    }
  }
  return stats;
}

async function captchaTokens(server: Server, n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const html = await fetchText(`${server.base}/nl/recover`);
    const m = /name="captchaToken" value="([^"]+)"/.exec(html);
    if (!m) throw new Error("no captchaToken on /nl/recover (is the builtin CAPTCHA on?)");
    tokens.push(m[1]!.replaceAll("&amp;", "&"));
  }
  return tokens;
}

/**
 * Samples the servers' RSS every 200 ms until stop(): memory "under load" is the mean of the samples, since a single
 * reading lands anywhere on the garbage collector's saw-tooth (one reading of the same run moved by ±60 MiB); the last
 * and the highest samples are context.
 */
function sampleRss(servers: Server[]): { stop: () => { mean: number; max: number; last: number }[] } {
  const samples: number[][] = servers.map(() => []);
  const take = () => servers.forEach((s, i) => samples[i]!.push(rssMiB(s.child.pid!)));
  take();
  const timer = setInterval(take, 200);
  return {
    stop: () => {
      clearInterval(timer);
      take();
      return samples.map((xs) => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length, max: Math.max(...xs), last: xs.at(-1)! }));
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function toegangEnv(port: number, extra: Record<string, string>): Record<string, string> {
  return {
    BASE_URL: `http://127.0.0.1:${port}`,
    LIMIT_CAPTCHA_IMAGES_PER_IP_PER_HOUR: "1000000",
    LIMIT_CAPTCHA_AUDIO_PER_IP_PER_HOUR: "1000000",
    ...extra,
  };
}

// ---- the run ------------------------------------------------------------------------------------------------------

type Row = { what: string; bare: string; toegang: string; ratio: number | null; goal: string; ok: boolean | null };

async function main() {
  const began = new Date();
  mkdirSync(benchDir, { recursive: true });
  noteLoad("start");

  // Builds.
  // Outside the repository (Turbopack would take this checkout's instrumentation for the bare app's), with this
  // checkout's node_modules hard-linked in (a symlink out of Turbopack's root is refused; hard links cost no space).
  bareDir = mkdtempSync(path.join(os.tmpdir(), "toegang-bench-bare-"));
  execFileSync("cp", ["-al", path.join(root, "node_modules"), path.join(bareDir, "node_modules")]);
  for (const [file, text] of Object.entries(bareAppFiles())) {
    mkdirSync(path.dirname(path.join(bareDir, file)), { recursive: true });
    writeFileSync(path.join(bareDir, file), text);
  }
  console.log(`Building the bare app (${bareDir})…`);
  run(process.execPath, [path.join(bareDir, "node_modules/next/dist/bin/next"), "build"], { cwd: bareDir });
  if (!args["no-build"]) {
    console.log("Building Toegang…");
    run("npm", ["run", "--silent", "build"]); // next build, then the embedded database's template
  } else if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    throw new Error("--no-build, but there is no .next/BUILD_ID");
  }
  noteLoad("after builds");

  // Cold start: spawn to the first 200 of the sign-in page; Toegang on a fresh PGlite folder with the default settings
  // (migrations, demo users).
  const cold = { bare: [] as number[], toegang: [] as number[] };
  for (let i = 0; i < counts.cold; i++) {
    const bare = await start("bare", bareDir);
    cold.bare.push(await firstOk(bare, "/nl"));
    await stop(bare);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "toegang-bench-cold-"));
    const t = await start("toegang (cold)", root, (port) => toegangEnv(port, { DATA_DIR: dataDir }));
    cold.toegang.push(await firstOk(t, "/nl"));
    if (i === 0) writeFileSync(path.join(benchDir, "cold-start.log"), t.log.join(""));
    await stop(t);
    rmSync(dataDir, { recursive: true, force: true });
  }
  noteLoad("after cold starts");
  console.log(`cold start: bare ${cold.bare.map((x) => x.toFixed(0))} ms, Toegang ${cold.toegang.map((x) => x.toFixed(0))} ms`);

  // Pages on PGlite, against the bare page.
  const bare = await start("bare", bareDir);
  await firstOk(bare, "/nl");
  const pgliteDir = mkdtempSync(path.join(os.tmpdir(), "toegang-bench-pages-"));
  const pglite = await start("toegang (PGlite)", root, (port) => toegangEnv(port, { DATA_DIR: pgliteDir, SEED_DEMO_USERS: "false" }));
  await firstOk(pglite, "/nl");
  const pages = [
    { path: "/nl", label: "sign-in page (`/nl`)" },
    { path: "/nl/recover", label: "identify page (`/nl/recover`, new CAPTCHA)" },
    { path: "/nl/help", label: "help page (`/nl/help`)" },
  ];
  const pgliteRss = sampleRss([bare, pglite]);
  const pgliteStats = await measurePages([
    { label: "bare", server: bare, path: "/nl" },
    ...pages.map((p) => ({ label: p.label, server: pglite, path: p.path })),
  ]);
  noteLoad("after pages (PGlite)");
  // CAPTCHA pictures, each rendered the first time it is asked for, against the bare page in the same minute; after as
  // many warm-up pictures as every page gets warm-up requests (the first pictures also pay for optimising the drawing).
  const tokens = await captchaTokens(pglite, counts.images + WARM_UP);
  for (const tk of tokens.slice(0, WARM_UP))
    await fetch(`${pglite.base}/api/captcha/image?t=${encodeURIComponent(tk)}`).then((r) => r.arrayBuffer());
  const imageCpu = await cpuPerRequest(
    pglite,
    tokens.slice(WARM_UP).map((tk) => `${pglite.base}/api/captcha/image?t=${encodeURIComponent(tk)}`),
  );
  const bareAgain = await cpuPerRequest(
    bare,
    Array.from({ length: counts.requests }, () => `${bare.base}/nl`),
  );
  noteLoad("after CAPTCHA pictures");
  const [rssBare, rssPglite] = pgliteRss.stop();
  await stop(pglite);
  rmSync(pgliteDir, { recursive: true, force: true });

  // The same pages on PostgreSQL.
  await ensureDatabase(pagesDb, true);
  const pgDataDir = mkdtempSync(path.join(os.tmpdir(), "toegang-bench-pg-"));
  const pg = await start("toegang (PostgreSQL)", root, (port) =>
    toegangEnv(port, {
      DATABASE_URL: `${pgServer}/${pagesDb}`,
      SESSION_SECRET: SECRET,
      HASH_KEY: SECRET,
      SEED_DEMO_USERS: "false",
      DATA_DIR: pgDataDir,
    }),
  );
  await firstOk(pg, "/nl");
  // A fresh bare server beside the fresh Toegang server: both start cold and get the same warm-up, so neither series
  // runs on a process that has been optimising its code for longer (the PGlite round's bare server had).
  await stop(bare);
  const barePg = await start("bare", bareDir);
  await firstOk(barePg, "/nl");
  const pgRss = sampleRss([barePg, pg]);
  const pgStats = await measurePages([
    { label: "bare", server: barePg, path: "/nl" },
    ...pages.map((p) => ({ label: p.label, server: pg, path: p.path })),
  ]);
  noteLoad("after pages (PostgreSQL)");
  // Memory after the same number of requests on each side: Toegang served every page's series, the bare server one.
  for (let i = 0; i < (pages.length - 1) * (WARM_UP + counts.rounds * counts.requests); i++) await fetchText(`${barePg.base}/nl`);
  const [rssBarePg, rssPostgres] = pgRss.stop();
  await stop(pg);
  rmSync(pgDataDir, { recursive: true, force: true });
  await stop(barePg);

  // A reset's password step.
  const resets = [];
  for (const depth of [24, 1]) {
    const line = run(process.execPath, [
      path.join(root, "node_modules/tsx/dist/cli.mjs"),
      "--conditions=react-server",
      "bench/reset-cost.ts",
      "--database",
      `${pgServer}/${pagesDb}`,
      "--depth",
      String(depth),
      "--resets",
      String(counts.resets),
    ])
      .trim()
      .split("\n")
      .at(-1)!;
    resets.push(
      JSON.parse(line) as {
        depth: number;
        resetCpuMs: number;
        floorMs: number;
        rulesCpuMs: number;
        storeCpuMs: number;
        wallMs: number;
        ratio: number;
      },
    );
  }
  noteLoad("after resets");

  // The audit page on a million rows.
  console.log("Audit page…");
  const auditOut = run(process.execPath, [
    path.join(root, "node_modules/tsx/dist/cli.mjs"),
    "--conditions=react-server",
    "bench/audit-page.ts",
    "--database",
    `${pgServer}/${auditDb}`,
    "--rows",
    String(counts.auditRows),
    "--requests",
    String(counts.auditRequests),
    "--port",
    String(await freePort(nextPort)),
  ]);
  process.stdout.write(auditOut);
  noteLoad("after audit page");
  const pageSection = auditOut.split("Pages (")[1] ?? "";
  const audit = [...pageSection.matchAll(/^\| (.+?) \| (\d+) \| (\d+) \| (\d+) \|$/gm)].map((m) => ({
    view: m[1]!,
    p50: Number(m[2]),
    p95: Number(m[3]),
    max: Number(m[4]),
  }));
  await dropDatabase(pagesDb);

  // ---- the report ----
  const rows: Row[] = [];
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const judge = (ratio: number, limit: number) => (smoke ? null : ratio <= limit);
  for (const [db, stats] of [
    ["PGlite", pgliteStats],
    ["PostgreSQL", pgStats],
  ] as const) {
    const b = stats.get("bare")!;
    for (const p of pages) {
      const s = stats.get(p.label)!;
      // Each round measures the bare page and then each Toegang page back to back: the median of the rounds' own ratios
      // cancels the machine's drift between rounds, which a ratio of the two sides' medians would not.
      const ratio = median(s.cpuMs.map((x, r) => x / b.cpuMs[r]!));
      rows.push({
        what: `server CPU per page, ${p.label}, ${db}`,
        bare: ms(median(b.cpuMs)),
        toegang: ms(median(s.cpuMs)),
        ratio,
        goal: "≤ 1.3×",
        ok: judge(ratio, 1.3),
      });
    }
  }
  const b = pgliteStats.get("bare")!;
  for (const p of pages) {
    const s = pgliteStats.get(p.label)!;
    const ratio = s.htmlGzip / b.htmlGzip;
    rows.push({
      what: `HTML gzipped, ${p.label}`,
      bare: kib(b.htmlGzip),
      toegang: kib(s.htmlGzip),
      ratio,
      goal: p.path === "/nl" ? "≤ 1.5×, ≤ 4 KB" : "≤ 1.5×",
      ok: smoke ? null : ratio <= 1.5 && (p.path !== "/nl" || s.htmlGzip <= 4000),
    });
  }
  for (const p of pages) {
    const s = pgliteStats.get(p.label)!;
    const ratio = s.jsGzip / b.jsGzip;
    rows.push({
      what: `JS per page (gzipped), ${p.label}`,
      bare: kib(b.jsGzip),
      toegang: kib(s.jsGzip),
      ratio,
      goal: "≤ 1.05×",
      ok: judge(ratio, 1.05),
    });
  }
  const imgRatio = imageCpu / bareAgain;
  rows.push({
    what: "CAPTCHA picture (first request: rendered), CPU",
    bare: ms(bareAgain),
    toegang: ms(imageCpu),
    ratio: imgRatio,
    goal: "≤ 1×",
    ok: judge(imgRatio, 1),
  });
  for (const r of resets) {
    const limit = r.depth === 24 ? 1.3 : 2;
    rows.push({
      what: `a reset's password step, history depth ${r.depth} (vs its Argon2 floor)`,
      bare: ms(r.floorMs),
      toegang: ms(r.resetCpuMs),
      ratio: r.ratio,
      goal: `≤ ${limit}×`,
      ok: judge(r.ratio, limit),
    });
  }
  const coldRatio = median(cold.toegang) / median(cold.bare);
  rows.push({
    what: "cold start, fresh PGlite folder (spawn → first 200 of `/nl`)",
    bare: ms(median(cold.bare)),
    toegang: ms(median(cold.toegang)),
    ratio: coldRatio,
    goal: "≤ 3 s",
    ok: smoke ? null : median(cold.toegang) <= 3000,
  });
  rows.push({
    what: "RSS under load (mean), PostgreSQL",
    bare: `${rssBarePg!.mean.toFixed(0)} MiB`,
    toegang: `${rssPostgres!.mean.toFixed(0)} MiB`,
    ratio: rssPostgres!.mean / rssBarePg!.mean,
    goal: "≤ 1.3×",
    ok: judge(rssPostgres!.mean / rssBarePg!.mean, 1.3),
  });
  rows.push({
    what: "RSS under load (mean), PGlite (context: the embedded database lives in the process)",
    bare: `${rssBare!.mean.toFixed(0)} MiB`,
    toegang: `${rssPglite!.mean.toFixed(0)} MiB`,
    ratio: rssPglite!.mean / rssBare!.mean,
    goal: "—",
    ok: null,
  });
  for (const a of audit) {
    rows.push({
      what: `audit page p95, ${a.view} (${counts.auditRows.toLocaleString("en")} rows)`,
      bare: "—",
      toegang: `${a.p95} ms (p50 ${a.p50})`,
      ratio: null,
      goal: "≤ 200 ms",
      ok: smoke ? null : a.p95 <= 200,
    });
  }

  const mark = (ok: boolean | null) => (ok === null ? "" : ok ? "met" : "**not met**");
  const table = [
    "| what | bare page | Toegang | ratio | goal | |",
    "| --- | --: | --: | --: | --- | --- |",
    ...rows.map(
      (r) => `| ${r.what} | ${r.bare} | ${r.toegang} | ${r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`} | ${r.goal} | ${mark(r.ok)} |`,
    ),
  ].join("\n");
  const detail = [
    `Raw sizes (PGlite run): bare HTML ${kib(b.html)} (brotli ${kib(b.htmlBrotli)}), JS ${kib(b.js)}; ` +
      pages
        .map((p) => {
          const s = pgliteStats.get(p.label)!;
          return `${p.path} HTML ${kib(s.html)} (brotli ${kib(s.htmlBrotli)}), JS ${kib(s.js)}`;
        })
        .join("; ") +
      ".",
    `CPU per page, each round (ms): ` +
      [...pgliteStats].map(([k, v]) => `${k.replace(/ \(.*$/, "")} PGlite ${v.cpuMs.map((x) => x.toFixed(1)).join("/")}`).join("; ") +
      "; " +
      [...pgStats].map(([k, v]) => `${k.replace(/ \(.*$/, "")} PostgreSQL ${v.cpuMs.map((x) => x.toFixed(1)).join("/")}`).join("; ") +
      ".",
    `RSS samples (MiB, last / highest): PostgreSQL bare ${rssBarePg!.last.toFixed(0)} / ${rssBarePg!.max.toFixed(0)}, Toegang ${rssPostgres!.last.toFixed(0)} / ${rssPostgres!.max.toFixed(0)}; PGlite bare ${rssBare!.last.toFixed(0)} / ${rssBare!.max.toFixed(0)}, Toegang ${rssPglite!.last.toFixed(0)} / ${rssPglite!.max.toFixed(0)}.`,
    `Cold starts (ms), Toegang ${existsSync(path.join(root, ".next", "pglite-template.json")) ? "from the build's migrated template" : "without a template (initdb and migrations)"}: bare ${cold.bare.map((x) => x.toFixed(0)).join(", ")}; Toegang ${cold.toegang.map((x) => x.toFixed(0)).join(", ")}.`,
    `Resets: ${resets.map((r) => `depth ${r.depth}: ${r.resetCpuMs.toFixed(1)} ms CPU (rules ${r.rulesCpuMs.toFixed(1)}, history + hash + write ${r.storeCpuMs.toFixed(1)}), floor ${r.floorMs.toFixed(1)} ms, wall ${r.wallMs.toFixed(0)} ms`).join("; ")}.`,
  ];
  const cpu = os.cpus();
  const report = `<!-- bench:run — generated by \`npm run bench${smoke ? " -- --smoke" : ""}\` (bench/run.ts); edit the script, not this part -->
## ${smoke ? "Smoke run (no goals judged)" : "Toegang against a bare Next.js page"} — ${began.toISOString().slice(0, 16).replace("T", " ")} UTC

\`\`\`sh
npm run bench${smoke ? " -- --smoke" : ""}
\`\`\`

Machine: ${cpu.length} × ${cpu[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, shared with other
work. Load average (1/5/15 min) — ${loads.join("; ")}.
Counts: ${counts.rounds} rounds × ${counts.requests} sequential requests per page, ${counts.images} pictures, ${counts.cold} cold starts (medians),
${counts.resets} resets per depth, audit pages ${counts.auditRequests} requests per view after 5 warm-up.

${table}

How each row is measured: **server CPU per page** is the server process's user + system CPU (\`/proc/<pid>/stat\`, all
threads) over a series of sequential uncompressed GETs from loopback, divided by the requests, each page after ${WARM_UP} warm-up requests; each round
measures the bare page and then each Toegang page back to back; the columns are the medians of the rounds, the ratio
the median of the rounds' own ratios (so the machine's drift between rounds cancels); each database's round starts a fresh
bare server beside the fresh Toegang server. **HTML gzipped** is the page gzipped at level 6 (brotli in the notes).
**JS per page** is every \`<script src>\` of the page, each gzipped. **CAPTCHA picture**: new challenges' pictures, each
the first time it is asked for (rendered), after ${WARM_UP} warm-up pictures, against the bare page in the same minute. **A reset's password step**
(\`bench/reset-cost.ts\`, on PostgreSQL): the portal's rules, the account store's history check, the Argon2 hash and
the writes, as the wizard's password step runs them, with \`PASSWORD_HISTORY\` at that depth; its **floor** is the
Argon2 work alone that a new password needs at that depth (verify it against each history hash, hash it once),
measured the same way, interleaved. **Cold start**: from spawning the server (bare: \`next start\`; Toegang: \`npm start\`'s
server/main.mjs, which listens once the database is open and migrated and answers pages while the demo users are
written) to the first 200 of \`/nl\`,
Toegang with default settings on an empty \`DATA_DIR\`. **RSS under load**: resident memory of each server process,
sampled every 200 ms from the start of that database's page series to its end (the bare server topped up to as many
requests as Toegang served), and averaged; the last and highest samples are in the notes. **Audit page**: \`bench/audit-page.ts\` (below), p95 of sequential whole-page requests.

${detail.map((d) => `- ${d}`).join("\n")}
<!-- /bench:run -->`;
  const marker = /<!-- bench:run[\s\S]*?<!-- \/bench:run -->/;
  const previous = existsSync(out) ? readFileSync(out, "utf8") : "# Benchmarks\n\n";
  const next = marker.test(previous) ? previous.replace(marker, () => report) : previous.replace(/^(# .*\n\n)/, (h) => `${h}${report}\n\n`);
  writeFileSync(out, next);
  // In the repository's format (npm run lint checks docs/ with Prettier).
  run(process.execPath, [path.join(root, "node_modules", "prettier", "bin", "prettier.cjs"), "--write", out]);
  console.log(`\n${table}\n\n${detail.join("\n")}\n\nWritten to ${path.relative(root, out)}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    // After a failure: servers still running, and a database connection, would keep this process (and CI) waiting.
    for (const server of live) server.child.kill("SIGKILL");
    if (bareDir) rmSync(bareDir, { recursive: true, force: true });
    process.exit();
  });
