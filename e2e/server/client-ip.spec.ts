// The client IP on a real socket (issue #10 item 1): a portal of its own, `npm start`'s server, sign-ins posted the way
// a browser without JavaScript posts them. Without TRUSTED_PROXIES, X-Forwarded-For changes nothing — 101 sign-ins
// with 101 different headers meet the per-IP limit and the audit trail shows the loopback address; with
// TRUSTED_PROXIES=127.0.0.1 the header's client is the one limited and audited. The development pages follow the TCP
// peer too.
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { expect, test } from "@playwright/test";
import { CAPTCHA_ANSWER } from "./http-user";
import { signInForm, startPortal, type Portal } from "./portal-process";
import { noteSecret } from "../fixtures/canaries";

const RATE_LIMITED = "U hebt te vaak geprobeerd aan te melden vanaf dit netwerk";
const WRONG = "Er is een onjuiste gebruikersnaam of wachtwoord ingevoerd";

let attempt = 0;

/**
 * One sign-in with a wrong password, as a plain form post, each for a different user ID nobody has (unknown IDs lock
 * like real ones after five tries; one try each keeps every answer "wrong password" until the limit).
 */
async function signIn(_portal: Portal, form: Awaited<ReturnType<typeof signInForm>>, forwardedFor: string): Promise<string> {
  const body = new FormData();
  for (const [name, value] of form.fields) body.append(name, value);
  body.append("username", `niemand.${++attempt}@flynth.nl`);
  body.append("password", "Verkeerd-wachtwoord-1");
  noteSecret("password", "Verkeerd-wachtwoord-1");
  const res = await fetch(form.action, { method: "POST", body, headers: { "X-Forwarded-For": forwardedFor, Cookie: form.cookie } });
  expect(res.status).toBe(200);
  return res.text();
}

/** The IPs the audit trail recorded for sign-in events, read from the stopped portal's embedded database. */
async function auditedSignIns(portal: Portal): Promise<Array<{ event: string; ip: string | null }>> {
  const db = new PGlite(path.join(portal.dataDir, "pglite"));
  try {
    const { rows } = await db.query<{ event: string; ip: string | null }>(
      "select event, ip from audit_events where event like 'sign_in.%' order by id",
    );
    return rows;
  } finally {
    await db.close();
  }
}

test.describe.configure({ mode: "serial" });

test("without TRUSTED_PROXIES, 101 sign-ins with 101 forged X-Forwarded-For values meet the per-IP limit, audited as 127.0.0.1", async () => {
  // 101 posts, each verifying an Argon2 hash: about 20 s on two busy cores; the default 60 s leaves room for the start.
  test.setTimeout(180_000);
  const portal = await startPortal({ LIMIT_SIGNIN_PER_IP_PER_HOUR: "100" });
  try {
    const form = await signInForm(portal.url);
    const answers: string[] = [];
    for (let i = 1; i <= 101; i++) answers.push(await signIn(portal, form, `203.0.${Math.floor(i / 250)}.${i % 250}`));
    expect(answers.slice(0, 100).every((html) => html.includes(WRONG))).toBe(true);
    expect(answers[100]).toContain(RATE_LIMITED);

    // The outbox is this machine's: a forged header does not hide that, and does not make anyone else local either.
    const outbox = await fetch(`${portal.url}/dev/outbox`, { headers: { "X-Forwarded-For": "198.51.100.9" } });
    expect(outbox.status).toBe(200);

    expect(await portal.stop()).toBe(0);
    const audited = await auditedSignIns(portal);
    expect(audited.filter((a) => a.event === "sign_in.failed")).toHaveLength(100);
    expect(audited.filter((a) => a.event === "sign_in.rate_limited")).toHaveLength(1);
    expect(new Set(audited.map((a) => a.ip))).toEqual(new Set(["127.0.0.1"]));
  } finally {
    await portal.stop("SIGKILL");
    portal.cleanUp();
  }
});

test("with TRUSTED_PROXIES=127.0.0.1 the client in X-Forwarded-For is limited and audited, and a forwarded client is not local", async () => {
  const portal = await startPortal({ TRUSTED_PROXIES: "127.0.0.1", LIMIT_SIGNIN_PER_IP_PER_HOUR: "3" });
  try {
    const form = await signInForm(portal.url);
    // Three different clients behind the proxy, one attempt each, then one client four times: only it is limited.
    for (const client of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) expect(await signIn(portal, form, client)).toContain(WRONG);
    const repeated = [];
    // What the client wrote itself (left of the proxy's entry) is ignored.
    for (let i = 0; i < 4; i++) repeated.push(await signIn(portal, form, `10.9.9.${i}, 198.51.100.20`));
    expect(repeated.slice(0, 3).every((html) => html.includes(WRONG))).toBe(true);
    expect(repeated[3]).toContain(RATE_LIMITED);

    // The proxy on this machine forwarding a client from the network does not open the development pages.
    expect((await fetch(`${portal.url}/dev/outbox`, { headers: { "X-Forwarded-For": "198.51.100.9" } })).status).toBe(404);
    expect((await fetch(`${portal.url}/dev/outbox`, { headers: { "X-Forwarded-For": "127.0.0.1" } })).status).toBe(200);

    expect(await portal.stop()).toBe(0);
    const audited = await auditedSignIns(portal);
    expect(audited.map((a) => a.ip)).toEqual(["203.0.113.1", "203.0.113.2", "203.0.113.3", ...Array(4).fill("198.51.100.20")]);
    expect(audited.at(-1)!.event).toBe("sign_in.rate_limited");
  } finally {
    await portal.stop("SIGKILL");
    portal.cleanUp();
  }
});

test("with a real SMS provider the development pages do not exist, even for this machine", async () => {
  const portal = await startPortal({
    SMS_PROVIDER: "messagebird",
    MESSAGEBIRD_ACCESS_KEY: "test_not_used",
    MESSAGEBIRD_ORIGINATOR: "Flynth",
  });
  try {
    for (const page of ["/dev/outbox", "/dev/message-events?since=2020-01-01T00:00:00Z", "/dev/captcha-transcript?t=x"]) {
      expect((await fetch(`${portal.url}${page}`)).status, page).toBe(404);
    }
    expect(portal.lines.some((l) => typeof l === "object" && /WARNING: the portal listens/.test(String(l.msg)))).toBe(false);
  } finally {
    await portal.stop("SIGKILL");
    portal.cleanUp();
  }
});

test("with the outbox on a non-loopback address the start warns loudly, saying the CAPTCHA test answer is this machine's", async () => {
  const portal = await startPortal({ HOST: "0.0.0.0", CAPTCHA_TEST_ANSWER: CAPTCHA_ANSWER });
  try {
    const warning = portal.lines.find((l) => typeof l === "object" && /WARNING: the portal listens on 0\.0\.0\.0/.test(String(l.msg)));
    expect(warning, "start warning").toBeTruthy();
    expect((warning as { level: string }).level).toBe("warn");
    expect(String((warning as { msg: string }).msg)).toContain("(CAPTCHA_TEST_ANSWER) is likewise accepted from this machine only");
    expect(String((warning as { msg: string }).msg)).not.toContain(CAPTCHA_ANSWER);
  } finally {
    await portal.stop("SIGKILL");
    portal.cleanUp();
  }
});
