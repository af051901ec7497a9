package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// EnsureChat returns the internal id of a channel's chat, numbering it on
// first contact. Internal ids are what conversations, the outbox and groups
// keep; the channel's own id is only looked up here and by the sender.
func (t *Tx) EnsureChat(ctx context.Context, ch danvan.Channel, ref string, group bool) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT id FROM chats WHERE channel = $1 AND external_id = $2`, ch, ref).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		err = t.tx.QueryRow(ctx, `
			INSERT INTO chats (channel, external_id, is_group, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (channel, external_id) DO UPDATE SET is_group = chats.is_group
			RETURNING id`, ch, ref, group, t.now).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("store: chat %s %q: %w", ch, ref, err)
	}
	return id, nil
}

// ReachChat is EnsureChat for a chat someone just wrote in, which the bot
// may write to again (MarkReachable), in one round trip when the chat is
// known, as it is for nearly every update.
func (t *Tx) ReachChat(ctx context.Context, ch danvan.Channel, ref string, group bool) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `
		WITH c AS (SELECT id FROM chats WHERE channel = $1 AND external_id = $2),
		     d AS (DELETE FROM unreachable_chats u USING c WHERE u.chat_id = c.id)
		SELECT id FROM c`, ch, ref).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return t.EnsureChat(ctx, ch, ref, group) // a new chat was never unreachable
	}
	if err != nil {
		return 0, fmt.Errorf("store: chat %s %q: %w", ch, ref, err)
	}
	return id, nil
}

// RenameChat follows a chat whose channel gave it a new id (a Telegram group
// become a supergroup): the chat keeps its internal id, and with it its
// conversations, links, schedule and waiting messages. If the new id is
// already a chat of its own, the waiting messages, conversations, links and
// schedule move there, and the old chat stays behind with nothing to do. It
// returns the chat's internal id, 0 when the old id was never seen.
func (t *Tx) RenameChat(ctx context.Context, ch danvan.Channel, from, to string) (int64, error) {
	var old, cur int64
	err := t.tx.QueryRow(ctx, `SELECT id FROM chats WHERE channel = $1 AND external_id = $2 FOR UPDATE`, ch, from).Scan(&old)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: rename chat %s %q: %w", ch, from, err)
	}
	err = t.tx.QueryRow(ctx, `SELECT id FROM chats WHERE channel = $1 AND external_id = $2`, ch, to).Scan(&cur)
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := t.tx.Exec(ctx, `UPDATE chats SET external_id = $2 WHERE id = $1`, old, to); err != nil {
			return 0, fmt.Errorf("store: rename chat %s %q: %w", ch, from, err)
		}
		return old, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: rename chat %s %q: %w", ch, from, err)
	}
	if err := t.moveChat(ctx, old, cur); err != nil {
		return 0, err
	}
	return cur, nil
}

// EnsurePerson returns the person behind an identity, creating them on
// first contact. The name is taken only then: a name from the setup file
// is kept. The language follows the person's setting on the channel ("":
// the channel does not say, and the person keeps theirs), and
// privateChat (their private chat, 0 when they wrote in a group) becomes
// where the bot writes to them on its own.
func (t *Tx) EnsurePerson(ctx context.Context, id danvan.Identity, name, lang string, privateChat int64) (danvan.Person, error) {
	// Most updates come from people already known: read first, so that the
	// common case writes nothing.
	p, err := t.personByIdentity(ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		if name == "" {
			name = placeholderName(id)
		}
		var pid int64
		pid, _, err = t.ensureIdentity(ctx, id, name)
		if err == nil && lang != "" {
			_, err = t.tx.Exec(ctx, `UPDATE people SET lang = $2 WHERE id = $1`, pid, lang)
		}
		if err == nil {
			p, err = t.personByIdentity(ctx, id)
		}
	}
	if err != nil {
		return p, fmt.Errorf("store: person with %s id %q: %w", id.Channel, id.Ref, err)
	}
	if name != "" && p.Name == placeholderName(id) {
		// A placeholder (an admin from DANVAN_ADMINS, say) takes the name
		// the person goes by once they write.
		if _, err := t.tx.Exec(ctx, `UPDATE people SET name = $2, updated_at = $3 WHERE id = $1`, p.ID, name, t.now); err != nil {
			return p, fmt.Errorf("store: name of person %d: %w", p.ID, err)
		}
		p.Name = name
	}
	if lang == "" {
		lang = p.Lang
	}
	if p.Lang != lang || privateChat != 0 && p.ChatID != privateChat {
		if privateChat != 0 {
			p.ChatID = privateChat
		}
		if _, err := t.tx.Exec(ctx, `UPDATE people SET lang = $2, chat_id = NULLIF($3::bigint, 0), updated_at = $4 WHERE id = $1`,
			p.ID, lang, p.ChatID, t.now); err != nil {
			return p, fmt.Errorf("store: language and chat of person %d: %w", p.ID, err)
		}
		p.Lang = lang
	}
	return p, nil
}

// placeholderName is what a person known only by an identity is called
// until they write.
func placeholderName(id danvan.Identity) string {
	if id.Channel == danvan.Telegram {
		return "#" + id.Ref
	}
	return "#" + string(id.Channel) + ":" + id.Ref
}

// ensureIdentity returns the person behind id, creating them (named name)
// with their private chat when the identity is new. On both channels a
// person's private chat has the person's own id.
func (t *Tx) ensureIdentity(ctx context.Context, id danvan.Identity, name string) (personID int64, created bool, err error) {
	// Two first messages of one person may be applied at once: the second
	// waits here for the first to commit, then finds the person it made.
	if _, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('identity ' || $1 || ':' || $2))`, id.Channel, id.Ref); err != nil {
		return 0, false, err
	}
	err = t.tx.QueryRow(ctx, `SELECT person_id FROM identities WHERE channel = $1 AND external_id = $2`, id.Channel, id.Ref).Scan(&personID)
	if !errors.Is(err, pgx.ErrNoRows) {
		return personID, false, err
	}
	chat, err := t.EnsureChat(ctx, id.Channel, id.Ref, false)
	if err != nil {
		return 0, false, err
	}
	if err := t.tx.QueryRow(ctx, `INSERT INTO people (name, chat_id, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
		name, chat, t.now).Scan(&personID); err != nil {
		return 0, false, err
	}
	if err := t.addIdentity(ctx, personID, id); err != nil {
		return 0, false, err
	}
	return personID, true, nil
}

// addIdentity gives a person one more account.
func (t *Tx) addIdentity(ctx context.Context, personID int64, id danvan.Identity) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO identities (channel, external_id, person_id, created_at) VALUES ($1, $2, $3, $4)`,
		id.Channel, id.Ref, personID, t.now); err != nil {
		return fmt.Errorf("store: %s id %q for person %d: %w", id.Channel, id.Ref, personID, err)
	}
	return nil
}

func (t *Tx) personByIdentity(ctx context.Context, id danvan.Identity) (danvan.Person, error) {
	var p danvan.Person
	err := t.tx.QueryRow(ctx, `SELECT `+personColumns+` FROM identities i JOIN people pe ON pe.id = i.person_id
		WHERE i.channel = $1 AND i.external_id = $2`, id.Channel, id.Ref).
		Scan(&p.ID, &p.ChatID, &p.Name, &p.Lang, &p.HomeAreaID)
	return p, notFound(err)
}

// Identities lists a person's accounts, oldest first.
func (t *Tx) Identities(ctx context.Context, personID int64) ([]danvan.Identity, error) {
	rows, err := t.tx.Query(ctx, `SELECT channel, external_id FROM identities WHERE person_id = $1 ORDER BY created_at, channel`, personID)
	if err != nil {
		return nil, fmt.Errorf("store: accounts of person %d: %w", personID, err)
	}
	ids, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Identity, error) {
		var id danvan.Identity
		err := r.Scan(&id.Channel, &id.Ref)
		return id, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: accounts of person %d: %w", personID, err)
	}
	return ids, nil
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
