// postgres.js 3.4.9 and a transaction whose connection dies (porsager/postgres#1154, #1208): after the socket has
// closed, the transaction's connection still accepts statements — the caller's next query, or the driver's own COMMIT
// or ROLLBACK once the callback ends — and queues them for a write (setImmediate) on the socket it has already set to
// null. That write throws `TypeError: Cannot read properties of null (reading 'write')` from a timer, outside every
// promise: an uncaught exception that ends the portal. (Had the connection been reconnected for another request in the
// meantime, the stale COMMIT/ROLLBACK would even land in that request's session.)
//
// The driver already fails the transaction itself when its connection closes (sql.begin rejects with
// CONNECTION_CLOSED), so the request gets its error and the portal its 503 page. What this guard adds is that nothing
// more is sent on that connection: a statement the callback issues after the death fails at once without reaching the
// driver, and a callback that ends after the death (or with the death's own error) is not handed back to the driver,
// which would send COMMIT or ROLLBACK; PostgreSQL has rolled the transaction back already. Nothing else changes: on a
// healthy connection every statement, commit and rollback goes through as before.
import "server-only";

/** Errors that mean this connection is gone: the driver's own, the socket's, or a FATAL one (PostgreSQL ends the session after it). */
export function connectionDied(error: unknown): boolean {
  const e = error as { code?: unknown; severity?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "ECONNRESET", "EPIPE"].includes(String(e.code))) return true;
  return e.severity === "FATAL" || e.severity === "PANIC";
}

/** The error a statement gets when its transaction's connection has already died (what the driver itself uses). */
function closedError(): Error {
  return Object.assign(new Error("write CONNECTION_CLOSED (the transaction's connection died)"), { code: "CONNECTION_CLOSED" });
}

/** How long a transaction whose statement failed with a FATAL error waits for the driver to see the socket close. */
const CLOSE_WAIT_MS = 5_000;

type State = { dead: boolean; closed: Promise<void> };

type Query = PromiseLike<unknown> & { values(): PromiseLike<unknown> };
type TxSql = { unsafe(query: string, params?: unknown[], options?: object): Query; savepoint(...args: unknown[]): Promise<unknown> };

/** A statement that was never sent: a thenable with the driver's `.values()`, rejecting with CONNECTION_CLOSED. */
function refused(): Query {
  const failed = () => Promise.reject(closedError());
  return { then: (resolve, reject) => failed().then(resolve, reject), values: failed };
}

/** The transaction's handle: statements are sent while the connection lives; a death seen in an answer marks it. */
function guardTx<T extends object>(tx: T, state: State): T {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "unsafe" && typeof value === "function") {
        const unsafe = (value as TxSql["unsafe"]).bind(target);
        return (query: string, params?: unknown[], options?: object): Query => {
          if (state.dead) return refused();
          const pending = unsafe(query, params, options);
          const watch = <V>(p: PromiseLike<V>) =>
            Promise.resolve(p).catch((error: unknown) => {
              if (connectionDied(error)) state.dead = true;
              throw error;
            });
          return { then: (resolve, reject) => watch(pending).then(resolve, reject), values: () => watch(pending.values()) };
        };
      }
      if (prop === "savepoint" && typeof value === "function") {
        const savepoint = (value as TxSql["savepoint"]).bind(target);
        return (...args: unknown[]) => {
          if (state.dead) return Promise.reject(closedError());
          const fn = args.pop() as (sp: object) => unknown;
          return savepoint(...args, (sp: object) => settle(() => fn(guardTx(sp, state)), state));
        };
      }
      return value;
    },
  });
}

const never = () => new Promise<never>(() => {});

/**
 * Runs the transaction's callback; when the connection died under it, the returned promise never settles, so the
 * driver sends neither COMMIT nor ROLLBACK (sql.begin itself has rejected with the connection's error).
 */
async function settle(fn: () => unknown, state: State): Promise<unknown> {
  let result: unknown;
  try {
    result = await fn();
  } catch (error) {
    if (state.dead || connectionDied(error)) {
      state.dead = true;
      // The driver notices the closed socket within moments of a FATAL error; were it somehow never to close, the
      // driver's ROLLBACK goes out on the live socket as usual.
      const closed = await Promise.race([
        state.closed.then(() => true),
        new Promise<false>((r) => setTimeout(r, CLOSE_WAIT_MS, false).unref()),
      ]);
      if (closed) return never();
    }
    throw error;
  }
  if (state.dead) return never();
  return result;
}

type Begin = (...args: unknown[]) => Promise<unknown>;

/** Wraps a postgres.js client so sql.begin() never sends on a transaction connection that has died. */
export function guardDeadTransactions<T extends object>(sql: T): T {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "begin" || typeof value !== "function") return value;
      const begin = (value as Begin).bind(target);
      return (...args: unknown[]) => {
        const fn = args.pop() as (tx: object) => unknown;
        let markClosed!: () => void;
        const state: State = { dead: false, closed: new Promise<void>((r) => (markClosed = r)) };
        const transaction = begin(...args, (tx: object) => settle(() => fn(guardTx(tx, state)), state));
        // sql.begin rejects as soon as its connection closes (before the callback has ended, when it dies under it).
        transaction.catch((error: unknown) => {
          if (connectionDied(error)) {
            state.dead = true;
            markClosed();
          }
        });
        return transaction;
      };
    },
  });
}
