// Behind a real reverse proxy terminating TLS (issue 11 item 10): Debian's nginx, started here on the README's own nginx
// example (read out of README.md, so the two cannot drift; only ports and certificate files are replaced) with a
// throwaway self-signed certificate made here, in front of a portal with TRUSTED_PROXIES=127.0.0.1 and its production
// cookie settings. Over HTTPS through nginx: a client from this machine's network address is audited under that address
// and cannot forge another one, is refused the outbox (a client on loopback gets it), the portal's cookies are Secure
// (the session's __Host- and HttpOnly), its answers carry HSTS and nginx's request id, its own redirects stay on HTTPS;
// plain HTTP is redirected to HTTPS.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { expect, test } from "@playwright/test";
import { noteSecret } from "../fixtures/canaries";
import { formFields } from "./http-user";
import { ROOT, freePort, startPortal, type Portal } from "./portal-process";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p)) ?? "nginx";

/** This machine's own non-loopback IPv4 address: what nginx sees when a client connects to it. */
function networkAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal);
  if (!address) throw new Error("this machine has no non-loopback IPv4 address to play a client from the network");
  return address.address;
}

/** The README's nginx example: the ```nginx block that starts with its file name, as an operator copies it. */
function readmeNginxExample(): string {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const block = /```nginx\n(# \/etc\/nginx\/sites-enabled\/toegang\n[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("README.md has no ```nginx block starting with '# /etc/nginx/sites-enabled/toegang'");
  return block[1]!;
}

/** Replaces one machine-specific value of the example; the README must hold it exactly once, or this test is stale. */
function replaceOnce(text: string, from: string, to: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`the README's nginx example holds "${from}" ${count} times (expected once): update this test`);
  return text.replace(from, to);
}

/** A main nginx.conf for an unprivileged nginx in `dir`, including the site as Debian's http block does. */
const mainConfig = (dir: string) => `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/toegang.conf;
}
`;

type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

/** One request from a chosen local address; HTTPS trusts only the throwaway certificate. */
function request(
  url: string,
  options: { localAddress: string; ca: string; method?: string; headers?: Record<string, string | number>; body?: Buffer },
): Promise<Answer> {
  const { localAddress, ca, method = "GET", headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const done = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    };
    const req = url.startsWith("https:")
      ? https.request(url, { method, localAddress, headers, ca, agent: false }, done)
      : http.request(url, { method, localAddress, headers, agent: false }, done);
    req.on("error", reject);
    req.end(body);
  });
}

