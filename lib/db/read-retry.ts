// A pooled connection that died (the database restarted, a network device dropped it) fails the first statement sent
// on it. For a plain SELECT that is safe to repeat, so it is sent once more, on a fresh connection; anything that may
// have changed data (every other statement, and everything inside a transaction, which runs on its own client) is
// never repeated: its failure is the caller's, because the change may have committed.
import "server-only";

/** Failures that mean "the connection was gone", not "the statement failed". */
const DEAD_CONNECTION = new Set(["CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "ECONNRESET", "EPIPE", "57P01"]);

export const isDeadConnection = (error: unknown) => DEAD_CONNECTION.has(String((error as { code?: unknown })?.code));

const READ_ONLY = /^\s*select\b/i;

type Unsafe = (query: string, params?: unknown[], options?: object) => PromiseLike<unknown> & { values(): PromiseLike<unknown> };

/** Wraps a postgres.js client so top-level SELECTs are retried once on a dead connection. */
export function retryReadsOnce<T extends object>(sql: T, onRetry?: (error: unknown) => void): T {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "unsafe" || typeof value !== "function") return value;
      const unsafe = (value as Unsafe).bind(target);
      return (query: string, params?: unknown[], options?: object) => {
        if (!READ_ONLY.test(query)) return unsafe(query, params, options);
        const attempt = (values: boolean) => {
          const run = () => {
            const pending = unsafe(query, params, options);
            return Promise.resolve(values ? pending.values() : pending);
          };
          return run().catch((error: unknown) => {
            if (!isDeadConnection(error)) throw error;
            onRetry?.(error);
            return run();
          });
        };
        return {
          then: (resolve?: (v: unknown) => unknown, reject?: (e: unknown) => unknown) => attempt(false).then(resolve, reject),
          values: () => attempt(true),
        };
      };
    },
  });
}
