// The words of every SMS and call, per language, from messages/*.json: organisation, code, validity, "never share".
import { createTranslator } from "next-intl";
import en from "@/messages/en.json";
import nl from "@/messages/nl.json";

type Locale = "nl" | "en";
const catalogues = { nl, en };

function translator(locale: Locale) {
  return createTranslator({ locale, messages: catalogues[locale], namespace: "Sms" });
}

export function codeText(locale: Locale, channel: "sms" | "voice", org: string, code: string, minutes: number): string {
  const t = translator(locale);
  if (channel === "sms") return t("code", { org, code, minutes });
  // Digits one by one, with pauses, and the whole code said twice.
  const spoken = code.split("").join(", ");
  return t("voiceCode", { org, code: spoken, minutes });
}

export function notificationText(locale: Locale, kind: "reset" | "unlock", org: string, helpdesk: string): string {
  const t = translator(locale);
  return kind === "reset" ? t("passwordChanged", { org, helpdesk }) : t("accountUnlocked", { org, helpdesk });
}

/** The helpdesk changed the account (lib/admin/helpdesk.ts): what was done, and whom to call if the user did not ask. */
export function helpdeskText(locale: Locale, action: "unlock" | "end-sessions" | "require-change", org: string, helpdesk: string): string {
  const t = translator(locale);
  const key = action === "unlock" ? "helpdeskUnlocked" : action === "end-sessions" ? "helpdeskSessionsEnded" : "helpdeskChangeRequired";
  return t(key, { org, helpdesk });
}

/** The registered number was changed ("Mijn herstelgegevens"), to the old number: the new one's last digits, whom to call. */
export function mobileChangedText(locale: Locale, org: string, digits: string, helpdesk: string): string {
  return translator(locale)("mobileChanged", { org, digits, helpdesk });
}
