// Keyset paging cursors for the audit trail: a row's (at, id) in the URL, opaque to look at and checked on the way in.

/** A row's position: its time as the database keeps it (microseconds, UTC) and its id, which breaks ties. */
export type Cursor = { at: string; id: number };

/** Which way to page from a cursor: older rows ("before") or newer ones ("after"). */
export type PageRequest = { direction: "before" | "after"; cursor: Cursor } | null;

// What to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') writes (query.ts).
const atPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.at}~${cursor.id}`, "utf8").toString("base64url");
}

/** The cursor in a URL, or null when it is missing, malformed or names an impossible time. */
export function decodeCursor(value: string | undefined | null): Cursor | null {
  if (!value || value.length > 64 || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  const [at, id, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("~");
  if (rest.length || !at || !id || !atPattern.test(at) || !/^[1-9]\d{0,17}$/.test(id)) return null;
  // The database would refuse 2026-02-30: only a time that reads back unchanged is a time.
  const ms = Date.parse(`${at.slice(0, 23)}Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 23) !== at.slice(0, 23) || !Number.isSafeInteger(Number(id))) return null;
  return { at, id: Number(id) };
}

/** The page the URL asks for: ?before= (older) wins over ?after= (newer); a bad cursor means the newest page. */
export function pageRequest(params: Record<string, string | string[] | undefined>): PageRequest {
  const value = (name: string) => {
    const v = params[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const before = decodeCursor(value("before"));
  if (before) return { direction: "before", cursor: before };
  const after = decodeCursor(value("after"));
  return after ? { direction: "after", cursor: after } : null;
}
