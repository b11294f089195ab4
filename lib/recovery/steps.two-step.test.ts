// AD's two-step reset, seen from the wizard (the store's side runs against Samba in lib/accounts/ad.directory.test.ts):
// a new password the directory refuses after the old one was replaced comes back named, says the old password is gone,
// is audited so, and leaves the flow on the password step for another try; losing the directory halfway is an outage
// (AccountStoreUnavailable with previousPasswordReplaced) that changes nothing in the flow.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtinAccountStore } from "@/lib/accounts/builtin";
import { AccountStoreUnavailable, type AccountStore } from "@/lib/accounts/types";
import type { DbHandle } from "@/lib/db/client";
import { drivers, freshDb } from "@/tests/db";
import { chooseNewPassword, verifyCode } from "./steps";
import { Harness, NEW_PASSWORD, at } from "./steps.test-helper";

describe.each(drivers())("the wizard and AD's two-step reset on %s", (driver) => {
  let handle: DbHandle;
  let h: Harness;
  beforeAll(async () => {
    handle = await freshDb(driver);
    h = new Harness(handle.db, 1);
  });
  afterAll(async () => {
    await handle?.close();
  });

  /** The builtin store, except that setting a password behaves like AD's two-step at its second step. */
  const twoStep = (setPassword: AccountStore["setPassword"]): AccountStore => ({ ...builtinAccountStore(handle.db), setPassword });

  async function onPasswordStep() {
    const u = await h.newUser();
    const c = h.client();
    const { token, flowId, codes } = await h.toCode(u.email, c);
    expect(await verifyCode(h.db, await h.guard(token, "code", c, at(10)), codes[0]!, c.ctx(at(10)))).toEqual({
      kind: "moved",
      step: "password",
    });
    return { c, token, flowId };
  }

  it("a refusal after the old password was replaced is named, says so, is audited so, and the flow stays for another try", async () => {
    const { c, token, flowId } = await onPasswordStep();
    const accounts = twoStep(async () => ({ kind: "refused", rules: ["history"], previousPasswordReplaced: true }));
    const flow = await h.guard(token, "password", c, at(20));
    expect(await chooseNewPassword(h.db, flow, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, ...c.ctx(at(20)), accounts })).toEqual(
      {
        kind: "rules",
        rules: ["history"],
        previousPasswordReplaced: true,
      },
    );
    const [rejected] = (await h.audit(flowId)).filter((r) => r.event === "recovery.password_rejected");
    expect(rejected).toMatchObject({ reason: "history", details: { previousPasswordReplaced: true } });
    expect((await h.guard(token, "password", c, at(30))).step).toBe("password");
  });

  it("losing the directory at the second step is an outage that leaves the flow where it was", async () => {
    const { c, token, flowId } = await onPasswordStep();
    const lost = new AccountStoreUnavailable("two-step reset: the change to the new one failed", { previousPasswordReplaced: true });
    const accounts = twoStep(async () => {
      throw lost;
    });
    const flow = await h.guard(token, "password", c, at(20));
    const events = await h.events(flowId);
    await expect(
      chooseNewPassword(h.db, flow, { password: NEW_PASSWORD, confirmation: NEW_PASSWORD, ...c.ctx(at(20)), accounts }),
    ).rejects.toMatchObject({ previousPasswordReplaced: true });
    expect(await h.events(flowId)).toEqual(events);
    expect((await h.guard(token, "password", c, at(30))).step).toBe("password");
  });
});
