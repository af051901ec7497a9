-- Totals kept up to date, so that the weekly summaries of a thousand
-- campaigns need not sum a million pledges each week (BENCHMARKS.md).
--
-- Each table holds what summing the ledger gives, nothing more, and is kept
-- by the triggers below in the transaction that changes a pledge, a receipt
-- or a person's home zone, whichever statement does it (the store's write
-- paths, an account merge, raw SQL). The triggers are per statement, with
-- transition tables: a statement's changes are summed first, then applied to
-- the totals in key order, so a statement touching many targets (a bank
-- statement applied, a merge) takes their rows' locks in one order.
-- store/totals_test.go checks, after a random mix of writes, that every
-- table equals a fresh sum.

-- Per target: the quantity and number of pledges not cancelled, and the
-- sum of the receipts (gifts without a pledge included).
CREATE TABLE target_totals (
    target_id BIGINT PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
    pledged   BIGINT NOT NULL DEFAULT 0,
    pledges   BIGINT NOT NULL DEFAULT 0,
    received  BIGINT NOT NULL DEFAULT 0
);

-- Per target and the pledger's home area (people.home_area_id; 0 for none):
-- the pledges not cancelled, their quantity and what was received against
-- them (pledges.received). A row whose pledges went elsewhere stays, at 0.
CREATE TABLE zone_totals (
    target_id BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    zone_id   BIGINT NOT NULL,
    pledged   BIGINT NOT NULL DEFAULT 0,
    received  BIGINT NOT NULL DEFAULT 0,
    pledges   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (target_id, zone_id)
);

-- The honour board: per person and target, the quantity of their public
-- pledges not cancelled and the id of the first of them; campaign_id is the
-- target's. Summed again from the pledges for every (person, target) a
-- statement touches.
CREATE TABLE honour_totals (
    person_id   BIGINT NOT NULL,
    target_id   BIGINT NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    campaign_id BIGINT NOT NULL,
    first_id    BIGINT NOT NULL,
    pledged     BIGINT NOT NULL,
    PRIMARY KEY (person_id, target_id)
);
CREATE INDEX honour_totals_campaign ON honour_totals (campaign_id, person_id);

-- The people named on a campaign's board, with the id of their first public
-- pledge to it (the least first_id of their honour_totals): the board's
-- order.
CREATE TABLE honour_people (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    person_id   BIGINT NOT NULL,
    first_id    BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, person_id)
);
CREATE INDEX honour_people_order ON honour_people (campaign_id, first_id);

