// Drizzle schema: every table Toegang keeps; migrations in drizzle/ are generated from this file.
import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

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
  /** Set by the helpdesk ("require a password change"): the right password no longer signs in until a new one is set. */
  passwordChangeRequired: boolean("password_change_required").notNull().default(false),
  /** When the user last confirmed the mobile number ("Mijn herstelgegevens": changed through a code, or "klopt"); null: never. */
  mobileConfirmedAt: tsz("mobile_confirmed_at"),
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
    /** Keyed hash of the password's skeleton (lib/password/skeleton.ts), for the near-miss rule; null when too short or older. */
    skeletonHash: text("skeleton_hash"),
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
    at: tsz("at")
      .notNull()
      .default(sql`now()`),
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
    // The hash chain (lib/audit/chain.ts, drizzle/*_audit_chain.sql): set by the database when the inserting
    // transaction commits, so every committed row carries them; the application never writes them.
    /** Position in the chain (commit order), 1, 2, 3, … without gaps. */
    seq: bigint("seq", { mode: "number" }),
    /** The previous row's hash (64 zeros before the first row). */
    prevHash: text("prev_hash"),
    /** SHA-256 (hex) of this row's canonical serialisation, which includes prevHash and seq. */
    hash: text("hash"),
  },
  // The audit page's keyset paging: every filter has an index ending in (at, id), so a filtered page is one index range
  // read newest first. text_pattern_ops lets an event prefix (LIKE 'recovery.%') use the index under any collation.
  (t) => [
    index("audit_events_at_idx").on(t.at, t.id),
    index("audit_events_user_idx").on(t.userId, t.at, t.id),
    index("audit_events_flow_idx").on(t.flowId, t.at, t.id),
    index("audit_events_ip_idx").on(t.ip, t.at, t.id),
    index("audit_events_event_idx").on(t.event.op("text_pattern_ops"), t.at, t.id),
    index("audit_events_subject_idx").on(t.subjectHash, t.at, t.id),
    uniqueIndex("audit_events_seq_idx").on(t.seq),
  ],
);

/** The audit chain's newest link (one row): the lock that orders sealing, and the anchor that shows rows missing at the end. */
export const auditChainHead = pgTable("audit_chain_head", {
  id: boolean("id").primaryKey().default(true),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
});

/** Fixed-window counters for rate limits, shared by every app instance. */
export const rateLimits = pgTable("rate_limits", {
  key: text("key").primaryKey(),
  count: integer("count").notNull().default(0),
  windowStart: tsz("window_start").notNull(),
  expiresAt: tsz("expires_at").notNull(),
});

/** One recovery attempt; the browser holds only a random token whose hash is stored here. */
export const recoveryFlows = pgTable(
  "recovery_flows",
  {
    /** Public reference that links the flow's audit events. */
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull().unique(),
    step: text("step").notNull(),
    intent: text("intent"),
    /** The account, or null when the typed user ID has none. */
    userId: uuid("user_id"),
    subjectHash: text("subject_hash").notNull(),
    maskedDigits: text("masked_digits").notNull(),
    locale: text("locale").notNull(),
    channel: text("channel"),
    /** Whether the last typed number matched the registered one (only then do codes go out). */
    phoneMatched: boolean("phone_matched").notNull().default(false),
    phoneMismatches: integer("phone_mismatches").notNull().default(0),
    codeAttempts: integer("code_attempts").notNull().default(0),
    sends: integer("sends").notNull().default(0),
    lastSentAt: tsz("last_sent_at"),
    endedReason: text("ended_reason"),
    /** What became of the newest code's delivery: pending, sent, failed or paused (spend breaker); null when none went out. */
    deliveryStatus: text("delivery_status"),
    createdAt: tsz("created_at").notNull().defaultNow(),
    updatedAt: tsz("updated_at").notNull().defaultNow(),
    expiresAt: tsz("expires_at").notNull(),
  },
  (t) => [index("recovery_flows_user_idx").on(t.userId, t.createdAt), index("recovery_flows_expires_idx").on(t.expiresAt)],
);

