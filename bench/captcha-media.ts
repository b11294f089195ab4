// Benchmark (`npx tsx bench/captcha-media.ts`): server CPU per request of the CAPTCHA media against a bare page, read
// from the `next start` process's own CPU counters (/proc/<pid>/stat), not wall time. Needs a production build and
// Linux. Measures: the help page (a plain server-rendered page), the identify page (which seals a new challenge), a
// challenge's picture and audio the first time (rendered) and again (from the per-challenge cache).
// Results: docs/benchmarks.md. Never part of the tests.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { port: { type: "string", default: "3650" }, requests: { type: "string", default: "200" } },
});
const port = Number(args.port);
const n = Number(args.requests);
const base = `http://localhost:${port}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "toegang-bench-captcha-"));

const server = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "--port", String(port)], {
  env: {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATA_DIR: dataDir,
    BASE_URL: base,
    SEED_DEMO_USERS: "false",
    LIMIT_CAPTCHA_IMAGES_PER_IP_PER_HOUR: "1000000",
    LIMIT_CAPTCHA_AUDIO_PER_IP_PER_HOUR: "1000000",
  } as unknown as NodeJS.ProcessEnv,
  stdio: ["ignore", "pipe", "inherit"],
});

/** user + system CPU of the server process and its threads, in milliseconds. */
function cpuMs(): number {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function ready(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${base}/nl/help`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("next start did not become ready");
}

async function measure(name: string, urls: string[]): Promise<void> {
  const before = cpuMs();
  let bytes = 0;
  for (const url of urls) {
    const res = await fetch(url);
    bytes += (await res.arrayBuffer()).byteLength;
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
  }
  const per = (cpuMs() - before) / urls.length;
  console.log(
    `${name.padEnd(44)} ${per.toFixed(2).padStart(7)} ms CPU/request  ${(bytes / urls.length / 1024).toFixed(1).padStart(7)} KiB`,
  );
}

async function tokens(count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const html = await (await fetch(`${base}/nl/recover`)).text();
    out.push(/name="captchaToken" value="([^"]+)"/.exec(html)![1]!.replaceAll("&amp;", "&"));
  }
  return out;
}

async function main(): Promise<void> {
  await ready();
  const warm = await tokens(20);
  for (const t of warm) await fetch(`${base}/api/captcha/image?t=${encodeURIComponent(t)}`);
  await measure(
    "GET /nl/help (bare page)",
    Array.from({ length: n }, () => `${base}/nl/help`),
  );
  await measure(
    "GET /nl/recover (identify, new challenge)",
    Array.from({ length: n }, () => `${base}/nl/recover`),
  );
  const fresh = await tokens(n);
  const img = (t: string) => `${base}/api/captcha/image?t=${encodeURIComponent(t)}`;
  const wav = (t: string) => `${base}/api/captcha/audio?t=${encodeURIComponent(t)}&lang=nl`;
  await measure("image, first request (rendered)", fresh.map(img));
  await measure("image, again (cached)", fresh.map(img));
  const some = fresh.slice(0, Math.min(50, n));
  await measure("audio, first request (rendered)", some.map(wav));
  await measure("audio, again (cached)", some.map(wav));
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    server.kill("SIGTERM");
    server.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));
  });
