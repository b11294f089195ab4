// Seeds a PostgreSQL database with a year of realistic audit rows as a valid hash chain, in a few SQL statements.
//
// Fast path: the rows are generated with generate_series into a temporary table, linked by one PL/pgSQL pass that
// computes every hash with the database's own audit_event_hash() (the same function the seal trigger uses), and
// inserted in one statement with the sealing triggers switched off for that transaction (ALTER TABLE … DISABLE TRIGGER,
// which the table's owner may do). The result is exactly what the triggers would have built row by row, and
// `npm run audit -- verify` accepts it; it takes about a minute for a million rows instead of an hour of single inserts.
import { sql } from "drizzle-orm";
import type { Db } from "@/lib/db/client";

/** Accounts, addresses and browsers the rows are spread over. */
const USERS = 5_000;
const IPS = 3_000;

/**
 * Replaces the audit trail with `rows` rows over the year before now, oldest first. Recovery flows come in blocks of
 * seven events (started → … → reset or unlock, with failures), sign-ins in between (mostly successes), message
 * status events, administrators' views, and attack noise (CAPTCHA failures, rate limits) from a few addresses.
 */
export async function seedAuditTrail(db: Db, rows: number): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`create temp table bench_stage (like audit_events) on commit drop`);
    await tx.execute(sql`
      with base as (
        select g,
          now() - interval '365 days' + (g::float8 / ${rows}) * interval '365 days' as at,
          abs(hashint8(g::bigint)) as h,
          abs(hashint8(g::bigint + 1000000007)) as h2,
          g / 7 as block,
          abs(hashint8((g / 7)::bigint)) as hb
        from generate_series(1, ${rows}::bigint) g
      ), shaped as (
        select base.*,
          case when hb % 100 < 45 then 'flow' when hb % 100 < 85 then 'sign_in' when hb % 100 < 93 then 'message'
               when hb % 100 < 97 then 'admin' else 'noise' end as kind,
          (hb % ${USERS})::int as flow_user,
          (h2 % ${USERS})::int as row_user,
          (hb % 10 = 0) as unknown_flow,
          (h2 % 20 = 0) as unknown_row,
          g % 7 as step
        from base
      ), events as (
        select s.*,
          case kind
            when 'flow' then (array['recovery.started', 'recovery.intent_chosen', 'recovery.number_checked', 'recovery.code_sent',
                                    case when h % 100 < 15 then 'recovery.code_failed' else 'recovery.code_verified' end,
                                    case when hb % 3 = 0 then 'account.unlocked' else 'password.reset' end,
                                    'message.delivered'])[step + 1]
            when 'sign_in' then case when h2 % 100 < 80 then 'sign_in.succeeded' when h2 % 100 < 96 then 'sign_in.failed'
                                     when h2 % 100 < 98 then 'account.locked' else 'sign_in.refused' end
            when 'message' then case when h % 100 < 3 then 'message.failed' when h % 2 = 0 then 'message.handed_over' else 'message.delivered' end
            when 'admin' then case when h % 10 = 0 then 'admin.sign_in.succeeded' else 'admin.audit_viewed' end
            else case when h % 3 = 0 then 'recovery.rate_limited' else 'recovery.captcha_failed' end
          end as event
        from shaped s
      )
      insert into bench_stage (id, seq, at, event, outcome, reason, user_id, subject_hash, flow_id, ip, user_agent, locale, details)
      select g, g, at, event,
        case
          when event in ('recovery.code_failed', 'sign_in.failed', 'message.failed', 'recovery.captcha_failed') then 'failure'
          when event in ('recovery.rate_limited', 'sign_in.refused') then 'refused'
          when event = 'account.locked' then 'info'
          else 'success'
        end,
        case event
          when 'recovery.code_failed' then 'wrong-code'
          when 'sign_in.failed' then 'wrong-password'
          when 'recovery.captcha_failed' then 'captcha-wrong'
          when 'recovery.rate_limited' then 'flow-starts-per-ip'
          when 'account.locked' then 'too-many-failures'
          when 'sign_in.refused' then 'account-locked'
          when 'message.failed' then 'code:sms'
          when 'message.handed_over' then 'code:' || case when hb % 4 = 0 then 'voice' else 'sms' end
          when 'recovery.code_sent' then case when hb % 4 = 0 then 'voice' else 'sms' end
        end,
        case
          when kind = 'noise' then null
          when kind = 'admin' then md5('bench-user-' || (h % 10))::uuid
          when kind in ('flow', 'message') and not unknown_flow then md5('bench-user-' || flow_user)::uuid
          when kind = 'sign_in' and not unknown_row then md5('bench-user-' || row_user)::uuid
        end,
        case
          when kind = 'noise' then encode(sha256(convert_to('bench-unknown-' || (h % 50000), 'UTF8')), 'hex')
          when kind in ('flow', 'message') and unknown_flow then encode(sha256(convert_to('bench-unknown-' || block, 'UTF8')), 'hex')
          when kind = 'sign_in' and unknown_row then encode(sha256(convert_to('bench-unknown-' || row_user, 'UTF8')), 'hex')
        end,
        case when kind in ('flow', 'message') then md5('bench-flow-' || block)::uuid::text end,
        case
          when kind = 'noise' then '203.0.113.' || (h % 4 + 1)
          else '10.' || ((case when kind = 'sign_in' then h2 else hb end) % ${IPS} / 250) || '.'
               || ((case when kind = 'sign_in' then h2 else hb end) % 250) || '.' || ((case when kind = 'sign_in' then h2 else hb end) % 7 + 1)
        end,
        (array[
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15',
          'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
          'Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Mobile Safari/537.36',
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0',
          'python-requests/2.32.3'
        ])[(case when kind = 'noise' then 5 else (case when kind = 'sign_in' then h2 else hb end) % 5 end) + 1],
        case when (case when kind = 'sign_in' then h2 else hb end) % 5 = 0 then 'en' else 'nl' end,
        case event
          when 'sign_in.failed' then jsonb_build_object('failures', h % 5 + 1)
          when 'recovery.code_failed' then jsonb_build_object('attemptsLeft', h % 5)
          when 'recovery.code_sent' then jsonb_build_object('send', 1)
          when 'message.handed_over' then jsonb_build_object('transport', 'messagebird', 'providerId', md5('bench-message-' || g))
          when 'message.failed' then jsonb_build_object('transport', 'messagebird', 'error', 'provider', 'providerCode', 21, 'httpStatus', 422)
        end
      from events`);
    // One pass in seq order: each row's prev_hash is the hash before it, each hash the database's own.
    await tx.execute(sql`
      create function pg_temp.bench_chain() returns setof audit_events language plpgsql as $$
      declare
        r audit_events;
        prev text := repeat('0', 64);
      begin
        for r in select * from bench_stage order by seq loop
          r.prev_hash := prev;
          r.hash := audit_event_hash(r);
          prev := r.hash;
          return next r;
        end loop;
      end;
      $$`);
    // The table is replaced wholesale: a benchmark database only. The triggers come back on at the end of this
    // transaction (or stay on, if anything fails).
    await tx.execute(sql`alter table audit_events disable trigger user`);
    await tx.execute(sql`alter table audit_chain_head disable trigger user`);
    await tx.execute(sql`delete from audit_events`);
    await tx.execute(sql`insert into audit_events select * from pg_temp.bench_chain()`);
    await tx.execute(sql`update audit_chain_head set (seq, hash) = (select seq, hash from audit_events order by seq desc limit 1)`);
    await tx.execute(sql`select setval(pg_get_serial_sequence('audit_events', 'id'), ${rows}::bigint)`);
    await tx.execute(sql`alter table audit_events enable trigger user`);
    await tx.execute(sql`alter table audit_chain_head enable trigger user`);
  });
  await db.execute(sql`vacuum analyze audit_events`);
}
