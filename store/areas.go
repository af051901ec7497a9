package store

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

const areaColumns = `id, code, name, COALESCE(parent_id, 0)`

func scanArea(r pgx.CollectableRow) (danvan.Area, error) {
	var a danvan.Area
	err := r.Scan(&a.ID, &a.Code, &a.Name, &a.ParentID)
	return a, err
}

// Zones returns the areas people live in: those with a parent, by code.
func (t *Tx) Zones(ctx context.Context) ([]danvan.Area, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+areaColumns+` FROM areas WHERE parent_id IS NOT NULL ORDER BY parent_id, code`)
	if err != nil {
		return nil, fmt.Errorf("store: list zones: %w", err)
	}
	zs, err := pgx.CollectRows(rows, scanArea)
	if err != nil {
		return nil, fmt.Errorf("store: list zones: %w", err)
	}
	return zs, nil
}

// AreaByCode finds an area by its code, ignoring case.
func (t *Tx) AreaByCode(ctx context.Context, code string) (danvan.Area, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+areaColumns+` FROM areas WHERE upper(code) = upper($1)`, code)
	if err != nil {
		return danvan.Area{}, fmt.Errorf("store: area %q: %w", code, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanArea)
	if err != nil {
		return a, fmt.Errorf("store: area %q: %w", code, notFound(err))
	}
	return a, nil
}

// Area finds an area by id.
func (t *Tx) Area(ctx context.Context, id int64) (danvan.Area, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+areaColumns+` FROM areas WHERE id = $1`, id)
	if err != nil {
		return danvan.Area{}, fmt.Errorf("store: area %d: %w", id, err)
	}
	a, err := pgx.CollectExactlyOneRow(rows, scanArea)
	if err != nil {
		return a, fmt.Errorf("store: area %d: %w", id, notFound(err))
	}
	return a, nil
}
