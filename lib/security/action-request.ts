// Server action requests that Next.js cannot decode. Next answers 500 to anything that throws while it decodes an action
// (a broken multipart body, arguments that are not JSON, Flight references to parts that do not exist, arguments that
// are not a list); the proxy asks this first and answers 400 instead. The portal's own forms only ever send what React
// encodes for (state, FormData) or (FormData): a JSON list whose strings are plain, escaped ("$$…"), a form ("$K1") or
// "$undefined". Anything else is not one of our requests. Next also answers 500 to an action body over its size limit
// and to a fetch action's multipart body its own parser (busboy) refuses where the web's FormData parser did not: the
// proxy measures the body and parses it with both.
import busboy from "next/dist/compiled/busboy";

/** Next's limit for a server action's body (next.config.ts serverActions.bodySizeLimit): bigger ones get 413 here. */
export const ACTION_BODY_LIMIT_BYTES = 64 * 1024;
/** The verdict for an action request over ACTION_BODY_LIMIT_BYTES; the proxy answers it with 413, every other with 400. */
export const ACTION_BODY_TOO_LARGE = "action body too large";

const ACTION_ID = /^[0-9a-f]{2,128}$/i;
/** The longest argument list (previous state and form) and nesting our forms produce, with room to spare. */
const MAX_ARGS = 4;
const MAX_DEPTH = 8;
const PLAIN_REFERENCE = /^\$(?:\$|K[0-9a-f]+$|undefined$)/;

/** Whether a decoded JSON value holds only what React encodes for our actions' arguments. */
function plainValue(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === "string") return !value.startsWith("$") || PLAIN_REFERENCE.test(value);
  if (value === null || typeof value === "number" || typeof value === "boolean") return true;
  if (Array.isArray(value)) return value.every((v) => plainValue(v, depth + 1));
  if (typeof value === "object") return Object.values(value).every((v) => plainValue(v, depth + 1));
  return false;
}

function argumentList(json: string): boolean {
  try {
    const args: unknown = JSON.parse(json);
    return Array.isArray(args) && args.length <= MAX_ARGS && plainValue(args);
  } catch {
    return false;
  }
}

/** A no-JavaScript form's bound action parts ($ACTION_1:0 = {"id": …, "bound": …}, $ACTION_1:1 = …) are JSON. */
function json(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether busboy, configured as Next configures it for a fetch action, reads the whole multipart body without an error. */
function busboyReads(contentType: string, body: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    let parser: ReturnType<typeof busboy>;
    try {
      parser = busboy({
        headers: { "content-type": contentType },
        defParamCharset: "utf8",
        limits: { fieldSize: ACTION_BODY_LIMIT_BYTES },
      });
    } catch {
      return resolve(false);
    }
    parser.on("file", (_name: string, stream: NodeJS.ReadableStream) => stream.resume());
    parser.on("error", () => resolve(false));
    parser.on("close", () => resolve(true));
    parser.end(Buffer.from(body));
  });
}

/**
 * Why a POST to a page is a server action request Next could not decode, or null when Next may have it (including
 * POSTs that are not action requests at all: Next decides those). Reads a copy of the body; route handlers (/api/…)
 * check their own bodies and are not asked. ACTION_BODY_TOO_LARGE for a body Next would refuse by its size.
 */
export async function malformedActionRequest(request: Request): Promise<string | null> {
  if (request.method !== "POST") return null;
  const actionId = request.headers.get("next-action");
  if (actionId !== null && !ACTION_ID.test(actionId)) return "unknown action";
  const type = request.headers.get("content-type") ?? "";
  const multipart = /^multipart\/form-data/i.test(type);
  // Next reads neither a body that is not multipart nor one without an action id.
  if (!multipart && actionId === null) return null;
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = new Uint8Array(await request.clone().arrayBuffer());
  } catch {
    return "unreadable body";
  }
  if (body.byteLength > ACTION_BODY_LIMIT_BYTES) return ACTION_BODY_TOO_LARGE;
  if (multipart) {
    let form: FormData;
    try {
      // What Next does with a multipart POST without an action id (a no-JavaScript form): the web's FormData parser.
      form = await new Request("http://localhost/", { method: "POST", headers: { "content-type": type }, body }).formData();
    } catch {
      return "malformed multipart body";
    }
    for (const [key, value] of form.entries()) {
      if (/^\$ACTION_[^:]*:\d+$/.test(key) && (typeof value !== "string" || !json(value))) return "malformed action form";
      if (key.startsWith("$ACTION_ID_") && !ACTION_ID.test(key.slice("$ACTION_ID_".length))) return "unknown action";
    }
    if (actionId === null) return null;
    // A fetch action's multipart body goes through busboy instead.
    if (!(await busboyReads(type, body))) return "malformed multipart body";
    const root = form.get("0");
    return typeof root === "string" && argumentList(root) ? null : "malformed action arguments";
  }
  return argumentList(new TextDecoder().decode(body)) ? null : "malformed action arguments";
}
