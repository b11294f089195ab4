// A first start on an empty data folder: the server listens once the database is open and migrated, and answers pages
// while the demo users are still being written; a request with a body waits until they are, and the readiness probe
// says "not yet" until then (server/main.mjs, lib/startup.ts).
import net from "node:net";
import { expect, test } from "@playwright/test";
import { freePort, startPortal, type Portal } from "./portal-process";

type Answer = { what: "page" | "ready" | "post"; status: number; sent: number; at: number };

let portal: Portal | undefined;
test.afterAll(async () => {
  await portal?.stop("SIGKILL");
  portal?.cleanUp();
});

test("pages are answered while the demo users are written; posts wait for them and readiness says 503 until then", async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const answers: Answer[] = [];
  const ask = async (what: Answer["what"], path: string, init?: RequestInit) => {
    const sent = Date.now();
    const answer = await fetch(`${base}${path}`, init);
    await answer.arrayBuffer();
    answers.push({ what, status: answer.status, sent, at: Date.now() });
  };
  const inFlight: Promise<void>[] = [];
  let posted = false;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      try {
        // Connected: the server listens. Then a page, the probe and (once) a post, side by side.
        await new Promise<void>((resolve, reject) => {
          const socket = net.connect(port, "127.0.0.1", () => {
            socket.destroy();
            resolve();
          });
          socket.once("error", reject);
        });
        inFlight.push(ask("page", "/nl"), ask("ready", "/api/health/ready"));
        if (!posted) {
          posted = true;
          inFlight.push(
            ask("post", "/nl", {
              method: "POST",
              headers: { "Content-Type": "application/x-www-form-urlencoded" },
              body: "userId=nobody%40example.org",
            }),
          );
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  portal = await startPortal({}, { port });
  polling = false;
  await poll;
  await Promise.all(inFlight);

  const readyLine = portal.lines.find((l) => typeof l === "object" && String(l.msg).startsWith("Toegang is ready"));
  const readyAt = Date.parse(String(typeof readyLine === "object" ? readyLine.time : ""));
  expect(readyAt).toBeGreaterThan(0);
  const log = JSON.stringify({ readyAt, answers });
  // The server listened, and answered pages, before its start was done.
  expect(
    answers.some((a) => a.what === "page" && a.status === 200 && a.sent < readyAt),
    log,
  ).toBe(true);
  // Every probe answered before then said 503, and one did.
  const early = answers.filter((a) => a.what === "ready" && a.at < readyAt);
  expect(early.length, log).toBeGreaterThan(0);
  expect(
    early.every((a) => a.status === 503),
    log,
  ).toBe(true);
  // The post, sent while the demo users were written, was answered only after.
  const post = answers.find((a) => a.what === "post");
  expect(post && post.sent < readyAt && post.at >= readyAt, log).toBe(true);
  expect((await fetch(`${base}/api/health/ready`)).status).toBe(200);
});
