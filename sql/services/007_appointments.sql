-- Online-Dienste: appointments (slots and bookings), payments of fees, the
-- passports whose expiry we remind of, and the throttle of the status lookup
-- without login (src/modules/services/appointments.c, payment.c, passport.c).
-- Timestamps are Unix seconds; booleans 0/1.

-- A time a unit offers at one counter, for `capacity` people. booked counts
-- the active bookings; the booking transaction raises it only while it is
-- below capacity (UPDATE … WHERE booked < capacity), and the CHECK is the last
-- line of defence: capacity can never be exceeded, not even by two requests in
-- the same moment.
CREATE TABLE appointment_slots (
    id              BIGSERIAL PRIMARY KEY,
    unit_id         BIGINT  NOT NULL REFERENCES units (id),
    service_id      BIGINT  REFERENCES services (id),  -- NULL: any service of the unit with appointments
    starts_at       BIGINT  NOT NULL,
    ends_at         BIGINT  NOT NULL,
    counter         TEXT    NOT NULL DEFAULT '',        -- "Schalter 3"
    capacity        BIGINT  NOT NULL,
    booked          BIGINT  NOT NULL DEFAULT 0,
    created_by      BIGINT  REFERENCES users (id),      -- NULL: `rathaus demo`
    created_at      BIGINT  NOT NULL,
    cancelled_at    BIGINT,                             -- the office took the slot back
    cancelled_by    BIGINT  REFERENCES users (id),
    CHECK (capacity >= 1 AND booked >= 0 AND booked <= capacity AND ends_at > starts_at)
);
-- The day list and the free slots of a unit or a service, by time.
CREATE INDEX appointment_slots_unit ON appointment_slots (unit_id, starts_at);
CREATE INDEX appointment_slots_service ON appointment_slots (service_id, starts_at);
-- A series published twice does not make the same slot twice.
CREATE UNIQUE INDEX appointment_slots_once ON appointment_slots (unit_id, counter, starts_at) WHERE cancelled_at IS NULL;

-- One person's booking of a slot, for one service (and maybe one application).
CREATE TABLE appointment_bookings (
    id              BIGSERIAL PRIMARY KEY,
    slot_id         BIGINT  NOT NULL REFERENCES appointment_slots (id),
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    service_id      BIGINT  NOT NULL REFERENCES services (id),
    application_id  BIGINT  REFERENCES applications (id) ON DELETE SET NULL,
    status          TEXT    NOT NULL DEFAULT 'gebucht', -- 'gebucht' | 'vorbei' (its time has passed) | 'abgesagt' (by the citizen) | 'abgesagt_amt' (the office cancelled the slot)
    sequence        BIGINT  NOT NULL DEFAULT 0,         -- iCalendar SEQUENCE: raised when the booking changes
    created_at      BIGINT  NOT NULL,
    cancelled_at    BIGINT
);
-- One active booking per person and service, also against parallel requests.
CREATE UNIQUE INDEX appointment_bookings_active ON appointment_bookings (user_id, service_id) WHERE status = 'gebucht';
CREATE INDEX appointment_bookings_slot ON appointment_bookings (slot_id);
CREATE INDEX appointment_bookings_user ON appointment_bookings (user_id, created_at);
CREATE INDEX appointment_bookings_app ON appointment_bookings (application_id);

-- Payments of an application's fee (docs/payment.md). provider is the name of
-- a payment provider ('vor_ort', later an XBezahldienste provider).
CREATE TABLE payments (
    id              BIGSERIAL PRIMARY KEY,
    application_id  BIGINT  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    provider        TEXT    NOT NULL,
    amount_cents    BIGINT  NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'offen',   -- 'offen' | 'bezahlt' | 'fehlgeschlagen'
    reference       TEXT    NOT NULL UNIQUE,            -- our purpose reference: "MZ-2026-000123-1"
    provider_ref    TEXT    NOT NULL DEFAULT '',        -- the provider's id of the payment, '' for vor_ort
    created_at      BIGINT  NOT NULL,
    paid_at         BIGINT,
    marked_by       BIGINT  REFERENCES users (id),      -- the caseworker who recorded a payment at the counter
    CHECK (amount_cents > 0)
);
CREATE INDEX payments_app ON payments (application_id, id);
-- At most one open payment per application.
CREATE UNIQUE INDEX payments_open ON payments (application_id) WHERE status = 'offen';

-- Passports whose expiry a citizen is reminded of: the old passport named in
-- a submitted application (source 'antrag', field old_passport_expires) and
-- the new one handed out (source 'ausgabe', when the case is 'abgeschlossen').
CREATE TABLE passport_expiries (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    application_id  BIGINT  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    source          TEXT    NOT NULL,                   -- 'antrag' | 'ausgabe'
    expires_on      TEXT    NOT NULL,                   -- yyyy-mm-dd
    reminded_4m_at  BIGINT,                             -- "expires in at most 4 months" sent
    reminded_1m_at  BIGINT,                             -- "expires in at most 1 month" sent
    superseded_at   BIGINT,                             -- a newer passport of the same person replaced it
    created_at      BIGINT  NOT NULL,
    UNIQUE (application_id, source)
);
CREATE INDEX passport_expiries_due ON passport_expiries (expires_on) WHERE superseded_at IS NULL;
CREATE INDEX passport_expiries_user ON passport_expiries (user_id);

-- The status lookup without login: attempts per client address in a window.
CREATE TABLE status_lookup_throttle (
    key             TEXT    PRIMARY KEY,                -- 'ip:<address>'
    window_start    BIGINT  NOT NULL,
    attempts        BIGINT  NOT NULL
);

-- The daily expiry reminders are scheduled by `rathaus serve` (services_start →
-- passport_schedule_reminders) when none is pending; each run schedules the next.
