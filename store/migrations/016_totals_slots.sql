-- Totals that many transactions can add to at once.
--
-- After a meeting hundreds of people pledge to the same target within
-- minutes. Kept in one row per target (migration 015), every such pledge
-- waited for the row lock of the one before it until that one's commit
-- reached the disk: intake ran at one WAL flush per pledge, however many
-- transactions it ran at once. Each target's (and zone's) totals are now
-- spread over 16 rows, one per slot; a transaction adds to the slot of its
-- session (pg_backend_pid() % 16), so concurrent transactions on different
-- connections seldom meet, and their commits share WAL flushes. A total is
-- the sum of its slots; a slot may hold a negative part (a pledge added in
-- one session and cancelled in another).
--
-- The trigger functions are also rewritten with static SQL, which PL/pgSQL
-- plans once per session, where migration 015's built their statements as
-- text and planned them again for every write (about 1.5 ms a pledge).

ALTER TABLE target_totals ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE target_totals DROP CONSTRAINT target_totals_pkey;
ALTER TABLE target_totals ADD PRIMARY KEY (target_id, slot);

ALTER TABLE zone_totals ADD COLUMN slot SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE zone_totals DROP CONSTRAINT zone_totals_pkey;
ALTER TABLE zone_totals ADD PRIMARY KEY (target_id, zone_id, slot);

-- The slot this session adds to.
CREATE FUNCTION totals_slot() RETURNS SMALLINT LANGUAGE sql STABLE AS $$
    SELECT (pg_backend_pid() % 16)::smallint
$$;

-- One row of a statement's transition tables, with its sign: +1 for a new
-- row, -1 for an old one. An UPDATE that changes nothing summed thus adds
-- nothing.
CREATE TYPE pledge_change AS (
    sign        INT,
    id          BIGINT,
    person_id   BIGINT,
    target_id   BIGINT,
    quantity    BIGINT,
    received    BIGINT,
    public_name BOOLEAN,
    open        BOOLEAN
);

CREATE FUNCTION pledges_apply_totals(c pledge_change[]) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    pair_people    BIGINT[];
    pair_targets   BIGINT[];
    pair_campaigns BIGINT[];
