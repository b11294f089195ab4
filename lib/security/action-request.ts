// Server action requests that Next.js cannot decode. Next answers 500 to anything that throws while it decodes an action
// (a broken multipart body, arguments that are not JSON, Flight references to parts that do not exist, arguments that
// are not a list); the proxy asks this first and answers 400 instead. The portal's own forms only ever send what React
// encodes for (state, FormData) or (FormData): a JSON list whose strings are plain, escaped ("$$…"), a form ("$K1") or
// "$undefined". Anything else is not one of our requests.
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

/**
 * Why a POST to a page is a server action request Next could not decode, or null when Next may have it (including
 * POSTs that are not action requests at all: Next decides those). Reads a copy of the body; route handlers (/api/…)
 * check their own bodies and are not asked.
 */
export async function malformedActionRequest(request: Request): Promise<string | null> {
  if (request.method !== "POST") return null;
  const actionId = request.headers.get("next-action");
  if (actionId !== null && !ACTION_ID.test(actionId)) return "unknown action";
  const type = request.headers.get("content-type") ?? "";
  if (/^multipart\/form-data/i.test(type)) {
    let form: FormData;
    try {
      form = await request.clone().formData();
    } catch {
      return "malformed multipart body";
    }
    for (const [key, value] of form.entries()) {
      if (/^\$ACTION_[^:]*:\d+$/.test(key) && (typeof value !== "string" || !json(value))) return "malformed action form";
      if (key.startsWith("$ACTION_ID_") && !ACTION_ID.test(key.slice("$ACTION_ID_".length))) return "unknown action";
    }
    if (actionId === null) return null;
    const root = form.get("0");
    return typeof root === "string" && argumentList(root) ? null : "malformed action arguments";
  }
  if (actionId === null) return null;
  let text: string;
  try {
    text = await request.clone().text();
  } catch {
    return "unreadable body";
  }
  return argumentList(text) ? null : "malformed action arguments";
}
