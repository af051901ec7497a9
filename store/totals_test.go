package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

// The totals kept by migration 015's triggers (target_totals, zone_totals,
// honour_totals) must equal what summing the ledger gives, whatever wrote
// to it: after a seeded random mix of pledges, receipts, reversals, gifts,
// households, pledge edits and cancellations, home moves and account merges
// made through the store, and of raw SQL the store never runs (several rows
// per statement, deletes, moves between targets and people), every kept
// table is compared with a fresh sum, and the summary readers with the
// queries they replaced.
func TestKeptTotalsEqualLedger(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { randomLedger(t, seed) })
	}
}

type mix struct {
	t       *testing.T
	ctx     context.Context
	db      *DB
	rng     *rand.Rand
	zones   []int64
	head    int64
	people  []int64
	targets []danvan.Target
	nextTg  int64          // next Telegram id
	done    map[string]int // changes made, by kind
}

func randomLedger(t *testing.T, seed uint64) {
	ctx := context.Background()
	db := openDB(t)
	m := &mix{t: t, ctx: ctx, db: db, rng: rand.New(rand.NewPCG(seed, 15)), nextTg: 1000, done: map[string]int{}}
	m.seed()
	for i := range 400 {
		op := m.rng.IntN(16)
		var kind string
		err := db.InTx(ctx, func(tx *Tx) (err error) {
			kind, err = m.step(tx, op)
			return err
		})
		if err == nil && kind != "" {
			m.done[kind]++
		}
		if err != nil && !errors.Is(err, errRolledBack) {
			t.Fatalf("step %d (op %d): %v", i, op, err)
		}
		if i%50 == 49 {
			m.check(fmt.Sprintf("after step %d", i))
		}
	}
	m.check("at the end")
	for _, kind := range []string{"cancel", "edit", "reversal", "merge", "household", "move"} {
		if m.done[kind] == 0 {
			t.Errorf("the mix made no %s", kind)
		}
	}
	t.Logf("changes made: %v", m.done)
}

var errRolledBack = errors.New("rolled back on purpose")

func (m *mix) exec(tx *Tx, sql string, args ...any) {
	m.t.Helper()
	if _, err := tx.tx.Exec(m.ctx, sql, args...); err != nil {
		m.t.Fatalf("%s: %v", sql, err)
	}
}

