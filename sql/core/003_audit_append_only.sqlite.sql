-- audit_log is append-only (DESIGN §4): the database itself refuses to change or
-- remove an entry, whatever code or SQL tries. A retention purge, if the city ever
-- decides on one, needs its own migration that states the rule.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
