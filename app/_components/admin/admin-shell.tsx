// The frame of every signed-in admin page: who is signed in, the admin menu and "Afmelden". It checks nothing itself —
// each page calls requireAdminPage() first and passes the identity it got: <AdminShell identity={identity} current="audit">.
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { adminSignOutAction } from "@/lib/admin/actions";
import { PostForm } from "../post-form";
import type { AdminIdentity } from "@/lib/admin/guard";
import { Link } from "@/lib/i18n/server-link";
import "./admin.css";

export type AdminSection = "home" | "audit" | "accounts";

const sections = [
  { key: "home", href: "/admin" },
  { key: "audit", href: "/admin/audit" },
  { key: "accounts", href: "/admin/accounts" },
] as const;

export async function AdminShell({ identity, current, children }: { identity: AdminIdentity; current: AdminSection; children: ReactNode }) {
  const t = await getTranslations("Admin.shell");
  return (
    <div className="admin-shell">
      <div className="admin-bar">
        <nav aria-label={t("nav")}>
          <ul className="admin-nav">
            {sections.map((s) => (
              <li key={s.key}>
                <Link href={s.href} aria-current={s.key === current ? "page" : undefined}>
                  {t(s.key)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="admin-user">
          <span>{t("signedInAs", { name: identity.displayName, email: identity.email })}</span>
          <PostForm action={adminSignOutAction}>
            <button type="submit" className="link-button">
              {t("signOut")}
            </button>
          </PostForm>
        </div>
      </div>
      {children}
    </div>
  );
}
