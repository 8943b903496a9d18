-- Who may do what in the services module. Grants are per unit
-- (user_roles.unit_id), so a Bürgeramt caseworker sees only Bürgeramt cases.
INSERT INTO roles (name, title, created_at) VALUES
    ('sachgebietsleitung', 'Sachgebietsleitung (Vier-Augen-Freigabe)', 0),
    ('redaktion', 'Redaktion Leistungskatalog und Formulare', 0);

INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'services.case.read' FROM roles WHERE name IN ('sachbearbeitung', 'sachgebietsleitung');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'services.case.process' FROM roles WHERE name IN ('sachbearbeitung', 'sachgebietsleitung');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'services.appointments.manage' FROM roles WHERE name IN ('sachbearbeitung', 'sachgebietsleitung');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.staff' FROM roles WHERE name IN ('sachgebietsleitung', 'redaktion');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'services.case.approve' FROM roles WHERE name = 'sachgebietsleitung';
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'services.forms.manage' FROM roles WHERE name IN ('admin', 'redaktion');
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'services.catalogue.manage' FROM roles WHERE name IN ('admin', 'redaktion');
