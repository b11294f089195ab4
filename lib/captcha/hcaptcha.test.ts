// hCaptcha verification against the local stand-in (started in this process): what passes, what is refused, and that a
// slow, broken or unreachable siteverify fails closed after exactly one request.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { HCAPTCHA_TEST_SITE_KEY } from "@/lib/config";
import { judgeSiteverify, portalHostname, verifyHcaptcha } from "./hcaptcha";
import { hcaptchaStandInForFile } from "./hcaptcha.test-helper";

/** The portal's host name in these tests (vitest.config.ts sets BASE_URL). */
const HOST = "localhost";
const IP = "192.0.2.44";

const { standIn, configFor } = hcaptchaStandInForFile();
const token = (sitekey = HCAPTCHA_TEST_SITE_KEY, hostname = HOST) => standIn().issueToken({ sitekey, hostname });

describe("verifyHcaptcha against the stand-in", () => {
  it("accepts a fresh token from a widget with our site key on our host, in one request that names the token, site key and IP", async () => {
    const t = token();
    expect(await verifyHcaptcha(t, IP, configFor())).toEqual({ kind: "ok" });
    const sent = standIn().verifications();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ response: t, remoteip: IP, sitekey: HCAPTCHA_TEST_SITE_KEY, secret: "test-secret", status: 200 });
  });

  it("leaves out remoteip when the client IP is unknown", async () => {
    expect(await verifyHcaptcha(token(), null, configFor())).toEqual({ kind: "ok" });
    expect(standIn().verifications()[0]!.remoteip).toBeNull();
  });

  it("refuses what siteverify refuses, with hCaptcha's error codes as the reason", async () => {
    const config = configFor();
    expect(await verifyHcaptcha("P1_made-up-token", IP, config)).toEqual({
      kind: "refused",
      reason: "invalid-input-response",
      misconfigured: false,
    });
    const used = token();
    expect(await verifyHcaptcha(used, IP, config)).toEqual({ kind: "ok" });
    expect(await verifyHcaptcha(used, IP, config)).toEqual({ kind: "refused", reason: "already-seen-response", misconfigured: false });
    standIn().setMode("fail");
    expect(await verifyHcaptcha(token(), IP, config)).toEqual({ kind: "refused", reason: "invalid-input-response", misconfigured: false });
    expect(standIn().verifications()).toHaveLength(4);
  });

  it("refuses a token that siteverify accepts for another site key or another host name", async () => {
    const config = configFor();
    expect(await verifyHcaptcha(token("20000000-ffff-ffff-ffff-000000000002"), IP, config)).toEqual({
      kind: "refused",
      reason: "sitekey-mismatch",
      misconfigured: false,
    });
    expect(await verifyHcaptcha(token(HCAPTCHA_TEST_SITE_KEY, "phishing.example"), IP, config)).toEqual({
      kind: "refused",
      reason: "hostname-mismatch",
      misconfigured: false,
    });
    // Our own host name passes in any case, as host names are case-insensitive.
    expect(await verifyHcaptcha(token(HCAPTCHA_TEST_SITE_KEY, "LocalHost"), IP, config)).toEqual({ kind: "ok" });
  });

  it("marks a refusal of the portal's own keys as misconfiguration (the user is not to blame)", async () => {
    const verdict = await verifyHcaptcha(token(), IP, configFor({ HCAPTCHA_SECRET: "0x1111111111111111111111111111111111111111" }));
    expect(verdict).toEqual({ kind: "refused", reason: "invalid-input-secret", misconfigured: true });
    // The stand-in saw a secret, but not its value.
    expect(standIn().verifications()[0]!.secret).toBe("other");
    expect(JSON.stringify(standIn().verifications())).not.toContain("0x1111");
  });

  it("fails closed on HTTP 500, after exactly one request", async () => {
    standIn().setMode("error");
    expect(await verifyHcaptcha(token(), IP, configFor())).toEqual({ kind: "unavailable", reason: "http-500" });
    expect(standIn().verifications()).toHaveLength(1);
  });

  it("gives up after PROVIDER_TIMEOUT_MS (here 500 ms) when siteverify is slow, after exactly one request", async () => {
    standIn().setMode("slow");
    expect(await verifyHcaptcha(token(), IP, configFor())).toEqual({ kind: "unavailable", reason: "timeout" });
    expect(standIn().verifications()).toHaveLength(1);
  });

  it("fails closed when nothing listens at the siteverify URL", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const verdict = await verifyHcaptcha(token(), IP, configFor({ HCAPTCHA_VERIFY_URL: `http://127.0.0.1:${port}/siteverify` }));
    expect(verdict).toEqual({ kind: "unavailable", reason: "network" });
  });

  it("fails closed when siteverify answers something that is not its JSON, after exactly one request", async () => {
    let requests = 0;
    const odd = http.createServer((_req, res) => {
      requests++;
      res.writeHead(200, { "Content-Type": "text/html" }).end("<html>maintenance</html>");
    });
    await new Promise<void>((resolve) => odd.listen(0, "127.0.0.1", resolve));
    const { port } = odd.address() as AddressInfo;
    try {
      const verdict = await verifyHcaptcha(token(), IP, configFor({ HCAPTCHA_VERIFY_URL: `http://127.0.0.1:${port}/siteverify` }));
      expect(verdict).toEqual({ kind: "unavailable", reason: "bad-response" });
      expect(requests).toBe(1);
    } finally {
      await new Promise<void>((resolve) => odd.close(() => resolve()));
    }
  });
});

