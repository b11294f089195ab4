// The reset and unlock journeys in the browser against a real directory (Samba AD DC or slapd with ppolicy, started by
// e2e/directories/web-server.sh), each ending with a sign-in on the portal's sign-in page — a bind as the user behind
// it. Each test makes its own directory user; what changed is checked in the directory itself with a bind of its own.
// Each part of a journey has a budget of its own (journeyStep), so a loaded machine cannot run the whole journey out of
// one test budget with no step hanging.
import { randomBytes, randomInt } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { DirectoryAdmin, passwordWorks } from "../../tests/directories/admin";
import type { DirectoryUnderTest, HarnessSettings } from "../../tests/directories/harness";
import { codeIn, phone } from "../fixtures/outbox";
import { expect, journeyStep, test } from "../fixtures/portal";
import { chooseReason, choosePassword, enterCode, expectStep, fillIdentify, submitNumber } from "../fixtures/recovery";
import { attemptSignIn, signIn } from "../fixtures/sign-in";

const PASSWORD = "Zomer-Tulpen-2026";

// These are the main suite's pages (e2e/recovery.spec.ts, sign-in.spec.ts), which it axe-checks in all four projects;
// the directory changes what the store does, not the markup. axe was about half of each journey here (3–5 s a page on
// the loaded 2-core machine), so these journeys check language, title, headings and raw keys only. The 503 page, which
// only this suite shows, keeps axe (unavailable.spec.ts).
test.use({ axe: false });

/** The directory behind this project's portal (the project name ends in -ad or -ldap), as its web server wrote it. */
function directoryOf(project: string): DirectoryUnderTest {
  const kind = project.endsWith("-ldap") ? "ldap" : "ad";
  const file = path.resolve(__dirname, "..", "..", process.env.E2E_DIRECTORIES_DIR ?? ".e2e-directories", kind, "directories.json");
  const slot = (JSON.parse(readFileSync(file, "utf8")) as HarnessSettings)[kind];
  if (slot.status !== "ready") throw new Error(`the ${kind} directory is ${slot.status}: ${slot.reason}`);
  return slot.directory;
}

/** A new directory user with a mobile number of its own (the outbox is read per number). */
async function newUser(directory: DirectoryUnderTest) {
  // 06-1… to 06-5…: mobile ranges (06-6… are pagers and 06-7… unassigned, which the portal rightly refuses as a mobile).
  const national = `06${String(randomInt(10_000_000, 59_999_999))}`;
  const admin = await DirectoryAdmin.connect(directory);
  try {
    const user = await admin.createUser({ givenName: "Sanne", sn: "Visser", password: PASSWORD, mobile: national });
    return { ...user, national, recipient: `+31${national.slice(1)}` };
  } finally {
    await admin.close();
  }
}

test("reset against the directory: the new password is set there, the old one no longer binds, and the sign-in page takes the new one", async ({
  page,
  request,
  portal,
  inspect,
}, testInfo) => {
  const { language: lang, t } = portal;
  const directory = directoryOf(testInfo.project.name);
  const user = await newUser(directory);
  const inbox = await phone(request, user.recipient);
  const newPassword = `Nieuw-${randomBytes(4).toString("hex")}-7Q`;

  await journeyStep("sign-in page → help → identify → reason → verify → code", async () => {
    await page.goto(`/${lang}`);
    await inspect(page);
    await page.getByRole("link", { name: t.signIn.forgot }).click();
    await expect(page).toHaveURL(`/${lang}/help`);
    await inspect(page);
    await page.getByRole("main").getByRole("link", { name: t.help.reset, exact: true }).click();
    await expectStep(page, portal, inspect, "identify", "?intent=reset");
    await fillIdentify(page, portal, user.mail);
    await expectStep(page, portal, inspect, "reason");
    await chooseReason(page, portal, "reset");
    await expectStep(page, portal, inspect, "verify");
    await submitNumber(page, portal, "sms", user.national);
    await expectStep(page, portal, inspect, "code");
  });

  await journeyStep("code → new password → done; in the directory the new password binds and the old one does not", async () => {
    await enterCode(page, portal, codeIn(await inbox.next({ purpose: "code", channel: "sms" })));
    await expectStep(page, portal, inspect, "password");
    await choosePassword(page, portal, newPassword);
    await expectStep(page, portal, inspect, "done");
    await expect(page.getByRole("status")).toContainText(t.recover.doneReset);
    expect(await passwordWorks(directory, user.dn, newPassword)).toBe(true);
    expect(await passwordWorks(directory, user.dn, PASSWORD)).toBe(false);
  });

  await journeyStep("the sign-in page refuses the old password and takes the new one", async () => {
    await page.getByRole("link", { name: t.message("Recovery.done.signIn") }).click();
    await expect(page).toHaveURL(`/${lang}`);
    expect((await attemptSignIn(page, portal, user.mail, PASSWORD)).messages).toEqual([t.errors.invalid]);
    await signIn(page, portal, user.mail, newPassword);
    await expect(page).toHaveURL(`/${lang}/home`);
    await expect(page.getByText(t.home.welcome("Sanne Visser"))).toBeVisible();
    await inspect(page);
  });
});

test("unlock against the directory: locked by its own policy after wrong passwords on the sign-in page, unlocked by the journey, and the old password signs in", async ({
  page,
  request,
  portal,
  inspect,
}, testInfo) => {
  const { language: lang, t } = portal;
  const directory = directoryOf(testInfo.project.name);
  const user = await newUser(directory);
  const inbox = await phone(request, user.recipient);

  await journeyStep("wrong passwords on the sign-in page until the directory locks the account", async () => {
    await page.goto(`/${lang}`);
    await inspect(page);
    // The directory counts and locks (its threshold); the portal only passes its answer on.
    for (let attempt = 1; attempt <= directory.policy.lockoutThreshold; attempt++) {
      await attemptSignIn(page, portal, user.mail, `Verkeerd-${attempt}-Wachtwoord`);
    }
    expect((await attemptSignIn(page, portal, user.mail, PASSWORD)).messages).toEqual([t.errors.locked]);
  });

  await journeyStep("help → identify → reason → verify → code", async () => {
    await page.getByRole("main").getByRole("link", { name: t.signIn.forgot }).first().click();
    await expect(page).toHaveURL(`/${lang}/help`);
    await inspect(page);
    await page.getByRole("main").getByRole("link", { name: t.help.unlock, exact: true }).click();
    await expectStep(page, portal, inspect, "identify", "?intent=unlock");
    await fillIdentify(page, portal, user.mail);
    await expectStep(page, portal, inspect, "reason");
    await chooseReason(page, portal, "unlock");
    await expectStep(page, portal, inspect, "verify");
    await submitNumber(page, portal, "sms", user.national);
    await expectStep(page, portal, inspect, "code");
  });

  await journeyStep("code → done (unlocked); the sign-in page takes the password again", async () => {
    await enterCode(page, portal, codeIn(await inbox.next({ purpose: "code", channel: "sms" })));
    await expectStep(page, portal, inspect, "done");
    await expect(page.getByRole("status")).toContainText(t.recover.doneUnlock);
    await page.getByRole("link", { name: t.message("Recovery.done.signIn") }).click();
    await expect(page).toHaveURL(`/${lang}`);
    await signIn(page, portal, user.mail, PASSWORD);
    await expect(page).toHaveURL(`/${lang}/home`);
    await expect(page.getByText(t.home.welcome("Sanne Visser"))).toBeVisible();
    await inspect(page);
  });
});
