// Reads a user CSV file (RFC 4180, English or Dutch headers) into one user input per row, each tagged with its line number.
import type { UserField, UserInput } from "./service";

export type CsvRecord = { line: number; fields: string[] };
export type CsvProblem = { line: number; field?: UserField; message: string };

/** Splits CSV text into records (quoted fields, "" escapes, embedded commas and newlines, CRLF or LF, UTF-8 BOM). */
export function parseCsv(text: string, delimiter = ","): { ok: true; records: CsvRecord[] } | { ok: false; problem: CsvProblem } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let line = 1;
  let recordLine = 1;
  let fields: string[] = [];
  let field = "";
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    // A record whose fields are all empty is a blank line (spreadsheets write ",,,,"); skip it.
    if (fields.some((f) => f !== "")) records.push({ line: recordLine, fields });
    fields = [];
    field = "";
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"') {
      if (field !== "") {
        return {
          ok: false,
          problem: { line, message: "a double quote inside an unquoted field (put the whole field in double quotes and double the quote)" },
        };
      }
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= src.length)
          return { ok: false, problem: { line: quoteLine, message: "a quoted field is never closed (missing double quote)" } };
        const q = src[i]!;
        if (q === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === "\n") line++;
        field += q;
        i++;
      }
      const next = src[i];
      if (next !== undefined && next !== delimiter && next !== "\n" && next !== "\r") {
        return { ok: false, problem: { line, message: "text after a closing double quote (put the whole field in double quotes)" } };
      }
      continue;
    }
    if (c === delimiter) {
      fields.push(field);
      field = "";
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && src[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    i++;
  }
  if (field !== "" || fields.length > 0) endRecord();
  return { ok: true, records };
}

/** Header spellings (lower case, without spaces, hyphens and underscores) and the field each one fills. */
const HEADER_ALIASES: Record<string, UserField> = {
  email: "email",
  emailadres: "email",
  firstname: "first_name",
  voornaam: "first_name",
  lastname: "last_name",
  achternaam: "last_name",
  mobile: "mobile",
  mobiel: "mobile",
  phone: "mobile",
  telefoon: "mobile",
  mobielnummer: "mobile",
  telefoonnummer: "mobile",
  password: "password",
  wachtwoord: "password",
  admin: "admin",
  beheerder: "admin",
};

const REQUIRED: UserField[] = ["email", "first_name", "last_name"];

const ADMIN_VALUES: Record<string, boolean> = {
  true: true,
  yes: true,
  ja: true,
  "1": true,
  false: false,
  no: false,
  nee: false,
  "0": false,
  "": false,
};

export type UsersCsv = {
  rows: { line: number; input: UserInput }[];
  /** Rows that could not be read (wrong number of fields, bad admin value); reported with the import's own checks. */
  problems: CsvProblem[];
  /** How the file spells each column it has, to name fields in problems the way the operator wrote them. */
  columnNames: Partial<Record<UserField, string>>;
};

/**
 * Turns a users CSV into inputs; columns the file leaves out stay unchanged on update (see UserInput). Broken syntax or a
 * bad header fails the whole file; a bad row is a problem for that row only, so every bad row can be reported at once.
 */
export function readUsersCsv(text: string): { ok: true; value: UsersCsv } | { ok: false; problems: CsvProblem[] } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = parseCsv(src, detectDelimiter(src));
  if (!parsed.ok) return { ok: false, problems: [parsed.problem] };
  const [header, ...body] = parsed.records;
  if (!header)
    return {
      ok: false,
      problems: [{ line: 1, message: "the file is empty (expected a header row: email,first_name,last_name,mobile,password,admin)" }],
    };

  const problems: CsvProblem[] = [];
  const columns: (UserField | undefined)[] = [];
  const columnNames: Partial<Record<UserField, string>> = {};
  header.fields.forEach((raw, index) => {
    const name = raw.trim();
    const field = HEADER_ALIASES[name.toLowerCase().replace(/[\s_-]+/g, "")];
    columns.push(field);
    if (!field) {
      problems.push({
        line: header.line,
        message: `unknown column "${name}" (column ${index + 1}); known columns: email, first_name, last_name, mobile, password, admin (or e-mail, voornaam, achternaam, mobiel, wachtwoord, beheerder)`,
      });
    } else if (columnNames[field] !== undefined) {
      problems.push({ line: header.line, message: `columns "${columnNames[field]}" and "${name}" are the same column` });
    } else {
      columnNames[field] = name;
    }
  });
  for (const field of REQUIRED) {
    if (columnNames[field] === undefined && !problems.some((p) => p.message.startsWith("unknown"))) {
      problems.push({ line: header.line, message: `the header has no ${field} column` });
    }
  }
  if (problems.length) return { ok: false, problems };

  const rows: UsersCsv["rows"] = [];
  for (const record of body) {
    if (record.fields.length !== columns.length) {
      problems.push({ line: record.line, message: `has ${record.fields.length} fields, the header has ${columns.length}` });
      continue;
    }
    const cell = (field: UserField): string | undefined => {
      const index = columns.indexOf(field);
      return index < 0 ? undefined : record.fields[index]!;
    };
    const input: UserInput = { email: cell("email")!, firstName: cell("first_name")!, lastName: cell("last_name")! };
    const mobile = cell("mobile");
    if (mobile !== undefined) input.phone = mobile.trim() === "" ? null : mobile;
    const password = cell("password");
    if (password) input.password = password;
    const admin = cell("admin");
    if (admin !== undefined) {
      const value = ADMIN_VALUES[admin.trim().toLowerCase()];
      if (value === undefined) {
        problems.push({ line: record.line, field: "admin", message: `"${admin}" is not one of true, false, yes, no, ja, nee, 1, 0` });
        continue;
      }
      input.isAdmin = value;
    }
    rows.push({ line: record.line, input });
  }
  return { ok: true, value: { rows, problems, columnNames } };
}

/** Spreadsheets in a Dutch locale save CSV with semicolons; the header row tells which one the file uses. */
function detectDelimiter(text: string): "," | ";" {
  const firstLine = text.split(/\r\n|\r|\n/, 1)[0] ?? "";
  return !firstLine.includes(",") && firstLine.includes(";") ? ";" : ",";
}
