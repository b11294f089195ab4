// The providers suite's helpers: the MessageBird stand-in's control endpoints (HTTPS with its own CA, so certificate
// errors are ignored here), this suite's users, getting past "Wie bent u?" with hCaptcha, and the messaging audit events.
import { readFileSync } from "node:fs";
import path from "node:path";
import { request as http, type APIRequestContext, type Page } from "@playwright/test";
import { expect, test as base, type Portal } from "../fixtures/portal";
import { chooseReason, expectStep, fillIdentify, submitNumber, type Channel, type Inspect, type Intent } from "../fixtures/recovery";
import { noteSecret } from "../fixtures/canaries";
import { unregisteredMobile } from "../fixtures/users";

export { expect };

export const MESSAGEBIRD_STAND_IN = `https://127.0.0.1:${process.env.E2E_MESSAGEBIRD_PORT ?? 3182}`;

export type RecordedRequest = { method: string; path: string; body: Record<string, unknown>; at: string };
export type Mode = "ok" | "500" | "slow" | "invalid-recipient";

/**
 * The MessageBird stand-in as one project's tests see it: only the project's own numbers (its user's and the
 * unregistered one it types), whose mode and records are kept per number, so projects can run side by side.
 */
export class MessageBirdControl {
  private readonly recipients: string[];

  constructor(
    private readonly api: APIRequestContext,
    /** E.164 numbers (+316…). */
    recipients: string[],
  ) {
    this.recipients = recipients.map((r) => r.replace(/^\+/, ""));
  }

  /** What reached the stand-in for this project's numbers. */
  async requests(): Promise<RecordedRequest[]> {
    const all = (await (await this.api.get(`${MESSAGEBIRD_STAND_IN}/__control/requests`)).json()) as RecordedRequest[];
    return all.filter((r) => this.recipients.includes(String(r.body.recipients)));
  }

  async setMode(mode: Mode): Promise<void> {
    for (const recipient of this.recipients) {
      expect((await this.api.post(`${MESSAGEBIRD_STAND_IN}/__control/mode`, { data: { mode, recipient } })).ok()).toBe(true);
    }
  }

  async reset(): Promise<void> {
    for (const recipient of this.recipients) {
      expect((await this.api.post(`${MESSAGEBIRD_STAND_IN}/__control/reset`, { data: { recipient } })).ok()).toBe(true);
    }
  }

  /** The flows this project's messages belong to (the SDK's reference): to tell its audit events from other projects'. */
  async flowIds(): Promise<Set<string>> {
    return new Set((await this.requests()).map((r) => String(r.body.reference)));
  }

  /** Has the stand-in send a signed (or deliberately badly signed) status report to the portal; returns the portal's answer. */
  async report(input: {
    to: string;
    id: string;
    status: "delivered" | "delivery_failed";
    reason?: string;
    signature?: "good" | "bad" | "stale" | "none";
  }) {
    const answer = await this.api.post(`${MESSAGEBIRD_STAND_IN}/__control/report`, { data: input });
    expect(answer.ok(), await answer.text()).toBe(true);
    return (await answer.json()) as { status: number; body: string };
  }

  /** Waits for the stand-in to have received `count` requests to a recipient, and returns them. */
  async forRecipient(e164: string, count = 1): Promise<RecordedRequest[]> {
    const recipient = e164.replace(/^\+/, "");
    let found: RecordedRequest[] = [];
    await expect
      .poll(async () => {
        found = (await this.requests()).filter((r) => r.body.recipients === recipient);
        return found.length;
      })
      .toBeGreaterThanOrEqual(count);
    return found;
  }
}

export const test = base.extend<{ messagebird: MessageBirdControl }>({
  messagebird: async ({ portal }, use) => {
    const api = await http.newContext({ ignoreHTTPSErrors: true });
    const control = new MessageBirdControl(api, [providerUser(portal.project).recipient, unregisteredMobile(portal.project).recipient]);
    await control.reset();
    await use(control);
    await control.reset();
    await api.dispose();
  },
});