-- A transition table's rows, each with its sign: +1 for the new rows of an
-- INSERT or UPDATE, -1 for the old rows of an UPDATE or DELETE. An UPDATE
-- that changes nothing summed thus adds nothing.
CREATE FUNCTION totals_changes(op TEXT, cols TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE op
        WHEN 'INSERT' THEN format('SELECT 1 AS sign, %s FROM new_rows', cols)
        WHEN 'DELETE' THEN format('SELECT -1 AS sign, %s FROM old_rows', cols)
        ELSE format('SELECT 1 AS sign, %1$s FROM new_rows UNION ALL SELECT -1, %1$s FROM old_rows', cols)
    END
$$;

CREATE FUNCTION pledges_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c      TEXT := totals_changes(TG_OP, 'id, person_id, target_id, quantity, received, public_name, cancelled_at IS NULL AS open');
    pairs  TEXT;
    locked BIGINT; -- how many of the 256 locks: 0 when no public pledge changed
BEGIN
    -- The (person, target) pairs whose public pledges changed (a row that
    -- an UPDATE left the same as far as the board goes cancels out) are
    -- summed again from the pledges below, and their people's first pledge
    -- in the campaign found again. Two transactions changing one person's
    -- public pledges take turns (the lock is the person's, or rather one of
    -- 256 that people share, so that a statement changing thousands of
    -- people's pledges takes at most 256 locks; held to commit, and taken
    -- before any total's row), so that the second, reading committed data
    -- afresh at each statement (the store's writers run at READ
    -- COMMITTED), sums what the first committed.
    pairs := 'WITH c AS (' || c || '), pairs AS (
            SELECT DISTINCT x.person_id, x.target_id, t.campaign_id FROM (
                SELECT person_id, target_id FROM c WHERE open AND public_name
                GROUP BY id, person_id, target_id, quantity HAVING sum(sign) <> 0) x
            JOIN targets t ON t.id = x.target_id) ';
    EXECUTE pairs || 'SELECT count(pg_advisory_xact_lock(15, b))
        FROM (SELECT DISTINCT (person_id % 256)::int AS b FROM pairs ORDER BY b) x' INTO locked;

    EXECUTE 'WITH c AS (' || c || '), d AS (
            SELECT target_id, sum(sign * quantity)::bigint AS pledged, sum(sign)::bigint AS pledges
            FROM c WHERE open GROUP BY target_id)
        INSERT INTO target_totals AS t (target_id, pledged, pledges)
        SELECT target_id, pledged, pledges FROM d WHERE pledged <> 0 OR pledges <> 0
        ORDER BY target_id
        ON CONFLICT (target_id) DO UPDATE
        SET pledged = t.pledged + EXCLUDED.pledged, pledges = t.pledges + EXCLUDED.pledges';

    EXECUTE 'WITH c AS (' || c || '), d AS (
            SELECT c.target_id, COALESCE(pe.home_area_id, 0) AS zone_id, sum(sign * quantity)::bigint AS pledged,
                sum(sign * received)::bigint AS received, sum(sign)::bigint AS pledges
            FROM c JOIN people pe ON pe.id = c.person_id
            WHERE open GROUP BY 1, 2)
        INSERT INTO zone_totals AS z (target_id, zone_id, pledged, received, pledges)
        SELECT * FROM d WHERE pledged <> 0 OR received <> 0 OR pledges <> 0
        ORDER BY target_id, zone_id
        ON CONFLICT (target_id, zone_id) DO UPDATE
        SET pledged = z.pledged + EXCLUDED.pledged, received = z.received + EXCLUDED.received,
            pledges = z.pledges + EXCLUDED.pledges';

    IF locked = 0 THEN
        RETURN NULL;
    END IF;
    EXECUTE pairs || 'DELETE FROM honour_totals h USING pairs a
        WHERE h.person_id = a.person_id AND h.target_id = a.target_id';
    EXECUTE pairs || 'INSERT INTO honour_totals (person_id, target_id, campaign_id, first_id, pledged)
        SELECT p.person_id, p.target_id, a.campaign_id, min(p.id), sum(p.quantity)::bigint
        FROM pairs a
        JOIN pledges p ON p.person_id = a.person_id AND p.target_id = a.target_id
            AND p.public_name AND p.cancelled_at IS NULL
        GROUP BY p.person_id, p.target_id, a.campaign_id';
    EXECUTE pairs || 'DELETE FROM honour_people h USING pairs a
        WHERE h.campaign_id = a.campaign_id AND h.person_id = a.person_id';
    EXECUTE pairs || 'INSERT INTO honour_people (campaign_id, person_id, first_id)
        SELECT h.campaign_id, h.person_id, min(h.first_id)
        FROM (SELECT DISTINCT person_id, campaign_id FROM pairs) a
        JOIN honour_totals h ON h.campaign_id = a.campaign_id AND h.person_id = a.person_id
        GROUP BY h.campaign_id, h.person_id';
    RETURN NULL;
END $$;

CREATE TRIGGER pledges_totals_insert AFTER INSERT ON pledges REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pledges_keep_totals();
CREATE TRIGGER pledges_totals_update AFTER UPDATE ON pledges REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pledges_keep_totals();
CREATE TRIGGER pledges_totals_delete AFTER DELETE ON pledges REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION pledges_keep_totals();

