package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// CreateHousehold returns the household without a phone named name in zone
// zoneID, adding it (recorded by head headID) the first time. Names are
// compared ignoring case and spacing, so "Nhà bà Tư" recorded twice, or by
// two heads, is one household with two pledges, not two households.
func (t *Tx) CreateHousehold(ctx context.Context, name string, zoneID, headID int64) (danvan.Person, error) {
	p := danvan.Person{Name: name, Lang: "vi", HomeAreaID: zoneID}
	key := householdKey(name)
	// Two heads adding the same household at once must not both add it.
	if _, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
		fmt.Sprintf("household:%d:%s", zoneID, key)); err != nil {
		return p, fmt.Errorf("store: household %q in area %d: %w", name, zoneID, err)
	}
	// Case is folded here rather than in SQL: the database's own collation
	// may not know Vietnamese capitals.
	rows, _ := t.tx.Query(ctx, `SELECT id, name FROM people WHERE chat_id IS NULL AND home_area_id = $1 ORDER BY id`, zoneID)
	known, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Person, error) {
		var k danvan.Person
		err := r.Scan(&k.ID, &k.Name)
		return k, err
	})
	if err != nil {
		return p, fmt.Errorf("store: households of area %d: %w", zoneID, err)
	}
	for _, k := range known {
		if householdKey(k.Name) == key {
			p.ID, p.Name = k.ID, k.Name
			return p, nil
		}
	}
	err = t.tx.QueryRow(ctx, `
		INSERT INTO people (name, lang, home_area_id, recorded_by, created_at, updated_at)
		VALUES ($1, 'vi', $2, $3, $4, $4) RETURNING id`, name, zoneID, headID, t.now).Scan(&p.ID)
	if err != nil {
		return p, fmt.Errorf("store: household %q in area %d: %w", name, zoneID, err)
	}
	return p, nil
}

func householdKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}