/** This suite's user for a project (e2e/providers/users.csv, imported before the server starts). */
export function providerUser(project: string): { email: string; mobile: string; recipient: string; lastName: string } {
  const [header, ...lines] = readFileSync(path.join(__dirname, "users.csv"), "utf8").trim().split(/\r?\n/);
  const columns = header!.split(",");
  for (const line of lines) {
    const f = line.split(",");
    const field = (name: string) => f[columns.indexOf(name)] ?? "";
    if (field("email") !== `provider-${project}@flynth.nl`) continue;
    return {
      email: field("email"),
      mobile: field("mobile"),
      recipient: `+31${field("mobile").replace(/\D/g, "").slice(1)}`,
      lastName: field("last_name"),
    };
  }
  throw new Error(`provider-${project}@flynth.nl is missing from e2e/providers/users.csv`);
}

/** "Wie bent u?" with hCaptcha: a tick in the widget with JavaScript, the built-in CAPTCHA without; then "Volgende". */
export async function identify(page: Page, portal: Portal, userId: string): Promise<void> {
  if (!portal.js) return fillIdentify(page, portal, userId);
  await page.getByLabel(portal.t.recover.userId, { exact: true }).fill(userId);
  const box = page
    .locator("#captchaWidget iframe")
    .contentFrame()
    .getByRole("checkbox", { name: portal.language === "nl" ? "Ik ben een mens" : "I am human" });
  await box.click();
  await expect(page.locator('main form textarea[name="h-captcha-response"]')).toHaveValue(/^P1_/);
  await page.getByRole("button", { name: portal.t.recover.next, exact: true }).click();
}

/** From "Wie bent u?" to the code page, inspecting every step on the way. */
export async function walkToCode(
  page: Page,
  portal: Portal,
  inspect: Inspect,
  input: { userId: string; typed: string; channel?: Channel; intent?: Intent },
): Promise<void> {
  await page.goto(`/${portal.language}/recover`);
  await expectStep(page, portal, inspect, "identify");
  await identify(page, portal, input.userId);
  await expectStep(page, portal, inspect, "reason");
  await chooseReason(page, portal, input.intent ?? "reset");
  await expectStep(page, portal, inspect, "verify");
  await submitNumber(page, portal, input.channel ?? "sms", input.typed);
  await expectStep(page, portal, inspect, "code");
}

export type MessageEvent = {
  at: string;
  event: string;
  outcome: string;
  reason: string | null;
  flowId: string | null;
  details: Record<string, unknown> | null;
};

/**
 * The portal's messaging audit events since a moment (GET /dev/message-events, test mode only). With `of`, only those of
 * the flows that project's messages belong to: other projects' tests run at the same time.
 */
export async function messageEvents(page: Page, since: Date, of?: MessageBirdControl): Promise<MessageEvent[]> {
  const answer = await page.request.get(`/dev/message-events?since=${encodeURIComponent(since.toISOString())}`);
  expect(answer.status()).toBe(200);
  const events = (await answer.json()) as MessageEvent[];
  if (!of) return events;
  const flows = await of.flowIds();
  return events.filter((e) => e.flowId !== null && flows.has(e.flowId));
}

/** The six digits of a code in an SMS text, or spoken one by one in a call ("4, 0, 7, 1, 9, 3"). */
export function codeFrom(request: RecordedRequest): string {
  const text = String(request.body.body ?? "");
  const code = /\b(\d{6})\b/.exec(text)?.[1] ?? /\b(\d(?:, \d){5})\b/.exec(text)?.[1]?.replace(/, /g, "");
  if (!code) throw new Error(`no code in ${request.path}: ${text}`);
  // Sent through the MessageBird stand-in, not the outbox: the canary check knows it from here.
  noteSecret("code", code);
  return code;
}
