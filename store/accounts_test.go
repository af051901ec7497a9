package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// personForeignKeys is every column with a foreign key to people (id), as
// the database has them, "table.column", sorted.
func personForeignKeys(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := db.Pool.Query(context.Background(), `
		SELECT kcu.table_name || '.' || kcu.column_name
		FROM information_schema.table_constraints tc
		JOIN information_schema.key_column_usage kcu
			ON kcu.constraint_schema = tc.constraint_schema AND kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name
		JOIN information_schema.constraint_column_usage ccu
			ON ccu.constraint_schema = tc.constraint_schema AND ccu.constraint_name = tc.constraint_name
		WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'
		  AND ccu.table_name = 'people' AND ccu.column_name = 'id'`)
	if err != nil {
		t.Fatal(err)
	}
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(cols)
	return cols
}

// The merge says what it does with every column naming a person: a table
// added later that refers to people fails here until personReferences
// handles it.
func TestMergeHandlesEveryForeignKey(t *testing.T) {
	db := openDB(t)
	fks := personForeignKeys(t, db)
	if len(fks) < 15 {
		t.Fatalf("found %d foreign keys to people: the query reads the schema wrongly", len(fks))
	}
	var handled []string
	for _, r := range personReferences {
		if len(r.merge) == 0 {
			t.Errorf("%s.%s: no statement", r.table, r.column)
		}
		for _, sql := range r.merge {
			if !strings.Contains(sql, r.table) || !strings.Contains(sql, "@drop") {
				t.Errorf("%s.%s: %q is not about that column's rows", r.table, r.column, sql)
			}
		}
		handled = append(handled, r.table+"."+r.column)
	}
	slices.Sort(handled)
	for _, fk := range fks {
		if !slices.Contains(handled, fk) {
			t.Errorf("%s refers to people, and MergePeople does not say what becomes of it: add it to personReferences", fk)
		}
	}
	for _, h := range handled {
		if !slices.Contains(fks, h) {
			t.Errorf("personReferences handles %s, which is no foreign key to people", h)
		}
	}
}

