-- The portal may run as a runtime role that can insert audit rows but neither update nor delete them, nor touch the
-- chain head (lib/db/roles.ts grants exactly that). Sealing a row still needs both at commit time, so the seal trigger
-- now runs with its owner's rights (SECURITY DEFINER, with a fixed search_path so no one can slip in look-alike
-- objects), and the sealing function itself can no longer be called directly by anyone but the owner. The guards in
-- 0009 still accept a seal only from inside the trigger. On PGlite, and with one role, nothing changes.
ALTER FUNCTION audit_events_seal() SECURITY DEFINER SET search_path = public, pg_temp;
--> statement-breakpoint
ALTER FUNCTION audit_seal(bigint) SET search_path = public, pg_temp;
--> statement-breakpoint
REVOKE ALL ON FUNCTION audit_seal(bigint) FROM PUBLIC;
