-- Nutzerkonto: one account for citizens and staff, with sessions, tokens,
-- second factor, organisation units, roles and permissions.
-- Timestamps are Unix seconds; booleans 0/1 (DESIGN §3).

CREATE TABLE users (
    id                  BIGSERIAL PRIMARY KEY,
    email               TEXT    NOT NULL,          -- lower case; '' once pseudonymised
    email_confirmed_at  BIGINT,
    password_hash       TEXT,                      -- argon2id; NULL for directory-only staff
    is_staff            BIGINT  NOT NULL DEFAULT 0,
    trust_level         BIGINT  NOT NULL DEFAULT 0, -- 0 unconfirmed, 1 basisregistriert, 2 substantiell, 3 hoch
    display_name        TEXT    NOT NULL DEFAULT '',
    totp_secret         TEXT,                      -- base32; set during enrolment
    totp_enabled_at     BIGINT,                    -- second factor active since
    totp_last_step      BIGINT  NOT NULL DEFAULT 0, -- refuses a code used before (replay)
    blocked_at          BIGINT,
    deleted_at          BIGINT,                    -- pseudonymised; row kept for records the law keeps
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
-- One live account per address; a deleted account frees its address.
CREATE UNIQUE INDEX users_email ON users (email) WHERE deleted_at IS NULL;

-- "Meine Daten": entered once, offered to every form (once-only principle).
CREATE TABLE profiles (
    user_id         BIGINT  PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    given_name      TEXT    NOT NULL DEFAULT '',
    family_name     TEXT    NOT NULL DEFAULT '',
    birth_name      TEXT    NOT NULL DEFAULT '',
    doctoral_degree TEXT    NOT NULL DEFAULT '',
    birth_date      TEXT    NOT NULL DEFAULT '',   -- ISO yyyy-mm-dd or ''
    birth_place     TEXT    NOT NULL DEFAULT '',
    street          TEXT    NOT NULL DEFAULT '',
    house_number    TEXT    NOT NULL DEFAULT '',
    postcode        TEXT    NOT NULL DEFAULT '',
    city            TEXT    NOT NULL DEFAULT '',
    phone           TEXT    NOT NULL DEFAULT '',
    updated_at      BIGINT  NOT NULL
);

-- Sessions: only the BLAKE2b hash of the cookie's random id is stored.
CREATE TABLE sessions (
    id_hash         TEXT    PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      BIGINT  NOT NULL,
    last_seen_at    BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,              -- absolute end
    ip              TEXT    NOT NULL DEFAULT '',
    user_agent      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Single-use links and pending steps: e-mail confirmation, password reset,
-- e-mail change, the second login step. Only hashes are stored.
CREATE TABLE account_tokens (
    hash            TEXT    PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose         TEXT    NOT NULL,              -- confirm | reset | email | login2fa | invite
    payload         TEXT    NOT NULL DEFAULT '',   -- e.g. the new e-mail address
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

CREATE TABLE recovery_codes (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash       TEXT    NOT NULL,
    used_at         BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- Failed logins per account and per address, for growing delays and locks.
CREATE TABLE login_throttle (
    key             TEXT    PRIMARY KEY,           -- 'account:<email>' | 'ip:<address>' | 'register:<address>'
    failures        BIGINT  NOT NULL DEFAULT 0,
    window_start    BIGINT  NOT NULL,
    next_allowed_at BIGINT  NOT NULL DEFAULT 0,
    locked_until    BIGINT  NOT NULL DEFAULT 0,
    notified_at     BIGINT  NOT NULL DEFAULT 0
);

-- Links to external identity providers (LDAP now; BundID/OpenID Connect later).
CREATE TABLE identity_links (
    provider        TEXT    NOT NULL,              -- 'ldap', 'bundid', 'oidc:<issuer>'
    subject         TEXT    NOT NULL,              -- the provider's stable id (LDAP DN, …)
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (provider, subject)
);

CREATE TABLE units (
    id              BIGSERIAL PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    contact         TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL
);

CREATE TABLE unit_members (
    unit_id         BIGINT  NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (unit_id, user_id)
);
CREATE INDEX unit_members_user ON unit_members (user_id);

CREATE TABLE roles (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,       -- 'admin', 'sachbearbeitung', …
    title           TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);

CREATE TABLE role_permissions (
    role_id         BIGINT  NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    permission      TEXT    NOT NULL,
    PRIMARY KEY (role_id, permission)
);

-- unit_id 0: the role holds everywhere; otherwise only for that unit's records.
CREATE TABLE user_roles (
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id         BIGINT  NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    unit_id         BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, role_id, unit_id)
);

INSERT INTO roles (name, title, created_at) VALUES
    ('admin', 'Administration', 0),
    ('identitaet', 'Identität prüfen (Vertrauensniveau anheben)', 0),
    ('sachbearbeitung', 'Sachbearbeitung', 0);
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.users.manage' FROM roles WHERE name = 'admin';
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.units.manage' FROM roles WHERE name = 'admin';
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.roles.manage' FROM roles WHERE name = 'admin';
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.audit.read' FROM roles WHERE name = 'admin';
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.trust.raise' FROM roles WHERE name = 'admin';
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.trust.raise' FROM roles WHERE name = 'identitaet';
INSERT INTO role_permissions (role_id, permission)
    SELECT id, 'account.staff' FROM roles WHERE name = 'sachbearbeitung';
