// Malformed input never yields a 5xx (issue 10, item 7), over `npm start`'s server and the production build: fast-check
// sends every route handler (app/api, app/dev), every page and every server action (their ids from the build, checked
// against the ids the pages' forms carry) malformed requests — wrong methods and content types, broken multipart, JSON
// junk as action arguments, NUL bytes, invalid UTF-8, huge fields, odd headers — and no answer may be 500 or above; the
// portal still answers normally afterwards. The seed and the number of runs are fixed and printed: FUZZ_SEED and
// FUZZ_RUNS replay or widen a run.
import fc from "fast-check";
import { expect, test } from "@playwright/test";
import { actionRequest, describe, pages, renderedActionIds, routeHandlers, routeRequest, send, serverActions } from "./malformed-requests";
import { startPortal, type Portal } from "./portal-process";

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_130);
// About 20 requests per route, page or action; ~30 s on two cores.
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);

let portal: Portal;
test.beforeAll(async () => {
  portal = await startPortal({
    // The fuzz is about answers, not limits: every request comes from 127.0.0.1, and a 429 would stop it from reaching
    // the code behind the limit.
    LIMIT_SIGNIN_PER_IP_PER_HOUR: "100000",
    LIMIT_FLOWS_PER_IP_PER_HOUR: "100000",
    LIMIT_CAPTCHA_PER_IP_PER_HOUR: "100000",
    LIMIT_CAPTCHA_IMAGES_PER_IP_PER_HOUR: "100000",
    LIMIT_CAPTCHA_AUDIO_PER_IP_PER_HOUR: "100000",
  });
});
test.afterAll(async () => {
  await portal?.stop("SIGKILL");
  portal?.cleanUp();
});

test("the fuzz covers every route handler, page and server action, with the ids the pages really render", async () => {
  const routes = routeHandlers();
  expect(routes.map((r) => r.path)).toEqual(
    expect.arrayContaining(["/api/captcha/image", "/api/messagebird/reports", "/dev/message-events"]),
  );
  for (const route of routes) expect(route.methods.length, route.path).toBeGreaterThan(0);
  expect(pages().map((p) => p.path)).toEqual(expect.arrayContaining(["/nl", "/nl/recover", "/nl/admin/sign-in", "/dev/outbox"]));

  const actions = serverActions();
  expect(actions.map((a) => a.name)).toEqual(
    expect.arrayContaining(["signInAction", "startRecoveryAction", "verifyCodeAction", "helpdeskAction"]),
  );
  for (const action of actions) expect(action.pages.length, action.name).toBeGreaterThan(0);
  // The forms as a browser without JavaScript gets them carry ids of this very build.
  const rendered = [];
  for (const page of ["/nl", "/nl/recover", "/nl/admin/sign-in"])
    rendered.push(...renderedActionIds(await (await fetch(portal.url + page)).text()));
  expect(rendered.length).toBeGreaterThanOrEqual(3);
  for (const id of rendered) expect(actions.map((a) => a.id)).toContain(id);
});

test("malformed requests to every route, page and action: no answer ≥ 500, and the portal answers normally afterwards", async () => {
  const targets = [...routeHandlers().map(routeRequest), ...pages().map(routeRequest), ...serverActions().map(actionRequest)];
  console.log(`malformed-input fuzz: seed ${SEED}, ${RUNS} runs over ${targets.length} targets (FUZZ_SEED / FUZZ_RUNS to replay)`);
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(fc.oneof(...targets), async (request) => {
      const answer = await send(portal.url, request);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      if (answer.status >= 500 || answer.status < 100) {
        throw new Error(`answered ${answer.status} to\n${describe(request)}\n\n${answer.body.slice(0, 500)}`);
      }
    }),
    // No shrinking: each step is a request to a live server; the failing request is printed as it was sent.
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  console.log(`malformed-input fuzz: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  // Refusals, not only 404s: the fuzz reached the proxy's and the handlers' own checks.
  expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
  expect(statuses.get(413) ?? 0).toBeGreaterThan(0);
  expect([...statuses.keys()].some((s) => s >= 200 && s < 400)).toBe(true);

  // The server's own log agrees: no request it answered was a 5xx.
  const serverErrors = portal.lines.filter(
    (l) => typeof l === "object" && l.msg === "request" && typeof l.status === "number" && l.status >= 500,
  );
  expect(serverErrors).toEqual([]);
  // And the portal still works.
  expect((await fetch(`${portal.url}/api/health/ready`)).status).toBe(200);
  const signIn = await fetch(`${portal.url}/nl`);
  expect(signIn.status).toBe(200);
  expect(await signIn.text()).toContain('name="username"');
});
