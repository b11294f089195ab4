// The one typed reading of the environment: every setting, its default, and one clear line when it is wrong.
import "server-only";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_USER_FILTER, userFilterProblem } from "@/lib/accounts/directory/filter";
import { brandColor, type BrandColor } from "@/lib/branding/color";
import { readLogo, type Logo } from "@/lib/branding/logo";
import { parseTrustedProxies, type TrustedProxies } from "@/lib/security/client-ip";
import { DEFAULT_DATA_DIR } from "@/lib/db/embedded-folder.mjs";

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
    .optional()
    .transform((v) => (v === undefined ? fallback : v === "true" || v === "1" || v === "yes"));

const int = (fallback: number, min: number, max: number) =>
  z.coerce
    .number({ message: "must be a whole number" })
    .int({ message: "must be a whole number" })
    .min(min, { message: `must be at least ${min}` })
    .max(max, { message: `must be at most ${max}` })
    .default(fallback);

const allowedCountriesSchema = z
  .string()
  .regex(/^[A-Za-z]{2}(\s*,\s*[A-Za-z]{2})*$/, { message: "must be ISO country codes such as NL or NL,BE,DE" })
  .default("NL");
const countryList = (value: string) => value.split(",").map((c) => c.trim().toUpperCase());

/** ldap:// or ldaps:// URLs (host and optional port, nothing else), comma-separated. */
const LDAP_URLS = /^\s*ldaps?:\/\/[^\s/?#,]+\/?\s*(,\s*ldaps?:\/\/[^\s/?#,]+\/?\s*)*$/i;
/** A distinguished name, loosely: attribute=value pairs separated by commas (values may hold escaped commas). */
const DN = /^\s*[A-Za-z][\w.-]*\s*=.+$/;

/** The helpdesk's opening hours when HELPDESK_HOURS(_EN) are not set, per page language. */
const DEFAULT_HOURS = { nl: "ma–vr 08:00–17:30", en: "Mon–Fri 08:00–17:30" } as const;

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: "must start with postgres:// or postgresql://" })
    .optional(),
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: "must start with postgres:// or postgresql://" })
    .optional(),
  DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  SESSION_SECRET: z.string().optional(),
  HASH_KEY: z.string().optional(),
  BASE_URL: z.url({ message: "must be a full URL such as https://toegang.example.nl" }).default("http://localhost:3000"),
  ORG_NAME: z.string().min(1).max(80).default("Flynth"),
  ORG_LOGO: z.string().max(1024).optional(),
  ORG_COLOR: z.string().max(20).optional(),
  ORG_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, { message: "must be a domain name such as flynth.nl" })
    .default("flynth.nl"),
  HELPDESK_PHONE: z.string().max(40).default("+31 88 236 00 00"),
  HELPDESK_EMAIL: z.email({ message: "must be an e-mail address" }).default("servicedesk@flynth.nl"),
  // Opening hours are text: Dutch for the Dutch pages, HELPDESK_HOURS_EN for the English ones (default: the English
  // default when neither is set, else the Dutch text, which the operator wrote and the portal cannot translate).
  HELPDESK_HOURS: z.string().max(80).optional(),
  HELPDESK_HOURS_EN: z.string().max(80).optional(),
  LOCKOUT_THRESHOLD: int(5, 1, 100),
  LOCKOUT_DURATION_MINUTES: int(30, 0, 525_600),
  ARGON2_MEMORY_KIB: int(19_456, 8_192, 1_048_576),
  ARGON2_TIME_COST: int(2, 1, 20),
  ARGON2_PARALLELISM: int(1, 1, 16),
  COOKIE_SECURE: bool(true),
  SEED_DEMO_USERS: bool(false),
  USER_SESSION_HOURS: int(8, 1, 720),
  FLOW_TTL_MINUTES: int(15, 1, 120),
  CODE_TTL_MINUTES: int(10, 1, 60),
  CODE_MAX_ATTEMPTS: int(5, 1, 20),
  CODE_RESEND_COOLDOWN_SECONDS: int(60, 0, 3600),
  CODE_MAX_SENDS_PER_FLOW: int(3, 1, 10),
  PHONE_MAX_MISMATCHES: int(3, 1, 10),
  LIMIT_FLOWS_PER_USER_PER_DAY: int(5, 1, 1000),
  LIMIT_FLOWS_PER_IP_PER_HOUR: int(20, 1, 100_000),
  LIMIT_CAPTCHA_PER_IP_PER_HOUR: int(60, 1, 100_000),
  LIMIT_CAPTCHA_IMAGES_PER_IP_PER_HOUR: int(300, 1, 1_000_000),
  LIMIT_CAPTCHA_AUDIO_PER_IP_PER_HOUR: int(120, 1, 1_000_000),
  LIMIT_CODE_FAILURES_PER_ACCOUNT_PER_DAY: int(10, 1, 1000),
  LIMIT_CODES_PER_NUMBER_PER_DAY: int(5, 1, 1000),
  LIMIT_SIGNIN_PER_IP_PER_HOUR: int(100, 1, 100_000),
  PASSWORD_HISTORY: int(24, 0, 100),
  /** After this many days (or never) since a user last confirmed their mobile number, the home page asks them to. */
  RECOVERY_RECONFIRM_DAYS: int(180, 1, 3650),
  PASSWORD_MIN_SCORE: int(3, 0, 4),
  PASSWORD_BANNED_WORDS: z.string().max(4000).default(""),
  SMS_PROVIDER: z.enum(["outbox", "messagebird"], { message: "must be outbox or messagebird" }).default("outbox"),
  MESSAGEBIRD_ACCESS_KEY: z.string().min(1).optional(),
  MESSAGEBIRD_ORIGINATOR: z
    .string()
    .regex(/^(\+?[0-9]{1,16}|[A-Za-z0-9 ]{1,11})$/, { message: "must be a phone number or at most 11 letters and digits" })
    .optional(),
  MESSAGEBIRD_SIGNING_KEY: z.string().min(1).optional(),
  /** Test/offline only: MessageBird's hosts are sent to this HTTPS stand-in, whose certificate is trusted from the CA file. */
  MESSAGEBIRD_STAND_IN: z.url({ message: "must be a URL such as https://127.0.0.1:3182" }).optional(),
  MESSAGEBIRD_STAND_IN_CA: z.string().min(1).optional(),
  PROVIDER_TIMEOUT_MS: int(5_000, 500, 60_000),
  SMS_ALLOWED_COUNTRIES: allowedCountriesSchema,
  SMS_CAP_PER_HOUR: int(500, 1, 1_000_000),
  SMS_CAP_PER_DAY: int(5_000, 1, 10_000_000),
  CAPTCHA_PROVIDER: z.enum(["builtin", "hcaptcha"], { message: "must be builtin or hcaptcha" }).default("builtin"),
  HCAPTCHA_SITE_KEY: z.string().min(1).optional(),
  HCAPTCHA_SECRET: z.string().min(1).optional(),
  HCAPTCHA_SCRIPT_URL: z.url({ message: "must be a full URL" }).default("https://js.hcaptcha.com/1/api.js"),
  HCAPTCHA_VERIFY_URL: z.url({ message: "must be a full URL" }).default("https://api.hcaptcha.com/siteverify"),
  HCAPTCHA_NOJS_FALLBACK: z.enum(["builtin", "off"], { message: "must be builtin or off" }).default("builtin"),
  AUDIT_RETENTION_DAYS: int(365, 1, 36_500),
  ADMIN_IDLE_MINUTES: int(30, 1, 1_440),
  ADMIN_SESSION_HOURS: int(8, 1, 72),
  TRUSTED_PROXIES: z.string().max(4000).default(""),
  HOUSEKEEPING_INTERVAL_MINUTES: int(15, 0, 1_440),
  METRICS_TOKEN: z.string().min(16, { message: "must be at least 16 characters" }).max(512).optional(),
  /** Replaced by TRUSTED_PROXIES; still read only to refuse it with a clear line. */
  TRUSTED_PROXY_HOPS: z.string().optional(),
  OUTBOX_PAGE: z.enum(["local", "off"], { message: "must be local or off" }).default("local"),
  CAPTCHA_TEST_ANSWER: z
    .string()
    .regex(/^[A-Za-z0-9]{4,10}$/, { message: "must be 4–10 letters or digits" })
    .optional(),
  DIRECTORY: z.enum(["builtin", "ad", "ldap"], { message: "must be builtin, ad or ldap" }).default("builtin"),
  LDAP_URL: z
    .string()
    .regex(LDAP_URLS, { message: "must be one or more ldaps:// or ldap:// URLs (comma-separated), such as ldaps://dc1.example.nl" })
    .optional(),
  LDAP_BIND_DN: z.string().max(1024).optional(),
  LDAP_BIND_PASSWORD: z.string().max(1024).optional(),
  LDAP_BASE_DN: z.string().regex(DN, { message: "must be a DN such as OU=Medewerkers,DC=example,DC=nl" }).optional(),
  LDAP_USER_FILTER: z.string().max(2048).optional(),
  LDAP_CA_FILE: z.string().optional(),
  LDAP_TLS_SERVERNAME: z
    .string()
    .regex(/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/, {
      message: "must be the host name in the directory's certificate, such as dc1.example.nl",
    })
    .optional(),
  LDAP_MOBILE_ATTRIBUTE: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]*$/, { message: "must be an attribute name such as mobile or telephoneNumber" })
    .default("mobile"),
  LDAP_ADMIN_GROUP_DN: z
    .string()
    .regex(DN, { message: "must be the DN of a group, such as CN=Toegang-Beheerders,OU=Groepen,DC=example,DC=nl" })
    .optional(),
  LDAP_TIMEOUT_MS: int(5_000, 100, 60_000),
  AD_HISTORY_ON_RESET: z.enum(["two-step", "off"], { message: "must be two-step or off" }).default("two-step"),
});

