// Behind a real reverse proxy (issue #10 item 1): Debian's nginx, started here on a generated configuration like the
// README's, in front of a portal with TRUSTED_PROXIES=127.0.0.1. A client reaching nginx from this machine's network
// address (not loopback) is audited under that address, cannot forge another one, and is refused the outbox; a client
// on loopback gets the outbox.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { expect, test } from "@playwright/test";
import { freePort, signInForm, startPortal } from "./portal-process";
import { noteSecret } from "../fixtures/canaries";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p)) ?? "nginx";

/** This machine's own non-loopback IPv4 address: what nginx sees when a client connects to it. */
function networkAddress(): string {
  const address = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal);
  if (!address) throw new Error("this machine has no non-loopback IPv4 address to play a client from the network");
  return address.address;
}

/** The README's example, trimmed to what a test needs: nginx appends the client's address to X-Forwarded-For. */
function nginxConfig(dir: string, listen: string[], portalPort: number): string {
  return `
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
  server {
    ${listen.map((l) => `listen ${l};`).join("\n    ")}
    location / {
      proxy_pass http://127.0.0.1:${portalPort};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
}

/** A GET through nginx from a chosen local address. */
function get(url: string, localAddress: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
  });
}

/** A wrong-password sign-in through nginx from a chosen local address, with an optional forged header. */
async function signIn(url: string, localAddress: string, forged?: string): Promise<number> {
  const form = await signInForm(url);
  const data = new FormData();
  for (const [n, v] of form.fields) data.append(n, v);
  data.append("username", `via.nginx.${localAddress}@flynth.nl`);
  data.append("password", "Verkeerd-wachtwoord-1");
  noteSecret("password", "Verkeerd-wachtwoord-1");
  const encoded = new Response(data);
  const body = Buffer.from(await encoded.arrayBuffer());
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/nl`,
      {
        method: "POST",
        localAddress,
        agent: false,
        headers: {
          "Content-Type": encoded.headers.get("content-type")!,
          "Content-Length": body.length,
          Cookie: form.cookie,
          ...(forged ? { "X-Forwarded-For": forged } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

test("behind nginx, the audit trail shows the real client and the outbox is refused to a client from the network", async () => {
  const client = networkAddress();
  const portal = await startPortal({ TRUSTED_PROXIES: "127.0.0.1" });
  const dir = mkdtempSync(path.join(os.tmpdir(), "toegang-nginx-"));
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(path.join(dir, sub));
  const port = await freePort();
  writeFileSync(path.join(dir, "nginx.conf"), nginxConfig(dir, [`127.0.0.1:${port}`, `${client}:${port}`], portal.port));
  const nginx = spawn(NGINX, ["-p", dir, "-c", path.join(dir, "nginx.conf")], { stdio: ["ignore", "pipe", "pipe"] });
  const nginxExited = new Promise<number | null>((resolve) => nginx.once("exit", (code) => resolve(code)));
  try {
    const local = `http://127.0.0.1:${port}`;
    const remote = `http://${client}:${port}`;
    await expect
      .poll(
        () =>
          get(`${local}/api/health/live`, "127.0.0.1").then(
            (r) => r.status,
            () => 0,
          ),
        { message: "nginx is up" },
      )
      .toBe(200);

    // A client from the network: no outbox, whatever it claims.
    expect((await get(`${remote}/dev/outbox`, client)).status).toBe(404);
    expect((await get(`${remote}/dev/outbox`, client, { "X-Forwarded-For": "127.0.0.1" })).status).toBe(404);
    // A client on this machine, through the same proxy: the outbox answers.
    const outbox = await get(`${local}/dev/outbox`, "127.0.0.1");
    expect(outbox.status).toBe(200);

    expect(await signIn(remote, client)).toBe(200);
    expect(await signIn(remote, client, "198.51.100.66")).toBe(200);
    expect(await signIn(local, "127.0.0.1")).toBe(200);

    expect(await portal.stop()).toBe(0);
    const db = new PGlite(path.join(portal.dataDir, "pglite"));
    try {
      const { rows } = await db.query<{ ip: string }>("select ip from audit_events where event = 'sign_in.failed' order by id");
      expect(rows.map((r) => r.ip)).toEqual([client, client, "127.0.0.1"]);
    } finally {
      await db.close();
    }
  } finally {
    if (nginx.exitCode === null) nginx.kill("SIGQUIT");
    await nginxExited;
    const errors = existsSync(path.join(dir, "error.log")) ? readFileSync(path.join(dir, "error.log"), "utf8") : "";
    rmSync(dir, { recursive: true, force: true });
    await portal.stop("SIGKILL");
    portal.cleanUp();
    if (errors.includes("[emerg]")) throw new Error(`nginx: ${errors}`);
  }
});
