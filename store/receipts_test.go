package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

// pledgeFor creates a person and a pledge of q to campaign c's first target.
func pledgeFor(t *testing.T, db *DB, c danvan.Campaign, telegramID int64, q danvan.Quantity) danvan.Pledge {
	t.Helper()
	ctx := context.Background()
	var pl danvan.Pledge
	err := db.InTx(ctx, func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, telegramUser(telegramID), "Lan", "vi", 0)
		if err != nil {
			return err
		}
		pl = danvan.Pledge{PersonID: p.ID, CampaignID: c.ID, TargetID: c.Targets[0].ID, Quantity: q}
		return tx.CreatePledge(ctx, &pl)
	})
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// receive locks the pledge and appends a receipt of q (negative with
// reverses for a reversal), returning the receipt and the pledge as it
// stands after.
func receive(ctx context.Context, tx *Tx, code string, q danvan.Quantity, reverses int64) (danvan.Receipt, danvan.Pledge, error) {
	p, _, err := tx.LockPledge(ctx, 0, code)
	if err != nil {
		return danvan.Receipt{}, p, err
	}
	r := danvan.Receipt{PledgeID: p.ID, CampaignID: p.CampaignID, TargetID: p.TargetID, Quantity: q,
		Method: danvan.MethodCash, ReversesID: reverses, Reason: "nhầm"}
	if err := tx.AddReceipt(ctx, &r); err != nil {
		return r, p, err
	}
	p, _, err = tx.LockPledge(ctx, p.ID, "")
	return r, p, err
}

