// Two portal instances on one PostgreSQL database (issue #11, Done when), as behind a load balancer that does not keep
// a user on one instance: the same SESSION_SECRET and HASH_KEY, nothing else shared but the database. A recovery flow
// started on one finishes on the other, and the counters are the database's: wrong passwords on A and B add up to the
// lockout, and flows started on A and B add up to the per-network flow limit.
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { CAPTCHA_ANSWER, HttpUser, codeFor, visibleText } from "./http-user";
import { startPortal, type Portal } from "./portal-process";

const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

test("two instances on one database: a flow moves between them, and lockout and limits count across both", async () => {
  // Two portal starts (the second migrates nothing) and one reset: about 20 s.
  test.setTimeout(120_000);
  const name = `toegang_instances_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const env = {
    DATABASE_URL: url.toString(),
    SESSION_SECRET: randomBytes(24).toString("hex"),
    HASH_KEY: randomBytes(24).toString("hex"),
    SEED_DEMO_USERS: "true",
    SMS_PROVIDER: "outbox",
    CAPTCHA_TEST_ANSWER: CAPTCHA_ANSWER,
    METRICS_TOKEN: "instances-spec-metrics-token-0123456789",
    // Small enough to reach in a test: three flows from one network per hour.
    LIMIT_FLOWS_PER_IP_PER_HOUR: "3",
  };
  const portals: Portal[] = [];
  try {
    // One after the other: the first migrates and seeds, the second finds both done.
    portals.push(await startPortal(env));
    portals.push(await startPortal(env));
    const [a, b] = portals.map((p) => p.url) as [string, string];

    // Flow 1: identify and reason on A, the number on B, the code on A, the new password on B.
    const user = new HttpUser(a);
    let page = await user.submit("/nl/recover", { userId: "jan.jansen@flynth.nl", captcha: CAPTCHA_ANSWER });
    expect(page.path).toBe("/nl/recover/reason");
    page = await user.submit(page.path, { intent: "reset" });
    expect(page.path).toBe("/nl/recover/verify");
    page = await user.moveTo(b).submit(page.path, { phone: "0612345656", channel: "sms" });
    expect(page.path).toBe("/nl/recover/code");
    page = await user.moveTo(a).submit(page.path, { code: await codeFor(b, "+31612345656") });
    expect(page.path).toBe("/nl/recover/password");
    const password = `Zeewering-${randomBytes(4).toString("hex")}!`;
    page = await user.moveTo(b).submit(page.path, { password, confirmation: password });
    expect(page.path).toBe("/nl/recover/done");
    // The new password signs in on A.
    const signIn = await new HttpUser(a).submit("/nl", { username: "jan.jansen@flynth.nl", password });
    expect(signIn.path).toBe("/nl/home");

    // Flows 2 and 3 from this network on B and A; the fourth, on B, is over the limit the two counted together.
    for (const base of [b, a]) {
      const next = await new HttpUser(base).submit("/nl/recover", { userId: "kees.bakker@flynth.nl", captcha: CAPTCHA_ANSWER });
      expect(next.path).toBe("/nl/recover/reason");
    }
    const refused = await new HttpUser(b).submit("/nl/recover", { userId: "kees.bakker@flynth.nl", captcha: CAPTCHA_ANSWER });
    expect(refused.path).toBe("/nl/recover");
    expect(visibleText(refused.html)).toContain("U hebt te vaak geprobeerd een account te herstellen");

    // Wrong passwords: three on A, two on B; the fifth locks the account (LOCKOUT_THRESHOLD 5), whichever took it.
    const answers: string[] = [];
    for (const base of [a, a, a, b, b]) {
      const answer = await new HttpUser(base).submit("/nl", { username: "kees.bakker@flynth.nl", password: "Verkeerd-wachtwoord-1" });
      answers.push(visibleText(answer.html).includes("Uw account is vergrendeld") ? "locked" : "wrong");
    }
    expect(answers).toEqual(["wrong", "wrong", "wrong", "wrong", "locked"]);
    // Locked on A as well: the right password is refused there.
    const right = await new HttpUser(a).submit("/nl", { username: "kees.bakker@flynth.nl", password: "Fietsen2026!" });
    expect(right.path).toBe("/nl");
    expect(visibleText(right.html)).toContain("Uw account is vergrendeld");

    // Each instance reports its own PostgreSQL pool: its size, the connections in use (the scrape's own database
    // gauges among them, so a few at most) and the work waiting for one.
    const metrics = await (await fetch(`${b}/api/metrics`, { headers: { Authorization: `Bearer ${env.METRICS_TOKEN}` } })).text();
    expect(metrics).toContain('toegang_database_pool_connections{state="size"} 10');
    expect(Number(/toegang_database_pool_connections\{state="in_use"\} (\d+)/.exec(metrics)?.[1])).toBeLessThanOrEqual(3);
    expect(metrics).toContain('toegang_database_pool_connections{state="waiting"} 0');

    for (const p of portals) expect(await p.stop()).toBe(0);
  } finally {
    for (const p of portals) {
      await p.stop("SIGKILL");
      p.cleanUp();
    }
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});
