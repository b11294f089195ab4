// Graceful shutdown (issue #11 item 5): SIGTERM while 12 sign-ins are still being uploaded. The server stops accepting
// connections at once, lets all 12 finish with their real answer, closes the database (the embedded one is left shut
// down cleanly, not needing crash recovery) and exits 0. A request that does not finish within SHUTDOWN_GRACE_SECONDS is
// cut off, and the exit code says so. A notification the message worker is sending when SIGTERM arrives is sent and
// recorded before the database closes, and so is the first attempt a request scheduled after its response.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { CAPTCHA_ANSWER, HttpUser, cli, codeFor } from "./http-user";
import { throwawayCluster, type Cluster } from "./pg-cluster";
import { holdQueue, type QueueHold } from "./queue-hold";
import { signInForm, startPortal, type Portal } from "./portal-process";
import { noteSecret } from "../fixtures/canaries";

/**
 * The state pg_control records for the embedded database (ControlFileData.state, an int at byte 16): 1 = shut down
 * cleanly, 6 = in production (left open: the next start recovers from the WAL as after a crash).
 */
const embeddedState = (dataDir: string) => readFileSync(path.join(dataDir, "pglite", "global", "pg_control")).readInt32LE(16);
const SHUT_DOWN = 1;

const TOKEN = "shutdown-spec-metrics-token-0123456789";

