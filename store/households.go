package store

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
)

// CreateHousehold adds a household without a phone, recorded by a head: a
// person with no Telegram id, living in zone zoneID.
func (t *Tx) CreateHousehold(ctx context.Context, name string, zoneID, headID int64) (danvan.Person, error) {
	p := danvan.Person{Name: name, Lang: "vi", HomeAreaID: zoneID}
	err := t.tx.QueryRow(ctx, `
		INSERT INTO people (telegram_id, name, lang, home_area_id, recorded_by, created_at, updated_at)
		VALUES (NULL, $1, 'vi', $2, $3, $4, $4) RETURNING id`, name, zoneID, headID, t.now).Scan(&p.ID)
	if err != nil {
		return p, fmt.Errorf("store: household %q in area %d: %w", name, zoneID, err)
	}
	return p, nil
}
