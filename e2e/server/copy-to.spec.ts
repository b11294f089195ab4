// Moving to PostgreSQL (issue #11 item 8, Done when): a portal runs on the embedded database with the demo users, a
// demo user signs in and another one starts an unlock; the portal stops. Then the README's steps ("Moving to
// PostgreSQL", "Database roles") on a throwaway PostgreSQL cluster (e2e/server/pg-cluster.ts): an owner and a runtime
// role, an empty database of the owner's, `npm run db -- copy-to` as the owner, `npm run db:migrate` to grant the
// runtime role, and a portal started as the runtime role with the data folder's HASH_KEY and SESSION_SECRET. On the copy
// the demo users sign in, the unlock that was open before the move finishes with the same cookie, and
// `npm run audit -- verify` passes.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { CAPTCHA_ANSWER, HttpUser, cli, codeFor, visibleText } from "./http-user";
import { throwawayCluster, type Cluster } from "./pg-cluster";
import { startPortal, type Portal } from "./portal-process";

const WIZARD = { CAPTCHA_TEST_ANSWER: CAPTCHA_ANSWER, SMS_PROVIDER: "outbox" };

test("copy-to into an empty PostgreSQL database: a portal on the copy signs the demo users in, continues an open flow, and the audit trail verifies", async () => {
  // Two portal starts, initdb and a cluster start, three CLI runs: about 40 s on a quiet machine.
  test.setTimeout(180_000);
  let cluster: Cluster | undefined;
  let embedded: Portal | undefined;
  let copied: Portal | undefined;
  try {
    embedded = await startPortal(WIZARD);
    const dataDir = embedded.dataDir;
    // Before the move: Jan signs in, Petra (locked) starts an unlock and gets as far as the number step.
    expect((await new HttpUser(embedded.url).submit("/nl", { username: "jan.jansen@flynth.nl", password: "Zeilboot2026!" })).path).toBe(
      "/nl/home",
    );
    const petra = new HttpUser(embedded.url);
    let page = await petra.submit("/nl/recover", { userId: "petra.devries@flynth.nl", captcha: CAPTCHA_ANSWER });
    expect(page.path).toBe("/nl/recover/reason");
    page = await petra.submit(page.path, { intent: "unlock" });
    expect(page.path).toBe("/nl/recover/verify");
    // The copy needs the data folder to itself.
    expect(await embedded.stop()).toBe(0);

    cluster = await throwawayCluster();
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    // The cluster trusts loopback connections, so the roles need no passwords here.
    await admin.unsafe("create role toegang login");
    await admin.unsafe("create role toegang_app login");
    await admin.unsafe("create database toegang owner toegang");
    await admin.end();
    const as = (role: string) => cluster!.url.replace("postgres@", `${role}@`).replace(/\/postgres$/, "/toegang");
    const copyOut = await cli("db", ["copy-to", as("toegang")], { DATA_DIR: dataDir });
    expect(copyOut).toMatch(/Audit trail verified on the copy: head seq \d+/);

    const env = {
      ...WIZARD,
      DATABASE_URL: as("toegang_app"),
      HASH_KEY: readFileSync(path.join(dataDir, "hash-key"), "utf8").trim(),
      SESSION_SECRET: readFileSync(path.join(dataDir, "session-secret"), "utf8").trim(),
      // The copy holds the users: nothing may be seeded on a real database for this test to pass.
      SEED_DEMO_USERS: "false",
    };
    const owner = { ...env, MIGRATION_DATABASE_URL: as("toegang") };
    await cli("db", ["migrate"], owner);
    // The portal runs as the runtime role alone, without the owner's URL.
    copied = await startPortal(env);

    // The demo users sign in on the copy with their passwords (hashes and keyed lookups moved intact).
    for (const [username, password] of [
      ["jan.jansen@flynth.nl", "Zeilboot2026!"],
      ["beheer@flynth.nl", "Stempelkussen2026!"],
    ] as const) {
      const signedIn = await new HttpUser(copied.url).submit("/nl", { username, password });
      expect(signedIn.path, `${username} signs in on the copy`).toBe("/nl/home");
    }
    const wrong = await new HttpUser(copied.url).submit("/nl", { username: "jan.jansen@flynth.nl", password: "Zeilboot2025!" });
    expect(wrong.path).toBe("/nl");
    expect(visibleText(wrong.html)).toContain("Er is een onjuiste gebruikersnaam of wachtwoord ingevoerd");

    // Petra's open flow continues where it was, with the cookie from before the move: number, code, unlocked.
    page = await petra.moveTo(copied.url).submit(page.path, { phone: "0687654321", channel: "sms" });
    expect(page.path).toBe("/nl/recover/code");
    page = await petra.submit(page.path, { code: await codeFor(copied.url, "+31687654321") });
    expect(page.path).toBe("/nl/recover/done");
    expect((await new HttpUser(copied.url).submit("/nl", { username: "petra.devries@flynth.nl", password: "Tulpenbol2026!" })).path).toBe(
      "/nl/home",
    );
    expect(await copied.stop()).toBe(0);

    // The chain as copied, with the rows the portal on the copy added after it.
    const verified = await cli("audit", ["verify"], owner);
    expect(verified).toMatch(/Audit trail OK: \d+ rows? verified/);
  } finally {
    await embedded?.stop("SIGKILL");
    await copied?.stop("SIGKILL");
    embedded?.cleanUp();
    copied?.cleanUp();
    await cluster?.destroy();
  }
});
