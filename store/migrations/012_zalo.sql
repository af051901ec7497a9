-- On a channel without buttons (Zalo) a list of choices is typed back, and
-- a reply is read against the chat's latest list: the outbox is where
-- lists are found.
CREATE INDEX outbox_keyboards ON outbox (chat_id, id) WHERE payload ? 'buttons';

-- A channel that fetches pictures and files from an address (Zalo) is
-- given one under DANVAN_PUBLIC_URL: each picture or file the bot sends
-- there is kept here, at an unguessable token, until it expires.
CREATE TABLE media (
    token        TEXT PRIMARY KEY,
    outbox_id    BIGINT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    file_name    TEXT NOT NULL DEFAULT '',
    data         BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX media_expires ON media (expires_at);
