// Development outbox: every SMS and call the portal would send, newest first. Exists only with the outbox transport.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { headers } from "next/headers";
import { connection } from "next/server";
import { getTranslations } from "next-intl/server";
import { getConfig } from "@/lib/config";
import { getDb } from "@/lib/db/client";
import { listOutbox, outboxPageAllowed } from "@/lib/messaging/outbox";
import { fromThisMachine } from "@/lib/security/request-context";

export const metadata: Metadata = { title: "Outbox", robots: "noindex" };

export default async function OutboxPage() {
  await connection();
  if (!outboxPageAllowed(getConfig(), fromThisMachine(await headers()))) notFound();
  const t = await getTranslations({ locale: "nl", namespace: "DevOutbox" });
  const messages = await listOutbox(await getDb());
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      {messages.length === 0 ? (
        <p>{t("empty")}</p>
      ) : (
        <table className="outbox">
          <thead>
            <tr>
              <th scope="col">{t("when")}</th>
              <th scope="col">{t("to")}</th>
              <th scope="col">{t("channel")}</th>
              <th scope="col">{t("purpose")}</th>
              <th scope="col">{t("text")}</th>
            </tr>
          </thead>
          <tbody>
            {messages.map((m) => (
              <tr key={m.id} data-recipient={m.recipient} data-purpose={m.purpose} data-channel={m.channel}>
                <td>
                  {/* The server's clock in UTC, said so: a tester in another zone reads the right time. */}
                  <time dateTime={m.createdAt.toISOString()}>{`${m.createdAt.toISOString().replace("T", " ").slice(0, 19)} UTC`}</time>
                </td>
                <td>{m.recipient}</td>
                <td>{m.channel}</td>
                <td>{m.purpose}</td>
                <td className="outbox-body">{m.body}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
