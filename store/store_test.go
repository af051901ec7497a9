package store

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/store/pgtest"
)

// openDB gives a test its own migrated database.
func openDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// telegramUser is the identity of a Telegram user.
func telegramUser(id int64) danvan.Identity {
	return danvan.Identity{Channel: danvan.Telegram, Ref: strconv.FormatInt(id, 10)}
}

// telegramChat returns the internal id of Telegram chat ref (a group when
// negative), recording the chat when it is new, as the bot does on an update.
func telegramChat(ctx context.Context, tx *Tx, ref int64) (int64, error) {
	return tx.EnsureChat(ctx, danvan.Telegram, strconv.FormatInt(ref, 10), ref < 0)
}

// telegramChats records Telegram chats and returns their internal ids, by
// Telegram id.
func telegramChats(t testing.TB, db *DB, refs ...int64) map[int64]int64 {
	t.Helper()
	ctx := context.Background()
	ids := map[int64]int64{}
	err := db.InTx(ctx, func(tx *Tx) error {
		for _, ref := range refs {
			id, err := telegramChat(ctx, tx, ref)
			if err != nil {
				return err
			}
			ids[ref] = id
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// telegramPerson is the id of the person with this Telegram id, 0 when
// there is none.
func telegramPerson(t testing.TB, db *DB, id int64) int64 {
	t.Helper()
	var pid int64
	err := db.Pool.QueryRow(context.Background(), `SELECT COALESCE(max(person_id), 0) FROM identities WHERE channel = 'telegram' AND external_id = $1`,
		strconv.FormatInt(id, 10)).Scan(&pid)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// seedCampaign creates a zone, a unit and an active campaign with a money
// target and returns the campaign.
func seedCampaign(t *testing.T, db *DB) danvan.Campaign {
	t.Helper()
	ctx := context.Background()
	var c danvan.Campaign
	err := db.InTx(ctx, func(tx *Tx) error {
		var ward, zone, unit, target int64
		if err := tx.tx.QueryRow(ctx, `INSERT INTO areas (code, name) VALUES ('YG', 'Phường Yên Giang') RETURNING id`).Scan(&ward); err != nil {
			return err
		}
		if err := tx.tx.QueryRow(ctx, `INSERT INTO areas (code, name, parent_id) VALUES ('YG-K1', 'Khu 1', $1) RETURNING id`, ward).Scan(&zone); err != nil {
			return err
		}
		if err := tx.tx.QueryRow(ctx, `INSERT INTO units (code, name, area_id) VALUES ('MTTQ-YG', 'MTTQ', $1) RETURNING id`, ward).Scan(&unit); err != nil {
			return err
		}
		if err := tx.tx.QueryRow(ctx, `INSERT INTO campaigns (code, title, unit_id) VALUES ('DIEUHOA', 'Điều hòa', $1) RETURNING id`, unit).Scan(&c.ID); err != nil {
			return err
		}
		if _, err := tx.tx.Exec(ctx, `INSERT INTO campaign_areas VALUES ($1, $2)`, c.ID, zone); err != nil {
			return err
		}
		if err := tx.tx.QueryRow(ctx, `INSERT INTO targets (campaign_id, position, kind, goal) VALUES ($1, 1, 'money', 180000000) RETURNING id`, c.ID).Scan(&target); err != nil {
			return err
		}
		var err error
		c, err = tx.CampaignByCode(ctx, "dieuhoa")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHandleUpdateAppliesOnce(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	pledge := func(tx *Tx) ([]danvan.Outgoing, error) {
		p, err := tx.EnsurePerson(ctx, telegramUser(42), "Lan", "vi", 0)
		if err != nil {
			return nil, err
		}
		pl := danvan.Pledge{PersonID: p.ID, CampaignID: c.ID, TargetID: c.Targets[0].ID, Quantity: 500_000}
		if err := tx.CreatePledge(ctx, &pl); err != nil {
			return nil, err
		}
		return []danvan.Outgoing{{Kind: danvan.OutSend, ChatID: p.ChatID, Text: "#" + pl.Code}}, nil
	}
	for i, want := range []bool{true, false} {
		applied, err := db.HandleUpdate(ctx, danvan.Telegram, "7001", pledge)
		if err != nil {
			t.Fatal(err)
		}
		if applied != want {
			t.Fatalf("delivery %d: applied = %v, want %v", i+1, applied, want)
		}
	}
	var pledges, queued int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM pledges), (SELECT count(*) FROM outbox)`).Scan(&pledges, &queued); err != nil {
		t.Fatal(err)
	}
	if pledges != 1 || queued != 1 {
		t.Fatalf("after a repeated update: %d pledges and %d queued messages, want 1 and 1", pledges, queued)
	}
	// The key is the channel's: the same key on another channel is another
	// update.
	applied, err := db.HandleUpdate(ctx, danvan.Zalo, "7001", func(*Tx) ([]danvan.Outgoing, error) { return nil, nil })
	if err != nil || !applied {
		t.Fatalf("Zalo's update 7001 after Telegram's: applied = %v, err = %v; want applied", applied, err)
	}
}

func TestHandleUpdateRollsBackOnError(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	boom := errors.New("boom")
	_, err := db.HandleUpdate(ctx, danvan.Telegram, "9", func(tx *Tx) ([]danvan.Outgoing, error) {
		if _, err := tx.EnsurePerson(ctx, telegramUser(43), "Minh", "vi", 0); err != nil {
			return nil, err
		}
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	// The update was not recorded, so a retry applies it.
	applied, err := db.HandleUpdate(ctx, danvan.Telegram, "9", func(tx *Tx) ([]danvan.Outgoing, error) { return nil, nil })
	if err != nil || !applied {
		t.Fatalf("retry: applied = %v, err = %v; want applied", applied, err)
	}
	var people, identities, chats int
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM identities), (SELECT count(*) FROM chats)`).Scan(&people, &identities, &chats); err != nil {
		t.Fatal(err)
	}
	if people+identities+chats != 0 {
		t.Fatalf("a failed update left %d people, %d identities and %d chats behind", people, identities, chats)
	}
}

func TestOutboxKeepsOrderPerChat(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	chat := telegramChats(t, db, 1, 2)
	err := db.InTx(ctx, func(tx *Tx) error {
		return tx.Enqueue(ctx,
			danvan.Outgoing{Kind: danvan.OutSend, ChatID: chat[1], Text: "a1"},
			danvan.Outgoing{Kind: danvan.OutSend, ChatID: chat[2], Text: "b1"},
			danvan.Outgoing{Kind: danvan.OutSend, ChatID: chat[1], Text: "a2"},
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	texts := func() []string {
		msgs, err := db.NextOutgoing(ctx, danvan.Telegram, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, m := range msgs {
			s = append(s, m.Text)
		}
		return s
	}
	heads := texts()
	if len(heads) != 2 || heads[0] != "a1" || heads[1] != "b1" {
		t.Fatalf("first heads = %v, want [a1 b1]", heads)
	}
	msgs, _ := db.NextOutgoing(ctx, danvan.Telegram, 10, nil)
	// a1 waits for a retry: a2 must not overtake it.
	if err := db.RetryLater(ctx, msgs[0].ID, time.Hour, "429"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSent(ctx, msgs[1].ID); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 0 {
		t.Fatalf("while chat 1's head waits, got %v, want nothing", got)
	}
	db.Now = func() time.Time { return time.Now().Add(2 * time.Hour) }
	if got := texts(); len(got) != 1 || got[0] != "a1" {
		t.Fatalf("after the wait, got %v, want [a1]", got)
	}
}

func TestPledgeCodesAreUnique(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	seen := map[string]bool{}
	err := db.InTx(ctx, func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, telegramUser(44), "Hòa", "vi", 0)
		if err != nil {
			return err
		}
		for range 300 {
			pl := danvan.Pledge{PersonID: p.ID, CampaignID: c.ID, TargetID: c.Targets[0].ID, Quantity: 1000}
			if err := tx.CreatePledge(ctx, &pl); err != nil {
				return err
			}
			if seen[pl.Code] || len(pl.Code) < 4 || len(pl.Code) > 8 {
				t.Errorf("code %q repeated or of bad length", pl.Code)
			}
			seen[pl.Code] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPruneForgetsOldUpdateIDs(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	chat := telegramChats(t, db, 1)[1]
	noop := func(*Tx) ([]danvan.Outgoing, error) {
		return []danvan.Outgoing{{Kind: danvan.OutSend, ChatID: chat, Text: "x"}}, nil
	}
	start := time.Now()
	if _, err := db.HandleUpdate(ctx, danvan.Telegram, "1", noop); err != nil {
		t.Fatal(err)
	}
	msgs, err := db.NextOutgoing(ctx, danvan.Telegram, 1, nil)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox: %v %v", msgs, err)
	}
	if err := db.MarkSent(ctx, msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	// A day later the id is still remembered; a month later it is not.
	db.Now = func() time.Time { return start.Add(24 * time.Hour) }
	if n, err := db.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("after a day: pruned %d, %v; want 0", n, err)
	}
	if applied, _ := db.HandleUpdate(ctx, danvan.Telegram, "1", noop); applied {
		t.Fatal("an update id was forgotten after a day")
	}
	db.Now = func() time.Time { return start.Add(31 * 24 * time.Hour) }
	if n, err := db.Prune(ctx); err != nil || n != 2 {
		t.Fatalf("after a month: pruned %d, %v; want 2 (the update id and the sent message)", n, err)
	}
}