/** Where the accounts live when it is a directory (DIRECTORY=ad or ldap): the LDAP_* settings, checked. */
export type DirectoryConfig = {
  kind: "ad" | "ldap";
  /** Tried in this order; ldap:// ones are upgraded with StartTLS before anything else is sent. */
  urls: string[];
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  /** The search filter with {id} where the typed user ID goes (escaped per RFC 4515). */
  userFilter: string;
  /** PEM file with the CA certificate(s) the directory's certificate must chain to; unset = the system's CAs. */
  caFile: string | undefined;
  tlsServername: string | undefined;
  mobileAttribute: string;
  adminGroupDn: string | undefined;
  timeoutMs: number;
  /** AD without the policy-hints control: enforce the history on reset with a two-step reset, or not at all. */
  adHistoryOnReset: "two-step" | "off";
};

export type AppConfig = {
  databaseUrl: string | undefined;
  /** The owner's connection for migrations and audit pruning; undefined = DATABASE_URL does everything (one role). */
  migrationDatabaseUrl: string | undefined;
  dataDir: string;
  sessionSecrets: string[];
  /** Keys every keyed hash (unknown-ID digits, audit subject hashes, code hashes, password skeletons); never rotates with SESSION_SECRET. */
  hashKey: string;
  baseUrl: string;
  orgName: string;
  /** ORG_LOGO and ORG_COLOR, checked at start (lib/branding). */
  branding: { logo: Logo | null; color: BrandColor | null };
  orgDomain: string;
  helpdesk: { phone: string; email: string; hours: { nl: string; en: string } };
  lockout: { threshold: number; durationMinutes: number };
  argon2: { memoryCost: number; timeCost: number; parallelism: number };
  cookieSecure: boolean;
  /** Guessability: zxcvbn's minimum score (0 = off) and the organisation's own banned words. */
  password: { minScore: number; bannedWords: string[] };
  seedDemoUsers: boolean;
  userSessionHours: number;
  recovery: {
    flowTtlMinutes: number;
    codeTtlMinutes: number;
    maxCodeAttempts: number;
    resendCooldownSeconds: number;
    maxSends: number;
    maxPhoneMismatches: number;
    passwordHistory: number;
    /** "Mijn herstelgegevens": days after which the home page asks the user to confirm their mobile number again. */
    reconfirmDays: number;
  };
  limits: {
    flowsPerUserPerDay: number;
    flowsPerIpPerHour: number;
    captchaPerIpPerHour: number;
    /** Requests for CAPTCHA pictures and for CAPTCHA audio (each range request counts). */
    captchaImagesPerIpPerHour: number;
    captchaAudioPerIpPerHour: number;
    codeFailuresPerAccountPerDay: number;
    /** Wizard codes texted or spoken to one mobile number per 24 hours, over every flow and user ID. */
    codesPerNumberPerDay: number;
    signInPerIpPerHour: number;
  };
  smsProvider: "outbox" | "messagebird";
  messagebird:
    | {
        accessKey: string;
        originator: string;
        /** Verifies delivery-report webhooks; without it reports are refused. */
        signingKey: string | undefined;
        /** Test/offline only: where MessageBird's hosts are sent, and the CA that signs that server's certificate. */
        standIn: { url: string; caFile: string } | undefined;
      }
    | undefined;
  /** One timeout for every call to hCaptcha or MessageBird. */
  providerTimeoutMs: number;
  sms: { allowedCountries: string[]; capPerHour: number; capPerDay: number };
  captchaProvider: "builtin" | "hcaptcha";
  hcaptcha: { siteKey: string; secret: string; scriptUrl: string; verifyUrl: string; noJsFallback: "builtin" | "off" } | undefined;
  audit: { retentionDays: number };
  admin: { idleMinutes: number; sessionHours: number };
  /** Reverse proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES); empty = the TCP peer is the client. */
  trustedProxies: TrustedProxies;
  /** Minutes between housekeeping rounds (lib/housekeeping.ts); 0 = off. */
  housekeepingIntervalMinutes: number;
  /** Bearer token for /api/metrics; undefined = no metrics endpoint. */
  metricsToken: string | undefined;
  /** Whether /dev/outbox exists (with the outbox transport, for requests from this machine only), or is off. */
  outboxPage: "local" | "off";
  captchaTestAnswer: string | undefined;
  /** Where accounts live: the portal's own tables (builtin) or a directory. */
  directory: { kind: "builtin" } | DirectoryConfig;
};

