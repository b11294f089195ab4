// One retry for reads on a dead pooled connection, never for writes, never for other failures.
import { describe, expect, it } from "vitest";
import { retryReadsOnce } from "./read-retry";

function fakeClient(failures: unknown[]) {
  const sent: string[] = [];
  const client = {
    // Like postgres.js: nothing is sent until the query is awaited (or .values() is).
    unsafe(query: string, _params?: unknown[]) {
      const send = <T>(rows: T) => {
        sent.push(query);
        const failure = failures.shift();
        return failure ? Promise.reject(failure) : Promise.resolve(rows);
      };
      return {
        then: (resolve: (v: unknown) => unknown, reject: (e: unknown) => unknown) => send([{ ok: 1 }]).then(resolve, reject),
        values: () => send([[1]]),
      };
    },
  };
  return { client, sent };
}
const dead = Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });

describe("retryReadsOnce", () => {
  it("repeats a SELECT once when its connection had died", async () => {
    const { client, sent } = fakeClient([dead]);
    let retried = 0;
    const wrapped = retryReadsOnce(client, () => retried++);
    expect(await wrapped.unsafe("select 1", [])).toEqual([{ ok: 1 }]);
    expect(sent).toEqual(["select 1", "select 1"]);
    expect(retried).toBe(1);
    const values = fakeClient([dead]);
    expect(await retryReadsOnce(values.client).unsafe("  SELECT x from t", []).values()).toEqual([[1]]);
  });

  it("never repeats a write, a second failure, or an ordinary error", async () => {
    const write = fakeClient([dead]);
    await expect(retryReadsOnce(write.client).unsafe("insert into t values (1)", [])).rejects.toBe(dead);
    expect(write.sent).toHaveLength(1);
    const twice = fakeClient([dead, dead]);
    await expect(retryReadsOnce(twice.client).unsafe("select 1", [])).rejects.toBe(dead);
    expect(twice.sent).toHaveLength(2);
    const syntax = Object.assign(new Error("syntax error"), { code: "42601" });
    const other = fakeClient([syntax]);
    await expect(retryReadsOnce(other.client).unsafe("select from", [])).rejects.toBe(syntax);
    expect(other.sent).toHaveLength(1);
  });
});