/** A sign-in post whose body is sent in two halves: the second only when `finish()` is called. */
async function slowSignIn(portal: Portal, form: Awaited<ReturnType<typeof signInForm>>, n: number) {
  const data = new FormData();
  for (const [name, value] of form.fields) data.append(name, value);
  data.append("username", `langzaam.${n}@flynth.nl`);
  data.append("password", "Verkeerd-wachtwoord-1");
  noteSecret("password", "Verkeerd-wachtwoord-1");
  const encoded = new Response(data);
  const body = Buffer.from(await encoded.arrayBuffer());
  const half = Math.floor(body.length / 2);
  let settle!: (value: { status: number; text: string } | { error: string }) => void;
  const answer = new Promise<{ status: number; text: string } | { error: string }>((resolve) => (settle = resolve));
  const req = http.request(`${portal.url}/nl`, {
    method: "POST",
    agent: false,
    headers: { "Content-Type": encoded.headers.get("content-type")!, "Content-Length": body.length, Cookie: form.cookie },
  });
  req.on("response", (res) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => settle({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
    res.on("error", (e) => settle({ error: e.message }));
  });
  req.on("error", (e) => settle({ error: e.message }));
  req.write(body.subarray(0, half));
  req.flushHeaders();
  return { answer, finish: () => req.end(body.subarray(half)) };
}

async function inFlight(portal: Portal): Promise<number> {
  const res = await fetch(`${portal.url}/api/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
  const line = (await res.text()).split("\n").find((l) => l.startsWith("toegang_http_requests_in_flight "));
  // The metrics request itself is one of them.
  return Number(line?.split(" ")[1] ?? 0) - 1;
}

const connects = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

test("SIGTERM during 12 in-flight requests: all 12 complete, no new connections, exit code 0", async () => {
  const portal = await startPortal({ METRICS_TOKEN: TOKEN });
  try {
    const form = await signInForm(portal.url);
    const requests = await Promise.all(Array.from({ length: 12 }, (_, i) => slowSignIn(portal, form, i)));
    await expect.poll(() => inFlight(portal), { message: "all 12 requests reached the server" }).toBe(12);

    portal.process.kill("SIGTERM");
    await expect.poll(() => connects(portal.port), { message: "the listening socket is closed" }).toBe(false);
    for (const r of requests) r.finish();
    const answers = await Promise.all(requests.map((r) => r.answer));
    for (const a of answers) {
      expect(a).toMatchObject({ status: 200 });
      expect((a as { text: string }).text).toContain("Er is een onjuiste gebruikersnaam of wachtwoord ingevoerd");
    }

    expect(await portal.exited).toBe(0);
    const stopped = portal.lines.find((l) => typeof l === "object" && l.msg === "stopped");
    expect(stopped).toMatchObject({ signal: "SIGTERM", cutOff: 0 });
    // The shutdown closed the embedded database: it was left shut down, not open as after a kill.
    expect(embeddedState(portal.dataDir)).toBe(SHUT_DOWN);
    // The requests were logged with their status, each with its own id.
    const logged = portal.lines.filter((l) => typeof l === "object" && l.msg === "request" && l.route === "/nl" && l.status === 200);
    expect(new Set(logged.map((l) => (l as { reqId: string }).reqId)).size).toBeGreaterThanOrEqual(12);
  } finally {
    await portal.stop("SIGKILL");
    portal.cleanUp();
  }
});

test("a request still running when SHUTDOWN_GRACE_SECONDS is over is cut off, and the exit code is not 0", async () => {
  const portal = await startPortal({ METRICS_TOKEN: TOKEN, SHUTDOWN_GRACE_SECONDS: "1" });
  try {
    const form = await signInForm(portal.url);
    const stuck = await slowSignIn(portal, form, 99);
    await expect.poll(() => inFlight(portal)).toBe(1);
    const t0 = Date.now();
    portal.process.kill("SIGTERM");
    expect(await portal.exited).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(await stuck.answer).toHaveProperty("error");
    expect(portal.lines.find((l) => typeof l === "object" && l.msg === "stopped")).toMatchObject({ cutOff: 1 });
  } finally {
    await portal.stop("SIGKILL");
    portal.cleanUp();
  }
});

test("SIGTERM while the message worker sends a pending notification: it is sent and recorded before the database closes, exit 0", async () => {
  // initdb and a cluster start, the CLI's migration, a portal start and stop: about 20 s.
  test.setTimeout(120_000);
  let cluster: Cluster | undefined;
  let portal: Portal | undefined;
  let holder: postgres.Sql | undefined;
  let hold: QueueHold | undefined;
  try {
    cluster = await throwawayCluster();
    const env = {
      DATABASE_URL: cluster.url,
      SESSION_SECRET: randomBytes(24).toString("hex"),
      HASH_KEY: randomBytes(24).toString("hex"),
      SMS_PROVIDER: "outbox",
    };
    await cli("db", ["migrate"], env);
    // A notification left pending (as by a restart), and the worker's claim of it held until the test lets it go: the
    // test's advisory lock, which a trigger on the queue waits for.
    holder = postgres(cluster.url, { max: 1, onnotice: () => {} });
    await holder.unsafe(`insert into message_queue (kind, recipient, channel, locale, body, next_attempt_at)
      values ('reset', '+31612345656', 'sms', 'nl', 'Uw wachtwoord is zojuist gewijzigd.', now())`);
    hold = await holdQueue(cluster.url, "before-update", 12);

    // The worker sends what is pending at start: its claim now waits.
    portal = await startPortal({ ...env, SEED_DEMO_USERS: "false" });
    await expect.poll(hold.waiting, { message: "the worker's claim waits for the test's lock" }).toBe(1);

    portal.process.kill("SIGTERM");
    await expect
      .poll(() => portal!.lines.some((l) => typeof l === "object" && String(l.msg).startsWith("stopping")), {
        message: "the portal is stopping",
      })
      .toBe(true);
    // No request was in flight: only the worker's attempt keeps the portal from closing the database now.
    await hold.release();
    expect(await portal.exited).toBe(0);

    const [message] = await holder.unsafe<{ status: string; attempts: number }[]>(`select status, attempts from message_queue`);
    expect(message).toEqual({ status: "sent", attempts: 1 });
    const handedOver = await holder.unsafe(`select 1 from audit_events where event = 'message.handed_over'`);
    expect(handedOver).toHaveLength(1);
    const sent = await holder.unsafe(`select 1 from outbox_messages where recipient = '+31612345656' and purpose = 'notification'`);
    expect(sent).toHaveLength(1);
  } finally {
    await hold?.end();
    await holder?.end({ timeout: 1 }).catch(() => {});
    await portal?.stop("SIGKILL");
    portal?.cleanUp();
    await cluster?.destroy();
  }
});

test("SIGTERM right after a reset's done page, while the alert's first send (after the response) waits: it is sent before the database closes, exit 0", async () => {
  // initdb and a cluster start, a portal start, a reset over HTTP (five pages), the stop: about 30 s.
  test.setTimeout(120_000);
  let cluster: Cluster | undefined;
  let portal: Portal | undefined;
  let holder: postgres.Sql | undefined;
  let hold: QueueHold | undefined;
  try {
    cluster = await throwawayCluster();
    portal = await startPortal({
      DATABASE_URL: cluster.url,
      SESSION_SECRET: randomBytes(24).toString("hex"),
      HASH_KEY: randomBytes(24).toString("hex"),
      SEED_DEMO_USERS: "true",
      SMS_PROVIDER: "outbox",
      CAPTCHA_TEST_ANSWER: CAPTCHA_ANSWER,
    });
    const jan = { email: "jan.jansen@flynth.nl", national: "0612345656", e164: "+31612345656" };
    const user = new HttpUser(portal.url);
    let page = await user.submit("/nl/recover", { userId: jan.email, captcha: CAPTCHA_ANSWER });
    page = await user.submit(page.path, { intent: "reset" });
    page = await user.submit(page.path, { phone: jan.national, channel: "sms" });
    page = await user.submit(page.path, { code: await codeFor(portal.url, jan.e164) });
    expect(page.path).toBe("/nl/recover/password");

    holder = postgres(cluster.url, { max: 1, onnotice: () => {} });
    // The code's own message row has its outcome (its one attempt is over) before the queue is held.
    const pending = async () => (await holder!.unsafe(`select count(*)::int as n from message_queue where status = 'pending'`))[0]!.n;
    await expect.poll(pending, { message: "the code's message has its outcome" }).toBe(0);
    // From now on every write to the queue waits for the test's lock: the alert's first attempt (after the response)
    // cannot record its claim until the test lets it go.
    hold = await holdQueue(cluster.url, "before-update", 13);
    const password = `Zeewering-${randomBytes(4).toString("hex")}!`;
    noteSecret("password", password);
    page = await user.submit(page.path, { password, confirmation: password });
    expect(page.path).toBe("/nl/recover/done");
    await expect.poll(hold.waiting, { message: "the alert's first attempt waits for the test's lock" }).toBe(1);

    // The done page has been answered: no request is in flight, only the send after it.
    portal.process.kill("SIGTERM");
    await expect
      .poll(() => portal!.lines.some((l) => typeof l === "object" && String(l.msg).startsWith("stopping")), {
        message: "the portal is stopping",
      })
      .toBe(true);
    await hold.release();
    expect(await portal.exited).toBe(0);

    const alerts = await holder.unsafe<{ status: string; attempts: number }[]>(
      `select status, attempts from message_queue where kind = 'reset'`,
    );
    expect([...alerts]).toEqual([{ status: "sent", attempts: 1 }]);
    const sent = await holder.unsafe(`select 1 from outbox_messages where recipient = '${jan.e164}' and purpose = 'notification'`);
    expect(sent).toHaveLength(1);
  } finally {
    await hold?.end();
    await holder?.end({ timeout: 1 }).catch(() => {});
    await portal?.stop("SIGKILL");
    portal?.cleanUp();
    await cluster?.destroy();
  }
});
