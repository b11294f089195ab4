// The bare page bench/run.ts compares Toegang with: a Next.js 16 + next-intl app with one dynamic page that holds a small
// form (a client component with a server action, like Toegang's forms), the next-intl proxy, and a small catalogue.
// Written into a temporary folder by bench/run.ts.

const nl = {
  Form: {
    metaTitle: "Aanmelden",
    title: "Aanmelden",
    intro: "Meld u aan met uw gebruikers-ID.",
    label: "Gebruikers-ID",
    submit: "Doorgaan",
    required: "Vul uw gebruikers-ID in.",
    thanks: "Bedankt, {name}.",
  },
};
const en = {
  Form: {
    metaTitle: "Sign in",
    title: "Sign in",
    intro: "Sign in with your user ID.",
    label: "User ID",
    submit: "Continue",
    required: "Enter your user ID.",
    thanks: "Thank you, {name}.",
  },
};

export function bareAppFiles(): Record<string, string> {
  return {
    "package.json": JSON.stringify({ name: "bare", private: true, version: "0.0.0" }, null, 2),
    "tsconfig.json": JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          lib: ["dom", "dom.iterable", "esnext"],
          strict: true,
          noEmit: true,
          module: "esnext",
          moduleResolution: "bundler",
          jsx: "react-jsx",
          isolatedModules: true,
          esModuleInterop: true,
          skipLibCheck: true,
          resolveJsonModule: true,
          plugins: [{ name: "next" }],
        },
        include: ["**/*.ts", "**/*.tsx"],
        exclude: ["node_modules"],
      },
      null,
      2,
    ),
    "next.config.ts": `import type { NextConfig } from "next";
import createNextIntlPlugin from "next-intl/plugin";
const withNextIntl = createNextIntlPlugin("./i18n/request.ts");
const config: NextConfig = { poweredByHeader: false, typescript: { ignoreBuildErrors: true } };
export default withNextIntl(config);
`,
    "i18n/routing.ts": `import { defineRouting } from "next-intl/routing";
export const routing = defineRouting({ locales: ["nl", "en"], defaultLocale: "nl" });
`,
    "i18n/request.ts": `import { hasLocale } from "next-intl";
import { getRequestConfig } from "next-intl/server";
import { routing } from "./routing";
export default getRequestConfig(async ({ requestLocale }) => {
  const requested = await requestLocale;
  const locale = hasLocale(routing.locales, requested) ? requested : routing.defaultLocale;
  return { locale, timeZone: "Europe/Amsterdam", messages: (await import(\`../messages/\${locale}.json\`)).default };
});
`,
    "proxy.ts": `import createMiddleware from "next-intl/middleware";
import { routing } from "./i18n/routing";
export default createMiddleware(routing);
export const config = { matcher: ["/((?!_next/static|favicon.ico).*)"] };
`,
    "messages/nl.json": JSON.stringify(nl, null, 2),
    "messages/en.json": JSON.stringify(en, null, 2),
    "app/layout.tsx": `import type { ReactNode } from "react";
export default function RootLayout({ children }: { children: ReactNode }) { return children; }
`,
    "app/[locale]/layout.tsx": `import type { ReactNode } from "react";
import { NextIntlClientProvider } from "next-intl";
export default async function LocaleLayout({ children, params }: { children: ReactNode; params: Promise<{ locale: string }> }) {
  const { locale } = await params;
  return (
    <html lang={locale}>
      <body>
        <NextIntlClientProvider>
          <main id="main">{children}</main>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
`,
    "app/[locale]/actions.ts": `"use server";
export type State = { error?: string; name?: string };
export async function submit(_prev: State, form: FormData): Promise<State> {
  const name = String(form.get("userId") ?? "").trim();
  return name ? { name } : { error: "required" };
}
`,
    "app/[locale]/form.tsx": `"use client";
import { useActionState } from "react";
import { useTranslations } from "next-intl";
import { submit, type State } from "./actions";
export function SmallForm() {
  const t = useTranslations("Form");
  const [state, action, pending] = useActionState<State, FormData>(submit, {});
  return (
    <form action={action} noValidate>
      <label htmlFor="userId">{t("label")}</label>
      <input id="userId" name="userId" type="email" autoComplete="username" aria-invalid={state.error ? true : undefined} />
      {state.error ? <p role="alert">{t("required")}</p> : null}
      {state.name ? <p role="status">{t("thanks", { name: state.name })}</p> : null}
      <button type="submit" disabled={pending}>{t("submit")}</button>
    </form>
  );
}
`,
    "app/[locale]/page.tsx": `import type { Metadata } from "next";
import { headers } from "next/headers";
import { getTranslations } from "next-intl/server";
import { SmallForm } from "./form";
export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("Form"))("metaTitle") };
}
export default async function Page() {
  await headers(); // dynamic: rendered per request, like every Toegang page
  const t = await getTranslations("Form");
  return (
    <>
      <h1>{t("title")}</h1>
      <p>{t("intro")}</p>
      <SmallForm />
    </>
  );
}
`,
  };
}
