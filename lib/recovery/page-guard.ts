// The one step guard of the wizard, for pages and server actions alike: a request gets its flow only when the flow is
// really on the step it asks for; otherwise the browser is redirected to where the flow is (or to the start).
import "server-only";
import { getLocale } from "next-intl/server";
import { getDb, type Db } from "@/lib/db/client";
import { redirect } from "@/lib/i18n/navigation";
import { getRequestContext, type RequestContext } from "@/lib/security/request-context";
import type { Step } from "./flow";
import { guardFlow, type Flow } from "./flow-store";
import { currentFlowToken } from "./session";
import { forSubmission, pathFor, type Destination } from "./step-paths";

/** Sends the browser where a step function or the guard said (a redirect: 303 for a form post, client-side with JS). */
export async function goTo(destination: Destination): Promise<never> {
  return redirect({ href: pathFor(destination), locale: await getLocale() });
}

export type Entered = { db: Db; flow: Flow; context: RequestContext };

/**
 * The flow of this browser, on one of the given steps; anything else is audited and redirected. A form sent to a flow
 * that is already done (Back after "Voltooien", an old tab) goes to the page that says the flow has ended, never to
 * the done page: what the form brought was not used.
 */
export async function enterStep(step: Step | readonly Step[], opts: { submission?: boolean } = {}): Promise<Entered> {
  const db = await getDb();
  const context = await getRequestContext();
  const guard = await guardFlow(db, await currentFlowToken(), step, { context });
  if (guard.kind !== "ok") return goTo(opts.submission ? forSubmission(guard) : guard);
  return { db, flow: guard.flow, context };
}

/** For pages: the flow, when it is on the page's step. */
export async function requireStep(step: Step): Promise<Flow> {
  return (await enterStep(step)).flow;
}