BEGIN
    -- The (person, target) pairs whose public pledges changed are summed
    -- again from the pledges below, and their people's first pledge in the
    -- campaign found again. Two transactions changing one person's public
    -- pledges take turns (the lock is the person's, or rather one of 256
    -- that people share, so that a statement changing thousands of
    -- people's pledges takes at most 256 locks; held to commit, and taken
    -- before any total's row), so that the second, reading committed data
    -- afresh at each statement (the store's writers run at READ
    -- COMMITTED), sums what the first committed.
    SELECT array_agg(p.person_id ORDER BY p.person_id, p.target_id),
        array_agg(p.target_id ORDER BY p.person_id, p.target_id),
        array_agg(t.campaign_id ORDER BY p.person_id, p.target_id)
    INTO pair_people, pair_targets, pair_campaigns
    FROM (SELECT DISTINCT x.person_id, x.target_id FROM unnest(c) x
          WHERE x.open AND x.public_name
          GROUP BY x.id, x.person_id, x.target_id, x.quantity HAVING sum(x.sign) <> 0) p
    JOIN targets t ON t.id = p.target_id;
    PERFORM pg_advisory_xact_lock(15, b)
    FROM (SELECT DISTINCT (u % 256)::int AS b FROM unnest(pair_people) u ORDER BY 1) l;

    INSERT INTO target_totals AS t (target_id, slot, pledged, pledges)
    SELECT x.target_id, totals_slot(), sum(x.sign * x.quantity)::bigint, sum(x.sign)::bigint
    FROM unnest(c) x WHERE x.open
    GROUP BY x.target_id
    HAVING sum(x.sign * x.quantity) <> 0 OR sum(x.sign) <> 0
    ORDER BY x.target_id
    ON CONFLICT (target_id, slot) DO UPDATE
    SET pledged = t.pledged + EXCLUDED.pledged, pledges = t.pledges + EXCLUDED.pledges;

    INSERT INTO zone_totals AS z (target_id, zone_id, slot, pledged, received, pledges)
    SELECT x.target_id, COALESCE(pe.home_area_id, 0), totals_slot(), sum(x.sign * x.quantity)::bigint,
        sum(x.sign * x.received)::bigint, sum(x.sign)::bigint
    FROM unnest(c) x JOIN people pe ON pe.id = x.person_id
    WHERE x.open
    GROUP BY 1, 2
    HAVING sum(x.sign * x.quantity) <> 0 OR sum(x.sign * x.received) <> 0 OR sum(x.sign) <> 0
    ORDER BY 1, 2
    ON CONFLICT (target_id, zone_id, slot) DO UPDATE
    SET pledged = z.pledged + EXCLUDED.pledged, received = z.received + EXCLUDED.received,
        pledges = z.pledges + EXCLUDED.pledges;

    IF pair_people IS NULL THEN
        RETURN; -- no public pledge changed
    END IF;
    DELETE FROM honour_totals h USING unnest(pair_people, pair_targets) AS a (person_id, target_id)
    WHERE h.person_id = a.person_id AND h.target_id = a.target_id;
    INSERT INTO honour_totals (person_id, target_id, campaign_id, first_id, pledged)
    SELECT p.person_id, p.target_id, a.campaign_id, min(p.id), sum(p.quantity)::bigint
    FROM unnest(pair_people, pair_targets, pair_campaigns) AS a (person_id, target_id, campaign_id)
    JOIN pledges p ON p.person_id = a.person_id AND p.target_id = a.target_id
        AND p.public_name AND p.cancelled_at IS NULL
    GROUP BY p.person_id, p.target_id, a.campaign_id;
    DELETE FROM honour_people h
    USING (SELECT DISTINCT person_id, campaign_id FROM unnest(pair_people, pair_campaigns) AS u (person_id, campaign_id)) a
    WHERE h.campaign_id = a.campaign_id AND h.person_id = a.person_id;
    INSERT INTO honour_people (campaign_id, person_id, first_id)
    SELECT h.campaign_id, h.person_id, min(h.first_id)
    FROM (SELECT DISTINCT person_id, campaign_id FROM unnest(pair_people, pair_campaigns) AS u (person_id, campaign_id)) a
    JOIN honour_totals h ON h.campaign_id = a.campaign_id AND h.person_id = a.person_id
    GROUP BY h.campaign_id, h.person_id;
END $$;

-- Each branch names only the transition tables its operation has; PL/pgSQL
-- prepares a statement when it first runs it.
CREATE OR REPLACE FUNCTION pledges_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM pledges_apply_totals(ARRAY(
            SELECT ROW(1, id, person_id, target_id, quantity, received, public_name, cancelled_at IS NULL)::pledge_change
            FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pledges_apply_totals(ARRAY(
            SELECT ROW(-1, id, person_id, target_id, quantity, received, public_name, cancelled_at IS NULL)::pledge_change
            FROM old_rows));
    ELSE
        PERFORM pledges_apply_totals(ARRAY(
            SELECT ROW(1, id, person_id, target_id, quantity, received, public_name, cancelled_at IS NULL)::pledge_change
            FROM new_rows
            UNION ALL
            SELECT ROW(-1, id, person_id, target_id, quantity, received, public_name, cancelled_at IS NULL)::pledge_change
            FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION receipts_apply_totals(target_ids BIGINT[], quantities BIGINT[]) RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO target_totals AS t (target_id, slot, received)
    SELECT x.target_id, totals_slot(), sum(x.quantity)::bigint
    FROM unnest(target_ids, quantities) AS x (target_id, quantity)
    GROUP BY x.target_id
    HAVING sum(x.quantity) <> 0
    ORDER BY x.target_id
    ON CONFLICT (target_id, slot) DO UPDATE SET received = t.received + EXCLUDED.received
$$;

-- Receipts are append-only (a correction is a reversing entry); the update
-- and delete branches keep the totals right should that ever change.
CREATE OR REPLACE FUNCTION receipts_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    target_ids BIGINT[];
    quantities BIGINT[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(target_id), array_agg(quantity) INTO target_ids, quantities FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(target_id), array_agg(-quantity) INTO target_ids, quantities FROM old_rows;
    ELSE
        SELECT array_agg(target_id), array_agg(quantity) INTO target_ids, quantities
        FROM (SELECT target_id, quantity FROM new_rows UNION ALL SELECT target_id, -quantity FROM old_rows) x;
    END IF;
    PERFORM receipts_apply_totals(target_ids, quantities);
    RETURN NULL;
END $$;

-- A person moving home moves their open pledges to the new zone's totals.
CREATE OR REPLACE FUNCTION people_keep_totals() RETURNS trigger LANGUAGE plpgsql AS $$
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
    INSERT INTO zone_totals AS z (target_id, zone_id, slot, pledged, received, pledges)
    SELECT target_id, zone_id, totals_slot(), pledged, received, pledges FROM d
    WHERE pledged <> 0 OR received <> 0 OR pledges <> 0
    ORDER BY target_id, zone_id
    ON CONFLICT (target_id, zone_id, slot) DO UPDATE
    SET pledged = z.pledged + EXCLUDED.pledged, received = z.received + EXCLUDED.received,
        pledges = z.pledges + EXCLUDED.pledges;
    RETURN NULL;
END $$;

DROP FUNCTION totals_changes(TEXT, TEXT);
