// Audit trail CLI for operators: `npm run audit -- verify | head | prune [--days N]`.
import "server-only";
import { verifyChain, chainHead, type BreakKind, type ChainAnchor, type ChainBreak } from "@/lib/audit/chain";
import { PRUNE_BATCH, pruneAuditTrail, pruneHousekeeping } from "@/lib/audit/prune";
import { getConfig } from "@/lib/config";
import { permissionDenied } from "@/lib/db/roles";
import { EXIT_USER_ERROR, UsageError, UserError, parseCommandLine, runCli, withDatabase } from "./cli-runtime";

const USAGE = `Usage: npm run audit -- <command> [options]

Commands:
  verify            check every link of the audit trail's hash chain, from the first kept row to the newest;
                    prints the number of rows and the head hash, or the first broken link (exit 1)
  head              print the newest link (seq and hash) only, to keep a copy outside the database
  prune [--days N]  delete audit rows older than N days (default AUDIT_RETENTION_DAYS, 365), oldest first, in
                    batches of ${PRUNE_BATCH}, each recorded as an audit.pruned event; also removes expired rate-limit
                    windows and CAPTCHA nonces, and sign-in counters of unknown IDs and recovery flows older than N days
  help              show this text

Database: PostgreSQL when DATABASE_URL is set, otherwise the embedded database in DATA_DIR (default .data),
which only one process can open at a time (stop the portal first). prune connects as the owner
(MIGRATION_DATABASE_URL) when that is set: the portal's runtime role may not delete audit rows.`;

const BREAKS: Record<BreakKind, string> = {
  "content-changed": "content changed",
  "link-broken": "link broken",
  "row-missing": "row missing",
  "not-sealed": "row outside the chain",
  "head-mismatch": "head does not match",
};

const utc = (d: Date) => `${d.toISOString().replace("T", " ").slice(0, 19)} UTC`;

async function main(argv: string[]): Promise<number | void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== "verify" && command !== "head" && command !== "prune") throw new UsageError(`unknown command "${command}"`);
  const parsed = parseCommandLine(command, rest, command === "prune" ? { days: { type: "string" } } : {});
  if (parsed.positionals.length) throw new UsageError(`${command} takes no arguments`);

  switch (command) {
    case "verify":
      return verify();
    case "head":
      return withDatabase(async ({ db }) => {
        const head = await chainHead(db);
        process.stdout.write(`seq ${head.seq} sha256 ${head.hash}\n`);
      });
    case "prune":
      return prune(parsed.values.days as string | undefined);
  }
}

async function verify(): Promise<number | void> {
  return withDatabase(async ({ db }) => {
    const result = await verifyChain(db);
    if (!result.ok) {
      const p = result.problem;
      process.stderr.write(`Audit trail BROKEN${locate(p)}: ${BREAKS[p.kind]} — ${p.detail}\n`);
      return EXIT_USER_ERROR;
    }
    process.stdout.write(`Audit trail OK: ${result.rows} row${result.rows === 1 ? "" : "s"} verified${anchorText(result.anchor)}\n`);
    process.stdout.write(`Head: seq ${result.head.seq} sha256 ${result.head.hash}\n`);
  });
}

/** " at row id 57 (seq 57, 2026-03-02 09:00:00 UTC)", or as much of it as the break knows. */
function locate(p: ChainBreak): string {
  const place = [p.seq === null ? null : `seq ${p.seq}`, p.at && utc(p.at)].filter(Boolean).join(", ");
  if (p.id !== null) return ` at row id ${p.id}${place ? ` (${place})` : ""}`;
  return p.seq === null ? "" : ` at seq ${p.seq}`;
}

function anchorText(anchor: ChainAnchor): string {
  switch (anchor.kind) {
    case "empty":
      return " (the trail is empty)";
    case "genesis":
      return ", from the start of the chain";
    case "pruned":
      return `, from seq ${anchor.seq}: the rows before it were pruned, and the audit.pruned row id ${anchor.prunedBy.id} (seq ${anchor.prunedBy.seq}) recorded the hash it links to`;
  }
}

async function prune(daysOption: string | undefined): Promise<void> {
  if (daysOption !== undefined && !/^\d+$/.test(daysOption.trim())) throw new UsageError("prune: --days must be a whole number of days");
  const days = daysOption === undefined ? getConfig().audit.retentionDays : Number(daysOption);
  if (days < 1 || days > 36_500) throw new UsageError("prune: --days must be between 1 and 36500");
  const now = new Date();
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  await withDatabase(
    async ({ db }) => {
      const audit = await pruneAuditTrail(db, { cutoff, retentionDays: days }).catch((error: unknown) => {
        if (permissionDenied(error) && !getConfig().migrationDatabaseUrl) {
          throw new UserError("prune: DATABASE_URL's role may not delete audit rows; set MIGRATION_DATABASE_URL to the owner's connection");
        }
        throw error;
      });
      const kept = audit.lastDeleted ? ` (the chain now starts at seq ${audit.lastDeleted.seq + 1})` : "";
      process.stdout.write(
        `Audit trail: ${audit.deleted} row${audit.deleted === 1 ? "" : "s"} older than ${utc(cutoff)} (${days} days) deleted${kept}; recorded as ${audit.batches} audit.pruned event${audit.batches === 1 ? "" : "s"}\n`,
      );
      const h = await pruneHousekeeping(db, { cutoff, now });
      process.stdout.write(
        `Housekeeping: removed ${h.rateLimits} expired rate-limit windows, ${h.usedCaptchas} CAPTCHA nonces, ${h.phantomSignIns} sign-in counters of unknown user IDs, ${h.recoveryFlows} recovery flows, ${h.adminSessions} admin sessions, ${h.userSessions} portal sessions, ${h.outboxMessages} outbox messages\n`,
      );
    },
    { as: "owner" },
  );
}

void runCli(USAGE, () => main(process.argv.slice(2)));
