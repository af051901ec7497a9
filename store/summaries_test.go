package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

// TestSummaryFollows checks which campaigns a group follows: those linked
// by name, else its unit's and its area's.
func TestSummaryFollows(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return start }
	var ids map[string]int64
	err := db.InTx(ctx, func(tx *Tx) error {
		ids = map[string]int64{}
		var err error
		q := func(name, sql string, args ...any) {
			if err == nil {
				var id int64
				err = tx.tx.QueryRow(ctx, sql, args...).Scan(&id)
				ids[name] = id
			}
		}
		q("YG", `INSERT INTO areas (code, name) VALUES ('YG', 'Yên Giang') RETURNING id`)
		q("K1", `INSERT INTO areas (code, name, parent_id) VALUES ('YG-K1', 'Khu 1', $1) RETURNING id`, ids["YG"])
		q("K2", `INSERT INTO areas (code, name, parent_id) VALUES ('YG-K2', 'Khu 2', $1) RETURNING id`, ids["YG"])
		q("LH", `INSERT INTO areas (code, name) VALUES ('LH', 'Liên Hòa') RETURNING id`)
		q("MTTQ", `INSERT INTO units (code, name, area_id) VALUES ('MTTQ', 'MTTQ', $1) RETURNING id`, ids["YG"])
		q("HPN", `INSERT INTO units (code, name, area_id) VALUES ('HPN', 'Phụ nữ', $1) RETURNING id`, ids["YG"])
		camp := func(code, unit, area, status string, updated time.Time) {
			q(code, `INSERT INTO campaigns (code, title, unit_id, status, updated_at) VALUES ($1, $1, $2, $3, $4) RETURNING id`,
				code, ids[unit], status, updated)
			q("_", `INSERT INTO campaign_areas VALUES ($1, $2) RETURNING campaign_id`, ids[code], ids[area])
		}
		camp("DIEUHOA", "MTTQ", "K1", "active", start)
		camp("THIETBI", "MTTQ", "K2", "active", start)
		camp("DODAU", "HPN", "YG", "active", start)
		camp("LANCAN", "MTTQ", "LH", "active", start)
		camp("NHAP", "MTTQ", "K1", "draft", start)
		camp("XUA", "MTTQ", "K1", "closed", start.Add(-24*time.Hour))
		camp("MOIDONG", "MTTQ", "K1", "closed", start.Add(24*time.Hour))
		group := func(chat int64, unit, area string, campaigns ...string) {
			var u, a *int64
			if unit != "" {
				u = new(ids[unit])
			}
			if area != "" {
				a = new(ids[area])
			}
			// A Telegram group known before chats had ids of their own
			// keeps its Telegram id as its internal one.
			q("_", `INSERT INTO chats (id, channel, external_id, is_group) VALUES ($1::bigint, 'telegram', $1::bigint::text, true) RETURNING id`, chat)
			q("_", `INSERT INTO groups (chat_id, unit_id, area_id, created_at) VALUES ($1, $2, $3, $4) RETURNING chat_id`, chat, u, a, start)
			for _, c := range campaigns {
				q("_", `INSERT INTO group_campaigns VALUES ($1, $2) RETURNING chat_id`, chat, ids[c])
			}
		}
		group(-1, "MTTQ", "YG", "DIEUHOA", "XUA") // named links win
		group(-2, "MTTQ", "")
		group(-3, "", "YG")
		group(-4, "", "K1")
		group(-5, "MTTQ", "K2")
		group(-6, "", "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		chat int64
		want []string
	}{
		{-1, []string{"DIEUHOA", "XUA"}},
		{-2, []string{"DIEUHOA", "LANCAN", "MOIDONG", "THIETBI"}},
		{-3, []string{"DIEUHOA", "DODAU", "MOIDONG", "THIETBI"}},
		{-4, []string{"DIEUHOA", "DODAU", "MOIDONG"}}, // its zone's, and the ward's
		{-5, []string{"THIETBI"}},
		{-6, nil},
	} {
		err := db.InTx(ctx, func(tx *Tx) error {
			cs, err := tx.SummaryCampaigns(ctx, tc.chat)
			if err != nil {
				return err
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.Code)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("group %d follows %v, want %v", tc.chat, got, tc.want)
			}
			for _, code := range tc.want {
				chats, err := tx.CampaignChats(ctx, ids[code])
				if err != nil {
					return err
				}
				if !slices.Contains(chats, tc.chat) {
					t.Errorf("CampaignChats(%s) = %v, lacks %d", code, chats, tc.chat)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	// After the final summary, a closed campaign is no longer followed.
	err = db.InTx(ctx, func(tx *Tx) error {
		if err := tx.FinishSummaries(ctx, -1, ids["XUA"]); err != nil {
			return err
		}
		cs, err := tx.SummaryCampaigns(ctx, -1)
		if err != nil {
			return err
		}
		if len(cs) != 1 || cs[0].Code != "DIEUHOA" {
			t.Errorf("after the final summary group -1 follows %v", cs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSummaryChatsAndSnapshots(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		for _, sql := range []string{
			`INSERT INTO chats (id, channel, external_id, is_group) SELECT i, 'telegram', i::text, true FROM unnest(ARRAY[-1, -2, -3, -4, -100]) i`,
			`INSERT INTO groups (chat_id) VALUES (-1), (-2), (-3), (-4)`,
			`UPDATE groups SET summary_weekday = 3, summary_hour = 18 WHERE chat_id = -2`,
			`UPDATE groups SET active = false WHERE chat_id = -3`,
			`INSERT INTO unreachable_chats (chat_id, reason) VALUES (-4, 'blocked')`,
		} {
			if _, err := tx.tx.Exec(ctx, sql); err != nil {
				return err
			}
		}
		for _, tc := range []struct {
			weekday, hour int
			all           bool
			want          []int64
		}{
			{1, 8, false, []int64{-1}},
			{3, 18, false, []int64{-2}},
			{3, 8, false, nil},
			{5, 0, true, []int64{-2, -1}},
		} {
			got, err := tx.SummaryChats(ctx, tc.weekday, tc.hour, tc.all)
			if err != nil {
				return err
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("SummaryChats(%d, %d, %v) = %v, want %v", tc.weekday, tc.hour, tc.all, got, tc.want)
			}
		}

		target := c.Targets[0]
		first := []danvan.Progress{{Target: target, Pledged: 5, Received: 3}}
		if err := tx.SaveSummarySnapshots(ctx, -1, first); err != nil {
			return err
		}
		if err := tx.SaveSummarySnapshots(ctx, -1, []danvan.Progress{{Target: target, Pledged: 9, Received: 4}}); err != nil {
			return err
		}
		snaps, err := tx.SummarySnapshots(ctx, -1)
		if err != nil {
			return err
		}
		if s := snaps[target.ID]; len(snaps) != 1 || s.Pledged != 9 || s.Received != 4 {
			t.Errorf("snapshots %v, want the last one saved", snaps)
		}
		// A group upgraded to a supergroup keeps what it was told.
		if _, err := tx.tx.Exec(ctx, `UPDATE groups SET chat_id = -100 WHERE chat_id = -1`); err != nil {
			return err
		}
		snaps, err = tx.SummarySnapshots(ctx, -100)
		if err != nil {
			return err
		}
		if len(snaps) != 1 {
			t.Errorf("snapshots did not follow the group to its new chat id: %v", snaps)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