// A merge leaves no row naming the person who goes: every foreign key to
// people, as the database lists them, is exercised by a row naming them
// first, and names the one who stays afterwards.
func TestMergeMovesEveryReference(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	c := seedCampaign(t, db)
	zalo := danvan.Identity{Channel: danvan.Zalo, Ref: "e4ea2cd5189df1c3a88c"}
	var keep, drop danvan.Person
	var keepChat, zaloChat int64
	in := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := db.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	in(func(tx *Tx) (err error) {
		if keepChat, err = telegramChat(ctx, tx, 5001); err != nil {
			return err
		}
		if zaloChat, err = tx.EnsureChat(ctx, danvan.Zalo, zalo.Ref, false); err != nil {
			return err
		}
		// Known only by a placeholder, as an admin of DANVAN_ADMINS is.
		if keep, err = tx.EnsurePerson(ctx, telegramUser(5001), "", "en", keepChat); err != nil {
			return err
		}
		drop, err = tx.EnsurePerson(ctx, zalo, "Lan", "vi", zaloChat)
		return err
	})
	zone := c.AreaIDs[0]
	target := c.Targets[0].ID

	// A row naming drop in every column there is; keep holds one of drop's
	// roles already and has a code of their own, unused.
	in(func(tx *Tx) error {
		exec := func(sql string, args ...any) {
			t.Helper()
			if _, err := tx.tx.Exec(ctx, sql, args...); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		id := func(sql string, args ...any) int64 {
			t.Helper()
			var id int64
			if err := tx.tx.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			return id
		}
		exec(`UPDATE people SET home_area_id = $2, reminders_off = TRUE WHERE id = $1`, drop.ID, zone)
		exec(`INSERT INTO people (name, home_area_id, recorded_by) VALUES ('Nhà bà Tư', $2, $1)`, drop.ID, zone)
		if err := tx.SaveConversation(ctx, zaloChat, drop.ID, []byte(`{"v": 2, "step": "zone"}`)); err != nil {
			return err
		}
		if ok, err := tx.CreateLinkCode(ctx, "drop-open", drop.ID, danvan.Zalo, zaloChat, tx.now.Add(time.Hour)); err != nil || !ok {
			return fmt.Errorf("code: %v %v", ok, err)
		}
		if ok, err := tx.CreateLinkCode(ctx, "keep-open", keep.ID, danvan.Telegram, keepChat, tx.now.Add(time.Hour)); err != nil || !ok {
			return fmt.Errorf("code: %v %v", ok, err)
		}
		exec(`INSERT INTO account_links (code_hash, person_id, channel, chat_id, created_at, expires_at, used_at)
			VALUES ('drop-used', $1, 'zalo', $2, $3, $3, $3)`, drop.ID, zaloChat, tx.now)
		for _, g := range []danvan.Grant{{Role: danvan.RoleHead, AreaID: zone}, {Role: danvan.RoleTreasurer, UnitID: c.UnitID}} {
			if _, _, err := tx.GrantRole(ctx, drop.ID, g, "chat"); err != nil {
				return err
			}
		}
		if _, _, err := tx.GrantRole(ctx, keep.ID, danvan.Grant{Role: danvan.RoleHead, AreaID: zone}, "setup"); err != nil {
			return err
		}
		pledge := id(`INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, recorded_by)
			VALUES ('K7Q2', $1, $2, $3, 500000, $1) RETURNING id`, drop.ID, c.ID, target)
		receipt := id(`INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method, recorded_by)
			VALUES ($1, $2, $3, 200000, 'cash', $4) RETURNING id`, pledge, c.ID, target, drop.ID)
		if err := tx.AddReceiptPhoto(ctx, receipt, "photo-1", drop.ID); err != nil {
			return err
		}
		exec(`INSERT INTO invitations (token_hash, role, area_id, created_by, created_at, expires_at, used_by, used_at)
			VALUES ('inv', 'head', $2, $1, $3, $3, $1, $3)`, drop.ID, zone, tx.now)
		if err := tx.Audit(ctx, drop.ID, "pledge", pledge, c.ID, "created", nil, map[string]any{"person_id": drop.ID}); err != nil {
			return err
		}
		exec(`INSERT INTO progress_reports (target_id, campaign_id, value, reported_by, reported_at) VALUES ($1, $2, 1, $3, $4)`, target, c.ID, drop.ID, tx.now)
		exec(`INSERT INTO payment_claims (pledge_id, quantity, claimed_by, claimed_at, status, decided_by, decided_at, receipt_id)
			VALUES ($1, 200000, $2, $3, 'accepted', $2, $3, $4)`, pledge, drop.ID, tx.now, receipt)
		statement := id(`INSERT INTO statements (sent_by, file_name, layout, bank, account, created_at) VALUES ($1, 's.csv', 'x', 'VCB', '1', $2) RETURNING id`, drop.ID, tx.now)
		line := id(`INSERT INTO statement_lines (statement_id, row_no, txn_key, ref, booked_on, amount, currency, memo)
			VALUES ($1, 1, 'T1', 'r', '2026-11-29', 200000, 'VND', 'K7Q2') RETURNING id`, statement)
		exec(`INSERT INTO bank_transactions (txn_key, line_id, receipt_id, handled_by, handled_at) VALUES ('T1', $1, $2, $3, $4)`, line, receipt, drop.ID, tx.now)
		// drop follows the campaign, with figures kept since its last
		// summary.
		exec(`INSERT INTO follows (person_id, campaign_id, created_at) VALUES ($1, $2, $3)`, drop.ID, c.ID, tx.now)
		exec(`INSERT INTO follow_snapshots (person_id, campaign_id, target_id, pledged, received, sent_at)
			SELECT $1, $2, id, 0, 0, $3 FROM targets WHERE campaign_id = $2`, drop.ID, c.ID, tx.now)
		return nil
	})

	fks := personForeignKeys(t, db)
	count := func(fk string, person int64) int64 {
		t.Helper()
		table, column, _ := strings.Cut(fk, ".")
		var n int64
		if err := db.Pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %q WHERE %q = $1`, table, column), person).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := map[string][2]int64{}
	for _, fk := range fks {
		before[fk] = [2]int64{count(fk, keep.ID), count(fk, drop.ID)}
		if before[fk][1] == 0 {
			t.Errorf("no row of %s names the person merged away: add one to the test, so that the merge is seen to move it", fk)
		}
	}

	var joined danvan.Person
	in(func(tx *Tx) (err error) {
		joined, err = tx.MergePeople(ctx, keep.ID, drop.ID, zaloChat, "vi")
		return err
	})

	// What does not simply move: drop's conversations end, codes not yet
	// used are forgotten (keep's too), and a role both held is held once.
	want := map[string]int64{
		"conversations.person_id": before["conversations.person_id"][0],
		"account_links.person_id": 1, // drop-used
		"roles.person_id":         2,
	}
	for _, fk := range fks {
		if n := count(fk, drop.ID); n != 0 {
			t.Errorf("%s: %d rows still name the person merged away", fk, n)
		}
		w, special := want[fk]
		if !special {
			w = before[fk][0] + before[fk][1]
		}
		if n := count(fk, keep.ID); n != w {
			t.Errorf("%s: %d rows name the person who stays, want %d", fk, n, w)
		}
	}
	wantPerson := danvan.Person{ID: keep.ID, ChatID: zaloChat, Name: "Lan", Lang: "vi", HomeAreaID: zone}
	if joined != wantPerson {
		t.Errorf("joined = %+v, want %+v", joined, wantPerson)
	}
	var people, remindersOff int64
	if err := db.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE reminders_off) FROM people WHERE id = ANY($1)`, []int64{keep.ID, drop.ID}).Scan(&people, &remindersOff); err != nil {
		t.Fatal(err)
	}
	if people != 1 || remindersOff != 1 {
		t.Errorf("%d of the two people are left, %d with reminders off; want one, who keeps reminders off", people, remindersOff)
	}
	// EnsurePerson finds the one person from either account.
	in(func(tx *Tx) error {
		for _, id := range []danvan.Identity{telegramUser(5001), zalo} {
			p, err := tx.EnsurePerson(ctx, id, "Lan", "vi", 0)
			if err != nil {
				return err
			}
			if p.ID != keep.ID {
				t.Errorf("%s %s is person %d, want %d", id.Channel, id.Ref, p.ID, keep.ID)
			}
		}
		return nil
	})

	// The ledger and the audit trail are append-only again once the merge
	// is over, and even during one let only the merge's move through.
	var receipt int64
	if err := db.Pool.QueryRow(ctx, `SELECT id FROM receipts`).Scan(&receipt); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		merge, sql string
	}{
		{"", `UPDATE receipts SET recorded_by = NULL WHERE id = $1`},
		{"", `UPDATE audit_log SET actor_id = NULL WHERE $1 > 0`},
		{"", `DELETE FROM receipt_photos WHERE receipt_id = $1`},
		{fmt.Sprintf("%d:%d", keep.ID, drop.ID), `UPDATE receipts SET quantity = 1 WHERE id = $1`},
		{fmt.Sprintf("%d:%d", keep.ID, drop.ID), `UPDATE receipts SET recorded_by = NULL WHERE id = $1`},
		{fmt.Sprintf("%d:%d", keep.ID, drop.ID), `UPDATE receipts SET recorded_by = recorded_by + 100 WHERE id = $1`},
		{fmt.Sprintf("%d:%d", keep.ID, drop.ID), `DELETE FROM receipts WHERE id = $1`},
		{fmt.Sprintf("%d:%d", keep.ID, drop.ID), `UPDATE receipt_photos SET file_id = 'x', added_by = NULL WHERE receipt_id = $1`},
	} {
		err := db.InTx(ctx, func(tx *Tx) error {
			if _, err := tx.tx.Exec(ctx, `SELECT set_config('danvan.merge_people', $1, true)`, tc.merge); err != nil {
				return err
			}
			_, err := tx.tx.Exec(ctx, tc.sql, receipt)
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "append-only") && !strings.Contains(err.Error(), "may only move") {
			t.Errorf("merging %q, %s: %v, want it refused", tc.merge, tc.sql, err)
		}
	}
	// What a merge does is let through (and rolled back here).
	var third int64
	in(func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, telegramUser(5003), "Minh", "vi", 0)
		third = p.ID
		return err
	})
	errRollback := errors.New("rollback")
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.tx.Exec(ctx, `SELECT set_config('danvan.merge_people', $1, true)`, fmt.Sprintf("%d:%d", keep.ID, third)); err != nil {
			return err
		}
		for _, sql := range []string{
			`UPDATE receipts SET recorded_by = $1 WHERE recorded_by = $2`,
			`UPDATE receipt_photos SET added_by = $1 WHERE added_by = $2`,
			`UPDATE audit_log SET actor_id = $1 WHERE actor_id = $2`,
		} {
			if tag, err := tx.tx.Exec(ctx, sql, third, keep.ID); err != nil || tag.RowsAffected() != 1 {
				return fmt.Errorf("%s: %v (%d rows)", sql, err, tag.RowsAffected())
			}
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Errorf("the merge's own move: %v", err)
	}
}

