// Page gates: Lighthouse (accessibility 100, best practices at least 96) and the Nu HTML checker (0 errors) on every
// portal page, in Dutch and English, against the production build: the pages anyone can open by their address, and
// the pages behind a session or a flow (the signed-in home page, each wizard step, the admin sign-in's code step and
// the admin pages), reached by walking there in Chromium (Playwright, JavaScript on) as the e2e users do, the code read
// from /dev/outbox. Each such page is checked while the walk stands on it, its request carrying the walk's cookies,
// so every gate sees the page a user sees at that moment. Both gates run on every page in both languages. It starts
// the server the way the browser tests do (e2e/web-server.sh: the e2e users, the embedded database in its own run
// folder) unless PAGE_GATES_URL points at one that runs already, and prints one line per page and gate, then the time
// it took.
//
//   npx tsx scripts/page-gates.ts            (after `npx next build`; PAGE_GATES_PORT, default 3390)
//
// Lighthouse runs through its Node API in one Chromium for all pages (chrome-launcher, Debian's Chromium): a separate
// `lighthouse` command per page spent most of its time starting Node and Chromium. The Nu checker is npm `vnu-jar` on
// the system's Java 17, once for all pages, on the HTML the server sends.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium as playwrightChromium, type BrowserContext, type Cookie, type Page } from "@playwright/test";
import { chromium as chromiumSettings, e2eTestSettings } from "../playwright.config";
import { parseOutbox } from "../e2e/fixtures/outbox";
import { texts, type Language } from "../e2e/fixtures/texts";
import { e2eUser } from "../e2e/fixtures/users";

const root = path.resolve(__dirname, "..");
const ACCESSIBILITY_MIN = 100;
const BEST_PRACTICES_MIN = 96;

/** Every page a visitor can open by its address, with the status it answers (Lighthouse is told to score it anyway). */
const OPEN_PAGES: { path: string; status: number }[] = [
  { path: "/", status: 200 },
  { path: "/help", status: 200 },
  { path: "/recover", status: 200 },
  { path: "/recover/contact", status: 200 },
  { path: "/admin/sign-in", status: 200 },
  // Where a signed-in user without administrator rights is sent (proxy.ts: 403); it shows the same without a session.
  { path: "/admin/forbidden", status: 403 },
  // Where an outage of the account store sends a request (lib/errors/unavailable.ts; proxy.ts: 503).
  { path: "/unavailable", status: 503 },
  { path: "/no-such-page", status: 404 },
];
const LOCALES = ["nl", "en"] as const;
/** The CAPTCHA answer the server accepts in test mode. */
const CAPTCHA_ANSWER = e2eTestSettings.CAPTCHA_TEST_ANSWER!;

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
      // The same test settings as the browser tests (the CAPTCHA banner shows on every page), and their limits: on
      // PostgreSQL the gates share the database the browser suite has just used, whose counts are near the defaults.
      ...e2eTestSettings,
    },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  return server;
}

type Lighthouse = (url: string, cookies: Cookie[]) => Promise<Result[]>;

/** One Chromium for every Lighthouse run (desktop preset, only the two categories; pages that answer 403/404/503 scored too). */
async function startLighthouse(): Promise<{ run: Lighthouse; stop: () => Promise<void> }> {
  const { default: lighthouse, desktopConfig } = await import("lighthouse");
  const chromeLauncher = await import("chrome-launcher");
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"],
  });
  // The walk's cookies go into this Chromium's own cookie jar before each run (Lighthouse's extraHeaders Cookie did not
  // reach the portal: every such page landed on its sign-in or first step), so Lighthouse's storage reset is off and
  // the jar is emptied here instead.
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const cdp = await browser.target().createCDPSession();
  const config = {
    extends: "lighthouse:default",
    settings: {
      // A desktop page at a laptop's size; the portal has no separate mobile site.
      ...desktopConfig.settings,
      onlyCategories: ["accessibility", "best-practices"],
      // The pages are rendered on the server and small: a quarter second of quiet is enough (the defaults, a second
      // each, made every run several seconds longer).
      pauseAfterFcpMs: 250,
      pauseAfterLoadMs: 250,
      networkQuietThresholdMs: 250,
      cpuQuietThresholdMs: 250,
      skipAboutBlank: true,
      // The 403, 404 and 503 pages are portal pages too; without this Lighthouse refuses to score them.
      ignoreStatusCode: true,
    },
  };
  const run: Lighthouse = async (url, cookies) => {
    await cdp.send("Storage.clearCookies");
    if (cookies.length) {
      const origin = new URL(url).origin;
      await cdp.send("Storage.setCookies", {
        cookies: cookies.map((c) => ({
          name: c.name,
          value: c.value,
          url: `${origin}/`,
          path: c.path,
          secure: c.secure,
          httpOnly: c.httpOnly,
          sameSite: c.sameSite,
        })),
      });
    }
    const flags = { port: chrome.port, logLevel: "error" as const, disableStorageReset: true };
    let lhr;
    try {
      lhr = (await lighthouse(url, flags, config))?.lhr;
    } catch (error) {
      return [{ page: url, gate: "lighthouse", ok: false, detail: `lighthouse failed: ${String(error).slice(0, 400)}` }];
    }
    if (!lhr || lhr.runtimeError) {
      return [{ page: url, gate: "lighthouse", ok: false, detail: `lighthouse failed: ${lhr?.runtimeError?.message ?? "no report"}` }];
    }
    // The page scored must be the page asked for, not a sign-in page its request was sent on to.
    const landed = lhr.finalDisplayedUrl;
    if (landed !== url) {
      return [{ page: url, gate: "lighthouse", ok: false, detail: `landed on ${landed} instead` }];
    }
    const gate = (id: string, min: number): Result => {
      const category = lhr.categories[id]!;
      const score = Math.round((category.score ?? 0) * 100);
      const failing = category.auditRefs
        .filter((a) => a.weight > 0 && lhr.audits[a.id]?.score !== null && (lhr.audits[a.id]?.score ?? 1) < 1)
        .map((a) => a.id);
      return {
        page: url,
        gate: `lighthouse ${id}`,
        ok: score >= min,
        detail: `${score} (needs ${min})${failing.length ? `; failing: ${failing.join(", ")}` : ""}`,
      };
    };
    return [gate("accessibility", ACCESSIBILITY_MIN), gate("best-practices", BEST_PRACTICES_MIN)];
  };
  return {
    run,
    stop: async () => {
      await browser.disconnect();
      chrome.kill();
    },
  };
}

