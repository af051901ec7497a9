-- The core of danvan: places, units, people and roles, campaigns and their
-- targets, pledges and the append-only ledger of receipts, plus the tables
-- that make intake and delivery exactly-once (processed updates, outbox,
-- conversation state).
--
-- Quantities are BIGINT in the target kind's stored unit: đồng for money,
-- thousandths for every other kind (see danvan.Kind.Scale). No floats.

CREATE TABLE areas (
    id        BIGSERIAL PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name      TEXT NOT NULL CHECK (name <> ''),
    parent_id BIGINT REFERENCES areas (id)
);

CREATE TABLE units (
    id      BIGSERIAL PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name    TEXT NOT NULL CHECK (name <> ''),
    area_id BIGINT NOT NULL REFERENCES areas (id)
);

CREATE TABLE people (
    id           BIGSERIAL PRIMARY KEY,
    -- NULL for a household without a phone, recorded by a head.
    telegram_id  BIGINT UNIQUE,
    name         TEXT NOT NULL,
    lang         TEXT NOT NULL DEFAULT 'vi',
    home_area_id BIGINT REFERENCES areas (id),
    recorded_by  BIGINT REFERENCES people (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE roles (
    id         BIGSERIAL PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('head', 'treasurer', 'cadre', 'admin')),
    area_id    BIGINT REFERENCES areas (id),
    unit_id    BIGINT REFERENCES units (id),
    -- 'setup' for roles from the setup file, which a new run of it replaces;
    -- roles given in the chat are kept.
    source     TEXT NOT NULL DEFAULT 'setup' CHECK (source IN ('setup', 'chat')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((role = 'head') = (area_id IS NOT NULL)),
    CHECK ((role IN ('treasurer', 'cadre')) = (unit_id IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (person_id, role, area_id, unit_id)
);

CREATE TABLE campaigns (
    id           BIGSERIAL PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9]{2,16}$'),
    title        TEXT NOT NULL CHECK (title <> ''),
    description  TEXT NOT NULL DEFAULT '',
    unit_id      BIGINT NOT NULL REFERENCES units (id),
    starts       DATE,
    ends         DATE,
    status       TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'closed')),
    bank_bin     TEXT,
    bank_account TEXT,
    bank_name    TEXT,
    honour_board BOOLEAN NOT NULL DEFAULT TRUE,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (ends IS NULL OR starts IS NULL OR ends >= starts)
);

CREATE TABLE campaign_areas (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    area_id     BIGINT NOT NULL REFERENCES areas (id),
    PRIMARY KEY (campaign_id, area_id)
);
CREATE INDEX campaign_areas_area ON campaign_areas (area_id);

CREATE TABLE targets (
    id          BIGSERIAL PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position    INT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('money', 'labour', 'land', 'goods', 'measure', 'percent')),
    label       TEXT NOT NULL DEFAULT '',
    unit_label  TEXT NOT NULL DEFAULT '',
    goal        BIGINT NOT NULL CHECK (goal >= 0),
    UNIQUE (campaign_id, position)
);

CREATE TABLE pledges (
    id          BIGSERIAL PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9]{4,8}$'),
    person_id   BIGINT NOT NULL REFERENCES people (id),
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    target_id   BIGINT NOT NULL REFERENCES targets (id),
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    -- The sum of the receipts against this pledge, kept in the transaction
    -- that appends a receipt so that summaries need not sum the ledger.
    received    BIGINT NOT NULL DEFAULT 0,
    due         DATE,
    public_name BOOLEAN NOT NULL DEFAULT FALSE,
    cancelled_at TIMESTAMPTZ,
    recorded_by BIGINT REFERENCES people (id),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX pledges_person ON pledges (person_id, created_at);
CREATE INDEX pledges_target ON pledges (target_id) WHERE cancelled_at IS NULL;

CREATE TABLE receipts (
    id            BIGSERIAL PRIMARY KEY,
    pledge_id     BIGINT REFERENCES pledges (id),
    campaign_id   BIGINT NOT NULL REFERENCES campaigns (id),
    target_id     BIGINT NOT NULL REFERENCES targets (id),
    quantity      BIGINT NOT NULL CHECK (quantity <> 0),
    method        TEXT NOT NULL CHECK (method IN ('cash', 'transfer', 'in_kind', 'labour')),
    recorded_by   BIGINT REFERENCES people (id),
    recorded_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    photo_file_id TEXT,
    reverses_id   BIGINT REFERENCES receipts (id),
    reason        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX receipts_pledge ON receipts (pledge_id);
CREATE INDEX receipts_target ON receipts (target_id);

-- The ledger is append-only: a correction is a new reversing entry.
CREATE FUNCTION receipts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'receipts are append-only: record a reversing entry instead';
END $$;
CREATE TRIGGER receipts_append_only BEFORE UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION receipts_append_only();

CREATE TABLE groups (
    chat_id    BIGINT PRIMARY KEY,
    title      TEXT NOT NULL DEFAULT '',
    area_id    BIGINT REFERENCES areas (id),
    unit_id    BIGINT REFERENCES units (id),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE group_campaigns (
    chat_id     BIGINT NOT NULL REFERENCES groups (chat_id) ON DELETE CASCADE ON UPDATE CASCADE,
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    PRIMARY KEY (chat_id, campaign_id)
);

-- One conversation per person per chat; state is versioned JSON owned by flows.
CREATE TABLE conversations (
    chat_id    BIGINT NOT NULL,
    user_id    BIGINT NOT NULL,
    state      JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chat_id, user_id)
);

-- Telegram re-delivers updates; a row here means "already applied".
-- Rows are kept a few days, longer than Telegram keeps an update, and then
-- pruned: update ids may jump and, much later, come round again.
CREATE TABLE processed_updates (
    update_id    BIGINT PRIMARY KEY,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX processed_updates_at ON processed_updates (processed_at);

-- Everything the bot says is written here in the transaction that decided
-- it, and sent afterwards, in id order per chat.
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    chat_id     BIGINT NOT NULL,
    -- 0 for replies to someone chatting now, 1 for broadcasts (reminders,
    -- summaries): replies go first.
    priority    SMALLINT NOT NULL DEFAULT 0,
    payload     JSONB NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts    INT NOT NULL DEFAULT 0,
    next_try_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error  TEXT NOT NULL DEFAULT '',
    sent_at     TIMESTAMPTZ,
    -- Set when the platform refused the message for good; kept for admins.
    failed_at   TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox (chat_id, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE sent_at IS NOT NULL;

-- Chats the platform refused for good (blocked by the person, bot removed
-- from the group): nothing is sent there until they write again or add the
-- bot back.
CREATE TABLE unreachable_chats (
    chat_id BIGINT PRIMARY KEY,
    reason  TEXT NOT NULL,
    since   TIMESTAMPTZ NOT NULL DEFAULT now()
);
