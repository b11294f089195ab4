// Drizzle schema: every table Toegang keeps; migrations in drizzle/ are generated from this file.
import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

const tsz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** The user ID as the organisation spells it (voornaam.achternaam@domain). */
  email: text("email").notNull(),
  /** Normalised user ID (trimmed, NFKC, lower case): one account per spelling. */
  emailKey: text("email_key").notNull().unique(),
  firstName: text("first_name").notNull(),
  lastName: text("last_name").notNull(),
  /** Registered mobile number in E.164, or null when none is registered. */
  mobile: text("mobile"),
  passwordHash: text("password_hash").notNull(),
  isAdmin: boolean("is_admin").notNull().default(false),
  failedSignIns: integer("failed_sign_ins").notNull().default(0),
  lockedAt: tsz("locked_at"),
  /** Null while locked means "until an unlock"; ignored when lockedAt is null. */
  lockedUntil: tsz("locked_until"),
  passwordChangedAt: tsz("password_changed_at").notNull().defaultNow(),
  /** Bumped to end every existing session of the user. */
  sessionVersion: integer("session_version").notNull().default(1),
  createdAt: tsz("created_at").notNull().defaultNow(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
});

export const passwordHistory = pgTable(
  "password_history",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    passwordHash: text("password_hash").notNull(),
    createdAt: tsz("created_at").notNull().defaultNow(),
  },
  (t) => [index("password_history_user_idx").on(t.userId, t.createdAt)],
);

/** Sign-in failure counters for user IDs that have no account, so unknown IDs behave like known ones. */
export const phantomSignIns = pgTable("phantom_sign_ins", {
  idHash: text("id_hash").primaryKey(),
  failedSignIns: integer("failed_sign_ins").notNull().default(0),
  lockedAt: tsz("locked_at"),
  lockedUntil: tsz("locked_until"),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
});

/** Append-only audit trail; a trigger refuses UPDATE and DELETE outside the retention job. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: tsz("at").notNull().default(sql`now()`),
    event: text("event").notNull(),
    outcome: text("outcome").notNull(),
    reason: text("reason"),
    userId: uuid("user_id"),
    /** Keyed hash of the typed user ID, for IDs without an account. */
    subjectHash: text("subject_hash"),
    flowId: text("flow_id"),
    ip: text("ip"),
    userAgent: text("user_agent"),
    locale: text("locale"),
    details: jsonb("details").$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [
    index("audit_events_at_idx").on(t.at, t.id),
    index("audit_events_user_idx").on(t.userId, t.at),
    index("audit_events_flow_idx").on(t.flowId, t.at),
  ],
);

/** Fixed-window counters for rate limits, shared by every app instance. */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  count: integer("count").notNull().default(0),
  windowStart: tsz("window_start").notNull(),
  expiresAt: tsz("expires_at").notNull(),
});
