// Shared plumbing for the operator CLIs: open the configured database, turn every failure into one clean line and an exit code.
import "server-only";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, getConfig } from "@/lib/config";
import { openDb, type DbHandle } from "@/lib/db/client";

/** Wrong command line: exit 2 with the usage text. */
export class UsageError extends Error {}

/** Something the operator asked for cannot be done (unknown user, bad input, database in use): exit 1. */
export class UserError extends Error {}

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_USAGE = 2;

/** Runs a command, sets the exit code, and prints failures without stack traces (DEBUG=1 shows them). */
export async function runCli(usage: string, main: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await main()) ?? EXIT_OK;
  } catch (error) {
    if (process.env.DEBUG) console.error(error);
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${usage}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stderr.write(`${error instanceof ConfigError ? "" : "error: "}${oneLine(error)}\n`);
    process.exitCode = EXIT_USER_ERROR;
  }
}

/** A command's options and positionals (strict); a wrong command line becomes a UsageError naming the command. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig["options"]>>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    // Node's text for an unknown option goes on about positionals; the option's name is what helps.
    const text =
      code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? `unknown option ${/'[^']+'/.exec(message)?.[0] ?? ""}` : message.replace(/\s*\n\s*/g, " ");
    throw new UsageError(`${command}: ${text}`);
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, " ").trim();
}

/**
 * Opens (and migrates) the database the portal would use: DATABASE_URL, else PGlite in DATA_DIR; always closes it.
 * `as: "owner"` connects through MIGRATION_DATABASE_URL when it is set (what only the owner may do: pruning the audit
 * trail); migrations always run as the owner when it is set.
 */
export async function withDatabase<T>(fn: (handle: DbHandle) => Promise<T>, options: { as?: "owner" | "runtime" } = {}): Promise<T> {
  const config = getConfig();
  const owner = options.as === "owner" && config.migrationDatabaseUrl;
  const databaseUrl = owner ? config.migrationDatabaseUrl : config.databaseUrl;
  let handle: DbHandle;
  try {
    handle = await openDb({ databaseUrl, migrationUrl: config.migrationDatabaseUrl, dataDir: config.dataDir });
  } catch (error) {
    const which = owner ? "MIGRATION_DATABASE_URL" : "DATABASE_URL";
    throw new UserError(databaseUrl ? `cannot open the PostgreSQL database (${which}): ${oneLine(error)}` : oneLine(error));
  }
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

/** Where the data lives, for the operator's eyes (never the connection string, which may hold a password). */
export function describeDatabase(handle: DbHandle): string {
  return handle.driver === "postgres" ? "PostgreSQL (DATABASE_URL)" : `embedded PGlite in ${getConfig().dataDir}`;
}