export const HCAPTCHA_TEST_SITE_KEY = "10000000-ffff-ffff-ffff-000000000001";
export const HCAPTCHA_TEST_SECRET = "0x0000000000000000000000000000000000000000";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Reads and checks the environment; throws ConfigError with one line naming the variable and the problem. */
export function readConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  if (cleaned.OUTBOX_PAGE === "open") {
    throw new ConfigError(
      "Configuration error: OUTBOX_PAGE=open is no longer possible: the outbox answers only on this machine (local) or not at all (off)",
    );
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    throw new ConfigError(`Configuration error: ${name} ${issue.message}`);
  }
  const e = parsed.data;
  const fail = (line: string): never => {
    throw new ConfigError(`Configuration error: ${line}`);
  };
  if (e.MIGRATION_DATABASE_URL && !e.DATABASE_URL) fail("MIGRATION_DATABASE_URL needs DATABASE_URL (the portal's own connection)");
  if (e.SMS_PROVIDER === "messagebird") {
    if (!e.MESSAGEBIRD_ACCESS_KEY) fail("MESSAGEBIRD_ACCESS_KEY is required when SMS_PROVIDER=messagebird");
    if (!e.MESSAGEBIRD_ORIGINATOR)
      fail("MESSAGEBIRD_ORIGINATOR is required when SMS_PROVIDER=messagebird (the sender name or number users see)");
  }
  if (e.MESSAGEBIRD_STAND_IN && !e.MESSAGEBIRD_STAND_IN_CA)
    fail("MESSAGEBIRD_STAND_IN_CA is required with MESSAGEBIRD_STAND_IN (the stand-in's CA certificate file)");
  // A known CAPTCHA answer is for tests only: never together with a provider that really sends messages.
  if (e.CAPTCHA_TEST_ANSWER && e.SMS_PROVIDER === "messagebird" && !e.MESSAGEBIRD_STAND_IN) {
    fail("CAPTCHA_TEST_ANSWER must not be set when SMS_PROVIDER=messagebird sends real messages (it is for tests only)");
  }
  if (e.CAPTCHA_PROVIDER === "hcaptcha") {
    if (!e.HCAPTCHA_SITE_KEY) fail("HCAPTCHA_SITE_KEY is required when CAPTCHA_PROVIDER=hcaptcha");
    if (!e.HCAPTCHA_SECRET) fail("HCAPTCHA_SECRET is required when CAPTCHA_PROVIDER=hcaptcha");
    // hCaptcha's published test keys pass every check; they are allowed only against a stand-in, never hCaptcha itself.
    const testKeys = e.HCAPTCHA_SITE_KEY === HCAPTCHA_TEST_SITE_KEY || e.HCAPTCHA_SECRET === HCAPTCHA_TEST_SECRET;
    if (testKeys && new URL(e.HCAPTCHA_VERIFY_URL).hostname.endsWith("hcaptcha.com")) {
      fail("HCAPTCHA_SITE_KEY/HCAPTCHA_SECRET are hCaptcha's public test keys, which accept anyone; use your own keys");
    }
  }
  if (e.TRUSTED_PROXY_HOPS !== undefined)
    fail("TRUSTED_PROXY_HOPS is replaced by TRUSTED_PROXIES: list your reverse proxies' addresses or CIDR ranges (or leave both unset)");
  let trustedProxies: TrustedProxies;
  try {
    trustedProxies = parseTrustedProxies(e.TRUSTED_PROXIES);
  } catch (error) {
    return fail(`TRUSTED_PROXIES ${(error as Error).message}; use addresses or CIDR ranges such as 10.0.0.5,10.1.0.0/16,fd00::/8`);
  }
  const directory = directoryConfig(e, fail);
  const color = e.ORG_COLOR ? brandColor(e.ORG_COLOR) : null;
  if (color && !color.ok) fail(`ORG_COLOR ${color.problem}`);
  const logo = e.ORG_LOGO ? readLogo(e.ORG_LOGO) : null;
  if (logo && !logo.ok) fail(`ORG_LOGO ${logo.problem}`);
  const dataDir = path.resolve(e.DATA_DIR);
  // Looked at before the session secret is generated: a data folder from before the hash key keeps its hashes.
  const upgrading = !e.HASH_KEY && !e.DATABASE_URL && isLegacyDataFolder(dataDir);
  const sessionSecrets = e.SESSION_SECRET
    ? e.SESSION_SECRET.split(",").map((s) => s.trim())
    : e.DATABASE_URL
      ? []
      : [embeddedSecret(dataDir, SESSION_SECRET_FILE)];
  if (sessionSecrets.length === 0) {
    throw new ConfigError(
      "Configuration error: SESSION_SECRET is required when DATABASE_URL is set (all instances must share it); use at least 32 random characters",
    );
  }
  if (sessionSecrets.some((s) => s.length < 32)) {
    throw new ConfigError("Configuration error: SESSION_SECRET must be at least 32 characters (comma-separate several to rotate)");
  }
  const hashKey =
    e.HASH_KEY?.trim() ||
    (e.DATABASE_URL
      ? undefined
      : embeddedSecret(dataDir, HASH_KEY_FILE, upgrading ? readSecretFile(path.join(dataDir, SESSION_SECRET_FILE)) : undefined));
  if (!hashKey) {
    throw new ConfigError(
      "Configuration error: HASH_KEY is required when DATABASE_URL is set (all instances must share it; it keys the stored hashes and never rotates); use at least 32 random characters, or your current SESSION_SECRET to keep existing hashes",
    );
  }
  if (hashKey.length < 32) throw new ConfigError("Configuration error: HASH_KEY must be at least 32 characters");
  return {
    databaseUrl: e.DATABASE_URL,
    migrationDatabaseUrl: e.DATABASE_URL ? e.MIGRATION_DATABASE_URL : undefined,
    dataDir,
    sessionSecrets,
    hashKey,
    baseUrl: e.BASE_URL.replace(/\/+$/, ""),
    orgName: e.ORG_NAME,
    branding: { logo: logo?.ok ? logo.logo : null, color: color?.ok ? color.color : null },
    orgDomain: e.ORG_DOMAIN.toLowerCase(),
    helpdesk: {
      phone: e.HELPDESK_PHONE,
      email: e.HELPDESK_EMAIL,
      hours: {
        nl: e.HELPDESK_HOURS || DEFAULT_HOURS.nl,
        en: e.HELPDESK_HOURS_EN || e.HELPDESK_HOURS || DEFAULT_HOURS.en,
      },
    },
    lockout: { threshold: e.LOCKOUT_THRESHOLD, durationMinutes: e.LOCKOUT_DURATION_MINUTES },
    argon2: { memoryCost: e.ARGON2_MEMORY_KIB, timeCost: e.ARGON2_TIME_COST, parallelism: e.ARGON2_PARALLELISM },
    cookieSecure: e.COOKIE_SECURE,
    password: {
      minScore: e.PASSWORD_MIN_SCORE,
      bannedWords: e.PASSWORD_BANNED_WORDS.split(",")
        .map((w) => w.trim())
        .filter(Boolean),
    },
    // The embedded default seeds demo users; a real database only when asked.
    seedDemoUsers: e.DATABASE_URL ? e.SEED_DEMO_USERS : env.SEED_DEMO_USERS === undefined ? true : e.SEED_DEMO_USERS,
    userSessionHours: e.USER_SESSION_HOURS,
    recovery: {
      flowTtlMinutes: e.FLOW_TTL_MINUTES,
      codeTtlMinutes: e.CODE_TTL_MINUTES,
      maxCodeAttempts: e.CODE_MAX_ATTEMPTS,
      resendCooldownSeconds: e.CODE_RESEND_COOLDOWN_SECONDS,
      maxSends: e.CODE_MAX_SENDS_PER_FLOW,
      maxPhoneMismatches: e.PHONE_MAX_MISMATCHES,
      passwordHistory: e.PASSWORD_HISTORY,
      reconfirmDays: e.RECOVERY_RECONFIRM_DAYS,
    },
    limits: {
      flowsPerUserPerDay: e.LIMIT_FLOWS_PER_USER_PER_DAY,
      flowsPerIpPerHour: e.LIMIT_FLOWS_PER_IP_PER_HOUR,
      captchaPerIpPerHour: e.LIMIT_CAPTCHA_PER_IP_PER_HOUR,
      captchaImagesPerIpPerHour: e.LIMIT_CAPTCHA_IMAGES_PER_IP_PER_HOUR,
      captchaAudioPerIpPerHour: e.LIMIT_CAPTCHA_AUDIO_PER_IP_PER_HOUR,
      codeFailuresPerAccountPerDay: e.LIMIT_CODE_FAILURES_PER_ACCOUNT_PER_DAY,
      codesPerNumberPerDay: e.LIMIT_CODES_PER_NUMBER_PER_DAY,
      signInPerIpPerHour: e.LIMIT_SIGNIN_PER_IP_PER_HOUR,
    },
    smsProvider: e.SMS_PROVIDER,
    messagebird:
      e.SMS_PROVIDER === "messagebird"
        ? {
            accessKey: e.MESSAGEBIRD_ACCESS_KEY!,
            originator: e.MESSAGEBIRD_ORIGINATOR!,
            signingKey: e.MESSAGEBIRD_SIGNING_KEY,
            standIn: e.MESSAGEBIRD_STAND_IN ? { url: e.MESSAGEBIRD_STAND_IN, caFile: path.resolve(e.MESSAGEBIRD_STAND_IN_CA!) } : undefined,
          }
        : undefined,
    providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
    sms: {
      allowedCountries: countryList(e.SMS_ALLOWED_COUNTRIES),
      capPerHour: e.SMS_CAP_PER_HOUR,
      capPerDay: e.SMS_CAP_PER_DAY,
    },
    captchaProvider: e.CAPTCHA_PROVIDER,
    hcaptcha:
      e.CAPTCHA_PROVIDER === "hcaptcha"
        ? {
            siteKey: e.HCAPTCHA_SITE_KEY!,
            secret: e.HCAPTCHA_SECRET!,
            scriptUrl: e.HCAPTCHA_SCRIPT_URL,
            verifyUrl: e.HCAPTCHA_VERIFY_URL,
            noJsFallback: e.HCAPTCHA_NOJS_FALLBACK,
          }
        : undefined,
    audit: { retentionDays: e.AUDIT_RETENTION_DAYS },
    admin: { idleMinutes: e.ADMIN_IDLE_MINUTES, sessionHours: e.ADMIN_SESSION_HOURS },
    outboxPage: e.OUTBOX_PAGE,
    trustedProxies,
    metricsToken: e.METRICS_TOKEN,
    housekeepingIntervalMinutes: e.HOUSEKEEPING_INTERVAL_MINUTES,
    captchaTestAnswer: e.CAPTCHA_TEST_ANSWER,
    directory,
  };
}

