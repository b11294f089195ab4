// How busy the PostgreSQL pool is, for /api/metrics (postgres.js publishes no pool statistics): the portal counts the
// database work it has started and not yet finished — a statement outside a transaction holds a connection while it
// runs, a transaction for its whole duration. Work beyond the pool's size waits for a connection.
import "server-only";

export type PoolUsage = { size: number; inUse: number; waiting: number };

type Query = PromiseLike<unknown> & { values(): PromiseLike<unknown> };
type Unsafe = (query: string, params?: unknown[], options?: object) => Query;
type Begin = (...args: unknown[]) => Promise<unknown>;

/** Wraps a postgres.js client so its statements and transactions are counted while they run; `usage()` reads the count. */
export function countPoolUsage<T extends object>(sql: T, size: number): { sql: T; usage: () => PoolUsage } {
  let busy = 0;
  const track = <V>(work: () => PromiseLike<V>): Promise<V> => {
    busy += 1;
    let settled = false;
    const done = () => {
      if (!settled) busy -= 1;
      settled = true;
    };
    try {
      return Promise.resolve(work()).finally(done);
    } catch (error) {
      done();
      return Promise.reject(error);
    }
  };
  const wrapped = new Proxy(sql, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "unsafe") {
        const unsafe = (value as Unsafe).bind(target);
        return (query: string, params?: unknown[], options?: object): Query => {
          const pending = unsafe(query, params, options);
          return { then: (resolve, reject) => track(() => pending).then(resolve, reject), values: () => track(() => pending.values()) };
        };
      }
      if (prop === "begin") {
        const begin = (value as Begin).bind(target);
        return (...args: unknown[]) => track(() => begin(...args));
      }
      return value;
    },
  });
  return { sql: wrapped, usage: () => ({ size, inUse: Math.min(busy, size), waiting: Math.max(0, busy - size) }) };
}
