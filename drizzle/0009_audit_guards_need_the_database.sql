-- The switches toegang.audit_seal and toegang.audit_prune are session settings that any connection can turn on, so on
-- their own they would let the application reseal, forge the head or delete recent rows. Now:
-- * sealing (an UPDATE of audit_events or audit_chain_head) is accepted only from inside the deferred seal trigger
--   (pg_trigger_depth() > 1: the guard runs within audit_seal, itself run by the audit_events_seal trigger); a direct
--   UPDATE, even with the switch on, is refused;
-- * the retention job may delete only rows that are more than a day old (AUDIT_RETENTION_DAYS is at least 1), so
--   recent events cannot be made to disappear through it.
-- What stays possible for the tables' owner or a superuser (disabling triggers) is described in the README.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
DECLARE
  content audit_events;
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('toegang.audit_prune', true) = 'on' AND OLD.at < now() - interval '1 day' THEN
    RETURN OLD;
  END IF;
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND current_setting('toegang.audit_seal', true) = 'on'
     AND OLD.hash IS NULL AND OLD.seq IS NULL THEN
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
CREATE OR REPLACE FUNCTION audit_chain_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND current_setting('toegang.audit_seal', true) = 'on' AND NEW.seq = OLD.seq + 1 THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_chain_head moves only when an audit row is sealed (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