/** Verification codes: only a keyed hash is kept; the newest unused, unvoided one counts. */
export const verificationCodes = pgTable(
  "verification_codes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => recoveryFlows.id, { onDelete: "cascade" }),
    purpose: text("purpose").notNull(),
    codeHash: text("code_hash").notNull(),
    channel: text("channel").notNull(),
    createdAt: tsz("created_at").notNull().defaultNow(),
    expiresAt: tsz("expires_at").notNull(),
    usedAt: tsz("used_at"),
    voidedAt: tsz("voided_at"),
  },
  (t) => [index("verification_codes_flow_idx").on(t.flowId, t.createdAt)],
);

/**
 * Messages handed to the transport; with the outbox transport this table is the delivery. A real provider's row only links
 * its message id to the flow for delivery reports: masked recipient, no body.
 */
export const outboxMessages = pgTable(
  "outbox_messages",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    createdAt: tsz("created_at").notNull().defaultNow(),
    recipient: text("recipient").notNull(),
    channel: text("channel").notNull(),
    locale: text("locale").notNull(),
    body: text("body").notNull(),
    purpose: text("purpose").notNull(),
    flowId: uuid("flow_id"),
    transport: text("transport").notNull(),
    status: text("status").notNull().default("queued"),
    providerId: text("provider_id"),
    error: text("error"),
  },
  (t) => [index("outbox_messages_created_idx").on(t.createdAt), index("outbox_messages_provider_idx").on(t.providerId)],
);

/** The newest delivery outcome per transport, shared by every instance: tells whether the provider is failing now. */
export const providerHealth = pgTable("provider_health", {
  transport: text("transport").primaryKey(),
  lastSuccessAt: tsz("last_success_at"),
  lastFailureAt: tsz("last_failure_at"),
  /** How long the last failed attempt took (a timeout fails slower than a refusal). */
  lastFailureMs: integer("last_failure_ms"),
});

/** Nonces of CAPTCHA challenges already answered, so each challenge is single use. */
export const usedCaptchas = pgTable("used_captchas", {
  nonce: text("nonce").primaryKey(),
  expiresAt: tsz("expires_at").notNull(),
});

/**
 * Administrator sign-ins: first the pending second step (stage "code": the SMS code's keyed hash and its counters),
 * then, once the code is right, the admin session itself (stage "active") under a new token. The browser holds only
 * the random token, sealed; idle and absolute timeouts are decided here on every request.
 */