// The ledger: a partial receipt, the rest, a receipt above the pledge, a
// reversal that cannot be repeated, and entries that cannot be edited.
func TestReceiptLedger(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	pl := pledgeFor(t, db, c, 42, 500_000)
	today := time.Now()

	var first danvan.Receipt
	err := db.InTx(ctx, func(tx *Tx) error {
		var p danvan.Pledge
		var err error
		first, p, err = receive(ctx, tx, pl.Code, 200_000, 0)
		if err != nil {
			return err
		}
		if p.Received != 200_000 || p.Status(today) != danvan.PledgePartial {
			t.Errorf("after 200k: received %d, status %s; want 200000, partial", p.Received, p.Status(today))
		}
		if _, p, err = receive(ctx, tx, pl.Code, 300_000, 0); err != nil {
			return err
		}
		if p.Received != 500_000 || p.Status(today) != danvan.PledgeFulfilled {
			t.Errorf("after the rest: received %d, status %s; want 500000, fulfilled", p.Received, p.Status(today))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The code is found whatever its case.
	err = db.InTx(ctx, func(tx *Tx) error {
		_, who, err := tx.LockPledge(ctx, 0, toLower(pl.Code))
		if err != nil {
			return err
		}
		chat, err := telegramChat(ctx, tx, 42)
		if err != nil {
			return err
		}
		ids, err := tx.Identities(ctx, who.ID)
		if err != nil {
			return err
		}
		if who.ID != pl.PersonID || who.ChatID != chat || len(ids) != 1 || ids[0] != telegramUser(42) {
			t.Errorf("pledger = %+v with accounts %v, want telegram id 42 and its private chat %d", who, ids, chat)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// A reversal brings the pledge back to partial; a second reversal of
	// the same entry is refused and changes nothing.
	err = db.InTx(ctx, func(tx *Tx) error {
		_, p, err := receive(ctx, tx, pl.Code, -first.Quantity, first.ID)
		if err == nil && (p.Received != 300_000 || p.Status(today) != danvan.PledgePartial) {
			t.Errorf("after the reversal: received %d, status %s; want 300000, partial", p.Received, p.Status(today))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		_, _, err := receive(ctx, tx, pl.Code, -first.Quantity, first.ID)
		return err
	})
	if !isUniqueViolation(err, "receipts_reversed_once") {
		t.Fatalf("second reversal: err = %v, want the unique index to refuse it", err)
	}

	var rs []danvan.Receipt
	err = db.InTx(ctx, func(tx *Tx) error {
		var err error
		rs, err = tx.ReceiptsOf(ctx, pl.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 3 || rs[2].ReversesID != first.ID || rs[2].Quantity != -200_000 || rs[2].Reason != "nhầm" {
		t.Fatalf("ledger = %+v, want 3 entries, the last reversing the first", rs)
	}

	// Entries and their photos are append-only.
	err = db.InTx(ctx, func(tx *Tx) error { return tx.AddReceiptPhoto(ctx, first.ID, "photo-1", 0) })
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE receipts SET quantity = 1 WHERE id = $1`,
		`DELETE FROM receipts WHERE id = $1`,
		`UPDATE receipt_photos SET file_id = 'x' WHERE receipt_id = $1`,
	} {
		if _, err := db.Pool.Exec(ctx, sql, first.ID); err == nil {
			t.Errorf("%s: accepted, want refused", sql)
		}
	}
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// A receipt above the pledge is kept (the recorder confirmed it), and a
// gift without a pledge counts in the campaign's totals.
func TestReceiptsAboveAndGifts(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	pl := pledgeFor(t, db, c, 43, 500_000)
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, p, err := receive(ctx, tx, pl.Code, 700_000, 0); err != nil || p.Received != 700_000 {
			t.Errorf("over receipt: received %d, err %v; want 700000", p.Received, err)
		}
		gift := danvan.Receipt{CampaignID: c.ID, TargetID: c.Targets[0].ID, Quantity: 1_000_000, Method: danvan.MethodCash, DonorName: "Ông Tư"}
		return tx.AddReceipt(ctx, &gift)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		ps, err := tx.Progress(ctx, c.ID)
		if err == nil && ps[0].Received != 1_700_000 {
			t.Errorf("campaign received %d, want 1700000 (pledge and gift)", ps[0].Received)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Two recorders record "the rest" of the same pledge at the same moment: the
// row lock makes the second wait and then see the first's receipt, so the
// pledge is received once.
func TestConcurrentReceiptsRecordedOnce(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	pl := pledgeFor(t, db, c, 44, 500_000)

	// recordRest is what /confirm CODE does: lock, and record what is open.
	recordRest := func(tx *Tx, locked chan<- struct{}) (bool, error) {
		p, _, err := tx.LockPledge(ctx, 0, pl.Code)
		if err != nil {
			return false, err
		}
		if locked != nil {
			close(locked)
		}
		open := p.Quantity - p.Received
		if open <= 0 {
			return false, nil
		}
		r := danvan.Receipt{PledgeID: p.ID, CampaignID: p.CampaignID, TargetID: p.TargetID, Quantity: open, Method: danvan.MethodCash}
		return true, tx.AddReceipt(ctx, &r)
	}

	locked := make(chan struct{})
	firstDone := make(chan error, 1)
	var firstRecorded, secondRecorded bool
	go func() {
		firstDone <- db.InTx(ctx, func(tx *Tx) error {
			var err error
			if firstRecorded, err = recordRest(tx, locked); err != nil {
				return err
			}
			// Commit only once the second transaction waits for the lock,
			// so that the two truly overlap.
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				var waiting int
				if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
					return err
				}
				if waiting > 0 {
					return nil
				}
				time.Sleep(5 * time.Millisecond)
			}
			return errors.New("the second transaction never waited for the lock")
		})
	}()
	<-locked
	secondErr := db.InTx(ctx, func(tx *Tx) error {
		var err error
		secondRecorded, err = recordRest(tx, nil)
		return err
	})
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if secondErr != nil {
		t.Fatal(secondErr)
	}
	if !firstRecorded || secondRecorded {
		t.Errorf("first recorded %v, second %v; want only the first", firstRecorded, secondRecorded)
	}
	var receipts, received int64
	if err := db.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM receipts), (SELECT received FROM pledges WHERE id = $1)`, pl.ID).
		Scan(&receipts, &received); err != nil {
		t.Fatal(err)
	}
	if receipts != 1 || received != 500_000 {
		t.Fatalf("%d receipts, received %d; want 1 and 500000", receipts, received)
	}
}

// A claim: one pending per pledge, decided once.
func TestClaims(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	pl := pledgeFor(t, db, c, 45, 500_000)
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		if id, err = tx.CreateClaim(ctx, pl.ID, 500_000, pl.PersonID); err != nil {
			return err
		}
		if pending, err := tx.PendingClaim(ctx, pl.ID); err != nil || pending != id {
			t.Errorf("pending claim = %d, %v; want %d", pending, err, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.CreateClaim(ctx, pl.ID, 100_000, pl.PersonID)
		return err
	})
	if !isUniqueViolation(err, "payment_claims_one_pending") {
		t.Fatalf("a second pending claim: err = %v, want refused", err)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		pledgeID, q, status, err := tx.LockClaim(ctx, id)
		if err != nil {
			return err
		}
		if pledgeID != pl.ID || q != 500_000 || status != "pending" {
			t.Errorf("claim = %d %d %s", pledgeID, q, status)
		}
		return tx.DecideClaim(ctx, id, "rejected", pl.PersonID, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *Tx) error { return tx.DecideClaim(ctx, id, "accepted", pl.PersonID, 0) })
	if !errors.Is(err, danvan.ErrNotFound) {
		t.Fatalf("deciding twice: err = %v, want not found", err)
	}
}
