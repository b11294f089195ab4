// A portal of its own for the server specs: `node server/main.mjs` on the production build, on a free loopback port,
// with a fresh embedded database in a temporary folder (never the suite's shared database or its counters), stopped
// by its own PID. The specs read its JSON log lines and, once it has stopped, its database. Everything it prints is
// also kept in the run's logs/ folder (e2e/fixtures/canaries.ts), which the canary check searches after the run.
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { test } from "@playwright/test";
import { PORTAL_LOGS } from "../fixtures/canaries";

export const ROOT = path.resolve(__dirname, "..", "..");

export type LogLine = { level: string; msg?: string; reqId?: string; route?: string; status?: number; [key: string]: unknown };

export type Portal = {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Every line the server printed, parsed when it is JSON. */
  lines: Array<LogLine | string>;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  /** Sends the signal and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Removes the data folder (after stop). */
  cleanUp(): void;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Settings that would point the portal at the suite's shared database or its secrets are left out. */
export const inherited = () => {
  const env = { ...process.env };
  for (const name of [
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "TEST_DATABASE_URL",
    "SESSION_SECRET",
    "HASH_KEY",
    "DATA_DIR",
    "PORT",
    "HOST",
  ]) {
    delete env[name];
  }
  for (const name of Object.keys(env)) if (name.startsWith("LIMIT_") || name.startsWith("E2E_")) delete env[name];
  return env;
};

/** A new file in the run's logs/ folder for one portal, named after the spec that started it and its port. */
function portalLogFile(port: number): string {
  let spec = "portal";
  try {
    spec = path.basename(test.info().file, ".spec.ts");
  } catch {
    /* started outside a test (a fixture or a script): the generic name */
  }
  mkdirSync(PORTAL_LOGS, { recursive: true });
  const file = path.join(PORTAL_LOGS, `${spec}-${port}-${process.pid}-${Date.now()}.log`);
  appendFileSync(file, "");
  return file;
}

/**
 * `dataDir`: an existing data folder (a restart on the same embedded database); the caller removes it, not cleanUp().
 * `port`: a port the caller chose (freePort()), to send requests while the portal starts.
 */
export async function startPortal(env: Record<string, string> = {}, options: { dataDir?: string; port?: number } = {}): Promise<Portal> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), "toegang-server-spec-"));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["server/main.mjs"], {
    cwd: ROOT,
    env: {
      ...inherited(),
      NEXT_TELEMETRY_DISABLED: "1",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      BASE_URL: url,
      COOKIE_SECURE: "false",
      SEED_DEMO_USERS: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Portal["lines"] = [];
  const logFile = portalLogFile(port);
  let buffered = "";
  const take = (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    let newline;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (!line.trim()) continue;
      // Written as it comes (a spec may kill the portal, or fail, at any moment).
      appendFileSync(logFile, `${line}\n`);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push(line);
      }
    }
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  child.once("close", () => {
    if (buffered.trim()) appendFileSync(logFile, `${buffered}\n`);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = await Promise.race([
    (async () => {
      for (;;) {
        if (lines.some((l) => typeof l === "object" && typeof l.msg === "string" && l.msg.startsWith("Toegang is ready"))) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
    })(),
    exited.then(() => false),
    // A cold start migrates and seeds an empty embedded database: seconds, not a minute.
    new Promise<false>((r) => setTimeout(() => r(false), 60_000)),
  ]);
  const portal: Portal = {
    url,
    port,
    dataDir,
    process: child,
    lines,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    cleanUp() {
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  if (!ready) {
    await portal.stop("SIGKILL");
    portal.cleanUp();
    throw new Error(`the portal did not become ready:\n${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}`);
  }
  return portal;
}

/** The hidden fields of the sign-in form as the server rendered it (Next's server action reference), for plain posts. */
export async function signInForm(url: string): Promise<{ action: string; fields: Array<[string, string]>; cookie: string }> {
  const page = await fetch(`${url}/nl`);
  const html = await page.text();
  const form = /<form[^>]*>([\s\S]*?)<\/form>/.exec(html.slice(html.indexOf('name="username"') - 4000));
  const hidden = [...(form?.[0] ?? html).matchAll(/<input[^>]*type="hidden"[^>]*>/g)].map((m) => m[0]);
  const fields = hidden.flatMap((tag): Array<[string, string]> => {
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1] ?? "";
    return name ? [[decode(name), decode(value)]] : [];
  });
  return {
    action: `${url}/nl`,
    fields,
    cookie: page.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
  };
}

/** Text of an HTML attribute or element as the portal escapes it (React's entities), decoded. */
export const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
