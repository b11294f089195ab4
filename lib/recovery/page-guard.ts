// Page-side guard: a wizard page renders only for the step its flow is really on; otherwise it redirects there.
import "server-only";
import { getLocale } from "next-intl/server";
import { getDb } from "@/lib/db/client";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext } from "@/lib/security/request-context";
import type { Step } from "./flow";
import { guardStep, type Flow } from "./service";
import { currentFlowToken } from "./session";

export async function requireStep(step: Step): Promise<Flow> {
  const db = await getDb();
  const guard = await guardStep(db, await currentFlowToken(), step, { context: await getRequestContext() });
  if (guard.kind === "redirect") {
    return redirect({ href: guard.to as Parameters<typeof redirect>[0]["href"], locale: await getLocale() });
  }
  return guard.flow;
}
