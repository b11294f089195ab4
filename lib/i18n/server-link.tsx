// Links in server components: a plain <a> to the page in the current language, where next-intl's Link is a client
// component. A server-rendered page sends the browser no script and no props for it, and no prefetch of the page it
// names; following one loads the page as a browser without JavaScript does. Client components link with plain anchors
// too (./local-href.ts, which cannot use next-intl's navigation without sending it to the browser).
import "server-only";
import type { ComponentProps } from "react";
import { useLocale } from "next-intl";
import { getPathname } from "./navigation";

type Props = Omit<ComponentProps<"a">, "href"> & { href: Parameters<typeof getPathname>[0]["href"] };

/** Synchronous (next-intl's useLocale works in server components): a table of links renders no awaited component. */
export function Link({ href, ...rest }: Props) {
  return <a {...rest} href={getPathname({ href, locale: useLocale() })} />;
}
