-- Exports read every pledge of the chosen targets, cancelled ones too; the
-- index of 001 leaves those out, so a one-campaign export scanned the table.
CREATE INDEX pledges_target_all ON pledges (target_id);
