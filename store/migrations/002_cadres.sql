-- What cadres keep: invitations to roles, the audit trail, progress reports
-- on measured targets, and residents' "I have paid" claims.

-- A one-time link (/start i_TOKEN) that grants a role. Only a hash of the
-- token is kept, so a leaked database grants nothing.
CREATE TABLE invitations (
    id         BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('head', 'treasurer', 'cadre', 'admin')),
    area_id    BIGINT REFERENCES areas (id),
    unit_id    BIGINT REFERENCES units (id),
    created_by BIGINT NOT NULL REFERENCES people (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_by    BIGINT REFERENCES people (id),
    used_at    TIMESTAMPTZ,
    CHECK ((role = 'head') = (area_id IS NOT NULL)),
    CHECK ((role IN ('treasurer', 'cadre')) = (unit_id IS NOT NULL))
);

-- Every change to a pledge, receipt, campaign, progress figure or role:
-- who, when, what before and what after. Append-only, like receipts.
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT REFERENCES people (id),
    entity      TEXT NOT NULL CHECK (entity IN ('pledge', 'receipt', 'campaign', 'progress', 'role', 'claim', 'invitation')),
    entity_id   BIGINT NOT NULL,
    campaign_id BIGINT REFERENCES campaigns (id),
    action      TEXT NOT NULL,
    before      JSONB,
    after       JSONB
);
CREATE INDEX audit_log_campaign ON audit_log (campaign_id, id);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION receipts_append_only();

-- A value reported on a measure or percent target.
CREATE TABLE progress_reports (
    id            BIGSERIAL PRIMARY KEY,
    target_id     BIGINT NOT NULL REFERENCES targets (id),
    campaign_id   BIGINT NOT NULL REFERENCES campaigns (id),
    value         BIGINT NOT NULL CHECK (value >= 0),
    note          TEXT NOT NULL DEFAULT '',
    photo_file_id TEXT,
    reported_by   BIGINT NOT NULL REFERENCES people (id),
    reported_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX progress_reports_target ON progress_reports (target_id, id);

-- A resident saying "I have paid": it waits for a treasurer or head, who
-- accepts it (recording a receipt) or rejects it.
CREATE TABLE payment_claims (
    id          BIGSERIAL PRIMARY KEY,
    pledge_id   BIGINT NOT NULL REFERENCES pledges (id),
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    claimed_by  BIGINT NOT NULL REFERENCES people (id),
    claimed_at  TIMESTAMPTZ NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    decided_by  BIGINT REFERENCES people (id),
    decided_at  TIMESTAMPTZ,
    receipt_id  BIGINT REFERENCES receipts (id)
);
CREATE UNIQUE INDEX payment_claims_one_pending ON payment_claims (pledge_id) WHERE status = 'pending';

-- A gift without a pledge names its giver.
ALTER TABLE receipts ADD COLUMN donor_name TEXT NOT NULL DEFAULT '';
-- Households recorded by a head are named publicly only if the head says so.
-- (For everyone else, pledges.public_name is the person's own choice.)
-- A reason is kept for a pledge changed or cancelled by a cadre.
ALTER TABLE pledges ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