/** DIRECTORY and the LDAP_* settings: what a directory needs is there and usable, and nothing is set for nothing. */
function directoryConfig(e: z.infer<typeof envSchema>, fail: (line: string) => never): AppConfig["directory"] {
  if (e.DIRECTORY === "builtin") {
    // Forgetting DIRECTORY would quietly run the demo accounts instead of the organisation's directory.
    if (e.LDAP_URL) fail("LDAP_URL is set but DIRECTORY is builtin; set DIRECTORY=ad or DIRECTORY=ldap (or remove LDAP_URL)");
    return { kind: "builtin" };
  }
  const kind = e.DIRECTORY;
  if (!e.LDAP_URL) fail(`LDAP_URL is required when DIRECTORY=${kind} (e.g. ldaps://dc1.example.nl)`);
  if (!e.LDAP_BIND_DN) fail(`LDAP_BIND_DN is required when DIRECTORY=${kind} (the portal's service account)`);
  if (!e.LDAP_BIND_PASSWORD) fail(`LDAP_BIND_PASSWORD is required when DIRECTORY=${kind}`);
  if (!e.LDAP_BASE_DN) fail(`LDAP_BASE_DN is required when DIRECTORY=${kind} (where the users are, e.g. OU=Medewerkers,DC=example,DC=nl)`);
  // AD also binds with a user principal name (svc@example.nl) or DOMAIN\name; OpenLDAP only with a DN.
  const bindDnOk = DN.test(e.LDAP_BIND_DN!) || (kind === "ad" && /^[^\s@\\]+@[^\s@]+$|^[^\s\\]+\\[^\s\\]+$/.test(e.LDAP_BIND_DN!));
  if (!bindDnOk)
    fail(
      `LDAP_BIND_DN must be a DN such as CN=svc-toegang,OU=Services,DC=example,DC=nl${kind === "ad" ? " (or svc-toegang@example.nl)" : ""}`,
    );
  const userFilter = e.LDAP_USER_FILTER ?? DEFAULT_USER_FILTER[kind];
  const filterProblem = userFilterProblem(userFilter);
  if (filterProblem) fail(`LDAP_USER_FILTER ${filterProblem}`);
  let caFile: string | undefined;
  if (e.LDAP_CA_FILE) {
    caFile = path.resolve(e.LDAP_CA_FILE);
    let pem = "";
    try {
      pem = readFileSync(caFile, "utf8");
    } catch (error) {
      fail(`LDAP_CA_FILE ${caFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) fail(`LDAP_CA_FILE ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  }
  return {
    kind,
    urls: e.LDAP_URL!.split(",").map((url) => url.trim().replace(/\/$/, "")),
    bindDn: e.LDAP_BIND_DN!,
    bindPassword: e.LDAP_BIND_PASSWORD!,
    baseDn: e.LDAP_BASE_DN!.trim(),
    userFilter,
    caFile,
    tlsServername: e.LDAP_TLS_SERVERNAME,
    mobileAttribute: e.LDAP_MOBILE_ATTRIBUTE,
    adminGroupDn: e.LDAP_ADMIN_GROUP_DN?.trim(),
    timeoutMs: e.LDAP_TIMEOUT_MS,
    adHistoryOnReset: e.AD_HISTORY_ON_RESET,
  };
}

export const SESSION_SECRET_FILE = "session-secret";
export const HASH_KEY_FILE = "hash-key";

/**
 * Before the hash key had its own file, the embedded default keyed its hashes with its session secret. Such a folder's
 * new hash key file starts as a copy of that secret, so the masked digits users saw and the audit trail's hashes stay
 * the same; a new folder gets a random key. Either way, changing SESSION_SECRET afterwards changes no stored hash.
 */
function isLegacyDataFolder(dataDir: string): boolean {
  return !existsSync(path.join(dataDir, HASH_KEY_FILE)) && existsSync(path.join(dataDir, SESSION_SECRET_FILE));
}

/**
 * The embedded default keeps generated secrets in the data folder so sessions and hashes survive restarts. Several
 * processes may start at once: exclusive creation means one secret wins, and the others read it.
 */
function embeddedSecret(dataDir: string, name: string, initial?: string): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readSecretFile(file);
  const secret = initial ?? randomBytes(32).toString("base64url");
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    return secret;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return readSecretFile(file);
    const variable = name === HASH_KEY_FILE ? "HASH_KEY" : "SESSION_SECRET";
    throw new ConfigError(
      `Configuration error: DATA_DIR ${dataDir} cannot hold the ${name.replace("-", " ")} (${code ?? String(error)}); make it writable or set ${variable}`,
    );
  }
}

