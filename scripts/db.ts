// Database CLI for operators: `npm run db:migrate` applies the migrations, `npm run db:seed` adds the demo users.
import "server-only";
import { getConfig } from "@/lib/config";
import { userOf } from "@/lib/db/roles";
import { formatDemoUsers, seedDemoUsers } from "@/lib/users/demo";
import { UsageError, describeDatabase, runCli, withDatabase } from "./cli-runtime";

const USAGE = `Usage: tsx --conditions=react-server scripts/db.ts <command>   (npm run db:migrate | npm run db:seed)

Commands:
  migrate   apply the migrations in drizzle/ (the portal also does this when it starts); with MIGRATION_DATABASE_URL
            they run as that owner, and DATABASE_URL's role then gets the runtime rights (no UPDATE or DELETE of
            audit rows, no ALTER, DISABLE TRIGGER or DROP)
  seed      add the demo users that are missing and print them (also on PostgreSQL: that is how you ask for them)
  help      show this text

Database: PostgreSQL when DATABASE_URL is set, otherwise the embedded database in DATA_DIR (default .data).`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== "migrate" && command !== "seed") throw new UsageError(`unknown command "${command}"`);
  if (rest.length) throw new UsageError(`${command} takes no arguments`);
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

void runCli(USAGE, () => main(process.argv.slice(2)));