func (m *mix) id(tx *Tx, sql string, args ...any) int64 {
	m.t.Helper()
	var id int64
	if err := tx.tx.QueryRow(m.ctx, sql, args...).Scan(&id); err != nil {
		m.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// ids runs a query of ids; nil when there is none.
func (m *mix) ids(tx *Tx, sql string, args ...any) []int64 {
	m.t.Helper()
	rows, err := tx.tx.Query(m.ctx, sql, args...)
	if err != nil {
		m.t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			m.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		m.t.Fatalf("%s: %v", sql, err)
	}
	return ids
}

func (m *mix) pick(ids []int64) (int64, bool) {
	if len(ids) == 0 {
		return 0, false
	}
	return ids[m.rng.IntN(len(ids))], true
}

// seed makes a ward of three zones, three campaigns of two or three
// targets, a head and a dozen people, some with a home zone.
func (m *mix) seed() {
	err := m.db.InTx(m.ctx, func(tx *Tx) error {
		ward := m.id(tx, `INSERT INTO areas (code, name) VALUES ('YG', 'Phường Yên Giang') RETURNING id`)
		for _, z := range []string{"K1", "K2", "K3"} {
			m.zones = append(m.zones, m.id(tx, `INSERT INTO areas (code, name, parent_id) VALUES ('YG-'||$1, 'Khu '||$1, $2) RETURNING id`, z, ward))
		}
		unit := m.id(tx, `INSERT INTO units (code, name, area_id) VALUES ('MTTQ', 'MTTQ', $1) RETURNING id`, ward)
		for i, code := range []string{"DIEUHOA", "THIETBI", "DUONG"} {
			c := m.id(tx, `INSERT INTO campaigns (code, title, unit_id) VALUES ($1, $1, $2) RETURNING id`, code, unit)
			m.exec(tx, `INSERT INTO targets (campaign_id, position, kind, goal) VALUES ($1, 1, 'money', 100000000)`, c)
			m.exec(tx, `INSERT INTO targets (campaign_id, position, kind, label, goal) VALUES ($1, 2, 'goods', 'xi măng', 50000)`, c)
			if i == 2 {
				m.exec(tx, `INSERT INTO targets (campaign_id, position, kind, goal) VALUES ($1, 3, 'labour', 100000)`, c)
			}
		}
		for _, code := range []string{"DIEUHOA", "THIETBI", "DUONG"} {
			full, err := tx.CampaignByCode(m.ctx, code)
			if err != nil {
				return err
			}
			m.targets = append(m.targets, full.Targets...)
		}
		head, err := tx.EnsurePerson(m.ctx, telegramUser(999), "Tổ trưởng", "vi", 0)
		m.head = head.ID
		m.people = append(m.people, head.ID)
		return err
	})
	if err != nil {
		m.t.Fatal(err)
	}
	for range 12 {
		if err := m.db.InTx(m.ctx, m.newPerson); err != nil {
			m.t.Fatal(err)
		}
	}
}

func (m *mix) newPerson(tx *Tx) error {
	m.nextTg++
	chat, err := telegramChat(m.ctx, tx, m.nextTg)
	if err != nil {
		return err
	}
	p, err := tx.EnsurePerson(m.ctx, telegramUser(m.nextTg), fmt.Sprintf("Người %d", m.nextTg), "vi", chat)
	if err != nil {
		return err
	}
	m.people = append(m.people, p.ID)
	if m.rng.IntN(3) > 0 {
		return tx.SetHomeArea(m.ctx, p.ID, m.zones[m.rng.IntN(len(m.zones))])
	}
	return nil
}

func (m *mix) live(tx *Tx) []int64 { return m.ids(tx, `SELECT id FROM people ORDER BY id`) }

func (m *mix) quantity() danvan.Quantity { return danvan.Quantity(1+m.rng.IntN(50)) * 10_000 }

// step makes one random change in tx and says what it made ("" for
// nothing, or nothing the final check counts).
func (m *mix) step(tx *Tx, op int) (string, error) {
	ctx, r := m.ctx, m.rng
	switch op {
	case 0, 1, 2: // a pledge, public or not
		person, _ := m.pick(m.live(tx))
		tg := m.targets[r.IntN(len(m.targets))]
		p := danvan.Pledge{PersonID: person, CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: m.quantity(), PublicName: r.IntN(2) == 0}
		return "pledge", tx.CreatePledge(ctx, &p)
	case 3, 4: // a receipt against an open pledge, some of it or more
		id, ok := m.pick(m.ids(tx, `SELECT id FROM pledges WHERE cancelled_at IS NULL ORDER BY id`))
		if !ok {
			return "", nil
		}
		p, _, err := tx.LockPledge(ctx, id, "")
		if err != nil {
			return "", err
		}
		rc := danvan.Receipt{PledgeID: p.ID, CampaignID: p.CampaignID, TargetID: p.TargetID,
			Quantity: max(1, p.Quantity-p.Received+danvan.Quantity(r.IntN(3)-1)*5_000), Method: danvan.MethodCash}
		return "receipt", tx.AddReceipt(ctx, &rc)
	case 5: // a reversal of an entry not reversed yet
		id, ok := m.pick(m.ids(tx, `SELECT r.id FROM receipts r WHERE r.quantity > 0 AND r.pledge_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM receipts x WHERE x.reverses_id = r.id) ORDER BY r.id`))
		if !ok {
			return "", nil
		}
		orig, _, err := tx.Receipt(ctx, id)
		if err != nil {
			return "", err
		}
		if _, _, err := tx.LockPledge(ctx, orig.PledgeID, ""); err != nil {
			return "", err
		}
		rc := danvan.Receipt{PledgeID: orig.PledgeID, CampaignID: orig.CampaignID, TargetID: orig.TargetID,
			Quantity: -orig.Quantity, Method: orig.Method, ReversesID: orig.ID, Reason: "nhầm"}
		return "reversal", tx.AddReceipt(ctx, &rc)
	case 6: // a pledge changed or cancelled (by the pledger or a cadre)
		code, ok := m.pickCode(tx, `SELECT code FROM pledges WHERE cancelled_at IS NULL ORDER BY id`)
		if !ok {
			return "", nil
		}
		l, err := tx.PledgeToChange(ctx, code)
		if err != nil {
			return "", err
		}
		p, reason, kind := l.Pledge, "", "edit"
		if r.IntN(3) == 0 {
			kind = "cancel"
			p.Cancelled = true
			if r.IntN(2) == 0 {
				reason = "trùng"
			}
		} else {
			p.Quantity = m.quantity()
		}
		return kind, tx.UpdatePledgeTerms(ctx, p, reason)
	case 7: // a gift without a pledge
		tg := m.targets[r.IntN(len(m.targets))]
		rc := danvan.Receipt{CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: m.quantity(), Method: danvan.MethodTransfer, DonorName: "Ông Tư"}
		return "gift", tx.AddReceipt(ctx, &rc)
	case 8: // a household recorded by the head, and its pledge
		zone := m.zones[r.IntN(len(m.zones))]
		h, err := tx.CreateHousehold(ctx, fmt.Sprintf("Nhà số %d", r.IntN(6)), zone, m.head)
		if err != nil {
			return "", err
		}
		tg := m.targets[r.IntN(len(m.targets))]
		p := danvan.Pledge{PersonID: h.ID, CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: m.quantity(),
			PublicName: r.IntN(2) == 0, RecordedBy: m.head}
		return "household", tx.CreatePledge(ctx, &p)
	case 9: // someone moves home, or a newcomer arrives
		if r.IntN(3) == 0 {
			return "person", m.newPerson(tx)
		}
		person, _ := m.pick(m.live(tx))
		return "move", tx.SetHomeArea(ctx, person, m.zones[r.IntN(len(m.zones))])
	case 10: // two accounts joined: the pledges move to the one kept
		live := m.live(tx)
		keep, _ := m.pick(live)
		drop, _ := m.pick(live)
		if keep == drop || drop == m.head {
			return "", nil
		}
		chat := m.id(tx, `SELECT COALESCE(chat_id, 0) FROM people WHERE id = $1`, keep)
		if chat == 0 {
			return "", nil
		}
		_, err := tx.MergePeople(ctx, keep, drop, chat, "vi")
		return "merge", err
	case 11: // raw SQL: several pledges flip their public name, move target, come back from cancelled
		m.exec(tx, `UPDATE pledges SET public_name = NOT public_name WHERE id % 7 = $1`, r.IntN(7))
		m.exec(tx, `UPDATE pledges p SET target_id = t2.id
			FROM targets t1 JOIN targets t2 ON t2.campaign_id = t1.campaign_id AND t2.position = 3 - t1.position
			WHERE p.target_id = t1.id AND t1.position IN (1, 2) AND p.id % 5 = $1`, r.IntN(5))
		m.exec(tx, `UPDATE pledges SET cancelled_at = NULL, quantity = quantity + 1000 WHERE cancelled_at IS NOT NULL AND id % 3 = $1`, r.IntN(3))
		return "raw", nil
	case 12: // raw SQL: pledges change hands and people move, many rows a statement
		live := m.live(tx)
		to, _ := m.pick(live)
		m.exec(tx, `UPDATE pledges SET person_id = $1 WHERE id % 6 = $2`, to, r.IntN(6))
		m.exec(tx, `UPDATE people SET home_area_id = CASE WHEN id % 2 = 0 THEN NULL ELSE $1::bigint END WHERE id % 4 = $2`,
			m.zones[r.IntN(len(m.zones))], r.IntN(4))
		return "raw", nil
	case 13: // raw SQL: pledges inserted together, received set, pledges without receipts deleted
		person, _ := m.pick(m.live(tx))
		m.exec(tx, `INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, public_name)
			SELECT 'R' || upper(substr(md5(random()::text), 1, 6)), $1, t.campaign_id, t.id, 10000 * (1 + t.id % 9), t.id % 2 = 0
			FROM targets t`, person)
		m.exec(tx, `INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method)
			SELECT id, campaign_id, target_id, quantity, 'cash' FROM pledges
			WHERE received = 0 AND cancelled_at IS NULL AND id % 4 = $1`, r.IntN(4))
		m.exec(tx, `UPDATE pledges p SET received = (SELECT COALESCE(sum(quantity), 0) FROM receipts WHERE pledge_id = p.id)`)
		m.exec(tx, `DELETE FROM pledges p WHERE id % 9 = $1
			AND NOT EXISTS (SELECT 1 FROM receipts r WHERE r.pledge_id = p.id)
			AND NOT EXISTS (SELECT 1 FROM payment_claims c WHERE c.pledge_id = p.id)`, r.IntN(9))
		return "raw", nil
	case 14: // raw SQL: gifts to several targets in one statement
		m.exec(tx, `INSERT INTO receipts (campaign_id, target_id, quantity, method)
			SELECT campaign_id, id, CASE WHEN id % 3 = 0 THEN -5000 ELSE 70000 END, 'transfer' FROM targets`)
		return "raw", nil
	default: // changes that are rolled back
		person, _ := m.pick(m.live(tx))
		tg := m.targets[r.IntN(len(m.targets))]
		p := danvan.Pledge{PersonID: person, CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: m.quantity(), PublicName: true}
		if err := tx.CreatePledge(ctx, &p); err != nil {
			return "", err
		}
		m.exec(tx, `UPDATE people SET home_area_id = $1`, m.zones[0])
		return "", errRolledBack
	}
}

func (m *mix) pickCode(tx *Tx, sql string) (string, bool) {
	rows, err := tx.tx.Query(m.ctx, sql)
	if err != nil {
		m.t.Fatal(err)
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			m.t.Fatal(err)
		}
		codes = append(codes, c)
	}
	if len(codes) == 0 {
		return "", false
	}
	return codes[m.rng.IntN(len(codes))], true
}

// check compares each kept table with a fresh sum, every pledge's received
// with its receipts, and the summary readers with the queries they
// replaced, for every campaign.
func (m *mix) check(when string) {
	m.t.Helper()
	diffs := map[string]string{
		"target_totals": `
			WITH fresh AS (
				SELECT t.id AS target_id,
					COALESCE((SELECT sum(quantity) FROM pledges p WHERE p.target_id = t.id AND p.cancelled_at IS NULL), 0) AS pledged,
					(SELECT count(*) FROM pledges p WHERE p.target_id = t.id AND p.cancelled_at IS NULL) AS pledges,
					COALESCE((SELECT sum(quantity) FROM receipts r WHERE r.target_id = t.id), 0) AS received
				FROM targets t)
			SELECT count(*) FROM fresh f LEFT JOIN (
				SELECT target_id, sum(pledged) AS pledged, sum(pledges) AS pledges, sum(received) AS received
				FROM target_totals GROUP BY target_id) k USING (target_id)
			WHERE (f.pledged, f.pledges, f.received) IS DISTINCT FROM
				(COALESCE(k.pledged, 0), COALESCE(k.pledges, 0), COALESCE(k.received, 0))`,
		"zone_totals": `
			WITH fresh AS (
				SELECT p.target_id, COALESCE(pe.home_area_id, 0) AS zone_id,
					sum(p.quantity) AS pledged, sum(p.received) AS received, count(*) AS pledges
				FROM pledges p JOIN people pe ON pe.id = p.person_id
				WHERE p.cancelled_at IS NULL GROUP BY 1, 2)
			SELECT count(*) FROM fresh f FULL JOIN (
				SELECT target_id, zone_id, sum(pledged) AS pledged, sum(received) AS received, sum(pledges) AS pledges
				FROM zone_totals GROUP BY target_id, zone_id) k USING (target_id, zone_id)
			WHERE (COALESCE(f.pledged, 0), COALESCE(f.received, 0), COALESCE(f.pledges, 0)) IS DISTINCT FROM
				(COALESCE(k.pledged, 0), COALESCE(k.received, 0), COALESCE(k.pledges, 0))`,
		"honour_totals": `
			WITH fresh AS (
				SELECT p.person_id, p.target_id, t.campaign_id, min(p.id) AS first_id, sum(p.quantity) AS pledged
				FROM pledges p JOIN targets t ON t.id = p.target_id
				WHERE p.public_name AND p.cancelled_at IS NULL GROUP BY 1, 2, 3)
			SELECT count(*) FROM fresh f FULL JOIN honour_totals k USING (person_id, target_id)
			WHERE (f.campaign_id, f.first_id, f.pledged) IS DISTINCT FROM (k.campaign_id, k.first_id, k.pledged)`,
		"honour_people": `
			WITH fresh AS (
				SELECT t.campaign_id, p.person_id, min(p.id) AS first_id
				FROM pledges p JOIN targets t ON t.id = p.target_id
				WHERE p.public_name AND p.cancelled_at IS NULL GROUP BY 1, 2)
			SELECT count(*) FROM fresh f FULL JOIN honour_people k USING (campaign_id, person_id)
			WHERE f.first_id IS DISTINCT FROM k.first_id`,
		"pledges.received": `
			SELECT count(*) FROM pledges p
			WHERE p.received <> COALESCE((SELECT sum(quantity) FROM receipts r WHERE r.pledge_id = p.id), 0)`,
	}
	var counts struct{ pledges, public, cancelled, receipts, reversals, gifts, people int }
	err := m.db.InTx(m.ctx, func(tx *Tx) error {
		for table, sql := range diffs {
			var n int
			if err := tx.tx.QueryRow(m.ctx, sql).Scan(&n); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
			if n != 0 {
				m.t.Errorf("%s: %s differs from a fresh sum in %d rows", when, table, n)
			}
		}
		if err := tx.tx.QueryRow(m.ctx, `SELECT
			(SELECT count(*) FROM pledges), (SELECT count(*) FROM pledges WHERE public_name AND cancelled_at IS NULL),
			(SELECT count(*) FROM pledges WHERE cancelled_at IS NOT NULL), (SELECT count(*) FROM receipts),
			(SELECT count(*) FROM receipts WHERE reverses_id IS NOT NULL), (SELECT count(*) FROM receipts WHERE pledge_id IS NULL),
			(SELECT count(*) FROM people)`).Scan(&counts.pledges, &counts.public, &counts.cancelled,
			&counts.receipts, &counts.reversals, &counts.gifts, &counts.people); err != nil {
			return err
		}
		cs := m.ids(tx, `SELECT id FROM campaigns ORDER BY id`)
		var zones, boards []string
		for _, c := range cs {
			z, b, err := m.compareReaders(tx, c)
			if err != nil {
				return err
			}
			zones, boards = append(zones, z...), append(boards, b...)
		}
		// Read together, the campaigns give what each gives alone.
		var allZones, allBoards []string
		if err := tx.ZoneTotals(m.ctx, cs, func(target int64, zone danvan.Area, pledged, received danvan.Quantity) {
			allZones = append(allZones, fmt.Sprint(target, zone, pledged, received))
		}); err != nil {
			return err
		}
		totals, err := tx.HonourBoards(m.ctx, cs, 2, func(campaign, person int64, name string, target int64, pledged danvan.Quantity) {
			allBoards = append(allBoards, fmt.Sprint(campaign, person, name, target, pledged))
		})
		if err != nil {
			return err
		}
		for c, n := range totals {
			allBoards = append(allBoards, fmt.Sprint(c, "named", n))
		}
		slices.Sort(boards)
		slices.Sort(allBoards)
		if !slices.Equal(zones, allZones) || !slices.Equal(boards, allBoards) {
			m.t.Errorf("%s: zone totals or boards of all campaigns differ from each campaign's:\n%q\n%q\n%q\n%q", when, zones, allZones, boards, allBoards)
		}
		got, err := tx.SummaryProgress(m.ctx, cs)
		if err != nil {
			return err
		}
		want, err := oldSummaryProgress(m.ctx, tx, cs)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, want) {
			m.t.Errorf("%s: SummaryProgress\n got %+v\nwant %+v", when, got, want)
		}
		return nil
	})
	if err != nil {
		m.t.Fatalf("%s: %v", when, err)
	}
	m.t.Logf("%s: %+v", when, counts)
}

