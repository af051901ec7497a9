-- Receipts: photos, and a ledger that cannot reverse an entry twice.

-- A receipt's photo usually comes after it was recorded (the head records,
-- then photographs the cash book or the transfer screen), but receipts are
-- append-only: photos are kept beside them, themselves append-only, several
-- per receipt if need be. receipts.photo_file_id stays for a photo known
-- when the receipt is written.
CREATE TABLE receipt_photos (
    id         BIGSERIAL PRIMARY KEY,
    receipt_id BIGINT NOT NULL REFERENCES receipts (id),
    file_id    TEXT NOT NULL CHECK (file_id <> ''),
    added_by   BIGINT REFERENCES people (id),
    added_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX receipt_photos_receipt ON receipt_photos (receipt_id);
CREATE TRIGGER receipt_photos_append_only BEFORE UPDATE OR DELETE ON receipt_photos
    FOR EACH ROW EXECUTE FUNCTION receipts_append_only();

-- An entry is reversed at most once, whatever two cadres do at the same
-- moment.
CREATE UNIQUE INDEX receipts_reversed_once ON receipts (reverses_id) WHERE reverses_id IS NOT NULL;
