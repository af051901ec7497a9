-- danvan speaks more than one messaging platform (a "channel": Telegram,
-- Zalo). The rest of the schema knows a chat by an internal id; chats maps
-- it to the channel's own id, kept as text because Zalo's ids are strings.
-- A person is one person across channels: each account they write from is
-- an identity pointing at them.
--
-- Until now every chat id was Telegram's. Those rows keep their numbers as
-- internal ids, so nothing that refers to them changes; new chats are
-- numbered from chat_ids, which starts above 2^53 where no Telegram id
-- reaches (they fit in 52 bits, groups negative), so old and new never meet.
CREATE SEQUENCE chat_ids START WITH 9007199254740993;

CREATE TABLE chats (
    id          BIGINT PRIMARY KEY DEFAULT nextval('chat_ids'),
    channel     TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo')),
    external_id TEXT NOT NULL CHECK (external_id <> ''),
    is_group    BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (channel, external_id)
);
ALTER SEQUENCE chat_ids OWNED BY chats.id;

CREATE TABLE identities (
    channel     TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo')),
    external_id TEXT NOT NULL CHECK (external_id <> ''),
    person_id   BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX identities_person ON identities (person_id);

-- Every chat the bot has known so far, private (positive ids) or group
-- (negative), is a Telegram chat.
INSERT INTO chats (id, channel, external_id, is_group)
SELECT id, 'telegram', id::text, id < 0 FROM (
    SELECT telegram_id AS id FROM people WHERE telegram_id IS NOT NULL
    UNION SELECT chat_id FROM groups
    UNION SELECT chat_id FROM outbox
    UNION SELECT chat_id FROM conversations
    UNION SELECT chat_id FROM unreachable_chats
    UNION SELECT chat_id FROM summary_snapshots
) ids;

-- Where the bot writes to a person on its own (a thank-you, a reminder):
-- the private chat they last wrote from. NULL for a household without a
-- phone.
ALTER TABLE people ADD COLUMN chat_id BIGINT REFERENCES chats (id);
UPDATE people SET chat_id = telegram_id WHERE telegram_id IS NOT NULL;
INSERT INTO identities (channel, external_id, person_id, created_at)
SELECT 'telegram', telegram_id::text, id, created_at FROM people WHERE telegram_id IS NOT NULL;
ALTER TABLE people DROP COLUMN telegram_id;

-- A conversation belongs to a person in a chat; it was keyed by the
-- Telegram user id.
ALTER TABLE conversations ADD COLUMN person_id BIGINT REFERENCES people (id) ON DELETE CASCADE;
UPDATE conversations c SET person_id = i.person_id
FROM identities i WHERE i.channel = 'telegram' AND i.external_id = c.user_id::text;
DELETE FROM conversations WHERE person_id IS NULL;
ALTER TABLE conversations DROP CONSTRAINT conversations_pkey;
ALTER TABLE conversations DROP COLUMN user_id;
ALTER TABLE conversations ALTER COLUMN person_id SET NOT NULL;
ALTER TABLE conversations ADD PRIMARY KEY (chat_id, person_id);

-- What a re-delivery repeats differs by channel: Telegram's update_id,
-- Zalo's message id (a string).
CREATE TABLE processed_keys (
    channel      TEXT NOT NULL,
    key          TEXT NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (channel, key)
);
INSERT INTO processed_keys (channel, key, processed_at)
SELECT 'telegram', update_id::text, processed_at FROM processed_updates;
DROP TABLE processed_updates;
CREATE INDEX processed_keys_at ON processed_keys (processed_at);

-- A message longer than its channel allows is sent in parts; parts_sent
-- says how many went, so a retry goes on from the next one.
ALTER TABLE outbox ADD COLUMN parts_sent INT NOT NULL DEFAULT 0;

ALTER TABLE outbox ADD FOREIGN KEY (chat_id) REFERENCES chats (id);
ALTER TABLE conversations ADD FOREIGN KEY (chat_id) REFERENCES chats (id);
ALTER TABLE groups ADD FOREIGN KEY (chat_id) REFERENCES chats (id);
ALTER TABLE unreachable_chats ADD FOREIGN KEY (chat_id) REFERENCES chats (id);
