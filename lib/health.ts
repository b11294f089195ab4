// Liveness and readiness for load balancers and orchestrators (/api/health/live, /api/health/ready): cheap, never
// audited, never a secret or an error text in the answer (the reason goes to the log).
import "server-only";
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { getAccountStore } from "@/lib/accounts";
import { getConfig } from "@/lib/config";
import { getDb, type Db } from "@/lib/db/client";
import { rowsOf } from "@/lib/db/rows";

export type CheckState = "ok" | "unreachable" | "pending" | "not-configured";
export type Readiness = { ready: boolean; checks: { database: CheckState; migrations: CheckState; directory: CheckState } };

/** Each check gives up after this long: a probe must answer before the prober's own timeout. */
const CHECK_TIMEOUT_MS = 2_000;

function within<T>(work: Promise<T>, ms = CHECK_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

let newestMigration: number | undefined;

/** The newest migration this build ships (drizzle's journal), read once. */
function shippedMigration(): number {
  newestMigration ??= Math.max(
    0,
    ...(
      JSON.parse(readFileSync(path.join(process.cwd(), "drizzle", "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] }
    ).entries.map((e) => e.when),
  );
  return newestMigration;
}

/** Whether the database has recorded this build's newest migration (drizzle's own bookkeeping). */
async function migrationsCurrent(db: Db): Promise<boolean> {
  const [row] = rowsOf<{ newest: string | null }>(
    await db.execute(sql`select max(created_at)::text as newest from drizzle.__drizzle_migrations`),
  );
  return Number(row?.newest ?? 0) >= shippedMigration();
}

export type ReadinessDeps = { db?: () => Promise<Db>; log?: (check: string, error: unknown) => void };

export async function checkReadiness(deps: ReadinessDeps = {}): Promise<Readiness> {
  const log = deps.log ?? ((check, error) => console.warn(`readiness: ${check} check failed`, error));
  const checks: Readiness["checks"] = { database: "unreachable", migrations: "pending", directory: "not-configured" };
  let db: Db | undefined;
  try {
    db = await within((deps.db ?? getDb)());
    await within(db.execute(sql`select 1`));
    checks.database = "ok";
  } catch (error) {
    log("database", error);
  }
  if (db && checks.database === "ok") {
    try {
      checks.migrations = (await within(migrationsCurrent(db))) ? "ok" : "pending";
    } catch (error) {
      log("migrations", error);
    }
    if (getConfig().directory.kind !== "builtin") {
      try {
        // A ping may open a connection and bind: a little longer than a query.
        await within(getAccountStore(db).ping(), CHECK_TIMEOUT_MS + 1_000);
        checks.directory = "ok";
      } catch (error) {
        checks.directory = "unreachable";
        log("directory", error);
      }
    }
  } else if (getConfig().directory.kind !== "builtin") {
    checks.directory = "unreachable";
  }
  const ready = checks.database === "ok" && checks.migrations === "ok" && checks.directory !== "unreachable";
  return { ready, checks };
}

export const healthHeaders = { "Cache-Control": "no-store", "Content-Type": "application/json; charset=utf-8" };
