package report_test

import (
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/report"
	"github.com/danvan/danvan/store"
)

const (
	benchCampaigns = 1_000
	benchPledges   = 1_000_000
	benchPeople    = 20_000
	benchGroups    = 100 // each following ten campaigns
)

// BenchmarkWeeklySummaries builds the weekly summaries of 1,000 campaigns
// over 1,000,000 pledges (a thousand people's each, half of them paid, a
// quarter public; 20,000 people in six zones), followed by
// 100 groups of ten campaigns each: texts, chart and snapshots, as one run
// of the job does. It reports the time per campaign summarised and per
// group (one group's texts and picture).
//
//	go test ./report -run '^$' -bench WeeklySummaries -benchtime 3x
func BenchmarkWeeklySummaries(b *testing.B) {
	f := benchFixture(b)
	slot := monday
	runs := 0
	for b.Loop() {
		slot = slot.Add(7 * 24 * time.Hour)
		f.now = slot
		var out []danvan.Outgoing
		err := f.db.InTx(f.ctx, func(tx *store.Tx) error {
			var err error
			out, err = report.WeeklySummaries(f.ctx, tx, slot, ict, false)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if pics := len(out) - countTexts(out); pics != benchGroups {
			b.Fatalf("%d pictures, want one per group", pics)
		}
		runs++
	}
	per := float64(b.Elapsed().Milliseconds()) / float64(runs)
	b.ReportMetric(per/benchCampaigns, "ms/campaign")
	b.ReportMetric(per/benchGroups, "ms/group")
}

// benchFixture makes the benchmark's data in the database itself
// (generate_series), which keeps the setup to well under a minute.
func benchFixture(b *testing.B) *fixture {
	f := newFixture(b)
	f.exec(`INSERT INTO areas (code, name, parent_id)
		SELECT 'YG-K' || i, 'Khu ' || i, $1 FROM generate_series(3, 6) i`, f.ward)
	f.exec(`INSERT INTO campaigns (code, title, unit_id)
		SELECT 'MH' || lpad(i::text, 4, '0'), 'Mô hình dân vận khéo số ' || i, $1
		FROM generate_series(1, $2::int) i`, f.unit, benchCampaigns)
	f.exec(`INSERT INTO campaign_areas SELECT c.id, a.id FROM campaigns c, areas a WHERE a.parent_id IS NOT NULL`)
	f.exec(`INSERT INTO targets (campaign_id, position, kind, goal) SELECT id, 1, 'money', 500000000 FROM campaigns`)
	f.exec(`INSERT INTO chats (id, channel, external_id, is_group)
		SELECT 100000 + i, 'telegram', (100000 + i)::text, false FROM generate_series(1, $1::int) i`, benchPeople)
	f.exec(`INSERT INTO people (chat_id, name, home_area_id)
		SELECT 100000 + i, 'Người ủng hộ ' || i,
			(SELECT array_agg(id ORDER BY id) FROM areas WHERE parent_id IS NOT NULL)[1 + i % 6]
		FROM generate_series(1, $1::int) i`, benchPeople)
	f.exec(`INSERT INTO identities (channel, external_id, person_id)
		SELECT 'telegram', chat_id::text, id FROM people WHERE chat_id BETWEEN 100001 AND 100000 + $1::int`, benchPeople)
	f.exec(`
		WITH t AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(campaign_id ORDER BY id) AS cs FROM targets),
		pe AS (SELECT min(id) AS first FROM people WHERE chat_id BETWEEN 100001 AND 100000 + $2::int)
		INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, received, public_name, created_at, updated_at)
		SELECT 'B' || upper(lpad(to_hex(i), 7, '0')), pe.first + (i / $3::int * 20 + i % $3::int) % $2::int,
			t.cs[1 + i % $3::int], t.ids[1 + i % $3::int],
			100000 + (i % 50) * 10000,
			CASE WHEN i % 2 = 0 THEN 100000 + (i % 50) * 10000 ELSE 0 END,
			i / $3::int % 4 = 0, $4, $4
		FROM generate_series(0, $1::int - 1) i, t, pe`, benchPledges, benchPeople, benchCampaigns, f.now)
	f.exec(`INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method, recorded_at)
		SELECT id, campaign_id, target_id, received, 'cash', $1 FROM pledges WHERE received > 0`, f.now)
	f.exec(`INSERT INTO chats (id, channel, external_id, is_group) SELECT -1000 - i, 'telegram', (-1000 - i)::text, true FROM generate_series(1, $1::int) i`, benchGroups)
	f.exec(`INSERT INTO groups (chat_id, created_at) SELECT -1000 - i, $2 FROM generate_series(1, $1::int) i`, benchGroups, f.now)
	f.exec(`INSERT INTO group_campaigns
		SELECT -1000 - (1 + (row_number() OVER (ORDER BY id) - 1) % $1), id FROM campaigns`, benchGroups)
	f.exec(`ANALYZE`)
	return f
}

func countTexts(out []danvan.Outgoing) int {
	n := 0
	for _, o := range out {
		if o.Kind == danvan.OutSend {
			n++
		}
	}
	return n
}
