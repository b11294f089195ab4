// Readiness with a configured directory that cannot be reached (issue #11 item 4), end to end: the real portal with
// DIRECTORY=ldap and an LDAP_URL on a loopback port nobody listens on. /api/health/ready answers 503 naming the
// directory — database and migrations fine — with nothing of the directory's settings in the body (not the service
// account's password, not its DN, not the URL); the reason is in the log, never the password. /api/health/live stays
// 200 (an orchestrator must not restart a healthy process for a directory outage). A sign-in, which needs the directory,
// answers the translated 503 page. (The browser journeys against an unreachable AD, in both languages with and
// without JavaScript, are e2e/directories/unavailable.spec.ts; they need Samba's settings and run in the full scope.)
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { HttpUser, visibleText } from "./http-user";
import { freePort, startPortal, type Portal } from "./portal-process";

test("a configured directory that cannot be reached: ready 503 naming the directory without its secrets, live 200, sign-in the translated 503 page", async () => {
  const closedPort = await freePort();
  const bindPassword = `Bind-Geheim-${randomBytes(6).toString("hex")}`;
  const bindDn = "cn=toegang-svc-canary,ou=services,dc=flynth,dc=nl";
  let portal: Portal | undefined;
  try {
    portal = await startPortal({
      DIRECTORY: "ldap",
      LDAP_URL: `ldap://127.0.0.1:${closedPort}`,
      LDAP_BIND_DN: bindDn,
      LDAP_BIND_PASSWORD: bindPassword,
      LDAP_BASE_DN: "ou=people,dc=flynth,dc=nl",
      LDAP_TIMEOUT_MS: "1000",
      SEED_DEMO_USERS: "false",
    });
    const secrets = [bindPassword, bindDn, "toegang-svc-canary", `127.0.0.1:${closedPort}`];

    const ready = await fetch(`${portal.url}/api/health/ready`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get("retry-after")).toBe("5");
    const body = await ready.text();
    expect(JSON.parse(body)).toEqual({ status: "unavailable", checks: { database: "ok", migrations: "ok", directory: "unreachable" } });
    for (const secret of secrets) expect(body).not.toContain(secret);

    const live = await fetch(`${portal.url}/api/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "live" });

    // A sign-in needs the directory: the English 503 page, with Retry-After, and none of the settings on it.
    const signIn = await new HttpUser(portal.url).submit("/en", { username: "sanne.visser@flynth.nl", password: "Zomer-Tulpen-2026" });
    expect(signIn.status).toBe(503);
    const text = visibleText(signIn.html);
    expect(text).toContain("The account service cannot be reached right now");
    expect(text).toContain("Nothing about your account was changed.");
    for (const secret of secrets) expect(signIn.html).not.toContain(secret);

    // The operator finds the reason in the log; the service account's password is nowhere in it.
    const log = portal.lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l)));
    expect(log.some((l) => l.includes("readiness: directory check failed"))).toBe(true);
    for (const line of log) expect(line).not.toContain(bindPassword);
  } finally {
    await portal?.stop("SIGKILL");
    portal?.cleanUp();
  }
});
