// Users CLI for operators: `npm run users -- <command>` adds, imports, lists, shows, locks, unlocks and changes accounts.
import "server-only";
import { readFileSync } from "node:fs";
import type { ParseArgsConfig } from "node:util";
import { readUsersCsv } from "@/lib/users/csv";
import {
  addUser,
  checkImportRows,
  findUser,
  grantAdmin,
  importUsers,
  listUsers,
  lockUser,
  setPassword,
  setPhone,
  unlockUser,
  validateUserInput,
  type Change,
  type FieldProblem,
  type RowProblem,
  type UserField,
  type UserSummary,
} from "@/lib/users/service";
import { EXIT_USER_ERROR, UsageError, UserError, parseCommandLine, runCli, withDatabase } from "./cli-runtime";

const USAGE = `Usage: npm run users -- <command> [arguments]

Commands:
  add --email E --first F --last L [--phone P] --password PW [--admin]
                                   add a user (the e-mail address is the user ID)
  import FILE.csv                  add or update users from a CSV file; any bad row means nothing is imported
  list                             list all users
  show EMAIL                       show one user
  lock EMAIL                       lock an account until it is unlocked
  unlock EMAIL                     unlock an account and reset its failed sign-ins
  set-phone EMAIL PHONE            register a mobile number (06-12345678, +31 6 1234 5678, ...)
  set-phone EMAIL --none           remove the mobile number
  set-password EMAIL PASSWORD      set a password (the password rules apply; unlocks; ends sessions)
  grant-admin EMAIL [--revoke]     grant (or with --revoke take away) the administrator role
  help                             show this text

CSV: a header row, then one user per row. Columns: email, first_name, last_name, and optionally mobile,
password, admin (true/false/yes/no/ja/nee/1/0); Dutch headers work too (e-mail, voornaam, achternaam, mobiel,
wachtwoord, beheerder). Users are matched by e-mail address in any case; a column the file leaves out is
left unchanged for existing users, and an empty password never changes a password.

Database: PostgreSQL when DATABASE_URL is set, otherwise the embedded database in DATA_DIR (default .data),
which only one process can open at a time (stop the portal first).`;

/** Options each command accepts; anything else is a usage error. */
const COMMANDS = {
  add: {
    positionals: 0,
    options: {
      email: { type: "string" },
      first: { type: "string" },
      last: { type: "string" },
      phone: { type: "string" },
      password: { type: "string" },
      admin: { type: "boolean" },
    },
  },
  import: { positionals: 1, options: {} },
  list: { positionals: 0, options: {} },
  show: { positionals: 1, options: {} },
  lock: { positionals: 1, options: {} },
  unlock: { positionals: 1, options: {} },
  "set-phone": { positionals: [1, 2], options: { none: { type: "boolean" } } },
  "set-password": { positionals: 2, options: {} },
  "grant-admin": { positionals: 1, options: { revoke: { type: "boolean" } } },
} satisfies Record<string, { positionals: number | [number, number]; options: ParseArgsConfig["options"] }>;

type CommandName = keyof typeof COMMANDS;

const ADD_FLAGS: Record<UserField, string> = {
  email: "--email",
  first_name: "--first",
  last_name: "--last",
  mobile: "--phone",
  password: "--password",
  admin: "--admin",
};

