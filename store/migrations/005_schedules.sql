-- What the scheduler keeps: one row per job run and slot (so that several
-- processes send each scheduled message once), each group's summary
-- schedule and what it was last told (for "change since last week"),
-- milestones reached, and reminders sent.

CREATE TABLE job_runs (
    job        TEXT NOT NULL,
    slot       TIMESTAMPTZ NOT NULL, -- the scheduled time this run is for
    claimed_at TIMESTAMPTZ NOT NULL,
    claimed_by TEXT NOT NULL DEFAULT '', -- host and process, for operators
    messages   INT NOT NULL DEFAULT 0,
    PRIMARY KEY (job, slot)
);

-- Weekly summary schedule per group: ISO weekday 1 (Monday) … 7 and hour,
-- in the ward's time zone. Default Monday 08:00; /lichtongket changes it.
ALTER TABLE groups ADD COLUMN summary_weekday SMALLINT NOT NULL DEFAULT 1 CHECK (summary_weekday BETWEEN 1 AND 7);
ALTER TABLE groups ADD COLUMN summary_hour SMALLINT NOT NULL DEFAULT 8 CHECK (summary_hour BETWEEN 0 AND 23);

-- The figures a group was last sent, per target, to say what changed since.
CREATE TABLE summary_snapshots (
    chat_id    BIGINT NOT NULL,
    target_id  BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    pledged    BIGINT NOT NULL,
    received   BIGINT NOT NULL,
    sent_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (chat_id, target_id)
);

-- A milestone (50 % or 100 % of a money goal received) is announced once,
-- even if a correction dips under it and it is passed again.
CREATE TABLE milestones (
    target_id  BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    percent    SMALLINT NOT NULL CHECK (percent IN (50, 100)),
    reached_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (target_id, percent)
);

-- Reminders to residents about a pledge's due date.
CREATE TABLE pledge_reminders (
    pledge_id    BIGINT PRIMARY KEY REFERENCES pledges (id),
    sent         INT NOT NULL DEFAULT 0,
    last_sent_at TIMESTAMPTZ
);
ALTER TABLE people ADD COLUMN reminders_off BOOLEAN NOT NULL DEFAULT FALSE;
