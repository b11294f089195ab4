// A test's hold on the portal's message queue (server specs on a throwaway cluster): a trigger makes the portal's writes
// to message_queue wait for an advisory lock the test holds, so a test can act at an exact moment (stop the database,
// send SIGTERM) while the portal waits there, and then let it go on.
// - "at-commit": a deferred constraint trigger after insert: a transaction that queues a message waits at its COMMIT.
// - "before-update": a send's claim or its outcome waits (the worker's and the first attempt after a response).
// One hold at a time: making one replaces the trigger of the one before (its database may have been stopped since).
import postgres from "postgres";

/** The test's advisory locks use this first key (two-key form, so they meet none of the portal's). */
const CLASS = 4711;

export type QueueHold = {
  /** How many of the portal's transactions wait for the lock now. */
  waiting: () => Promise<number>;
  /** Lets the waiting transactions go on. */
  release: () => Promise<void>;
  /** Closes the test's connection (releasing the lock with it), also when its database is gone. */
  end: () => Promise<void>;
};

export async function holdQueue(url: string, when: "at-commit" | "before-update", key: number): Promise<QueueHold> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await sql.unsafe(`create or replace function toegang_test_hold() returns trigger language plpgsql as $$
    begin perform pg_advisory_xact_lock(${CLASS}, ${key}); return new; end $$`);
  await sql.unsafe(`drop trigger if exists toegang_test_hold on message_queue`);
  await sql.unsafe(
    when === "at-commit"
      ? `create constraint trigger toegang_test_hold after insert on message_queue
           deferrable initially deferred for each row execute function toegang_test_hold()`
      : `create trigger toegang_test_hold before update on message_queue for each row execute function toegang_test_hold()`,
  );
  await sql.unsafe(`select pg_advisory_lock(${CLASS}, ${key})`);
  return {
    waiting: async () =>
      (
        await sql<{ n: number }[]>`select count(*)::int as n from pg_locks
          where locktype = 'advisory' and not granted and classid = ${CLASS} and objid = ${key}`
      )[0]!.n,
    release: async () => {
      await sql.unsafe(`select pg_advisory_unlock(${CLASS}, ${key})`);
    },
    end: () => sql.end({ timeout: 0 }).catch(() => {}),
  };
}