// compareReaders checks ZoneTotals and HonourBoards (with a short board and
// a long one) against the queries that summed the pledges before 015, and
// returns what the campaign's zone totals and short board say, in words.
func (m *mix) compareReaders(tx *Tx, c int64) (zones, board []string, err error) {
	type zoneRow struct {
		target            int64
		zone              danvan.Area
		pledged, received danvan.Quantity
	}
	var got []zoneRow
	if err := tx.ZoneTotals(m.ctx, []int64{c}, func(target int64, zone danvan.Area, pledged, received danvan.Quantity) {
		got = append(got, zoneRow{target, zone, pledged, received})
	}); err != nil {
		return nil, nil, err
	}
	var want []zoneRow
	rows, err := tx.tx.Query(m.ctx, `
		SELECT p.target_id, COALESCE(a.id, 0), COALESCE(a.code, ''), COALESCE(a.name, ''), COALESCE(a.parent_id, 0),
			sum(p.quantity), sum(p.received)
		FROM targets t
		JOIN pledges p ON p.target_id = t.id AND p.cancelled_at IS NULL
		JOIN people pe ON pe.id = p.person_id
		LEFT JOIN areas a ON a.id = pe.home_area_id
		WHERE t.campaign_id = $1
		GROUP BY p.target_id, a.id
		ORDER BY p.target_id, a.code NULLS LAST`, c)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var z zoneRow
		if err := rows.Scan(&z.target, &z.zone.ID, &z.zone.Code, &z.zone.Name, &z.zone.ParentID, &z.pledged, &z.received); err != nil {
			return nil, nil, err
		}
		want = append(want, z)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	for _, z := range got {
		zones = append(zones, fmt.Sprint(z.target, z.zone, z.pledged, z.received))
	}
	if !reflect.DeepEqual(got, want) {
		m.t.Errorf("campaign %d: ZoneTotals\n got %+v\nwant %+v", c, got, want)
	}

	type honourRow struct {
		person, target int64
		name           string
		pledged        danvan.Quantity
	}
	for _, limit := range []int{2, 30} {
		var got, want []honourRow
		totals, err := tx.HonourBoards(m.ctx, []int64{c}, limit, func(campaign, person int64, name string, target int64, pledged danvan.Quantity) {
			if campaign != c {
				m.t.Errorf("HonourBoards of campaign %d names campaign %d", c, campaign)
			}
			got = append(got, honourRow{person, target, name, pledged})
		})
		if err != nil {
			return nil, nil, err
		}
		gotN := totals[c]
		rows, err := tx.tx.Query(m.ctx, `
			WITH named AS (
				SELECT p.person_id, min(p.id) AS first
				FROM targets t JOIN pledges p ON p.target_id = t.id
				WHERE t.campaign_id = $1 AND p.public_name AND p.cancelled_at IS NULL
				GROUP BY p.person_id
			), shown AS (
				SELECT person_id, first FROM named ORDER BY first LIMIT $2
			)
			SELECT s.person_id, pe.name, p.target_id, sum(p.quantity), (SELECT count(*) FROM named)
			FROM shown s
			JOIN people pe ON pe.id = s.person_id
			JOIN pledges p ON p.person_id = s.person_id AND p.campaign_id = $1
				AND p.public_name AND p.cancelled_at IS NULL
			JOIN targets t ON t.id = p.target_id
			GROUP BY s.person_id, s.first, pe.name, p.target_id, t.position
			ORDER BY s.first, t.position`, c, limit)
		if err != nil {
			return nil, nil, err
		}
		wantN := 0
		for rows.Next() {
			var h honourRow
			if err := rows.Scan(&h.person, &h.name, &h.target, &h.pledged, &wantN); err != nil {
				return nil, nil, err
			}
			want = append(want, h)
		}
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
		if limit == 2 {
			for _, h := range got {
				board = append(board, fmt.Sprint(c, h.person, h.name, h.target, h.pledged))
			}
			if gotN > 0 {
				board = append(board, fmt.Sprint(c, "named", gotN))
			}
		}
		if !reflect.DeepEqual(got, want) || gotN != wantN {
			m.t.Errorf("campaign %d: HonourBoard(%d)\n got %d %+v\nwant %d %+v", c, limit, gotN, got, wantN, want)
		}
	}
	return zones, board, nil
}

