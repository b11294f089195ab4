// The embedded database's thread (lib/db/embedded-host.mjs starts it): claims the data folder, copies the build's
// template into a fresh one, opens PGlite, and runs each query, transaction step and close the portal's thread sends.
// PostgreSQL inside WebAssembly runs here, off the thread that serves requests.
import { existsSync } from "node:fs";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { claimDataFolder, copyTemplate, embeddedStartOptions, pgliteFolder } from "./embedded-folder.mjs";

/** @type {{ dataDir: string | null, migrationsFolder: string, textTypes: number[] }} */
const { dataDir, migrationsFolder, textTypes } = workerData;

// The types whose values stay PostgreSQL's text (lib/db/embedded-host.mjs says why): functions do not cross threads.
const asText = (value) => value;
const parsers = Object.fromEntries(textTypes.map((oid) => [oid, asText]));

let release = () => {};
/** @type {import("@electric-sql/pglite").PGlite} */
let pg;
const opened = (async () => {
  let dir = null;
  let copied = Promise.resolve();
  if (dataDir) {
    dir = pgliteFolder(dataDir);
    release = claimDataFolder(dataDir);
    if (!existsSync(path.join(dir, "PG_VERSION"))) copied = copyTemplate(migrationsFolder, dir);
  }
  const [{ PGlite }] = await Promise.all([import("@electric-sql/pglite"), copied]);
  pg = dir ? new PGlite(dir, embeddedStartOptions(PGlite)) : new PGlite(embeddedStartOptions(PGlite));
  await pg.waitReady;
})();
opened.catch(() => {});

/** Open transactions by number: the PGlite transaction and how to end it. */
const transactions = new Map();
let lastTransaction = 0;

/** An error as plain data: its message, name and PostgreSQL's fields (code, detail, constraint, …), no parameters. */
function plainError(error) {
  const out = { message: error instanceof Error ? error.message : String(error), name: error?.name ?? "Error" };
  for (const [key, value] of Object.entries(error ?? {})) {
    if (key !== "params" && (typeof value === "string" || typeof value === "number" || typeof value === "boolean")) out[key] = value;
  }
  return out;
}

const answer = (id, result) => parentPort.postMessage({ id, ok: true, result });
const refuse = (id, error) => parentPort.postMessage({ id, ok: false, error: plainError(error) });

function begin(id) {
  const number = ++lastTransaction;
  let entered = false;
  pg.transaction(
    (tx) =>
      new Promise((commit, rollBack) => {
        entered = true;
        transactions.set(number, { tx, commit, rollBack, endId: 0 });
        answer(id, number);
      }),
  ).then(
    () => {
      const t = transactions.get(number);
      transactions.delete(number);
      answer(t.endId, null);
    },
    (error) => {
      const t = transactions.get(number);
      transactions.delete(number);
      if (!entered) return refuse(id, error);
      // Rolled back as asked: done. Anything else (COMMIT refused): the error.
      if (t.rolledBack && error === ROLLED_BACK) answer(t.endId, null);
      else refuse(t.endId, error);
    },
  );
}

const ROLLED_BACK = new Error("rolled back");

async function handle(message) {
  const { id, op } = message;
  try {
    if (op === "close") {
      try {
        await opened.then(
          () => pg.close(),
          () => {},
        );
      } finally {
        release();
      }
      answer(id, null);
      parentPort.close();
      return;
    }
    await opened;
    if (op === "ready") return answer(id, null);
    if (op === "query") {
      const target = message.tx ? transactions.get(message.tx)?.tx : pg;
      if (!target) throw new Error("Transaction is closed");
      return answer(
        id,
        await target.query(message.sql, message.params, { rowMode: message.rowMode, ...(message.asText ? { parsers } : {}) }),
      );
    }
    if (op === "begin") return begin(id);
    if (op === "end") {
      const t = transactions.get(message.tx);
      if (!t) throw new Error("Transaction is closed");
      t.endId = id;
      if (message.commit) t.commit();
      else {
        t.rolledBack = true;
        t.rollBack(ROLLED_BACK);
      }
      return;
    }
    throw new Error(`unknown operation ${op}`);
  } catch (error) {
    refuse(id, error);
  }
}

parentPort.on("message", (message) => void handle(message));
