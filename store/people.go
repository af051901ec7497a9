package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// EnsurePerson returns the person with this Telegram id, creating them on
// first contact. The name is taken only then: a name from the setup file
// is kept. The language follows the person's Telegram setting.
func (t *Tx) EnsurePerson(ctx context.Context, telegramID int64, name, lang string) (danvan.Person, error) {
	// Most updates come from people already known: read first, so that the
	// common case writes nothing.
	p, err := t.personByTelegram(ctx, telegramID)
	if errors.Is(err, danvan.ErrNotFound) {
		if name == "" {
			name = "#" + strconv.FormatInt(telegramID, 10)
		}
		_, err = t.tx.Exec(ctx, `
			INSERT INTO people (telegram_id, name, lang, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (telegram_id) DO NOTHING`, telegramID, name, lang, t.now)
		if err == nil {
			p, err = t.personByTelegram(ctx, telegramID)
		}
	}
	if err != nil {
		return p, fmt.Errorf("store: person with telegram id %d: %w", telegramID, err)
	}
	if strings.HasPrefix(p.Name, "#") && name != "" && p.Name == "#"+strconv.FormatInt(telegramID, 10) {
		// A placeholder (an admin from DANVAN_ADMINS, say) takes the name
		// the person goes by once they write.
		if _, err := t.tx.Exec(ctx, `UPDATE people SET name = $2, updated_at = $3 WHERE id = $1`, p.ID, name, t.now); err != nil {
			return p, fmt.Errorf("store: name of person %d: %w", p.ID, err)
		}
		p.Name = name
	}
	if p.Lang != lang {
		if _, err := t.tx.Exec(ctx, `UPDATE people SET lang = $2, updated_at = $3 WHERE id = $1`, p.ID, lang, t.now); err != nil {
			return p, fmt.Errorf("store: language of person %d: %w", p.ID, err)
		}
		p.Lang = lang
	}
	return p, nil
}

func (t *Tx) personByTelegram(ctx context.Context, telegramID int64) (danvan.Person, error) {
	var p danvan.Person
	var home *int64
	err := t.tx.QueryRow(ctx, `SELECT id, telegram_id, name, lang, home_area_id FROM people WHERE telegram_id = $1`, telegramID).
		Scan(&p.ID, &p.TelegramID, &p.Name, &p.Lang, &home)
	if home != nil {
		p.HomeAreaID = *home
	}
	return p, notFound(err)
}

// SetHomeArea records the zone a person lives in.
func (t *Tx) SetHomeArea(ctx context.Context, personID, areaID int64) error {
	if _, err := t.tx.Exec(ctx, `UPDATE people SET home_area_id = $2, updated_at = $3 WHERE id = $1`, personID, areaID, t.now); err != nil {
		return fmt.Errorf("store: set home area of person %d: %w", personID, err)
	}
	return nil
}

// Grants returns the roles a person holds.
func (t *Tx) Grants(ctx context.Context, personID int64) (danvan.Grants, error) {
	rows, err := t.tx.Query(ctx, `SELECT role, COALESCE(area_id, 0), COALESCE(unit_id, 0) FROM roles WHERE person_id = $1 ORDER BY id`, personID)
	if err != nil {
		return nil, fmt.Errorf("store: roles of person %d: %w", personID, err)
	}
	gs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Grant, error) {
		var g danvan.Grant
		err := r.Scan(&g.Role, &g.AreaID, &g.UnitID)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: roles of person %d: %w", personID, err)
	}
	return gs, nil
}

func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return danvan.ErrNotFound
	}
	return err
}