export const adminSessions = pgTable(
  "admin_sessions",
  {
    /** Public reference: the flow id of this sign-in's audit events. */
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull().unique(),
    /**
     * The account's Toegang id (users.id for builtin, directory_accounts.id for a directory): no foreign key, since a
     * directory account has no users row. A password change ends the account's sessions (lib/auth/sessions.ts).
     */
    userId: uuid("user_id").notNull(),
    stage: text("stage").notNull(),
    locale: text("locale").notNull(),
    codeHash: text("code_hash"),
    codeExpiresAt: tsz("code_expires_at"),
    codeAttempts: integer("code_attempts").notNull().default(0),
    sends: integer("sends").notNull().default(0),
    lastSentAt: tsz("last_sent_at"),
    createdAt: tsz("created_at").notNull().defaultNow(),
    /** The pending step's end while stage is "code"; the absolute end of the session once it is "active". */
    expiresAt: tsz("expires_at").notNull(),
    signedInAt: tsz("signed_in_at"),
    lastSeenAt: tsz("last_seen_at"),
    endedAt: tsz("ended_at"),
    endedReason: text("ended_reason"),
  },
  (t) => [index("admin_sessions_user_idx").on(t.userId, t.createdAt), index("admin_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Signed-in portal sessions (the Werkplek home page): the browser's sealed cookie holds only a random token whose hash
 * is stored here, so sign-out, a password change and the lifetime end a session on the server and a copied cookie stops
 * working. Admin sessions are kept apart (admin_sessions) with their own second step and timeouts.
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tokenHash: text("token_hash").notNull().unique(),
    /** The account's Toegang id (users.id for builtin, directory_accounts.id for a directory); no foreign key. */
    accountId: uuid("account_id").notNull(),
    createdAt: tsz("created_at").notNull().defaultNow(),
    /** The end of the session's lifetime (USER_SESSION_HOURS after sign-in). */
    expiresAt: tsz("expires_at").notNull(),
    endedAt: tsz("ended_at"),
    /** signed-out | password-changed | account-gone | expired */
    endedReason: text("ended_reason"),
  },
  (t) => [index("user_sessions_account_idx").on(t.accountId, t.createdAt), index("user_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Toegang's own id for an account that lives in a directory (AD, OpenLDAP): flows, sessions, limits and audit rows refer
 * to this uuid; the directory's stable id (objectGUID, entryUUID) finds the account again. A row is made on first sight.
 */
export const directoryAccounts = pgTable(
  "directory_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** The directory kind: "ad" or "ldap". */
    source: text("source").notNull(),
    /** The directory's own stable id: AD objectGUID (as a GUID string), OpenLDAP entryUUID. */
    externalId: text("external_id").notNull(),
    firstSeenAt: tsz("first_seen_at").notNull().defaultNow(),
    /** When the user last confirmed the directory's mobile number in the portal (the directory has no place for it). */
    mobileConfirmedAt: tsz("mobile_confirmed_at"),
  },
  (t) => [uniqueIndex("directory_accounts_source_external_idx").on(t.source, t.externalId)],
);

/**
 * Notifications waiting to be sent ("your password was reset", "your account was unlocked"): written in the transaction
 * of the change that causes them, then sent by the portal's message worker with bounded retries (lib/messaging/queue.ts).
 * Codes never wait here (they are sent at once, or the user is told). Once sent or given up, recipient and text are cleared.
 */
export const messageQueue = pgTable(
  "message_queue",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    createdAt: tsz("created_at").notNull().defaultNow(),
    /**
     * What the notification says (NotificationKind in lib/messaging/queue.ts; on its audit rows' details), or "code": a
     * one-time code's SMS or call, sent once and never retried (lib/messaging/code-messages.ts).
     */
    kind: text("kind").notNull(),
    /** The registered number in E.164; "" once the message is done with. */
    recipient: text("recipient").notNull(),
    channel: text("channel").notNull(),
    locale: text("locale").notNull(),
    /** The text; "" once the message is done with (a code's text at the latest when its one attempt's window ends). */
    body: text("body").notNull(),
    flowId: uuid("flow_id"),
    userId: uuid("user_id"),
    /** pending, sent or abandoned; a code also failed, refused (its one attempt's outcome) or withheld (never sent). */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tsz("next_attempt_at").notNull(),
    /**
     * While an instance is sending it: others leave it alone until then (a crashed sender's claim runs out). For a code:
     * the end of the window for its one attempt (ending before the code's expiry); still pending then, it is given up.
     */
    claimedUntil: tsz("claimed_until"),
    lastError: text("last_error"),
    doneAt: tsz("done_at"),
  },
  (t) => [index("message_queue_due_idx").on(t.status, t.nextAttemptAt)],
);

/**
 * "Mijn herstelgegevens": a signed-in user's change of their own mobile number, waiting for the code sent to the new
 * number (lib/recovery-details/). One open change per account; the new number is kept only while it is open.
 */
export const mobileChanges = pgTable(
  "mobile_changes",
  {
    /** The flow id of this change's audit rows; the code is bound to it. */
    id: uuid("id").primaryKey().defaultRandom(),
    /** The account's Toegang id (users.id or directory_accounts.id); no foreign key, like the sessions. */
    accountId: uuid("account_id").notNull(),
    /** open, done, cancelled, too-many-attempts, expired, superseded. */
    stage: text("stage").notNull().default("open"),
    /** The new number in E.164 while the change is open; null once it ended. */
    newMobile: text("new_mobile"),
    locale: text("locale").notNull(),
    codeHash: text("code_hash"),
    codeExpiresAt: tsz("code_expires_at"),
    codeAttempts: integer("code_attempts").notNull().default(0),
    sends: integer("sends").notNull().default(0),
    lastSentAt: tsz("last_sent_at"),
    createdAt: tsz("created_at").notNull().defaultNow(),
    expiresAt: tsz("expires_at").notNull(),
    endedAt: tsz("ended_at"),
  },
  (t) => [index("mobile_changes_account_idx").on(t.accountId, t.stage)],
);