/** The process that created the file may not have written it yet, so an empty file is waited for briefly. */
function readSecretFile(file: string): string {
  for (let waitedMs = 0; ; waitedMs += 10) {
    const secret = readFileSync(file, "utf8").trim();
    if (secret.length >= 32) return secret;
    if (waitedMs >= 1_000) {
      const what = path.basename(file) === HASH_KEY_FILE ? "hash key" : "session secret";
      const variable = path.basename(file) === HASH_KEY_FILE ? "HASH_KEY" : "SESSION_SECRET";
      throw new ConfigError(`Configuration error: ${file} holds no usable ${what}; delete it to generate a new one, or set ${variable}`);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}

/**
 * SMS_ALLOWED_COUNTRIES alone, for the operator CLI's input checks, which run before (and without) the rest of the
 * configuration: reading all of it may create the data folder.
 */
export function readAllowedCountries(env: Record<string, string | undefined> = process.env): string[] {
  const parsed = allowedCountriesSchema.safeParse(env.SMS_ALLOWED_COUNTRIES || undefined);
  if (!parsed.success) throw new ConfigError(`Configuration error: SMS_ALLOWED_COUNTRIES ${parsed.error.issues[0]!.message}`);
  return countryList(parsed.data);
}

let cached: AppConfig | undefined;

export function getConfig(): AppConfig {
  cached ??= readConfig();
  return cached;
}
