// The database stopped at the moment of the change (issue #11, Done when: "either the change and its message both exist
// or neither"). The portal runs on a throwaway PostgreSQL cluster of the test's own (e2e/server/pg-cluster.ts, never
// the shared server); a user resets their password through the wizard over HTTP, and the cluster is stopped with
// `pg_ctl stop -m immediate` (no checkpoint, as a crash or a pulled plug) at two moments of the final step:
// 1. while the reset's transaction waits at its COMMIT (a deferred trigger waits for an advisory lock the test holds):
//    after the restart neither the new password nor its message nor their audit rows exist, and the same page submits
//    again;
// 2. right after that commit, while the message's first send waits (its claim waits for the lock): after the restart
//    the new password, its message and their audit rows all exist, and the portal's message worker delivers the alert
//    without anyone asking.
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { CAPTCHA_ANSWER, HttpUser, cli, codeFor, visibleText } from "./http-user";
import { throwawayCluster, type Cluster } from "./pg-cluster";
import { holdQueue } from "./queue-hold";
import { startPortal, type Portal } from "./portal-process";

const JAN = { email: "jan.jansen@flynth.nl", password: "Zeilboot2026!", national: "0612345656", e164: "+31612345656" };

test("PostgreSQL stopped (immediate) at the reset's commit, then just after it: neither the change nor its alert, then both, and the alert is delivered", async () => {
  // initdb, three cluster starts, a portal start, a reset, an audit verify and up to one worker round (15 s).
  test.setTimeout(180_000);
  let cluster: Cluster | undefined;
  let portal: Portal | undefined;
  try {
    cluster = await throwawayCluster();
    const env = {
      DATABASE_URL: cluster.url,
      SESSION_SECRET: randomBytes(24).toString("hex"),
      HASH_KEY: randomBytes(24).toString("hex"),
      SEED_DEMO_USERS: "true",
      SMS_PROVIDER: "outbox",
      CAPTCHA_TEST_ANSWER: CAPTCHA_ANSWER,
    };
    portal = await startPortal(env);
    const base = portal.url;

    const user = new HttpUser(base);
    let page = await user.submit("/nl/recover", { userId: JAN.email, captcha: CAPTCHA_ANSWER });
    expect(page.path).toBe("/nl/recover/reason");
    page = await user.submit(page.path, { intent: "reset" });
    expect(page.path).toBe("/nl/recover/verify");
    page = await user.submit(page.path, { phone: JAN.national, channel: "sms" });
    expect(page.path).toBe("/nl/recover/code");
    page = await user.submit(page.path, { code: await codeFor(base, JAN.e164) });
    expect(page.path).toBe("/nl/recover/password");
    const passwordPage = page.path;
    const password = `Zeewering-${randomBytes(4).toString("hex")}!`;

    /** What exists of the reset after a restart: the password that signs in, its message, its audit rows. */
    const state = async () => {
      const sql = postgres(cluster!.url, { max: 1, onnotice: () => {} });
      try {
        const [jan] = await sql<{ id: string }[]>`select id from users where email = ${JAN.email}`;
        const [flow] = await sql<{ id: string; step: string }[]>`select id, step from recovery_flows where user_id = ${jan!.id}`;
        const messages = await sql<{ kind: string; status: string }[]>`select kind, status from message_queue
          where user_id = ${jan!.id} and kind <> 'code'`;
        // The change's rows and its notification's (the code's own message.handed_over is not the alert).
        const events = await sql<{ event: string }[]>`select event from audit_events where flow_id = ${flow!.id}
          and (event = 'password.reset' or (event in ('message.queued', 'message.handed_over') and reason like 'notification:%'))
          order by seq`;
        const notified = await sql<{ n: number }[]>`select count(*)::int as n from outbox_messages
          where recipient = ${JAN.e164} and purpose = 'notification'`;
        return {
          step: flow!.step,
          messages: messages.map((m) => `${m.kind}:${m.status}`),
          events: events.map((e) => e.event),
          notifications: notified[0]!.n,
        };
      } finally {
        await sql.end();
      }
    };
    const signsInWith = async (pw: string) =>
      (await new HttpUser(base).submit("/nl", { username: JAN.email, password: pw })).path === "/nl/home";

    /**
     * Holds the lock, runs `act`, waits until a portal transaction waits for the lock, then stops the cluster at once;
     * starts it again once `act` has its answer. `answeredFirst`: `act` is answered before the stop (its waiting
     * transaction runs after the response), so the answer is the one the user got before the database went away.
     */
    const stopWhileWaiting = async <T>(
      when: "at-commit" | "before-update",
      act: () => Promise<T>,
      options: { answeredFirst: boolean },
    ): Promise<T> => {
      const hold = await holdQueue(cluster!.url, when, 11);
      const acting = act();
      if (options.answeredFirst) await acting;
      await expect.poll(hold.waiting, { message: "a portal transaction waits for the test's lock", timeout: 30_000 }).toBe(1);
      await cluster!.stop("immediate");
      await hold.end();
      const result = await acting;
      await cluster!.start();
      return result;
    };

    // 1. The reset's transaction has written everything and waits at its COMMIT: the database stops there.
    const interrupted = await stopWhileWaiting("at-commit", () => user.submit(passwordPage, { password, confirmation: password }), {
      answeredFirst: false,
    });
    // The user is not told the password changed: the translated 503 page, on the same step.
    expect(interrupted).toMatchObject({ path: passwordPage, status: 503 });
    expect(visibleText(interrupted.html)).toContain("Tijdelijk niet beschikbaar");
    // Neither: the old password still signs in, the new one does not, no message, no audit row of the change.
    expect(await state()).toEqual({ step: "password", messages: [], events: [], notifications: 0 });
    expect(await signsInWith(password)).toBe(false);
    expect(await signsInWith(JAN.password)).toBe(true);

    // 2. The same page again: the reset commits, and the database stops while its alert's first send waits.
    const done = await stopWhileWaiting("before-update", () => user.submit(passwordPage, { password, confirmation: password }), {
      answeredFirst: true,
    });
    expect(done).toMatchObject({ path: "/nl/recover/done", status: 200 });
    expect(visibleText(done.html)).toContain("Uw wachtwoord is opnieuw ingesteld");
    // Both: the new password signs in, and the message with its audit rows is there (sent by now, or still pending).
    const after = await state();
    expect(after).toMatchObject({ step: "done", events: expect.arrayContaining(["password.reset", "message.queued"]) });
    expect(after.messages).toHaveLength(1);
    expect(after.messages[0]).toMatch(/^reset:(pending|sent)$/);
    expect(await signsInWith(password)).toBe(true);
    expect(await signsInWith(JAN.password)).toBe(false);
    // The worker of the running portal delivers it on its own (it looks every 15 s): sent once, handed over, in the outbox.
    await expect.poll(state, { message: "the alert is delivered after the restart", timeout: 60_000, intervals: [1_000] }).toEqual({
      step: "done",
      messages: ["reset:sent"],
      events: ["password.reset", "message.queued", "message.handed_over"],
      notifications: 1,
    });

    expect(await portal.stop()).toBe(0);
    // Two crashes, and the chain still verifies.
    expect(await cli("audit", ["verify"], env)).toMatch(/Audit trail OK: \d+ rows? verified/);
  } finally {
    await portal?.stop("SIGKILL");
    portal?.cleanUp();
    await cluster?.destroy();
  }
});
