-- A person who writes to the bot from Telegram and from Zalo is two people
-- until they join the two accounts (/taikhoan): a one-time code shown on
-- one app and typed on the other. Only a hash of the code is kept, like an
-- invitation's token; the row says who made it, on which channel and in
-- which private chat (where the confirmation goes), and until when it works.
CREATE TABLE account_links (
    code_hash  TEXT PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id),
    channel    TEXT NOT NULL CHECK (channel IN ('telegram', 'zalo')),
    chat_id    BIGINT NOT NULL REFERENCES chats (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
-- A new code replaces the person's previous unused one: at most one works.
CREATE UNIQUE INDEX account_links_one_open ON account_links (person_id) WHERE used_at IS NULL;

-- Joining two accounts is written in the audit trail as the person's.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_entity_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_check
    CHECK (entity IN ('pledge', 'receipt', 'campaign', 'progress', 'role', 'claim', 'invitation', 'statement', 'group', 'follow', 'person'));

-- Joining merges two rows of people into one, and the other row is deleted,
-- so every row naming it must name the one that stays, the append-only
-- ledger, its photos and the audit trail included: they keep what was done,
-- and by whom is the same human being, under the one id they have now (the
-- audit entry of the join names both ids, so older entries still read
-- right). These tables stay append-only except for exactly that: an update
-- that changes nothing but the person columns named as the trigger's
-- arguments, each from the merged person to the one that stays, while the
-- transaction says it is merging those two (store.MergePeople sets
-- danvan.merge_people to 'MERGED:KEPT' for its statements only).
CREATE FUNCTION append_only_but_merge() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    merge TEXT := COALESCE(current_setting('danvan.merge_people', true), '');
    o     JSONB;
    n     JSONB;
    col   TEXT;
BEGIN
    IF TG_OP = 'UPDATE' AND merge <> '' THEN
        o := to_jsonb(OLD);
        n := to_jsonb(NEW);
        FOREACH col IN ARRAY TG_ARGV LOOP
            IF o->>col IS DISTINCT FROM n->>col AND (o->>col IS DISTINCT FROM split_part(merge, ':', 1)
                                                  OR n->>col IS DISTINCT FROM split_part(merge, ':', 2)) THEN
                RAISE EXCEPTION '%.% may only move from the merged person to the one that stays', TG_TABLE_NAME, col;
            END IF;
            o := o - col;
            n := n - col;
        END LOOP;
        IF o = n THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'the rows of % are append-only: record a reversing entry instead', TG_TABLE_NAME;
END $$;

DROP TRIGGER receipts_append_only ON receipts;
CREATE TRIGGER receipts_append_only BEFORE UPDATE OR DELETE ON receipts
    FOR EACH ROW EXECUTE FUNCTION append_only_but_merge('recorded_by');
DROP TRIGGER receipt_photos_append_only ON receipt_photos;
CREATE TRIGGER receipt_photos_append_only BEFORE UPDATE OR DELETE ON receipt_photos
    FOR EACH ROW EXECUTE FUNCTION append_only_but_merge('added_by');
DROP TRIGGER audit_log_append_only ON audit_log;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION append_only_but_merge('actor_id');

-- What the triggers ran until now.
DROP FUNCTION receipts_append_only();