// oldSummaryProgress is SummaryProgress as it summed the ledger before 015.
func oldSummaryProgress(ctx context.Context, tx *Tx, campaignIDs []int64) ([]danvan.Progress, error) {
	rows, err := tx.tx.Query(ctx, `
		SELECT t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal,
			COALESCE(p.pledged, 0), p.n, COALESCE(r.received, 0)
		FROM targets t
		CROSS JOIN LATERAL (
			SELECT sum(quantity) AS pledged, count(*) AS n
			FROM pledges WHERE target_id = t.id AND cancelled_at IS NULL) p
		CROSS JOIN LATERAL (
			SELECT sum(quantity) AS received FROM receipts WHERE target_id = t.id) r
		WHERE t.campaign_id = ANY($1)
		ORDER BY t.campaign_id, t.position`, campaignIDs)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []danvan.Progress
	for rows.Next() {
		var p danvan.Progress
		tg := &p.Target
		if err := rows.Scan(&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal,
			&p.Pledged, &p.Pledges, &p.Received); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// Two transactions changing one person's board entry at the same moment:
// one makes a pledge public, which changes no total of its target and so
// waits on no row, the other makes a new public pledge (to the same target
// or, every other round, by someone else). The second's sums include the
// first's, whichever commits first.
func TestKeptTotalsUnderConcurrentPledges(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	m := &mix{t: t, ctx: ctx, db: db, rng: rand.New(rand.NewPCG(7, 15)), nextTg: 1000, done: map[string]int{}}
	m.seed()
	tg := m.targets[0]
	person := m.people[1]
	for round := range 6 {
		var hidden danvan.Pledge
		err := db.InTx(ctx, func(tx *Tx) error {
			hidden = danvan.Pledge{PersonID: person, CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: 10_000}
			return tx.CreatePledge(ctx, &hidden)
		})
		if err != nil {
			t.Fatal(err)
		}
		second := person
		if round%2 == 1 {
			second = m.people[2]
		}
		shown := make(chan struct{})
		errs := make(chan error, 2)
		go func() {
			errs <- db.InTx(ctx, func(tx *Tx) error {
				if _, err := tx.tx.Exec(ctx, `UPDATE pledges SET public_name = true WHERE id = $1`, hidden.ID); err != nil {
					return err
				}
				close(shown)
				time.Sleep(100 * time.Millisecond) // the other transaction is writing now
				return nil
			})
		}()
		go func() {
			<-shown
			errs <- db.InTx(ctx, func(tx *Tx) error {
				p := danvan.Pledge{PersonID: second, CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: 20_000, PublicName: true}
				if err := tx.CreatePledge(ctx, &p); err != nil {
					return err
				}
				gift := danvan.Receipt{CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: 5_000, Method: danvan.MethodCash}
				return tx.AddReceipt(ctx, &gift)
			})
		}()
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		m.check(fmt.Sprintf("round %d", round))
	}
}
