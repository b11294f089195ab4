// Benchmark helper (run by bench/run.ts): the server CPU of the password step of a reset — the portal's rules
// (checkNewPassword), the account store's history check and Argon2 hash, and the database writes — at a given history
// depth, against its Argon2 floor: the Argon2 operations a reset cannot avoid (one verify per history row a new password
// must differ from, plus the hash of the new password), each costing what one hash costs on this machine.
// CPU is the process's own (process.cpuUsage: every thread, so libuv's Argon2 workers count). Prints one JSON line.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { eq } from "drizzle-orm";
import { builtinAccountStore } from "@/lib/accounts/builtin";
import { checkNewPassword, historyEntry } from "@/lib/password/check";
import { hashPassword, verifyPassword } from "@/lib/password/hash";
import { openDb } from "@/lib/db/client";
import { passwordHistory, users } from "@/lib/db/schema";
import { getConfig } from "@/lib/config";

const { values: args } = parseArgs({
  options: {
    database: { type: "string" },
    depth: { type: "string", default: "24" },
    resets: { type: "string", default: "10" },
  },
});
const depth = Number(args.depth);
// The account store reads its history depth from the configuration (read on first use, after this line).
process.env.PASSWORD_HISTORY = String(depth);
const resets = Number(args.resets);

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** A password that passes every rule and shares no skeleton with another: random letters, a digit and a symbol. */
function freshPassword(): string {
  const letters = [...randomBytes(12)].map((b) => "abcdefghjkmnpqrstuvwxyz"[b % 23]).join("");
  return `Q${letters}-${randomBytes(1)[0]! % 10}!`;
}

async function main() {
  const handle = await openDb(args.database ? { databaseUrl: args.database } : { inMemory: true });
  const db = handle.db;
  try {
    if (getConfig().recovery.passwordHistory !== depth) throw new Error("PASSWORD_HISTORY was read before the benchmark set it");
    const email = `bench.reset.${randomBytes(4).toString("hex")}@flynth.nl`;
    const [user] = await db
      .insert(users)
      .values({ email, emailKey: email, firstName: "Bench", lastName: "Herstel", passwordHash: await hashPassword(freshPassword()) })
      .returning();
    for (let i = 0; i < depth; i++) {
      const old = freshPassword();
      await db
        .insert(passwordHistory)
        .values(historyEntry(user!.id, old, await hashPassword(old), new Date(Date.now() - (depth - i) * 1000)));
    }
    const store = builtinAccountStore(db);
    const account = (await store.get(user!.id))!;
    const owner = { id: null, email, firstName: "Bench", lastName: "Herstel" };

    // The floor, measured the same way as the reset and interleaved with it: the Argon2 operations alone — verifying the
    // new password against each history hash (as the history check does, in parallel) and hashing it once.
    const historyHashes = (
      await db.select({ h: passwordHistory.passwordHash }).from(passwordHistory).where(eq(passwordHistory.userId, user!.id))
    ).map((r) => r.h);
    const argon2Only = async () => {
      const password = freshPassword();
      const t0 = cpu();
      await Promise.all(historyHashes.slice(0, depth).map((h) => verifyPassword(h, password)));
      await hashPassword(password);
      return cpu() - t0;
    };

    const reset = async () => {
      const password = freshPassword();
      const t0 = cpu();
      const rules = await checkNewPassword(db, { password, confirmation: password, owner });
      const t1 = cpu();
      if (rules.length) throw new Error(`bench password refused: ${rules.join(",")}`);
      const result = await store.setPassword(account, password, async () => true);
      const t2 = cpu();
      if (result.kind !== "ok") throw new Error(`reset ${result.kind}`);
      return { rules: t1 - t0, store: t2 - t1 };
    };
    await reset(); // loads the dictionaries once (a server does this on its first password)
    await argon2Only();
    let floor = 0;
    let rules = 0;
    let storeCpu = 0;
    const start = performance.now();
    for (let i = 0; i < resets; i++) {
      floor += await argon2Only();
      const r = await reset();
      rules += r.rules;
      storeCpu += r.store;
    }
    const wall = (performance.now() - start) / resets;
    const total = (rules + storeCpu) / resets;
    floor /= resets;
    console.log(
      JSON.stringify({
        depth,
        resets,
        argon2: getConfig().argon2,
        resetCpuMs: total,
        rulesCpuMs: rules / resets,
        storeCpuMs: storeCpu / resets,
        wallMs: wall,
        floorMs: floor,
        ratio: total / floor,
      }),
    );
    await db.delete(users).where(eq(users.id, user!.id));
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
