// `npm run bench:sizing`: how many password resets (and sign-ins) one core serves. Starts the built portal
// (`node server/main.mjs`) pinned to one core (`taskset -c`) on a PostgreSQL database of its own (made afresh, dropped at
// the end), with the built-in CAPTCHA's test answer and the SMS outbox, seeds users with the operator CLI, and drives
// whole resets over HTTP from concurrent clients without a browser (identify with the CAPTCHA → reason → number → the
// code from the outbox → new password → done), for a fixed time after a warm-up. Reports completed resets per minute,
// the portal's CPU per reset (/proc/<pid>/stat), its database backends' CPU, p50/p95 of a whole flow and the load
// average. Linux only; never part of the tests. The result goes to the README ("Sizing") and docs/benchmarks.md by hand.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import * as argon2 from "@node-rs/argon2";
import postgres from "postgres";
import { formFields } from "../e2e/server/http-user";
import { decode } from "../e2e/server/portal-process";
import { cpuMsOf, loadavg, npmStartArgs, tree } from "./proc";

const USAGE = `Usage: npm run bench:sizing -- [options]

  --no-build         reuse this checkout's .next build
  --clients N        concurrent HTTP clients, each walking one reset after another (default 8)
  --warmup S         seconds of resets before measuring (default 20)
  --seconds S        seconds of resets measured (default 120)
  --signin-seconds S seconds of sign-ins measured afterwards; 0 = none (default 45)
  --users N          users seeded with the users CLI; each resets at most 4 times (default 1000)
  --history N        passwords each user has already had (1–24; the reuse rule checks a new one against all of them
                     with Argon2): 1 = only the imported one; more are added to password_history (default 1)
  --core C           the CPU the portal is pinned to; the clients run on the others (default 0)
  --port P           the portal's port (default 3790)
  --database URL     PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
  --db-name NAME     the database made for the run and dropped after it (default toegang_sizing)`;