describe("judgeSiteverify", () => {
  const expected = { siteKey: HCAPTCHA_TEST_SITE_KEY, hostname: "toegang.example.nl" };

  it("needs success, our host name, and our site key when the answer names one", () => {
    expect(judgeSiteverify({ success: true, hostname: "toegang.example.nl" }, expected)).toEqual({ kind: "ok" });
    expect(judgeSiteverify({ success: true, hostname: "toegang.example.nl", sitekey: HCAPTCHA_TEST_SITE_KEY }, expected)).toEqual({
      kind: "ok",
    });
    expect(judgeSiteverify({ success: true }, expected)).toMatchObject({ kind: "refused", reason: "hostname-mismatch" });
    expect(judgeSiteverify({ success: true, hostname: "toegang.example.nl.evil.example" }, expected)).toMatchObject({
      kind: "refused",
      reason: "hostname-mismatch",
    });
    expect(judgeSiteverify({ success: true, hostname: "toegang.example.nl", sitekey: "other" }, expected)).toMatchObject({
      kind: "refused",
      reason: "sitekey-mismatch",
    });
    expect(judgeSiteverify({ success: "true", hostname: "toegang.example.nl" }, expected)).toEqual({
      kind: "unavailable",
      reason: "bad-response",
    });
  });

  it("keeps only well-formed error codes (at most five) as the reason, so the audit trail holds nothing the provider made up", () => {
    expect(judgeSiteverify({ success: false, "error-codes": ["invalid-input-response", "<script>", 7] }, expected)).toEqual({
      kind: "refused",
      reason: "invalid-input-response",
      misconfigured: false,
    });
    expect(judgeSiteverify({ success: false }, expected)).toEqual({ kind: "refused", reason: "no-error-codes", misconfigured: false });
    const many = ["a", "b", "c", "d", "e", "f"];
    expect(judgeSiteverify({ success: false, "error-codes": many }, expected)).toMatchObject({ reason: "a,b,c,d,e" });
    expect(judgeSiteverify({ success: false, "error-codes": ["sitekey-secret-mismatch"] }, expected)).toMatchObject({
      misconfigured: true,
    });
  });

  it("takes the portal's host name from BASE_URL", () => {
    expect(portalHostname("https://Toegang.Example.nl:8443/base")).toBe("toegang.example.nl");
  });
});
