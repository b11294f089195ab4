// Database CLI for operators: `npm run db -- migrate | seed | backup FILE | restore FILE | copy-to URL`
// (`npm run db:migrate` and `npm run db:seed` are the first two).
import "server-only";
import { getConfig } from "@/lib/config";
import { backupEmbedded, restoreEmbedded } from "@/lib/db/backup";
import { openDb } from "@/lib/db/client";
import { copyToPostgres } from "@/lib/db/copy";
import { userOf } from "@/lib/db/roles";
import { formatDemoUsers, seedDemoUsers } from "@/lib/users/demo";
import { UsageError, UserError, describeDatabase, parseCommandLine, runCli, withDatabase } from "./cli-runtime";

const USAGE = `Usage: npm run db -- <command>   (npm run db:migrate | npm run db:seed for the first two)

Commands:
  migrate            apply the migrations in drizzle/ (the portal also does this when it starts); with
                     MIGRATION_DATABASE_URL they run as that owner, and DATABASE_URL's role then gets the runtime rights
                     (no UPDATE or DELETE of audit rows, no ALTER, DISABLE TRIGGER or DROP)
  seed               add the demo users that are missing and print them (also on PostgreSQL: that is how you ask for them)
  backup FILE        write the embedded database in DATA_DIR, with the data folder's generated hash key and session
                     secret, to FILE (a .tar.gz; keep it as safe as the data folder). The portal must be stopped: the
                     command refuses while it runs. For PostgreSQL use pg_dump (README: Backups)
  restore FILE [--replace]
                     put a backup back into DATA_DIR, after checking it (row counts, audit chain); an existing database
                     and different secrets are moved to DATA_DIR/before-restore-<time>/ (only with --replace when DATA_DIR
                     holds a database). The portal must be stopped
  copy-to URL        copy everything in the embedded database (users, password history, open flows, sessions, limits,
                     messages, the audit trail with its chain) into the EMPTY PostgreSQL database at URL (postgres://…,
                     connecting as the role that will own the tables), migrating it first. The portal must be stopped
  help               show this text

Database: PostgreSQL when DATABASE_URL is set, otherwise the embedded database in DATA_DIR (default .data).
backup, restore and copy-to always work on the embedded database in DATA_DIR.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  switch (command) {
    case "migrate":
    case "seed":
      if (rest.length) throw new UsageError(`${command} takes no arguments`);
      return migrateOrSeed(command);
    case "backup":
    case "copy-to": {
      const { positionals } = parseCommandLine(command, rest, {});
      if (positionals.length !== 1)
        throw new UsageError(`${command} takes one argument (${command === "backup" ? "the file" : "the postgres:// URL"})`);
      return command === "backup" ? backup(positionals[0]!) : copyTo(positionals[0]!);
    }
    case "restore": {
      const { positionals, values } = parseCommandLine(command, rest, { replace: { type: "boolean" } });
      if (positionals.length !== 1) throw new UsageError("restore takes one argument (the backup file)");
      return restore(positionals[0]!, values.replace === true);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function migrateOrSeed(command: "migrate" | "seed"): Promise<void> {
  // Opening the database applies the migrations (under an advisory lock on PostgreSQL).
  await withDatabase(async (handle) => {
    process.stdout.write(`Migrations applied: ${describeDatabase(handle)}\n`);
    const { databaseUrl, migrationDatabaseUrl } = getConfig();
    if (databaseUrl && migrationDatabaseUrl && userOf(databaseUrl) !== userOf(migrationDatabaseUrl)) {
      process.stdout.write(
        `Roles: ${userOf(migrationDatabaseUrl)} owns the tables (MIGRATION_DATABASE_URL); ${userOf(databaseUrl)} (DATABASE_URL) may only add to the audit trail\n`,
      );
    }
    if (command === "seed") {
      const list = await seedDemoUsers(handle.db, getConfig().orgDomain);
      process.stdout.write(`Demo users (missing ones added, existing ones left as they are):\n${formatDemoUsers(list)}\n`);
    }
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function userError<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    throw new UserError(error instanceof Error ? error.message : String(error));
  });
}

async function backup(file: string): Promise<void> {
  const { dataDir } = getConfig();
  const started = Date.now();
  const { manifest, bytes } = await userError(backupEmbedded(dataDir, file));
  process.stdout.write(
    `Backup of the embedded database in ${dataDir} written to ${file} (${(bytes / 1_048_576).toFixed(1)} MiB, ${Date.now() - started} ms)\n` +
      `  ${plural(manifest.tables.users ?? 0, "user")}, ${plural(manifest.tables.audit_events ?? 0, "audit row")} (head seq ${manifest.auditHead.seq} sha256 ${manifest.auditHead.hash})\n` +
      `  secrets in the file: ${manifest.secrets.length ? manifest.secrets.join(", ") : "none"}\n`,
  );
  const outside = [process.env.HASH_KEY && "HASH_KEY", process.env.SESSION_SECRET && "SESSION_SECRET"].filter(Boolean);
  if (outside.length) {
    process.stdout.write(`  ${outside.join(" and ")} come from the environment, not the data folder: keep them with this backup\n`);
  }
}

async function restore(file: string, replace: boolean): Promise<void> {
  const { dataDir } = getConfig();
  const result = await userError(restoreEmbedded(dataDir, file, { replace }));
  const m = result.manifest;
  process.stdout.write(
    `Restored ${file} (taken ${m.createdAt}) into ${dataDir}: ${plural(m.tables.users ?? 0, "user")}, ${plural(m.tables.audit_events ?? 0, "audit row")}\n`,
  );
  if (result.movedAside) process.stdout.write(`The previous database and secrets are in ${result.movedAside}\n`);
  if (result.audit.ok) {
    process.stdout.write(`Audit trail OK: head seq ${result.audit.head.seq} sha256 ${result.audit.head.hash}\n`);
  } else {
    process.stdout.write(`Audit trail BROKEN in the backup (${result.audit.problem.kind}): ${result.audit.problem.detail}\n`);
  }
}

/** Host, port and database of a URL, for the operator's eyes (never the password). */
function describeUrl(url: URL): string {
  return `${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
}

async function copyTo(target: string): Promise<void> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError("copy-to: the target must be a postgres:// URL");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new UsageError("copy-to: the target must be a postgres:// URL");
  const { dataDir } = getConfig();
  const started = Date.now();
  const source = await userError(openDb({ dataDir }));
  try {
    process.stdout.write(`Copying the embedded database in ${dataDir} to PostgreSQL ${describeUrl(url)}\n`);
    const result = await userError(
      copyToPostgres(source.db, target, { onTable: (name, rows) => process.stdout.write(`  ${name}: ${plural(rows, "row")}\n`) }),
    );
    process.stdout.write(
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Audit trail verified on the copy: head seq ${result.auditHead.seq} sha256 ${result.auditHead.hash}\n` +
        `Next: keep this data folder's hash-key and session-secret as HASH_KEY and SESSION_SECRET, set DATABASE_URL (README: Moving to PostgreSQL)\n`,
    );
  } finally {
    await source.close();
  }
}

void runCli(USAGE, () => main(process.argv.slice(2)));
