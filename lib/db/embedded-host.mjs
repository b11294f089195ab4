// The embedded database (PGlite) on a thread of its own (lib/db/embedded-worker.mjs), so PostgreSQL's work inside
// WebAssembly — opening the database, every query — does not hold up the thread that serves requests, and so the server
// can open it while Next.js loads (server/main.mjs). EmbeddedDatabase offers what drizzle-orm's PGlite driver uses of a
// PGlite instance: query, transaction, waitReady and close, with PGlite's own semantics (the thread runs the same calls,
// one connection, a query waits for an open transaction). Types in embedded-host.d.mts.
import path from "node:path";
import { Worker } from "node:worker_threads";

/**
 * The types drizzle-orm's PGlite driver keeps as PostgreSQL's text (timestamp, timestamptz, interval, date, and the
 * arrays of those and of numeric): a query that asks for those parsers gets them on the database's thread; any other
 * parser is refused, because a function cannot be sent to another thread.
 */
export const TEXT_TYPES = [1114, 1184, 1186, 1082, 1231, 1115, 1185, 1187, 1182];

const workerFile = () => path.join(/* turbopackIgnore: true */ process.cwd(), "lib", "db", "embedded-worker.mjs");

export class EmbeddedDatabase {
  /** @type {Worker} */
  #worker;
  #pending = new Map();
  #last = 0;
  /** @type {Error | null} */
  #stopped = null;
  /** @type {Promise<void> | null} */
  #closing = null;

  /** @param {{ dataDir: string | null, migrationsFolder: string }} options */
  constructor({ dataDir, migrationsFolder }) {
    this.dataDir = dataDir;
    this.#worker = new Worker(workerFile(), { workerData: { dataDir, migrationsFolder, textTypes: TEXT_TYPES } });
    // Kept alive only while a call is waiting for its answer (#call), so a forgotten handle never keeps a process running.
    this.#worker.unref();
    this.#worker.on("message", (message) => this.#settle(message));
    this.#worker.on("error", (error) => this.#stop(new Error(`the embedded database failed: ${error.message}`, { cause: error })));
    this.#worker.on("exit", (code) => this.#stop(new Error(`the embedded database is closed (its thread ended with code ${code})`)));
    this.waitReady = this.#call({ op: "ready" });
    this.waitReady.catch(() => {});
  }

  /** @returns {Promise<any>} */
  #call(message) {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = ++this.#last;
    return new Promise((resolve, reject) => {
      try {
        this.#worker.postMessage({ ...message, id });
      } catch (error) {
        return reject(error); // a parameter that cannot be sent (a function, a symbol)
      }
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
    });
  }

  #settle({ id, ok, result, error }) {
    const waiting = this.#pending.get(id);
    if (!waiting) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (ok) waiting.resolve(result);
    else waiting.reject(Object.assign(new Error(error.message), error));
  }

  #stop(error) {
    this.#stopped ??= error;
    for (const waiting of this.#pending.values()) waiting.reject(this.#stopped);
    this.#pending.clear();
  }

  #query(tx, sql, params, options) {
    const asked = Object.keys(options?.parsers ?? {}).map(Number);
    const unknown = asked.filter((oid) => !TEXT_TYPES.includes(oid));
    if (unknown.length) return Promise.reject(new Error(`the embedded database cannot apply parsers for types ${unknown.join(", ")}`));
    return this.#call({ op: "query", tx, sql, params: params ?? [], rowMode: options?.rowMode, asText: asked.length > 0 });
  }

  /** PGlite's query(): the whole result ({ rows, fields, affectedRows }). */
  query(sql, params, options) {
    return this.#query(0, sql, params, options);
  }

  /** PGlite's transaction(): committed when the callback returns, rolled back when it throws (and the error rethrown). */
  async transaction(callback) {
    const tx = await this.#call({ op: "begin" });
    let result;
    try {
      result = await callback({ query: (sql, params, options) => this.#query(tx, sql, params, options) });
    } catch (error) {
      await this.#call({ op: "end", tx, commit: false }).catch(() => {});
      throw error;
    }
    await this.#call({ op: "end", tx, commit: true });
    return result;
  }

  /** Closes the database (waiting for the work before it) and ends its thread; again is a no-op. */
  close() {
    this.#closing ??= (async () => {
      await this.#call({ op: "close" }).catch(() => {});
      await this.#worker.terminate();
    })();
    return this.#closing;
  }
}
