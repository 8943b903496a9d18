-- Beteiligung: who runs it. The coordination office (Koordinierungsstelle) checks
-- Anregungen; departments run processes; moderators keep the discussion civil.
INSERT INTO roles (name, title, created_at) VALUES
    ('beteiligung', 'Koordinierungsstelle Bürgerbeteiligung', 0),
    ('moderation', 'Moderation der Beteiligung', 0);
-- Administrators are staff too: the staff start pages (/verwaltung/beteiligung) open for them.
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.staff' FROM roles WHERE name IN ('beteiligung', 'moderation', 'admin');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'participation.projects.manage' FROM roles WHERE name IN ('admin', 'beteiligung');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'participation.requests.manage' FROM roles WHERE name IN ('admin', 'beteiligung');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'participation.processes.manage' FROM roles WHERE name IN ('admin', 'beteiligung');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'participation.moderate' FROM roles WHERE name IN ('admin', 'beteiligung', 'moderation');
