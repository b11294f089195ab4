// What the error page (app/[locale]/error.tsx) shows, translated on the server by GET /api/error-page. Pages do not
// carry these texts: an error is rare, so the page asks for them when one happens (issue #13: lean pages).
export type ErrorPageTexts = {
  /** A dependency (database, directory) is down: "temporarily unavailable" rather than "something went wrong". */
  unavailable: boolean;
  title: string;
  body: string;
  /** The sentence with the reference, when the error has one (Next's digest: the failed request's id). */
  reference: string | null;
  retry: string;
  home: string;
};

/** A reference as the portal's server writes request ids (server/main.mjs): what the endpoint agrees to repeat. */
export const ERROR_REFERENCE = /^[\w.-]{1,64}$/;

/** The endpoint's address for a page in `locale` and an error with this digest (the endpoint decides what it repeats). */
export function errorPageTextsUrl(locale: string, digest: string | undefined): string {
  return `/api/error-page?lang=${encodeURIComponent(locale)}${digest ? `&ref=${encodeURIComponent(digest)}` : ""}`;
}
