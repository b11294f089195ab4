// Page gates: Lighthouse (accessibility 100, best practices at least 96) and the Nu HTML checker (0 errors) on every
// portal page that opens without a session, in Dutch and English, against the production build. It starts the server
// the way the browser tests do (e2e/web-server.sh: the e2e users, the embedded database in its own run folder) unless
// PAGE_GATES_URL points at one that runs already, and prints one line per page and gate, then the time it took.
//
//   npx tsx scripts/page-gates.ts            (after `npx next build`; PAGE_GATES_PORT, default 3390)
//
// Lighthouse and the checker run as their own command-line tools (npm `lighthouse` with Debian's Chromium through
// chrome-launcher's CHROME_PATH, npm `vnu-jar` on the system's Java 17), so nothing here depends on their APIs.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const ACCESSIBILITY_MIN = 100;
const BEST_PRACTICES_MIN = 96;

/** Every page a visitor can open by its address; the wizard's later steps need a flow and are checked by axe in the e2e. */
const PAGES = ["/", "/help", "/recover", "/recover/contact", "/admin/sign-in"];
/** Checked by the Nu checker only: Lighthouse refuses to score a page that answers 404. */
const NOT_FOUND = "/no-such-page";
const LOCALES = ["nl", "en"] as const;

type Result = { page: string; gate: string; ok: boolean; detail: string };

async function waitFor(url: string, ms: number, server: ChildProcess | null): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (server && server.exitCode !== null)
      throw new Error(`page gates: the server stopped (exit ${server.exitCode}) before ${url} answered`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > until) throw new Error(`page gates: ${url} did not answer within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function startServer(port: number, runDir: string): ChildProcess {
  const server = spawn("bash", ["e2e/web-server.sh"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      BASE_URL: `http://localhost:${port}`,
      E2E_RUN_DIR: runDir,
      NEXT_TELEMETRY_DISABLED: "1",
      // The same test settings as the browser tests (playwright.config.ts): the CAPTCHA banner shows on every page.
      CAPTCHA_TEST_ANSWER: "AdE4rT",
    },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  return server;
}

function lighthouse(url: string, outDir: string): Result[] {
  const out = path.join(outDir, `lh-${Buffer.from(url).toString("base64url")}.json`);
  const run = spawnSync(
    path.join(root, "node_modules/.bin/lighthouse"),
    [
      url,
      "--only-categories=accessibility,best-practices",
      "--output=json",
      `--output-path=${out}`,
      "--quiet",
      "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run --disable-dev-shm-usage",
      // A desktop page at a laptop's size; the portal has no separate mobile site.
      "--preset=desktop",
    ],
    { env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? "/usr/bin/chromium" }, encoding: "utf8" },
  );
  if (run.status !== 0) return [{ page: url, gate: "lighthouse", ok: false, detail: `lighthouse failed: ${run.stderr.slice(-400)}` }];
  const report = JSON.parse(readFileSync(out, "utf8")) as {
    categories: Record<string, { score: number; auditRefs: { id: string; weight: number }[] }>;
    audits: Record<string, { score: number | null; title: string }>;
  };
  const gate = (id: string, min: number): Result => {
    const category = report.categories[id]!;
    const score = Math.round(category.score * 100);
    const failing = category.auditRefs
      .filter((a) => a.weight > 0 && report.audits[a.id]?.score !== null && (report.audits[a.id]?.score ?? 1) < 1)
      .map((a) => a.id);
    return {
      page: url,
      gate: `lighthouse ${id}`,
      ok: score >= min,
      detail: `${score} (needs ${min})${failing.length ? `; failing: ${failing.join(", ")}` : ""}`,
    };
  };
  return [gate("accessibility", ACCESSIBILITY_MIN), gate("best-practices", BEST_PRACTICES_MIN)];
}

async function nuChecker(urls: string[], outDir: string): Promise<Result[]> {
  const files: { url: string; file: string }[] = [];
  for (const [i, url] of urls.entries()) {
    const file = path.join(outDir, `page-${i}.html`);
    writeFileSync(file, await (await fetch(url)).text());
    files.push({ url, file });
  }
  const run = spawnSync(
    "java",
    [
      "-jar",
      path.join(root, "node_modules/vnu-jar/build/dist/vnu.jar"),
      "--format",
      "json",
      "--exit-zero-always",
      ...files.map((f) => f.file),
    ],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const messages =
    (JSON.parse(run.stderr || "{}") as { messages?: { type: string; url: string; message: string; lastLine?: number }[] }).messages ?? [];
  return files.map(({ url, file }) => {
    const errors = messages.filter((m) => m.type === "error" && m.url.endsWith(path.basename(file)));
    return {
      page: url,
      gate: "nu html checker",
      ok: errors.length === 0,
      detail: errors.length ? errors.map((e) => `line ${e.lastLine}: ${e.message}`).join(" | ") : "0 errors",
    };
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const port = Number(process.env.PAGE_GATES_PORT ?? 3390);
  const outDir = mkdtempSync(path.join(tmpdir(), "toegang-page-gates-"));
  let server: ChildProcess | null = null;
  let base = process.env.PAGE_GATES_URL?.replace(/\/+$/, "");
  if (!base) {
    base = `http://localhost:${port}`;
    server = startServer(port, path.join(outDir, "run"));
  }
  try {
    await waitFor(`${base}/nl`, 180_000, server);
    const urls = LOCALES.flatMap((locale) => PAGES.map((p) => `${base}/${locale}${p === "/" ? "" : p}`));
    const results = [...(await nuChecker([...urls, ...LOCALES.map((l) => `${base}/${l}${NOT_FOUND}`)], outDir))];
    for (const url of urls) results.push(...lighthouse(url, outDir));
    for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.gate.padEnd(26)} ${r.page.replace(base, "")}  ${r.detail}`);
    const failed = results.filter((r) => !r.ok).length;
    console.log(`page gates: ${results.length - failed} passed, ${failed} failed, ${Math.round((Date.now() - started) / 1000)} s`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    if (server?.pid) {
      try {
        process.kill(-server.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    rmSync(outDir, { recursive: true, force: true });
  }
}

void main();
