package main

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/store"
)

// applyAdmins makes the people listed in DANVAN_ADMINS admins, and takes
// the role from those an earlier list named but this one does not. Their
// roles have source 'env': `danvan setup` leaves them alone, and the
// variable stays the whole truth about who is an admin through it. Each
// change is written to the audit trail, by nobody (the system).
func applyAdmins(ctx context.Context, db *store.DB, ids []danvan.Identity) error {
	err := db.InTx(ctx, func(tx *store.Tx) error {
		added, removed, err := tx.SyncEnvAdmins(ctx, ids)
		if err != nil {
			return err
		}
		for _, l := range removed {
			if err := tx.Audit(ctx, 0, "role", l.ID, 0, "removed", envAdminAudit(l), nil); err != nil {
				return err
			}
		}
		for _, l := range added {
			if err := tx.Audit(ctx, 0, "role", l.ID, 0, "created", nil, envAdminAudit(l)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("DANVAN_ADMINS: %w", err)
	}
	return nil
}

func envAdminAudit(l danvan.RoleLine) map[string]any {
	return map[string]any{"person_id": l.Person.ID, "person": l.Person.Name, "role": l.Grant.Role, "source": l.Source}
}
