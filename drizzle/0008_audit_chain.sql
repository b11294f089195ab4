-- The audit trail's hash chain. Each row's hash covers its canonical serialisation (every column, prev_hash and seq
-- included); rows are chained in commit order by a deferred constraint trigger. Design and format: lib/audit/chain.ts.

-- One field of the canonical serialisation: "~" for NULL, else "<length in characters>:<text>", so no value can
-- imitate a separator.
CREATE FUNCTION audit_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN '~' ELSE length(v)::text || ':' || v END
$$;
--> statement-breakpoint
-- Version tag, then every column in a fixed order, each rendered in a form that does not depend on session settings
-- (TimeZone, DateStyle) or the server version. Adding a column to audit_events means a new version of this function.
CREATE FUNCTION audit_event_canonical(e audit_events) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT 'toegang-audit-v1'
    || '|' || audit_field(e.seq::text)
    || '|' || audit_field(e.prev_hash)
    || '|' || audit_field(e.id::text)
    || '|' || audit_field(to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    || '|' || audit_field(e.event)
    || '|' || audit_field(e.outcome)
    || '|' || audit_field(e.reason)
    || '|' || audit_field(e.user_id::text)
    || '|' || audit_field(e.subject_hash)
    || '|' || audit_field(e.flow_id)
    || '|' || audit_field(e.ip)
    || '|' || audit_field(e.user_agent)
    || '|' || audit_field(e.locale)
    || '|' || audit_field(e.details::text)
$$;
--> statement-breakpoint
CREATE FUNCTION audit_event_hash(e audit_events) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(audit_event_canonical(e), 'UTF8')), 'hex')
$$;
--> statement-breakpoint
INSERT INTO audit_chain_head (id, seq, hash) VALUES (true, 0, repeat('0', 64));
--> statement-breakpoint
ALTER TABLE audit_chain_head ADD CONSTRAINT audit_chain_head_one_row CHECK (id);
--> statement-breakpoint
-- Links one row to the chain head. Runs under the head row's lock, so links are handed out one at a time.
CREATE FUNCTION audit_seal(event_id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  head audit_chain_head;
  r audit_events;
BEGIN
  SELECT * INTO head FROM audit_chain_head FOR UPDATE;
  SELECT * INTO r FROM audit_events WHERE id = event_id;
  IF NOT FOUND OR r.hash IS NOT NULL THEN
    RETURN;
  END IF;
  r.seq := head.seq + 1;
  r.prev_hash := head.hash;
  r.hash := audit_event_hash(r);
  PERFORM set_config('toegang.audit_seal', 'on', true);
  UPDATE audit_events SET seq = r.seq, prev_hash = r.prev_hash, hash = r.hash WHERE id = event_id;
  UPDATE audit_chain_head SET seq = r.seq, hash = r.hash;
  PERFORM set_config('toegang.audit_seal', 'off', true);
END;
$$;
--> statement-breakpoint
CREATE FUNCTION audit_events_seal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM audit_seal(NEW.id);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Deferred to COMMIT: the head is locked only for the last moment of an auditing transaction, after all its other
-- locks are held, so callers that audit inside their own transactions cannot deadlock on it.
CREATE CONSTRAINT TRIGGER audit_events_seal
  AFTER INSERT ON audit_events
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION audit_events_seal();
--> statement-breakpoint
CREATE FUNCTION audit_events_insert_unsealed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.seq IS NOT NULL OR NEW.prev_hash IS NOT NULL OR NEW.hash IS NOT NULL THEN
    RAISE EXCEPTION 'audit_events: seq, prev_hash and hash are set by the database' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_events_insert_unsealed
  BEFORE INSERT ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_insert_unsealed();
--> statement-breakpoint
-- Append-only, now with the one update the chain needs: sealing a row once, its content unchanged.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
DECLARE
  content audit_events;
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('toegang.audit_prune', true) = 'on' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND current_setting('toegang.audit_seal', true) = 'on' AND OLD.hash IS NULL AND OLD.seq IS NULL THEN
    content := NEW;
    content.seq := NULL;
    content.prev_hash := NULL;
    content.hash := NULL;
    IF content IS NOT DISTINCT FROM OLD THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('toegang.audit_seal', true) = 'on' AND NEW.seq = OLD.seq + 1 THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_chain_head moves only when an audit row is sealed (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_chain_head_guard
  BEFORE INSERT OR UPDATE OR DELETE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard();
--> statement-breakpoint
CREATE TRIGGER audit_chain_head_no_truncate
  BEFORE TRUNCATE ON audit_chain_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_guard();
--> statement-breakpoint
-- Rows written before this migration join the chain in id order.
DO $$
DECLARE
  pending bigint;
BEGIN
  FOR pending IN SELECT id FROM audit_events WHERE hash IS NULL ORDER BY id LOOP
    PERFORM audit_seal(pending);
  END LOOP;
END;
$$;
