// GET /api/health/live: the process is up and answering. Touches nothing else (a database outage is readiness's
// business, and must not make an orchestrator restart a healthy process).
import { healthHeaders } from "@/lib/health";

export const dynamic = "force-dynamic";

export function GET(): Response {
  return new Response(JSON.stringify({ status: "live" }), { status: 200, headers: healthHeaders });
}
