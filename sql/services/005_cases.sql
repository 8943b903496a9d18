-- Vorgangsbearbeitung (src/modules/services/cases*.c, docs/casework.md): what the
-- case work needs beyond 002_applications.sql.

-- Four eyes: the status a caseworker proposed ('entschieden' or 'abgelehnt')
-- while approval_status is 'offen'; '' when nothing is proposed.
ALTER TABLE applications ADD COLUMN approval_target TEXT NOT NULL DEFAULT '';

-- The inbox of someone who reads several units (or every unit): newest or oldest
-- first over all of them, keyset-paginated on (submitted_at, id), with and
-- without a status filter. The one-unit inbox uses applications_inbox and
-- applications_inbox_status (002).
CREATE INDEX applications_submitted ON applications (submitted_at, id);
CREATE INDEX applications_status_submitted ON applications (status, submitted_at, id);

-- Statistics: cases closed in the last 90 days per unit (median processing time).
CREATE INDEX applications_closed ON applications (unit_id, closed_at);