CREATE FUNCTION receipts_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'WITH c AS (' || totals_changes(TG_OP, 'target_id, quantity') || '), d AS (
            SELECT target_id, sum(sign * quantity)::bigint AS received FROM c GROUP BY target_id)
        INSERT INTO target_totals AS t (target_id, received)
        SELECT target_id, received FROM d WHERE received <> 0
        ORDER BY target_id
        ON CONFLICT (target_id) DO UPDATE SET received = t.received + EXCLUDED.received';
    RETURN NULL;
END $$;

CREATE TRIGGER receipts_totals_insert AFTER INSERT ON receipts REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION receipts_keep_totals();
CREATE TRIGGER receipts_totals_update AFTER UPDATE ON receipts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION receipts_keep_totals();
CREATE TRIGGER receipts_totals_delete AFTER DELETE ON receipts REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION receipts_keep_totals();

-- A person moving home moves their open pledges to the new zone's totals.
-- A person is only deleted without pledges (the foreign key), and a new
-- one has none.
CREATE FUNCTION people_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (
        SELECT n.id, COALESCE(o.home_area_id, 0) AS old_zone, COALESCE(n.home_area_id, 0) AS new_zone
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE o.home_area_id IS DISTINCT FROM n.home_area_id
    ), d AS (
        SELECT p.target_id, z.zone_id, sum(z.sign * p.quantity)::bigint AS pledged,
            sum(z.sign * p.received)::bigint AS received, sum(z.sign)::bigint AS pledges
        FROM moved m
        JOIN pledges p ON p.person_id = m.id AND p.cancelled_at IS NULL
        CROSS JOIN LATERAL (VALUES (m.old_zone, -1), (m.new_zone, 1)) AS z (zone_id, sign)
        GROUP BY 1, 2)
    INSERT INTO zone_totals AS z (target_id, zone_id, pledged, received, pledges)
    SELECT * FROM d WHERE pledged <> 0 OR received <> 0 OR pledges <> 0
    ORDER BY target_id, zone_id
    ON CONFLICT (target_id, zone_id) DO UPDATE
    SET pledged = z.pledged + EXCLUDED.pledged, received = z.received + EXCLUDED.received,
        pledges = z.pledges + EXCLUDED.pledges;
    RETURN NULL;
END $$;

CREATE TRIGGER people_totals_update AFTER UPDATE ON people REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION people_keep_totals();

-- What is there already.
INSERT INTO target_totals (target_id, pledged, pledges, received)
SELECT t.id, COALESCE(p.pledged, 0), COALESCE(p.n, 0), COALESCE(r.received, 0)
FROM targets t
LEFT JOIN (SELECT target_id, sum(quantity)::bigint AS pledged, count(*) AS n
           FROM pledges WHERE cancelled_at IS NULL GROUP BY target_id) p ON p.target_id = t.id
LEFT JOIN (SELECT target_id, sum(quantity)::bigint AS received FROM receipts GROUP BY target_id) r ON r.target_id = t.id
WHERE p.target_id IS NOT NULL OR r.target_id IS NOT NULL;

INSERT INTO zone_totals (target_id, zone_id, pledged, received, pledges)
SELECT p.target_id, COALESCE(pe.home_area_id, 0), sum(p.quantity)::bigint, sum(p.received)::bigint, count(*)
FROM pledges p JOIN people pe ON pe.id = p.person_id
WHERE p.cancelled_at IS NULL
GROUP BY 1, 2;

INSERT INTO honour_totals (person_id, target_id, campaign_id, first_id, pledged)
SELECT p.person_id, p.target_id, t.campaign_id, min(p.id), sum(p.quantity)::bigint
FROM pledges p JOIN targets t ON t.id = p.target_id
WHERE p.public_name AND p.cancelled_at IS NULL
GROUP BY 1, 2, 3;

INSERT INTO honour_people (campaign_id, person_id, first_id)
SELECT campaign_id, person_id, min(first_id) FROM honour_totals GROUP BY 1, 2;
