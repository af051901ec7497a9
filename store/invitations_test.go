package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// seedInvitation creates an inviter and an invitation to head the seeded
// campaign's zone, and returns the zone's id.
func seedInvitation(t *testing.T, db *DB, hash string) (zoneID int64) {
	t.Helper()
	c := seedCampaign(t, db)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		inviter, err := tx.EnsurePerson(ctx, telegramUser(1), "Lê Văn Hùng", "en", 0)
		if err != nil {
			return err
		}
		zoneID = c.AreaIDs[0]
		_, err = tx.CreateInvitation(ctx, hash, danvan.Grant{Role: danvan.RoleHead, AreaID: zoneID}, inviter.ID, tx.Now().Add(72*time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return zoneID
}

func TestInvitationLockAndUse(t *testing.T) {
	db := openDB(t)
	zone := seedInvitation(t, db, "hash-1")
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.LockInvitation(ctx, "forged"); !errors.Is(err, danvan.ErrNotFound) {
			t.Errorf("LockInvitation(unknown) = %v, want ErrNotFound", err)
		}
		inv, err := tx.LockInvitation(ctx, "hash-1")
		if err != nil {
			return err
		}
		inviterChat, err := telegramChat(ctx, tx, 1)
		if err != nil {
			return err
		}
		if inv.Grant != (danvan.Grant{Role: danvan.RoleHead, AreaID: zone}) || inv.ScopeName != "Khu 1" ||
			inv.Inviter.Name != "Lê Văn Hùng" || inv.Inviter.ChatID != inviterChat || inv.Inviter.Lang != "en" || inv.UsedBy != 0 {
			t.Errorf("invitation read back as %+v, want the inviter's private chat %d", inv, inviterChat)
		}
		if ids, err := tx.Identities(ctx, inv.Inviter.ID); err != nil || !slices.Equal(ids, []danvan.Identity{telegramUser(1)}) {
			t.Errorf("the inviter's accounts = %v (%v), want Telegram 1", ids, err)
		}
		if got := inv.ExpiresAt.Sub(inv.CreatedAt); got != 72*time.Hour {
			t.Errorf("invitation lasts %v, want 72h", got)
		}
		p, err := tx.EnsurePerson(ctx, telegramUser(2), "Bình", "vi", 0)
		if err != nil {
			return err
		}
		if err := tx.MarkInvitationUsed(ctx, inv.ID, p.ID); err != nil {
			return err
		}
		if err := tx.MarkInvitationUsed(ctx, inv.ID, p.ID); err == nil {
			t.Error("an invitation was marked used twice")
		}
		inv, err = tx.LockInvitation(ctx, "hash-1")
		if err != nil {
			return err
		}
		if d := inv.UsedAt.Sub(tx.Now()); inv.UsedBy != p.ID || d < -time.Microsecond || d > time.Microsecond {
			t.Errorf("used invitation reads used by %d at %v, want %d at %v", inv.UsedBy, inv.UsedAt, p.ID, tx.Now())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Two people opening the same link at the same moment: the second waits
// for the first's transaction and then sees the invitation used.
func TestInvitationLockSerialisesRedeemers(t *testing.T) {
	db := openDB(t)
	seedInvitation(t, db, "hash-2")
	ctx := context.Background()

	first, err := db.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	tx1 := &Tx{tx: first, now: time.Now()}
	inv, err := tx1.LockInvitation(ctx, "hash-2")
	if err != nil {
		t.Fatal(err)
	}

	type result struct {
		inv danvan.Invitation
		err error
	}
	second := make(chan result, 1)
	go func() {
		var r result
		r.err = db.InTx(ctx, func(tx *Tx) error {
			r.inv, r.err = tx.LockInvitation(ctx, "hash-2")
			return r.err
		})
		second <- r
	}()
	// Wait until the second transaction is blocked on the row lock.
	for deadline := time.Now().Add(10 * time.Second); ; {
		var waiting int
		if err := db.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%FROM invitations%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		select {
		case r := <-second:
			t.Fatalf("the second redeemer did not wait for the lock: %+v", r)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the second redeemer never waited for the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p, err := tx1.EnsurePerson(ctx, telegramUser(3), "An", "vi", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx1.MarkInvitationUsed(ctx, inv.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-second
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.inv.UsedBy != p.ID {
		t.Fatalf("the second redeemer saw the invitation used by %d, want %d", r.inv.UsedBy, p.ID)
	}
}

func TestGrantListAndRemoveRoles(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, telegramUser(5), "Hoa <b>", "vi", 0)
		if err != nil {
			return err
		}
		g := danvan.Grant{Role: danvan.RoleCadre, UnitID: c.UnitID}
		id, added, err := tx.GrantRole(ctx, p.ID, g, "chat")
		if err != nil || !added {
			t.Fatalf("GrantRole = %d, %v, %v; want a new role", id, added, err)
		}
		again, added, err := tx.GrantRole(ctx, p.ID, g, "chat")
		if err != nil || added || again != id {
			t.Errorf("GrantRole again = %d, %v, %v; want %d, not added", again, added, err, id)
		}
		if _, _, err := tx.GrantRole(ctx, p.ID, danvan.Grant{Role: danvan.RoleAdmin}, "env"); err != nil {
			return err
		}
		ls, total, err := tx.RoleLines(ctx, 1, 0)
		if err != nil {
			return err
		}
		if total != 2 || len(ls) != 1 || ls[0].Grant.Role != danvan.RoleAdmin || ls[0].Source != "env" {
			t.Errorf("first page of roles = %+v (of %d), want the admin role of 2", ls, total)
		}
		l, err := tx.RoleLine(ctx, id)
		if err != nil {
			return err
		}
		if l.Person.Name != "Hoa <b>" || l.ScopeName != "MTTQ" || l.Grant != g || l.Source != "chat" {
			t.Errorf("RoleLine = %+v", l)
		}
		if err := tx.RemoveRole(ctx, id); err != nil {
			return err
		}
		if err := tx.RemoveRole(ctx, id); !errors.Is(err, danvan.ErrNotFound) {
			t.Errorf("removing a removed role: %v, want ErrNotFound", err)
		}
		gs, err := tx.Grants(ctx, p.ID)
		if err != nil {
			return err
		}
		if len(gs) != 1 || gs[0].Role != danvan.RoleAdmin {
			t.Errorf("grants after removal = %+v, want the admin role only", gs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// DANVAN_ADMINS is the whole list of admins from the environment; setup
// and the chat's roles are left alone.
func TestSyncEnvAdmins(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	sync := func(ids ...int64) (added, removed []danvan.RoleLine) {
		t.Helper()
		err := db.InTx(ctx, func(tx *Tx) (err error) {
			accounts := make([]danvan.Identity, len(ids))
			for i, id := range ids {
				accounts[i] = telegramUser(id)
			}
			added, removed, err = tx.SyncEnvAdmins(ctx, accounts)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return added, removed
	}
	admins := func() map[int64]string {
		t.Helper()
		// An admin without a Telegram account would show as 0.
		rows, err := db.Pool.Query(ctx, `SELECT COALESCE(i.external_id::bigint, 0), r.source FROM roles r
			LEFT JOIN identities i ON i.person_id = r.person_id AND i.channel = 'telegram' WHERE r.role = 'admin'`)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]string{}
		var id int64
		var source string
		if _, err := pgx.ForEachRow(rows, []any{&id, &source}, func() error { m[id] = source; return nil }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// 900 is an admin given in the chat, not through the variable.
	err := db.InTx(ctx, func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, telegramUser(900), "Chat admin", "vi", 0)
		if err != nil {
			return err
		}
		_, _, err = tx.GrantRole(ctx, p.ID, danvan.Grant{Role: danvan.RoleAdmin}, "chat")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	added, removed := sync(901, 902, 900)
	if len(added) != 2 || len(removed) != 0 {
		t.Fatalf("first sync added %d, removed %d; want 2 and 0", len(added), len(removed))
	}
	if got := admins(); len(got) != 3 || got[901] != "env" || got[902] != "env" || got[900] != "chat" {
		t.Fatalf("admins = %v", got)
	}
	var name string
	if err := db.Pool.QueryRow(ctx, `SELECT name FROM people WHERE id = $1`, telegramPerson(t, db, 901)).Scan(&name); err != nil || name != "#901" {
		t.Fatalf("a new admin is named %q (%v), want #901", name, err)
	}
	// The setup file does not know them: running it keeps them.
	if err := db.InTx(ctx, func(tx *Tx) error { _, err := tx.PruneSetupRoles(ctx, nil); return err }); err != nil {
		t.Fatal(err)
	}
	if got := admins(); len(got) != 3 {
		t.Fatalf("after setup, admins = %v", got)
	}
	added, removed = sync(902)
	if len(added) != 0 || len(removed) != 1 || removed[0].Person.ID != telegramPerson(t, db, 901) {
		t.Fatalf("second sync added %v, removed %v; want 901 removed", added, removed)
	}
	if got := admins(); len(got) != 2 || got[902] != "env" || got[900] != "chat" {
		t.Fatalf("admins = %v, want 902 (env) and 900 (chat)", got)
	}
	if added, removed = sync(902); len(added)+len(removed) != 0 {
		t.Fatalf("a repeated sync changed %v, %v", added, removed)
	}
}
