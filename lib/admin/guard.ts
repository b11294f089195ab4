// Access checks for every admin page, server action and route handler (STUB: refuses everyone until the admin session lands).
import "server-only";
import { redirect } from "next/navigation";

export type AdminIdentity = { userId: string; email: string; displayName: string };

/** Server components: anonymous or expired → admin sign-in; signed in but not an administrator → the 403 page. */
export async function requireAdminPage(locale: string, path?: string): Promise<AdminIdentity> {
  void path;
  redirect(`/${locale}/admin/sign-in`);
}

/** Server actions: the same refusals as requireAdminPage, as redirects (303 for plain form posts). */
export async function requireAdminAction(): Promise<AdminIdentity> {
  redirect("/nl/admin/sign-in");
}

/** Route handlers: anonymous or expired → 303 to sign-in; not an administrator → 403. */
export async function requireAdminRoute(request: Request): Promise<AdminIdentity | Response> {
  return Response.redirect(new URL("/nl/admin/sign-in", request.url), 303);
}

/** Records that an administrator looked at or exported something (admin.* events); the identity's user is the actor. */
export async function auditAdminView(identity: AdminIdentity, event: string, details?: Record<string, string | number | boolean | null>): Promise<void> {
  void identity;
  void event;
  void details;
}