/** Posts the sign-in form as a browser without JavaScript would (the form's hidden fields, multipart). */
async function signIn(
  base: string,
  localAddress: string,
  ca: string,
  credentials: { username: string; password: string },
  forged?: string,
): Promise<Answer> {
  const page = await request(`${base}/nl`, { localAddress, ca });
  expect(page.status).toBe(200);
  const data = new FormData();
  for (const [n, v] of formFields(page.body, "username")) if (n !== "username" && n !== "password") data.append(n, v);
  data.append("username", credentials.username);
  data.append("password", credentials.password);
  noteSecret("password", credentials.password);
  const encoded = new Response(data);
  const body = Buffer.from(await encoded.arrayBuffer());
  const cookie = (page.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  return request(`${base}/nl`, {
    method: "POST",
    localAddress,
    ca,
    body,
    headers: {
      "Content-Type": encoded.headers.get("content-type")!,
      "Content-Length": body.length,
      ...(cookie ? { Cookie: cookie } : {}),
      ...(forged ? { "X-Forwarded-For": forged } : {}),
    },
  });
}

test("behind nginx terminating TLS (the README's example): HTTPS only, Secure cookies, the real client audited, no outbox for the network", async () => {
  const client = networkAddress();
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(os.tmpdir(), "toegang-nginx-"));
  let portal: Portal | undefined;
  let nginx: ChildProcess | undefined;
  let nginxExited: Promise<unknown> = Promise.resolve();
  try {
    // The README's example first: a stale one fails here, before anything is started.
    const PORTAL_PORT = "{portal port}";
    let site = readmeNginxExample();
    site = replaceOnce(site, "listen 443 ssl", `listen ${httpsPort} ssl`);
    site = replaceOnce(site, "listen 80;", `listen ${httpPort};`);
    // Both upstream entries go to this test's one portal (several instances on one database: instances.spec.ts).
    site = replaceOnce(site, "server 127.0.0.1:3000;", `server 127.0.0.1:${PORTAL_PORT};`);
    site = replaceOnce(site, "server 127.0.0.1:3001;", `server 127.0.0.1:${PORTAL_PORT};`);
    site = replaceOnce(site, "/etc/ssl/toegang/fullchain.pem", path.join(dir, "fullchain.pem"));
    site = replaceOnce(site, "/etc/ssl/toegang/privkey.pem", path.join(dir, "privkey.pem"));

    for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(dir, sub));
    // A throwaway certificate for this run only, for the names the clients below connect to.
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"],
        ...["-subj", "/CN=toegang.example.nl", "-addext", `subjectAltName=DNS:toegang.example.nl,IP:127.0.0.1,IP:${client}`],
        ...["-keyout", path.join(dir, "privkey.pem"), "-out", path.join(dir, "fullchain.pem")],
      ],
      { stdio: "pipe" },
    );
    const ca = readFileSync(path.join(dir, "fullchain.pem"), "utf8");
    // The production cookie setting (startPortal's default is plain-HTTP testing).
    portal = await startPortal({ TRUSTED_PROXIES: "127.0.0.1", COOKIE_SECURE: "true" });
    writeFileSync(path.join(dir, "toegang.conf"), site.replaceAll(PORTAL_PORT, String(portal.port)));
    writeFileSync(path.join(dir, "nginx.conf"), mainConfig(dir));
    const started = spawn(NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf")], { stdio: ["ignore", "pipe", "pipe"] });
    nginx = started;
    nginxExited = new Promise((resolve) => started.once("exit", resolve));

    const local = `https://127.0.0.1:${httpsPort}`;
    const remote = `https://${client}:${httpsPort}`;
    const fromLocal = { localAddress: "127.0.0.1", ca };
    const fromRemote = { localAddress: client, ca };
    await expect
      .poll(
        () =>
          request(`${local}/api/health/live`, fromLocal).then(
            (r) => r.status,
            (e: Error) => e.message,
          ),
        { message: "nginx answers over HTTPS" },
      )
      .toBe(200);

    // Plain HTTP is sent to HTTPS, same host and path, before anything reaches the portal.
    const plain = await request(`http://${client}:${httpPort}/nl/recover?from=mail`, fromRemote);
    expect(plain.status).toBe(301);
    expect(plain.headers.location).toBe(`https://${client}/nl/recover?from=mail`);

    // The portal's own redirects stay on HTTPS: they are relative (it never builds an absolute URL from the request).
    const root = await request(`${remote}/`, fromRemote);
    expect(root.status).toBeGreaterThanOrEqual(300);
    expect(root.status).toBeLessThan(400);
    expect(new URL(root.headers.location!, remote).href).toBe(`${remote}/nl`);

    // HSTS on the portal's answers over HTTPS, and nginx's request id carried through (the same id in both logs).
    const page = await request(`${remote}/nl`, fromRemote);
    expect(page.status).toBe(200);
    const hsts = /^max-age=(\d+)/.exec(page.headers["strict-transport-security"] ?? "");
    expect(Number(hsts?.[1]), "HSTS for at least a year").toBeGreaterThanOrEqual(365 * 24 * 3600);
    expect(page.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);

    // A client from the network: no outbox, whatever it claims. A client on this machine, through the same proxy: the outbox.
    expect((await request(`${remote}/dev/outbox`, fromRemote)).status).toBe(404);
    expect((await request(`${remote}/dev/outbox`, { ...fromRemote, headers: { "X-Forwarded-For": "127.0.0.1" } })).status).toBe(404);
    expect((await request(`${local}/dev/outbox`, fromLocal)).status).toBe(200);

    const wrong = (who: string) => ({ username: `via.nginx.${who}@flynth.nl`, password: "Verkeerd-wachtwoord-1" });
    expect((await signIn(remote, client, ca, wrong(client))).status).toBe(200);
    expect((await signIn(remote, client, ca, wrong(client), "198.51.100.66")).status).toBe(200);
    expect((await signIn(local, "127.0.0.1", ca, wrong("local"))).status).toBe(200);

    // A right password over HTTPS: the session cookie is __Host-, Secure and HttpOnly; every cookie the portal sets is Secure.
    const signedIn = await signIn(remote, client, ca, { username: "jan.jansen@flynth.nl", password: "Zeilboot2026!" });
    expect(signedIn.status).toBe(303);
    const cookies = signedIn.headers["set-cookie"] ?? [];
    const session = cookies.filter((c) => /^__Host-[^=]+=[^;]+/.test(c) && !/max-age=0/i.test(c));
    expect(session, `a __Host- session cookie among: ${cookies.join(" | ")}`).toHaveLength(1);
    expect(session[0]).toMatch(/;\s*Secure(;|$)/i);
    expect(session[0]).toMatch(/;\s*HttpOnly(;|$)/i);
    for (const c of [...cookies, ...(page.headers["set-cookie"] ?? [])]) expect(c, "every cookie Secure").toMatch(/;\s*Secure(;|$)/i);

    expect(await portal.stop()).toBe(0);
    const db = new PGlite(path.join(portal.dataDir, "pglite"));
    try {
      const { rows } = await db.query<{ ip: string }>("select ip from audit_events where event = 'sign_in.failed' order by id");
      expect(rows.map((r) => r.ip)).toEqual([client, client, "127.0.0.1"]);
    } finally {
      await db.close();
    }
  } finally {
    if (nginx && nginx.exitCode === null) nginx.kill("SIGQUIT");
    await nginxExited;
    const errors = existsSync(path.join(dir, "error.log")) ? readFileSync(path.join(dir, "error.log"), "utf8") : "";
    rmSync(dir, { recursive: true, force: true });
    await portal?.stop("SIGKILL");
    portal?.cleanUp();
    if (errors.includes("[emerg]")) throw new Error(`nginx: ${errors}`);
  }
});
