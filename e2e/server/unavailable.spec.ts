// The database goes away mid-session (issue #11 item 3): a portal on PostgreSQL reached through a TCP relay the test
// can cut, as a network failure or a database restart would. While it is cut, a page answers the translated 503 page
// with Retry-After and a reference that is in the log — for a plain page load (no JavaScript) and for the client
// router's data request (JavaScript) — and readiness says 503. Once the relay is back, the same session carries on
// without a restart and without a failed request.
import { randomBytes } from "node:crypto";
import net from "node:net";
import { expect, test } from "@playwright/test";
import postgres from "postgres";
import { freePort, signInForm, startPortal, type Portal } from "./portal-process";

const serverUrl = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");

/** A TCP relay to PostgreSQL that can be cut (listener closed, every connection destroyed) and restored. */
async function relay(port: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(serverUrl.port || 5432), serverUrl.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on("close", () => sockets.delete(s));
          s.on("error", () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, "127.0.0.1", resolve);
    });
  await open();
  return {
    cut: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server!.close(() => resolve());
      }),
    restore: open,
  };
}

test("with the database unreachable, pages answer 503 'temporarily unavailable' (JS on and off), and recover by themselves", async ({
  browser,
}) => {
  const name = `toegang_ops_unavailable_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const relayPort = await freePort();
  const link = await relay(relayPort);
  let portal: Portal | undefined;
  try {
    const url = new URL(serverUrl);
    url.port = String(relayPort);
    url.hostname = "127.0.0.1";
    url.pathname = `/${name}`;
    portal = await startPortal({
      DATABASE_URL: url.toString(),
      SESSION_SECRET: randomBytes(24).toString("hex"),
      HASH_KEY: randomBytes(24).toString("hex"),
      SEED_DEMO_USERS: "true",
    });
    const base = portal.url;

    // Signed in while everything works.
    const form = await signInForm(base);
    const body = new FormData();
    for (const [n, v] of form.fields) body.append(n, v);
    body.append("username", "jan.jansen@flynth.nl");
    body.append("password", "Zeilboot2026!");
    const signedIn = await fetch(`${base}/nl`, { method: "POST", body, headers: { Cookie: form.cookie }, redirect: "manual" });
    expect(signedIn.status).toBe(303);
    const cookie = [form.cookie, ...signedIn.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
    expect((await fetch(`${base}/nl/home`, { headers: { Cookie: cookie }, redirect: "manual" })).status).toBe(200);

    // A browser with JavaScript on the home page, before the outage.
    const context = await browser.newContext({ baseURL: base, javaScriptEnabled: true });
    await context.addCookies(
      cookie.split("; ").map((pair) => {
        const [name, ...value] = pair.split("=");
        return { name: name!, value: value.join("="), url: base };
      }),
    );
    const page = await context.newPage();
    await page.goto("/nl/home");

    await link.cut();
    // A page load, as without JavaScript.
    const res = await fetch(`${base}/nl/home`, { headers: { Cookie: cookie }, redirect: "manual" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("30");
    const html = await res.text();
    expect(html).toContain("Tijdelijk niet beschikbaar");
    const reference = /data-reference="([^"]+)"/.exec(html)?.[1];
    expect(reference).toBe(res.headers.get("x-request-id"));
    // The reference the user quotes finds the log line that says what was unreachable.
    expect(portal.lines.some((l) => typeof l === "object" && l.reqId === reference && /dependency unreachable/.test(String(l.msg)))).toBe(
      true,
    );
    // With JavaScript: a client navigation (the language switch) during the outage.
    await page.getByRole("link", { name: "Switch to English" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Temporarily unavailable");
    await context.close();

    const english = await fetch(`${base}/en/home`, { headers: { Cookie: cookie } });
    expect(english.status).toBe(503);
    expect(await english.text()).toContain("Temporarily unavailable");
    const ready = await fetch(`${base}/api/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "unavailable", checks: { database: "unreachable" } });
    expect((await fetch(`${base}/api/health/live`)).status).toBe(200);

    await link.restore();
    // The first request after the outage already succeeds: dead pooled connections are replaced, not reused.
    const back = await fetch(`${base}/nl/home`, { headers: { Cookie: cookie }, redirect: "manual" });
    expect(back.status).toBe(200);
    expect((await fetch(`${base}/api/health/ready`)).status).toBe(200);
    expect(await portal.stop()).toBe(0);
  } finally {
    await portal?.stop("SIGKILL");
    portal?.cleanUp();
    await link.cut().catch(() => {});
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});
