package main

import (
	"context"
	"testing"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

// DANVAN_ADMINS is applied at each start: listed people become admins
// (created if new), those no longer listed lose the role, and each change
// is in the audit trail.
func TestApplyAdmins(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	count := func(sql string) int64 {
		t.Helper()
		var n int64
		if err := db.Pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	if err := applyAdmins(ctx, db, []danvan.Identity{{Channel: danvan.Telegram, Ref: "7001"}, {Channel: danvan.Telegram, Ref: "7002"}}); err != nil {
		t.Fatal(err)
	}
	if err := applyAdmins(ctx, db, []danvan.Identity{{Channel: danvan.Telegram, Ref: "7001"}, {Channel: danvan.Telegram, Ref: "7002"}}); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM roles r JOIN people p ON p.id = r.person_id WHERE r.role = 'admin' AND r.source = 'env' AND p.name = '#' || (SELECT external_id FROM identities i WHERE i.person_id = p.id)`); n != 2 {
		t.Fatalf("%d admins from the environment, want 2", n)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE entity = 'role' AND action = 'created' AND actor_id IS NULL`); n != 2 {
		t.Fatalf("%d audit entries after applying the same list twice, want 2", n)
	}
	if err := applyAdmins(ctx, db, []danvan.Identity{{Channel: danvan.Telegram, Ref: "7002"}}); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT count(*) FROM roles r JOIN people p ON p.id = r.person_id WHERE p.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (7001)::bigint::text)`); n != 0 {
		t.Fatal("an admin taken out of DANVAN_ADMINS keeps the role")
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE entity = 'role' AND action = 'removed' AND before->>'person' = '#7001'`); n != 1 {
		t.Fatalf("%d audit entries for the removal, want 1", n)
	}
}
