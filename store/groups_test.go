package store

import (
	"context"
	"slices"
	"testing"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

func TestGroupLinksAndSchedule(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	chat := telegramChats(t, db, -4001)[-4001]
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, _, _, found, err := tx.GroupLinks(ctx, chat); err != nil || found {
			t.Fatalf("unknown group: found %v, err %v", found, err)
		}
		if err := tx.RecordGroup(ctx, chat, "Ban vận động"); err != nil {
			return err
		}
		if linked, err := tx.ToggleGroupCampaign(ctx, chat, c.ID); err != nil || !linked {
			t.Fatalf("first toggle: linked %v, err %v", linked, err)
		}
		if err := tx.SetGroupUnit(ctx, chat, c.UnitID); err != nil {
			return err
		}
		area, unit, cs, found, err := tx.GroupLinks(ctx, chat)
		if err != nil || !found || area != 0 || unit != c.UnitID || !slices.Equal(cs, []int64{c.ID}) {
			t.Fatalf("links = %d %d %v %v %v", area, unit, cs, found, err)
		}
		if linked, err := tx.ToggleGroupCampaign(ctx, chat, c.ID); err != nil || linked {
			t.Fatalf("second toggle: linked %v, err %v", linked, err)
		}
		if day, hour, err := tx.GroupSchedule(ctx, chat); err != nil || day != 1 || hour != 8 {
			t.Fatalf("default schedule = %d %d %v, want Monday 8", day, hour, err)
		}
		return tx.SetGroupSchedule(ctx, chat, 7, 20)
	})
	if err != nil {
		t.Fatal(err)
	}
	// The database itself refuses an impossible schedule.
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.SetGroupSchedule(ctx, chat, 8, 20) }); err == nil {
		t.Fatal("weekday 8 was accepted")
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		if day, hour, err := tx.GroupSchedule(ctx, chat); err != nil || day != 7 || hour != 20 {
			t.Fatalf("schedule = %d %d %v, want Sunday 20", day, hour, err)
		}
		if err := tx.DeactivateGroup(ctx, chat); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var active bool
	var title string
	if err := db.Pool.QueryRow(ctx, `SELECT active, title FROM groups WHERE chat_id = $1`, chat).Scan(&active, &title); err != nil || active || title != "Ban vận động" {
		t.Fatalf("after removal: active %v, title %q, err %v", active, title, err)
	}
	// Added back: active again, title kept when the event has none, unit kept.
	err = db.InTx(ctx, func(tx *Tx) error {
		if err := tx.RecordGroup(ctx, chat, ""); err != nil {
			return err
		}
		_, unit, _, _, err := tx.GroupLinks(ctx, chat)
		if unit != c.UnitID {
			t.Errorf("unit after coming back = %d, want %d", unit, c.UnitID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(ctx, `SELECT active, title FROM groups WHERE chat_id = $1`, chat).Scan(&active, &title); err != nil || !active || title != "Ban vận động" {
		t.Fatalf("after coming back: active %v, title %q, err %v", active, title, err)
	}
}

// A group upgraded to a supergroup keeps its links, whether or not the bot
// already recorded the new chat, and moving twice changes nothing.
func TestMoveGroup(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	for _, knownNew := range []bool{false, true} {
		oldRef, newRef := int64(-5001), int64(-1005001)
		if knownNew {
			oldRef, newRef = -5002, -1005002
		}
		// Both are chats the bot knows; only in the second case is the new
		// one a group already.
		chats := telegramChats(t, db, oldRef, newRef)
		from, to := chats[oldRef], chats[newRef]
		err := db.InTx(ctx, func(tx *Tx) error {
			if err := tx.RecordGroup(ctx, from, "Nhóm"); err != nil {
				return err
			}
			if _, err := tx.ToggleGroupCampaign(ctx, from, c.ID); err != nil {
				return err
			}
			if err := tx.SetGroupSchedule(ctx, from, 5, 19); err != nil {
				return err
			}
			if knownNew {
				return tx.RecordGroup(ctx, to, "")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := db.InTx(ctx, func(tx *Tx) error { return tx.MoveGroup(ctx, from, to) }); err != nil {
				t.Fatalf("known new %v: %v", knownNew, err)
			}
		}
		err = db.InTx(ctx, func(tx *Tx) error {
			if _, _, _, found, err := tx.GroupLinks(ctx, from); err != nil || found {
				t.Errorf("known new %v: the old chat is still a group (err %v)", knownNew, err)
			}
			_, _, cs, found, err := tx.GroupLinks(ctx, to)
			if err != nil || !found || !slices.Equal(cs, []int64{c.ID}) {
				t.Errorf("known new %v: new chat's campaigns = %v (found %v, err %v)", knownNew, cs, found, err)
			}
			day, hour, err := tx.GroupSchedule(ctx, to)
			if err != nil || day != 5 || hour != 19 {
				t.Errorf("known new %v: new chat's schedule = %d %d (err %v), want Friday 19", knownNew, day, hour, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// The sender's RenameChat (Telegram answered migrate_to_chat_id) keeps the
// group's campaign links: the chat keeps its internal id, which the links
// refer to, and is known by its new Telegram id only.
func TestRenameChatKeepsCampaignLinks(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	chat := telegramChats(t, db, -6001)[-6001]
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.RecordGroup(ctx, chat, "Nhóm"); err != nil {
			return err
		}
		_, err := tx.ToggleGroupCampaign(ctx, chat, c.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RenameChat(ctx, danvan.Telegram, "-6001", "-1006001"); err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		_, _, cs, found, err := tx.GroupLinks(ctx, chat)
		if err != nil || !found || !slices.Equal(cs, []int64{c.ID}) {
			t.Errorf("moved group's campaigns = %v (found %v, err %v)", cs, found, err)
		}
		rows, _ := tx.tx.Query(ctx, `SELECT external_id FROM chats WHERE id = $1 OR external_id IN ('-6001', '-1006001')`, chat)
		refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		if !slices.Equal(refs, []string{"-1006001"}) {
			t.Errorf("Telegram ids of the chats = %v, want the group's new one only", refs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
