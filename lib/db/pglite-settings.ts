// How the portal starts the embedded PostgreSQL (PGlite): the rule lives in embedded-folder.mjs (plain JavaScript, which
// the server uses before Next.js loads); this module names it for the portal's TypeScript.
export { EMBEDDED_SHARED_BUFFERS, embeddedStartOptions } from "./embedded-folder.mjs";
