// Runs the operator CLIs as real child processes (tsx, react-server condition) against a temporary PGlite folder or a fresh PostgreSQL database.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freshServerDatabase, type Driver } from "./db";

const root = path.resolve(__dirname, "..");
const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");

export type CliResult = { code: number; stdout: string; stderr: string };

/** Where a CLI run keeps its data: `env` is what the child gets on top of a clean environment. */
export type CliTarget = { driver: Driver; env: Record<string, string>; dataDir: string; dispose: () => Promise<void> };

/** A fresh place to run the CLI against; its own DATA_DIR in every case (the session secret lives there on PGlite). */
export async function cliTarget(driver: Driver): Promise<CliTarget> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "toegang-cli-"));
  // Cheaper Argon2 than production (still Argon2id): the tests check behaviour, not hashing cost.
  const env: Record<string, string> = { DATA_DIR: dataDir, ARGON2_MEMORY_KIB: "8192", ARGON2_TIME_COST: "1" };
  let drop = async () => {};
  if (driver === "postgres") {
    const database = await freshServerDatabase();
    env.DATABASE_URL = database.url;
    env.SESSION_SECRET = "cli-test-session-secret-0123456789abcdef";
    env.HASH_KEY = "cli-test-hash-key-0123456789abcdefghijkl";
    drop = database.drop;
  }
  return {
    driver,
    env,
    dataDir,
    dispose: async () => {
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * How long one CLI run may take before it is killed (and its test fails on it, named): about 4 s on an idle 2-core
 * machine (tsx's start and PGlite's WASM; the first run on a fresh data folder also creates the database), and over
 * 30 s once, when other test runs loaded the machine to six times its cores (the CI of 63bd0f9, users.test.ts).
 */
export const CLI_RUN_LIMIT_MS = 60_000;

/**
 * The timeout of a test that runs the CLI up to `runs` times one after another: each run has its own limit, as a long
 * browser journey's steps have (e2e/fixtures/portal.ts, journeyStep), so the test never times out before a run does.
 * Set per file with `vi.setConfig({ testTimeout: cliTestTimeout(n) })`, n the most runs of a test in that file.
 */
export const cliTestTimeout = (runs: number) => runs * CLI_RUN_LIMIT_MS + 10_000;

/** Settings that must not leak from the test runner into the child (Vite's BASE_URL, a developer's DATABASE_URL …). */
const INHERITED = ["PATH", "HOME", "TMPDIR", "LANG", "SYSTEMROOT"];

/** Runs `tsx --conditions=react-server scripts/<script>.ts …args` and collects its exit code and output. */
export function runCli(
  script: "users" | "db" | "audit" | "check-canaries" | "report-failures",
  args: string[],
  env: Record<string, string>,
): Promise<CliResult> {
  const childEnv: Record<string, string> = { NO_COLOR: "1" };
  for (const name of INHERITED) if (process.env[name]) childEnv[name] = process.env[name]!;
  Object.assign(childEnv, env);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, "--conditions=react-server", path.join("scripts", `${script}.ts`), ...args],
      { cwd: root, env: childEnv as NodeJS.ProcessEnv, encoding: "utf8", timeout: CLI_RUN_LIMIT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The lines a stream printed, without the trailing empty one. */
export function lines(text: string): string[] {
  return text.split("\n").filter((l, i, all) => l !== "" || i < all.length - 1);
}