const { values: args } = parseArgs({
  options: {
    "no-build": { type: "boolean", default: false },
    clients: { type: "string", default: "8" },
    warmup: { type: "string", default: "20" },
    seconds: { type: "string", default: "120" },
    "signin-seconds": { type: "string", default: "45" },
    users: { type: "string", default: "1000" },
    history: { type: "string", default: "1" },
    core: { type: "string", default: "0" },
    port: { type: "string", default: "3790" },
    database: { type: "string", default: "postgres://postgres@127.0.0.1:5432" },
    "db-name": { type: "string", default: "toegang_sizing" },
    help: { type: "boolean", default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const whole = (name: keyof typeof args, min: number) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}`);
  return value;
};
const CLIENTS = whole("clients", 1);
const WARMUP_S = whole("warmup", 0);
const MEASURE_S = whole("seconds", 1);
const SIGNIN_S = whole("signin-seconds", 0);
const USERS = whole("users", 1);
const HISTORY = whole("history", 1);
if (HISTORY > 24) throw new Error("--history must be at most 24 (PASSWORD_HISTORY's default)");
const CORE = whole("core", 0);
const PORT = whole("port", 1);
const DB_NAME = args["db-name"];
if (!/^[a-z_][a-z0-9_]*$/.test(DB_NAME)) throw new Error("--db-name must be a plain lower-case identifier");
const SERVER = args.database.replace(/\/+$/, "");
const DATABASE_URL = `${SERVER}/${DB_NAME}`;
const ROOT = process.cwd();
const BASE = `http://127.0.0.1:${PORT}`;
const SEED_PASSWORD = "Havenkraan-2026!";
// The built-in CAPTCHA's test answer: accepted only from this machine (the forwarded client below is loopback too).
const CAPTCHA_ANSWER = "AdE4rT";
const SECRET = `sizing-${randomBytes(24).toString("hex")}`;
// Users reset at most this often: the per-user flow limit (5 a day) and the per-number code limit (5 a day) stay default.
const MAX_ROUNDS = 4;
// Algorithm.Argon2id; the enum is const and cannot be imported under isolatedModules.
const ARGON2ID = 2;

// ---- the machine --------------------------------------------------------------------------------------------------

const cpuCount = os.cpus().length;

function run(cmd: string, argv: string[], env: Record<string, string> = {}): string {
  return execFileSync(cmd, argv, {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 2 ** 20,
  });
}

// ---- an HTTP user without JavaScript ------------------------------------------------------------------------------

type Page = { path: string; status: number; html: string };

/**
 * One browser without JavaScript behind the reverse proxy: a cookie jar, and every request as nginx would forward it
 * (X-Forwarded-For: the client's own address). Like a browser, it posts the form of the page it holds and follows the
 * 303 with one GET; it does not fetch scripts or styles (a browser has them cached).
 */
class Browser {
  private cookies = new Map<string, string>();
  page: Page = { path: "", status: 0, html: "" };
  requests = 0;
  constructor(private clientIp: string) {}

  private async fetch(url: URL, init: RequestInit = {}): Promise<Response> {
    this.requests += 1;
    const res = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "), "X-Forwarded-For": this.clientIp },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || pair!.slice(i + 1) === "") this.cookies.delete(pair!.slice(0, i));
      else this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  }

  async open(pathname: string): Promise<Page> {
    let url = new URL(pathname, BASE);
    for (let hops = 0; hops < 5; hops++) {
      const res = await this.fetch(url);
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        url = new URL(location, url);
        continue;
      }
      this.page = { path: url.pathname, status: res.status, html: await res.text() };
      return this.page;
    }
    throw new Error(`too many redirects from ${pathname}`);
  }

  /** A GET of something the page shows (the CAPTCHA picture), read and dropped. */
  async load(src: string): Promise<void> {
    const res = await this.fetch(new URL(src, BASE));
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${src}: ${res.status}`);
  }

  /** Posts the held page's form holding `values`' first field (multipart, as React marks it) and follows the redirect. */
  async submit(values: Record<string, string>): Promise<Page> {
    const body = new FormData();
    const fields = formFields(this.page.html, Object.keys(values)[0]!).filter(([name]) => !(name in values));
    for (const [name, value] of [...fields, ...Object.entries(values)]) body.append(name, value);
    const url = new URL(this.page.path, BASE);
    const res = await this.fetch(url, { method: "POST", body });
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      return this.open(new URL(location, url).pathname);
    }
    this.page = { path: url.pathname, status: res.status, html: await res.text() };
    return this.page;
  }
}

const visible = (html: string) =>
  decode(
    html
      .replace(/<script[\s\S]*?<\/script>/g, " ")
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " "),
  ).slice(0, 300);

function expectPath(page: Page, wanted: string, step: string) {
  if (page.path !== wanted) throw new Error(`${step}: ended on ${page.path} (${page.status}), not ${wanted}: ${visible(page.html)}`);
}

// ---- the run ------------------------------------------------------------------------------------------------------

type User = { email: string; mobile: string; national: string; password: string };
const users: User[] = Array.from({ length: USERS }, (_, i) => {
  const mobile = `+3162${String(i).padStart(7, "0")}`;
  return { email: `sizing-${i}@flynth.nl`, mobile, national: `0${mobile.slice(3)}`, password: SEED_PASSWORD };
});

/** Each flow comes from an address of its own (127.1.0.0 on), forwarded by the trusted proxy 127.0.0.1. */
let addresses = 0;
const nextClientIp = () => {
  const n = addresses++;
  return `127.${1 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
};

type Sample = { startedMs: number; endedMs: number; requests: number };
const resets: Sample[] = [];
const signIns: Sample[] = [];
const errors: string[] = [];
let resetTurns = 0;
let postgresVersion = "";
let messages = "";
let peakRss = NaN;

async function main() {
  if (process.platform !== "linux") throw new Error("bench:sizing reads /proc and uses taskset: Linux only");
  if (cpuCount < 2) throw new Error("bench:sizing pins the portal to one core and its clients to the others: it needs two");
  const others = Array.from({ length: cpuCount }, (_, i) => i).filter((i) => i !== CORE);
  // The clients keep off the portal's core (as far as this process goes; the machine may be shared).
  run("taskset", ["-a", "-p", "-c", others.join(","), String(process.pid)]);

  if (!args["no-build"]) run("npm", ["run", "--silent", "build"]);

  const admin = postgres(`${SERVER}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${DB_NAME} with (force)`);
  await admin.unsafe(`create database ${DB_NAME}`);
  postgresVersion = (await admin<{ v: string }[]>`select current_setting('server_version') as v`)[0]!.v;
  const env = {
    DATABASE_URL,
    SESSION_SECRET: SECRET,
    HASH_KEY: `${SECRET}-hash`,
    SMS_PROVIDER: "outbox",
    CAPTCHA_TEST_ANSWER: CAPTCHA_ANSWER,
    TRUSTED_PROXIES: "127.0.0.1",
    // The one limit no number of client addresses, users or numbers avoids: the whole portal's SMS breaker (500 an hour).
    SMS_CAP_PER_HOUR: "1000000",
    SMS_CAP_PER_DAY: "1000000",
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), "toegang-sizing-"));
  let portal: ChildProcess | undefined;
  const db = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    const csv = ["email,first_name,last_name,mobile,password,admin"];
    users.forEach((u, i) => csv.push(`${u.email},Maat,Meting${i},${u.mobile},${u.password},false`));
    writeFileSync(path.join(dir, "users.csv"), `${csv.join("\n")}\n`);
    const seedStarted = performance.now();
    run("npm", ["run", "--silent", "users", "--", "import", path.join(dir, "users.csv")], env);
    console.log(`seeded ${USERS} users in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s (users CLI)`);
    if (HISTORY > 1) {
      // Older passwords: real Argon2id hashes at the portal's default cost (what each check of a new password pays).
      const older = await Promise.all(
        Array.from({ length: HISTORY - 1 }, () =>
          argon2.hash(randomBytes(12).toString("base64url"), { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 }),
        ),
      );
      await db`
        insert into password_history (user_id, password_hash, created_at)
        select u.id, h.hash, now() - make_interval(days => 30 * h.n::int)
        from users u cross join unnest(${older}::text[]) with ordinality as h(hash, n)`;
      console.log(`added ${HISTORY - 1} older passwords to each user's history`);
    }

    const log: string[] = [];
    const child = spawn("taskset", ["-c", String(CORE), process.execPath, ...npmStartArgs(ROOT)], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
        PORT: String(PORT),
        HOST: "127.0.0.1",
        BASE_URL: BASE,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    portal = child;
    child.stdout!.on("data", (c: Buffer) => log.push(c.toString()));
    child.stderr!.on("data", (c: Buffer) => log.push(c.toString()));
    const pid = child.pid!;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the portal exited:\n${log.join("")}`);
      const up = await fetch(`${BASE}/api/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const affinity = run("taskset", ["-p", String(pid)]).trim();
    console.log(`portal pid ${pid}: ${affinity}`);

    /**
     * The newest code sent to a number, from the outbox's table (what /dev/outbox lists): that page renders the whole
     * outbox, which grows with every reset, and its CPU would count as the portal's.
     */
    const codeFor = async (mobile: string, after: number): Promise<string> => {
      for (let tries = 0; tries < 50; tries++) {
        const [row] = await db<{ id: string; body: string }[]>`
          select id, body from outbox_messages where recipient = ${mobile} and id > ${after} and purpose = 'code'
          order by id desc limit 1`;
        const code = row && /\b(\d{6})\b/.exec(row.body)?.[1];
        if (code) return code;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no code in the outbox for ${mobile}`);
    };
    const lastOutboxId = async () =>
      Number((await db<{ id: string | null }[]>`select max(id)::text as id from outbox_messages`)[0]!.id ?? 0);

    const oneReset = async (): Promise<Sample> => {
      const turn = resetTurns++;
      if (turn >= USERS * MAX_ROUNDS) throw new Error(`every user has reset ${MAX_ROUNDS} times: seed more (--users)`);
      const user = users[turn % USERS]!;
      const browser = new Browser(nextClientIp());
      const startedMs = performance.now();
      let page = await browser.open("/nl/recover");
      expectPath(page, "/nl/recover", "identify page");
      const picture = /src="(\/api\/captcha\/image\?[^"]+)"/.exec(page.html)?.[1];
      if (!picture) throw new Error("the identify page shows no CAPTCHA picture");
      await browser.load(decode(picture));
      page = await browser.submit({ userId: user.email, captcha: CAPTCHA_ANSWER });
      expectPath(page, "/nl/recover/reason", "identify");
      page = await browser.submit({ intent: "reset" });
      expectPath(page, "/nl/recover/verify", "reason");
      const before = await lastOutboxId();
      page = await browser.submit({ phone: user.national, channel: "sms" });
      expectPath(page, "/nl/recover/code", "number");
      page = await browser.submit({ code: await codeFor(user.mobile, before) });
      expectPath(page, "/nl/recover/password", "code");
      const password = `Zeewering-${randomBytes(4).toString("hex")}-${turn}!`;
      page = await browser.submit({ password, confirmation: password });
      expectPath(page, "/nl/recover/done", "new password");
      user.password = password;
      return { startedMs, endedMs: performance.now(), requests: browser.requests };
    };

    let signInTurns = 0;
    const oneSignIn = async (): Promise<Sample> => {
      // Users who reset, with their new password (a right password: the Argon2 check and a new session).
      const user = users[signInTurns++ % Math.min(USERS, resetTurns)]!;
      const browser = new Browser(nextClientIp());
      const startedMs = performance.now();
      let page = await browser.open("/nl");
      expectPath(page, "/nl", "sign-in page");
      page = await browser.submit({ username: user.email, password: user.password });
      expectPath(page, "/nl/home", "sign-in");
      return { startedMs, endedMs: performance.now(), requests: browser.requests };
    };

    /** Every client repeats `one` until `endMs`; samples ending after `fromMs` are kept. */
    const drive = async (one: () => Promise<Sample>, fromMs: number, endMs: number, into: Sample[]) => {
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (performance.now() < endMs) {
            try {
              const sample = await one();
              if (sample.endedMs >= fromMs && sample.endedMs <= endMs) into.push(sample);
            } catch (error) {
              errors.push((error as Error).message);
              if (errors.length > 20) throw new Error(`too many errors:\n${errors.join("\n")}`);
            }
          }
        }),
      );
    };
    /** The database backends serving this database (the portal's pool), not this script's own connection. */
    const backends = async () =>
      (await db<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${DB_NAME} and pid <> pg_backend_pid()`).map(
        (r) => r.pid,
      );

    // Warm-up, then the measured window (each client's flow in progress at the end finishes and is not counted).
    const loads: string[] = [`start ${loadavg()}`];
    const t0 = performance.now();
    const warmEnd = t0 + WARMUP_S * 1000;
    let measured: { cpuMs: number; dbCpuMs: number; wallMs: number } | undefined;
    const window = (async () => {
      await new Promise((r) => setTimeout(r, warmEnd - performance.now()));
      const pids = tree(pid);
      const dbPids = await backends();
      const cpu0 = cpuMsOf(pids);
      const db0 = cpuMsOf(dbPids);
      const w0 = performance.now();
      loads.push(`window start ${loadavg()}`);
      await new Promise((r) => setTimeout(r, MEASURE_S * 1000));
      const dbPidsEnd = [...new Set([...dbPids, ...(await backends())])];
      measured = {
        cpuMs: cpuMsOf(tree(pid)) - cpu0,
        // A backend that connected during the window counts from its start (its CPU before the window is all of it).
        dbCpuMs: cpuMsOf(dbPidsEnd) - db0,
        wallMs: performance.now() - w0,
      };
      loads.push(`window end ${loadavg()}`);
    })();
    await drive(oneReset, warmEnd, warmEnd + MEASURE_S * 1000, resets);
    await window;

    let signInMeasured: { cpuMs: number; wallMs: number } | undefined;
    if (SIGNIN_S > 0) {
      const from = performance.now();
      const cpu0 = cpuMsOf(tree(pid));
      await drive(oneSignIn, from, from + SIGNIN_S * 1000, signIns);
      signInMeasured = { cpuMs: cpuMsOf(tree(pid)) - cpu0, wallMs: performance.now() - from };
      loads.push(`after sign-ins ${loadavg()}`);
    }

    peakRss = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;
    const sent = await db<
      { purpose: string; n: string }[]
    >`select purpose, count(*)::text as n from outbox_messages group by purpose order by 1`;
    messages = sent.map((r) => `${r.n} ${r.purpose}`).join(", ");
    report(measured!, signInMeasured, loads);
  } finally {
    if (portal && portal.exitCode === null) {
      const exited = new Promise((r) => portal!.once("exit", r));
      portal.kill("SIGTERM");
      await exited;
    }
    await db.end();
    await admin.unsafe(`drop database if exists ${DB_NAME} with (force)`);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

const requestsPer = (samples: Sample[]) => (samples.reduce((n, r) => n + r.requests, 0) / samples.length).toFixed(1);
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

function report(m: { cpuMs: number; dbCpuMs: number; wallMs: number }, s: { cpuMs: number; wallMs: number } | undefined, loads: string[]) {
  const durations = resets.map((r) => r.endedMs - r.startedMs);
  const perMinute = (resets.length / m.wallMs) * 60_000;
  const cpuPerReset = m.cpuMs / resets.length;
  const lines = [
    `bench:sizing — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, Node ${process.version}, ${cpuCount} × ${os.cpus()[0]?.model.trim()}`,
    `portal pinned to core ${CORE}; PostgreSQL ${postgresVersion}; users' earlier passwords: ${HISTORY}; ${CLIENTS} clients; warm-up ${WARMUP_S} s; measured ${(m.wallMs / 1000).toFixed(1)} s`,
    `resets completed: ${resets.length} → ${perMinute.toFixed(0)} per minute on one core`,
    `portal CPU: ${(m.cpuMs / 1000).toFixed(1)} s = ${((m.cpuMs / m.wallMs) * 100).toFixed(0)} % of the core; ${cpuPerReset.toFixed(0)} ms per reset → ${(60_000 / cpuPerReset).toFixed(0)} resets per minute of a whole core`,
    `portal peak RSS (VmHWM): ${peakRss.toFixed(0)} MiB`,
    `PostgreSQL backends' CPU: ${m.dbCpuMs.toFixed(0)} ms = ${(m.dbCpuMs / resets.length).toFixed(0)} ms per reset (not pinned)`,
    `whole flow (${requestsPer(resets)} requests, the CAPTCHA picture included): p50 ${percentile(durations, 50).toFixed(0)} ms, p95 ${percentile(durations, 95).toFixed(0)} ms`,
    ...(s
      ? [
          `sign-ins (right password, ${requestsPer(signIns)} requests): ${signIns.length} in ${(s.wallMs / 1000).toFixed(1)} s → ${((signIns.length / s.wallMs) * 60_000).toFixed(0)} per minute; ${(s.cpuMs / signIns.length).toFixed(0)} ms portal CPU each (${((s.cpuMs / s.wallMs) * 100).toFixed(0)} % of the core); p50 ${percentile(
            signIns.map((r) => r.endedMs - r.startedMs),
            50,
          ).toFixed(0)} ms, p95 ${percentile(
            signIns.map((r) => r.endedMs - r.startedMs),
            95,
          ).toFixed(0)} ms`,
        ]
      : []),
    `messages in the outbox (warm-up and window, ${resetTurns} resets begun): ${messages}`,
    `load average (1/5/15 min; the machine is shared): ${loads.join("; ")}`,
    `errors: ${errors.length}${errors.length ? `\n  ${[...new Set(errors)].slice(0, 5).join("\n  ")}` : ""}`,
  ];
  console.log(`\n${lines.join("\n")}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
