// The catalogue parts each client component reads (useTranslations), for <ClientMessages> (lib/i18n/client-messages.tsx):
// a page sends the browser only these, not the whole catalogue. A plain module, not "use client", so server pages can
// read the lists; tests/client-messages.test.ts checks every translator call of the components against them.
import type { MessagePath } from "@/lib/i18n/message-keys";

const errorSummary = "Common.errorSummaryTitle" satisfies MessagePath;

export const clientMessages = {
  signInForm: ["SignInPage.username", "SignInPage.password", "SignInPage.submit", "SignInPage.forgot", "SignInPage.errors", errorSummary],
  adminSignInForm: [
    "Admin.signIn.username",
    "Admin.signIn.password",
    "Admin.signIn.submit",
    "Admin.signIn.forgot",
    "Admin.signIn.errors",
    "SignInPage.errors",
    errorSummary,
  ],
  adminCodeForm: ["Admin.code", errorSummary],
  /** The helpdesk actions on the admin account page. */
  helpdeskForm: ["Admin.helpdesk", errorSummary],
  reasonForm: ["Recovery.next", "Recovery.reason", errorSummary],
  verifyForm: ["Recovery.verify", errorSummary],
  codeForm: ["Recovery.next", "Recovery.code", errorSummary],
  passwordForm: ["Recovery.password", errorSummary],
  /** "Mijn herstelgegevens": the number change and its code step. */
  mobileChangeForm: ["RecoveryDetails", errorSummary],
  mobileCodeForm: ["RecoveryDetails", errorSummary],
} as const satisfies Record<string, readonly MessagePath[]>;
