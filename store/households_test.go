package store

import (
	"context"
	"testing"
)

// A household recorded again, by another head or with other capitals and
// spacing, is the same household; the same name in another zone is not.
func TestHouseholdsAreNotDuplicated(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	zone := c.AreaIDs[0]
	ctx := context.Background()
	var first, again, other int64
	err := db.InTx(ctx, func(tx *Tx) error {
		head, err := tx.EnsurePerson(ctx, telegramUser(100001), "Hoa", "vi", 0)
		if err != nil {
			return err
		}
		var zone2 int64
		if err := tx.tx.QueryRow(ctx, `INSERT INTO areas (code, name, parent_id) SELECT 'YG-K2', 'Khu 2', parent_id FROM areas WHERE id = $1 RETURNING id`, zone).Scan(&zone2); err != nil {
			return err
		}
		h, err := tx.CreateHousehold(ctx, "Nhà bà Tư", zone, head.ID)
		if err != nil {
			return err
		}
		first = h.ID
		if h, err = tx.CreateHousehold(ctx, "  NHÀ BÀ  TƯ ", zone, head.ID); err != nil {
			return err
		}
		again = h.ID
		if h.Name != "Nhà bà Tư" {
			t.Errorf("the household is now called %q", h.Name)
		}
		if h, err = tx.CreateHousehold(ctx, "Nhà bà Tư", zone2, head.ID); err != nil {
			return err
		}
		other = h.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if first == 0 || again != first || other == first {
		t.Errorf("households %d, %d (same name again), %d (another zone)", first, again, other)
	}
}