async function main(argv: string[]): Promise<number | void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!Object.hasOwn(COMMANDS, name)) throw new UsageError(`unknown command "${name}"`);
  const command = name as CommandName;
  const spec = COMMANDS[command];
  const parsed = parseCommandLine(command, rest, { ...spec.options, help: { type: "boolean", short: "h" } });
  if (parsed.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const args = parsed.positionals;
  const [min, max] = typeof spec.positionals === "number" ? [spec.positionals, spec.positionals] : spec.positionals;
  if (args.length < min || args.length > max) {
    throw new UsageError(`${command} takes ${min === max ? min : `${min} or ${max}`} argument${max === 1 ? "" : "s"}, got ${args.length}`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;

  switch (command) {
    case "add":
      return add(values);
    case "import":
      return importFile(args[0]!);
    case "list":
      return withDatabase(async ({ db }) => {
        process.stdout.write(`${formatUserList(await listUsers(db))}\n`);
      });
    case "show":
      return withDatabase(async ({ db }) => {
        const user = await findUser(db, args[0]!);
        if (!user) throw new UserError(`there is no user ${args[0]!.trim()}`);
        process.stdout.write(`${formatUser(user)}\n`);
      });
    case "lock":
      return change(args[0]!, (db) => lockUser(db, args[0]!), "locked until unlocked");
    case "unlock":
      return change(args[0]!, (db) => unlockUser(db, args[0]!), "unlocked");
    case "set-phone": {
      const none = values.none === true;
      if (none === (args.length === 2)) throw new UsageError("set-phone takes EMAIL and either PHONE or --none");
      if (!none && args[1]!.trim() === "") throw new UsageError("set-phone: PHONE is empty (use --none to remove the number)");
      return change(args[0]!, (db) => setPhone(db, args[0]!, none ? null : args[1]!), none ? "mobile number removed" : "mobile number set");
    }
    case "set-password":
      return change(args[0]!, (db) => setPassword(db, args[0]!, args[1]!), "password set; account unlocked; sessions ended");
    case "grant-admin": {
      const revoke = values.revoke === true;
      return change(
        args[0]!,
        (db) => grantAdmin(db, args[0]!, !revoke),
        revoke ? "administrator role revoked" : "administrator role granted",
      );
    }
  }
}

async function add(values: Record<string, string | boolean | undefined>): Promise<number | void> {
  const missing = (["email", "first", "last", "password"] as const).filter((k) => typeof values[k] !== "string");
  if (missing.length) throw new UsageError(`add needs ${missing.map((k) => `--${k}`).join(", ")}`);
  const input = {
    email: values.email as string,
    firstName: values.first as string,
    lastName: values.last as string,
    phone: (values.phone as string | undefined) ?? null,
    password: values.password as string,
    isAdmin: values.admin === true,
  };
  const refuse = (problems: FieldProblem[]) => {
    for (const p of problems) process.stderr.write(`${ADD_FLAGS[p.field]}: ${p.message}\n`);
    process.stderr.write("error: user not added\n");
    return EXIT_USER_ERROR;
  };
  // Bad input is reported without opening the database (which may be in use by the portal).
  const checked = validateUserInput(input);
  if (!checked.ok) return refuse(checked.problems);
  return withDatabase(async ({ db }) => {
    const result = await addUser(db, input);
    if (!result.ok) return refuse(result.problems);
    process.stdout.write(`Added ${input.email.trim()}\n`);
  });
}

async function importFile(file: string): Promise<number | void> {
  const csv = readUsersCsv(readText(file));
  if (!csv.ok) {
    for (const p of csv.problems) process.stderr.write(`${file} line ${p.line}: ${p.message}\n`);
    process.stderr.write("error: nothing imported\n");
    return EXIT_USER_ERROR;
  }
  const { rows, problems, columnNames } = csv.value;
  const rowCount = rows.length + new Set(problems.map((p) => p.line)).size;
  const refuse = (found: RowProblem[]) => {
    for (const p of found)
      process.stderr.write(`${file} line ${p.line}${p.field ? `, ${columnNames[p.field] ?? p.field}` : ""}: ${p.message}\n`);
    const badLines = new Set(found.map((p) => p.line)).size;
    process.stderr.write(`error: nothing imported (${badLines} of ${rowCount} rows have problems)\n`);
    return EXIT_USER_ERROR;
  };
  // Most problems show without the database; the password history needs it, so importUsers checks everything again.
  const checked = checkImportRows(rows, problems);
  if (checked.problems.length) return refuse(checked.problems);
  return withDatabase(async ({ db }) => {
    const result = await importUsers(db, rows, problems);
    if (!result.ok) return refuse(result.problems);
    process.stdout.write(`${result.added} added, ${result.updated} updated\n`);
  });
}

/** Reads a CSV file as UTF-8; spreadsheets sometimes save in a legacy encoding, which would garble names silently. */
function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(
      `cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a folder" : (error as Error).message}`,
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${file} is not UTF-8 text (save it as "CSV UTF-8")`);
  }
}

async function change(email: string, fn: (db: Parameters<typeof lockUser>[0]) => Promise<Change>, done: string): Promise<void> {
  await withDatabase(async ({ db }) => {
    const result = await fn(db);
    if (!result.ok) throw new UserError(result.message);
    process.stdout.write(`${email.trim()}: ${done}\n`);
  });
}

function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function status(u: UserSummary): string {
  if (!u.locked) return "active";
  return u.lockedUntil ? `locked until ${formatTime(u.lockedUntil)}` : "locked until unlocked";
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

function formatUserList(list: UserSummary[]): string {
  if (list.length === 0) return "No users yet (add one with: npm run users -- add ..., or import a CSV file).";
  const rows = list.map((u) => [
    u.email,
    `${u.firstName} ${u.lastName}`,
    u.mobile ?? "-",
    u.isAdmin ? "yes" : "no",
    String(u.failedSignIns),
    status(u),
  ]);
  return `${table(["USER ID", "NAME", "MOBILE", "ADMIN", "FAILED", "STATUS"], rows)}\n${list.length} user${list.length === 1 ? "" : "s"}`;
}

function formatUser(u: UserSummary): string {
  const rows: [string, string][] = [
    ["User ID", u.email],
    ["First name", u.firstName],
    ["Last name", u.lastName],
    ["Mobile", u.mobile ?? "- (none registered)"],
    ["Administrator", u.isAdmin ? "yes" : "no"],
    ["Status", status(u)],
    ["Failed sign-ins", String(u.failedSignIns)],
    ["Password changed", formatTime(u.passwordChangedAt)],
    ["Created", formatTime(u.createdAt)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

void runCli(USAGE, () => main(process.argv.slice(2)));
