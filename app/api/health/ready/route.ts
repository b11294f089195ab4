// GET /api/health/ready: 200 when the database answers, its migrations are this build's, and the directory (when
// DIRECTORY is ad or ldap) can be bound; 503 otherwise. Only check names and states in the body; reasons are logged.
import { checkReadiness, healthHeaders } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const { ready, checks } = await checkReadiness();
  return new Response(JSON.stringify({ status: ready ? "ready" : "unavailable", checks }), {
    status: ready ? 200 : 503,
    headers: ready ? healthHeaders : { ...healthHeaders, "Retry-After": "5" },
  });
}