// Merging refuses one person twice and someone unknown, changing nothing.
func TestMergeRefusesNonsense(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	var p danvan.Person
	err := db.InTx(ctx, func(tx *Tx) (err error) {
		p, err = tx.EnsurePerson(ctx, telegramUser(5001), "Lan", "vi", 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range []int64{p.ID, p.ID + 1} {
		err := db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.MergePeople(ctx, p.ID, other, 0, "vi")
			return err
		})
		if err == nil {
			t.Errorf("merging %d into %d: no error", other, p.ID)
		}
		if other != p.ID && !errors.Is(err, danvan.ErrNotFound) {
			t.Errorf("merging someone unknown: %v, want not found", err)
		}
	}
}

// A code is found by its hash with its owner, works once, and a new one
// replaces its owner's unused one; expired codes are forgotten.
func TestLinkCodes(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	chats := telegramChats(t, db, 5001, 5002)
	var lan, minh danvan.Person
	in := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := db.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	in(func(tx *Tx) (err error) {
		if lan, err = tx.EnsurePerson(ctx, telegramUser(5001), "Lan", "vi", chats[5001]); err != nil {
			return err
		}
		minh, err = tx.EnsurePerson(ctx, telegramUser(5002), "Minh", "en", chats[5002])
		return err
	})
	create := func(hash string, p danvan.Person, ttl time.Duration) bool {
		t.Helper()
		var ok bool
		in(func(tx *Tx) (err error) {
			ok, err = tx.CreateLinkCode(ctx, hash, p.ID, danvan.Telegram, p.ChatID, now.Add(ttl))
			return err
		})
		return ok
	}
	lock := func(hash string) (danvan.LinkCode, error) {
		var c danvan.LinkCode
		err := db.InTx(ctx, func(tx *Tx) (err error) {
			c, err = tx.LockLinkCode(ctx, hash)
			return err
		})
		return c, err
	}
	if !create("a", lan, 10*time.Minute) || create("a", minh, 10*time.Minute) {
		t.Fatal("a hash taken twice, or not at all")
	}
	c, err := lock("a")
	want := danvan.LinkCode{Owner: lan, Channel: danvan.Telegram, ChatID: chats[5001], ExpiresAt: now.Add(10 * time.Minute)}
	if err != nil || !c.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("lock = %+v, %v; want %+v", c, err, want)
	}
	c.ExpiresAt = want.ExpiresAt
	if c != want {
		t.Errorf("lock = %+v, want %+v", c, want)
	}
	if _, err := lock("nothing"); !errors.Is(err, danvan.ErrNotFound) {
		t.Errorf("an unknown code: %v, want not found", err)
	}
	// A new code replaces the unused one.
	create("b", lan, 10*time.Minute)
	if _, err := lock("a"); !errors.Is(err, danvan.ErrNotFound) {
		t.Errorf("the replaced code: %v, want not found", err)
	}
	in(func(tx *Tx) error { return tx.MarkLinkCodeUsed(ctx, "b") })
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.MarkLinkCodeUsed(ctx, "b") }); err == nil {
		t.Error("a code used twice")
	}
	if c, err := lock("b"); err != nil || !c.Used {
		t.Errorf("the used code: %+v, %v", c, err)
	}
	// A used code is kept while it lasts; a new one does not replace it.
	create("c", lan, time.Minute)
	if _, err := lock("b"); err != nil {
		t.Errorf("the used code after a new one: %v", err)
	}
	// Once expired, codes are forgotten when anyone makes a new one.
	now = now.Add(11 * time.Minute)
	create("d", minh, 10*time.Minute)
	for _, h := range []string{"b", "c"} {
		if _, err := lock(h); !errors.Is(err, danvan.ErrNotFound) {
			t.Errorf("expired code %s: %v, want forgotten", h, err)
		}
	}
}