/** A page's HTML as the server sends it, for the Nu checker; fails when it answers another status or redirects. */
type Fetched = { url: string; file: string } | Result;

async function fetchPage(url: string, cookie: string | undefined, status: number, file: string): Promise<Fetched> {
  const response = await fetch(url, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  if (response.status !== status) {
    const where = response.headers.get("location");
    return {
      page: url,
      gate: "nu html checker",
      ok: false,
      detail: `answered ${response.status}${where ? ` (to ${where})` : ""}, not ${status}`,
    };
  }
  writeFileSync(file, await response.text());
  return { url, file };
}

function nuChecker(files: { url: string; file: string }[]): Result[] {
  if (!files.length) return [];
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
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
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

/** Both gates for one page as it is now: its HTML saved for the Nu checker (run once at the end), Lighthouse at once. */
type Gate = (path: string, cookies?: Cookie[], status?: number) => Promise<void>;

/** The Cookie header the browser would send to the portal. */
function cookieHeader(cookies: Cookie[]): string {
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

/** Waits for the next message to a number (delivery runs right after the response) and returns the code in it. */
async function nextCode(base: string, recipient: string, seen: number): Promise<string> {
  const until = Date.now() + 15_000;
  for (;;) {
    const messages = parseOutbox(await (await fetch(`${base}/dev/outbox`)).text()).filter((m) => m.recipient === recipient);
    if (messages.length > seen) {
      const code = /\b\d(?:,? ?\d){5}\b/.exec(messages[0]!.body)?.[0];
      if (!code) throw new Error(`page gates: no code in the message to ${recipient}`);
      return code.replace(/\D/g, "");
    }
    if (Date.now() > until) throw new Error(`page gates: no message to ${recipient} within 15 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function messageCount(base: string, recipient: string): Promise<number> {
  return parseOutbox(await (await fetch(`${base}/dev/outbox`)).text()).filter((m) => m.recipient === recipient).length;
}

async function at(page: Page, locale: Language, pagePath: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === `/${locale}${pagePath}`, { timeout: 20_000 });
}

/**
 * The pages behind a session or a flow, in one language: the wizard from its first step to done and ended (an e2e
 * "reset" user, by SMS), the signed-in home page and "Mijn herstelgegevens" (a "signin" user), and the admin area (an
 * "admin" user: the code step, the front page, an account, the audit log with the wizard's rows, one attempt's
 * timeline).
 */
async function walk(context: BrowserContext, base: string, locale: Language, gate: Gate): Promise<void> {
  const t = texts[locale];
  const project = `${locale}-js`;
  const page = await context.newPage();
  const here = async () =>
    gate(new URL(page.url()).pathname.slice(locale.length + 1) + new URL(page.url()).search, await context.cookies());

  // The wizard.
  const user = e2eUser("reset", project);
  await page.goto(`${base}/${locale}/recover?intent=reset`);
  await page.getByLabel(t.recover.userId, { exact: true }).fill(user.email);
  await page.getByLabel(t.recover.captcha, { exact: true }).fill(CAPTCHA_ANSWER);
  await page.getByRole("button", { name: t.recover.next, exact: true }).click();
  await at(page, locale, "/recover/reason");
  await here();
  await page.getByRole("radio", { name: t.recover.reset }).check();
  await page.getByRole("button", { name: t.recover.next, exact: true }).click();
  await at(page, locale, "/recover/verify");
  await here();
  const seen = await messageCount(base, user.recipient);
  await page.getByRole("radio", { name: t.recover.sms }).check();
  await page.getByLabel(t.recover.phone, { exact: true }).fill(user.mobile);
  await page.getByRole("button", { name: t.recover.text, exact: true }).click();
  await at(page, locale, "/recover/code");
  await here();
  await page.getByLabel(t.recover.code, { exact: true }).fill(await nextCode(base, user.recipient, seen));
  await page.getByRole("button", { name: t.recover.next, exact: true }).click();
  await at(page, locale, "/recover/password");
  await here();
  const password = `Gate-${randomBytes(4).toString("hex")}-7Q`;
  await page.getByLabel(t.recover.newPassword).fill(password);
  await page.getByLabel(t.recover.confirmPassword).fill(password);
  await page.getByRole("button", { name: t.recover.finish, exact: true }).click();
  await at(page, locale, "/recover/done");
  await here();
  // A finished flow's ended page (what Back and a resubmit lead to).
  await gate("/recover/ended", await context.cookies());

  // The signed-in home page.
  const employee = e2eUser("signin", project);
  await page.goto(`${base}/${locale}`);
  await page.getByLabel(t.signIn.username, { exact: true }).fill(employee.email);
  await page.getByLabel(t.signIn.password, { exact: true }).fill(employee.password);
  await page.getByRole("button", { name: t.signIn.submit }).click();
  await at(page, locale, "/home");
  await here();
  // "Mijn herstelgegevens": the registered number, masked, and the form to change it.
  await gate("/home/recovery-details", await context.cookies());

  // The admin area.
  const admin = e2eUser("admin", project);
  const adminSeen = await messageCount(base, admin.recipient);
  await page.goto(`${base}/${locale}/admin/sign-in`);
  await page.getByLabel(t.message("Admin.signIn.username"), { exact: true }).fill(admin.email);
  await page.getByLabel(t.message("Admin.signIn.password"), { exact: true }).fill(admin.password);
  await page.getByRole("button", { name: t.message("Admin.signIn.submit"), exact: true }).click();
  await at(page, locale, "/admin/sign-in/code");
  await here();
  await page.getByLabel(t.message("Admin.code.code"), { exact: true }).fill(await nextCode(base, admin.recipient, adminSeen));
  await page.getByRole("button", { name: t.message("Admin.code.submit"), exact: true }).click();
  await at(page, locale, "/admin");
  await here();
  const adminCookie = await context.cookies();
  await gate(`/admin/accounts?user=${encodeURIComponent(user.email)}`, adminCookie);
  await page.goto(`${base}/${locale}/admin/audit`);
  await here();
  const timeline = await page.locator('a[href*="/admin/audit/flows/"]').first().getAttribute("href");
  if (!timeline) throw new Error("page gates: the audit page links no attempt's timeline");
  await gate(timeline.slice(locale.length + 1), adminCookie);
  await page.close();
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
  const results: Result[] = [];
  const saved: { url: string; file: string }[] = [];
  const lighthouse = await startLighthouse();
  const browser = await playwrightChromium.launch(chromiumSettings.launchOptions);
  try {
    await waitFor(`${base}/nl`, 180_000, server);
    for (const locale of LOCALES) {
      const gate: Gate = async (pagePath, cookies = [], status = 200) => {
        const url = `${base}/${locale}${pagePath === "/" ? "" : pagePath}`;
        const fetched = await fetchPage(
          url,
          cookies.length ? cookieHeader(cookies) : undefined,
          status,
          path.join(outDir, `page-${saved.length}.html`),
        );
        if ("file" in fetched) saved.push(fetched);
        else results.push(fetched);
        // Lighthouse (several seconds a page) scores every page in both languages: the English texts are other words
        // in the same components, and a longer one can break a layout or a contrast the Dutch page passes.
        results.push(...(await lighthouse.run(url, cookies)));
      };
      for (const open of OPEN_PAGES) await gate(open.path, undefined, open.status);
      const context = await browser.newContext({ locale: locale === "nl" ? "nl-NL" : "en-US", baseURL: base });
      try {
        await walk(context, base!, locale, gate);
      } finally {
        await context.close();
      }
    }
    results.push(...nuChecker(saved));
    for (const r of results) console.log(`${r.ok ? "ok  " : "FAIL"} ${r.gate.padEnd(26)} ${r.page.replace(base, "")}  ${r.detail}`);
    const failed = results.filter((r) => !r.ok).length;
    console.log(`page gates: ${results.length - failed} passed, ${failed} failed, ${Math.round((Date.now() - started) / 1000)} s`);
    process.exitCode = failed ? 1 : 0;
  } finally {
    await browser.close();
    await lighthouse.stop();
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

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
