// The messages a page sends to the browser: only the parts its client components read. Server components translate on
// the server (getTranslations) and send text, not catalogue; a client component gets its texts through the
// <ClientMessages> around it (the layout has no provider), or, where its texts are fixed, translated as props from the
// page (the language switch, the identify form: plain strings the HTML already holds compress better than a provider
// with catalogue keys). The lists per component live in app/_components/client-messages.ts, next to nothing else, so a
// server page can read them.
import "server-only";
import { NextIntlClientProvider } from "next-intl";
import { getMessages } from "next-intl/server";
import type { ReactNode } from "react";
import type { MessagePath } from "./message-keys";

type Tree = { [key: string]: string | Tree };

/** The parts of a catalogue at the given paths, in its own shape ({ Recovery: { next, identify: {…} } }). */
export function pickMessages(messages: Readonly<Record<string, unknown>>, paths: readonly string[]): Tree {
  const out: Tree = {};
  for (const p of paths) {
    const parts = p.split(".");
    let from: unknown = messages;
    for (const part of parts) from = typeof from === "object" && from !== null ? (from as Record<string, unknown>)[part] : undefined;
    if (typeof from !== "string" && (typeof from !== "object" || from === null)) throw new Error(`no message at ${p}`);
    let into = out;
    for (const part of parts.slice(0, -1)) into = (into[part] ??= {}) as Tree;
    into[parts.at(-1)!] = from as string | Tree;
  }
  return out;
}

/** A next-intl provider for client components with only these parts of the current locale's catalogue. */
export async function ClientMessages({ paths, children }: { paths: readonly MessagePath[]; children: ReactNode }) {
  return <NextIntlClientProvider messages={pickMessages(await getMessages(), paths)}>{children}</NextIntlClientProvider>;
}
