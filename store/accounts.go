package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// CreateLinkCode keeps a new code for personID to join another account of
// theirs, known by the hash of the code, made in their private chat chatID
// on channel ch. It replaces the person's previous unused code, and forgets
// every expired one (of anyone): an expired code only ever answers
// "expired", and the audit trail keeps the joins. It reports false, storing
// nothing, when another code with that hash is kept: the caller draws
// another.
func (t *Tx) CreateLinkCode(ctx context.Context, codeHash string, personID int64, ch danvan.Channel, chatID int64, expiresAt time.Time) (bool, error) {
	if _, err := t.tx.Exec(ctx, `DELETE FROM account_links WHERE (person_id = $1 AND used_at IS NULL) OR expires_at <= $2`, personID, t.now); err != nil {
		return false, fmt.Errorf("store: older link codes of person %d: %w", personID, err)
	}
	tag, err := t.tx.Exec(ctx, `
		INSERT INTO account_links (code_hash, person_id, channel, chat_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (code_hash) DO NOTHING`, codeHash, personID, ch, chatID, t.now, expiresAt)
	if err != nil {
		return false, fmt.Errorf("store: link code of person %d: %w", personID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// LockLinkCode finds the link code with this hash, with the person who made
// it, and locks it until the transaction ends, so that a code typed twice
// at once joins once. It returns danvan.ErrNotFound for an unknown hash.
func (t *Tx) LockLinkCode(ctx context.Context, codeHash string) (danvan.LinkCode, error) {
	var c danvan.LinkCode
	o := &c.Owner
	err := t.tx.QueryRow(ctx, `
		SELECT `+personColumns+`, l.channel, l.chat_id, l.expires_at, l.used_at IS NOT NULL
		FROM account_links l JOIN people pe ON pe.id = l.person_id
		WHERE l.code_hash = $1
		FOR UPDATE OF l`, codeHash).
		Scan(&o.ID, &o.ChatID, &o.Name, &o.Lang, &o.HomeAreaID, &c.Channel, &c.ChatID, &c.ExpiresAt, &c.Used)
	if err != nil {
		return c, fmt.Errorf("store: link code: %w", notFound(err))
	}
	return c, nil
}

// MarkLinkCodeUsed records that the code with this hash joined two
// accounts. A code is used once: marking it again is an error.
func (t *Tx) MarkLinkCodeUsed(ctx context.Context, codeHash string) error {
	tag, err := t.tx.Exec(ctx, `UPDATE account_links SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL`, codeHash, t.now)
	if err != nil {
		return fmt.Errorf("store: use link code: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return errors.New("store: use link code: already used or unknown")
	}
	return nil
}

// personReference is a column naming a person, and what merging two people
// does with the rows whose column names the one that goes (@drop): the
// statements run in order, with @keep the one that stays.
type personReference struct {
	table, column string
	merge         []string
}

// personReferences is every column that refers to people (id).
// TestMergeMovesEveryReference reads the database's foreign keys and fails
// on one missing here: a table added later that names a person must say
// what a merge does with it, or the merge would fail on it (the person it
// names is deleted) or, with ON DELETE CASCADE, silently lose its rows.
var personReferences = []personReference{
	{"identities", "person_id", []string{`UPDATE identities SET person_id = @keep WHERE person_id = @drop`}},
	// A conversation under way is tied to the person it was with; the
	// person who stays starts afresh in those chats.
	{"conversations", "person_id", []string{`DELETE FROM conversations WHERE person_id = @drop`}},
	// MergePeople forgot the unused codes of both first; the used ones
	// still answer "used" while they last.
	{"account_links", "person_id", []string{`UPDATE account_links SET person_id = @keep WHERE person_id = @drop`}},
	// The flows refuse to join two people who both hold roles; should
	// both hold the same one all the same, it is held once.
	{"roles", "person_id", []string{
		`DELETE FROM roles r WHERE r.person_id = @drop AND EXISTS (SELECT 1 FROM roles k WHERE k.person_id = @keep
			AND k.role = r.role AND k.area_id IS NOT DISTINCT FROM r.area_id AND k.unit_id IS NOT DISTINCT FROM r.unit_id)`,
		`UPDATE roles SET person_id = @keep WHERE person_id = @drop`,
	}},
	{"pledges", "person_id", []string{`UPDATE pledges SET person_id = @keep WHERE person_id = @drop`}},
	// What either followed, the person follows; what both followed, once.
	// "Since last time" starts afresh for what moves.
	{"follows", "person_id", []string{
		`DELETE FROM follow_snapshots s USING follows f
			WHERE f.person_id = @drop AND s.person_id = f.person_id AND s.campaign_id = f.campaign_id`,
		`DELETE FROM follows f WHERE f.person_id = @drop AND EXISTS (SELECT 1 FROM follows k WHERE k.person_id = @keep AND k.campaign_id = f.campaign_id)`,
		`UPDATE follows SET person_id = @keep WHERE person_id = @drop`,
	}},
	{"pledges", "recorded_by", []string{`UPDATE pledges SET recorded_by = @keep WHERE recorded_by = @drop`}},
	// Households without a phone that the person recorded as a head.
	{"people", "recorded_by", []string{`UPDATE people SET recorded_by = @keep WHERE recorded_by = @drop`}},
	{"invitations", "created_by", []string{`UPDATE invitations SET created_by = @keep WHERE created_by = @drop`}},
	{"invitations", "used_by", []string{`UPDATE invitations SET used_by = @keep WHERE used_by = @drop`}},
	{"progress_reports", "reported_by", []string{`UPDATE progress_reports SET reported_by = @keep WHERE reported_by = @drop`}},
	{"payment_claims", "claimed_by", []string{`UPDATE payment_claims SET claimed_by = @keep WHERE claimed_by = @drop`}},
	{"payment_claims", "decided_by", []string{`UPDATE payment_claims SET decided_by = @keep WHERE decided_by = @drop`}},
	{"statements", "sent_by", []string{`UPDATE statements SET sent_by = @keep WHERE sent_by = @drop`}},
	{"bank_transactions", "handled_by", []string{`UPDATE bank_transactions SET handled_by = @keep WHERE handled_by = @drop`}},
	// The append-only tables let exactly this through during a merge
	// (migration 012): who recorded, photographed or did something is the
	// same human being, under the id they have now.
	{"receipts", "recorded_by", []string{`UPDATE receipts SET recorded_by = @keep WHERE recorded_by = @drop`}},
	{"receipt_photos", "added_by", []string{`UPDATE receipt_photos SET added_by = @keep WHERE added_by = @drop`}},
	{"audit_log", "actor_id", []string{`UPDATE audit_log SET actor_id = @keep WHERE actor_id = @drop`}},
}

// MergePeople makes two people one: every row naming drop names keep, and
// drop is deleted. keep keeps their name (unless it is only a placeholder
// for an account, and drop's is not), their home zone (or takes drop's
// when they chose none) and turns reminders off if either had; the bot
// writes to them on their own in chatID, the private chat they are writing
// from, in lang, as EnsurePerson keeps the two together. The caller checks
// that the two may be joined; it returns the person as they are now.
func (t *Tx) MergePeople(ctx context.Context, keep, drop, chatID int64, lang string) (danvan.Person, error) {
	fail := func(err error) (danvan.Person, error) {
		return danvan.Person{}, fmt.Errorf("store: merge person %d into %d: %w", drop, keep, err)
	}
	if keep == drop {
		return fail(errors.New("one person"))
	}
	// Locked in id order, so that two merges of the same people queue
	// rather than deadlock; a pledge made meanwhile on the other account
	// waits for the merge, and then finds its person gone and is retried.
	rows, err := t.tx.Query(ctx, `SELECT id FROM people WHERE id = ANY($1) ORDER BY id FOR UPDATE`, []int64{keep, drop})
	if err != nil {
		return fail(err)
	}
	locked, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fail(err)
	}
	if len(locked) != 2 {
		return fail(danvan.ErrNotFound)
	}
	// A code either made to join is moot once they are one.
	if _, err := t.tx.Exec(ctx, `DELETE FROM account_links WHERE person_id = ANY($1) AND used_at IS NULL`, []int64{keep, drop}); err != nil {
		return fail(err)
	}
	// What the append-only tables' triggers let through; set for this
	// transaction and cleared as soon as the rows have moved.
	setMerge := func(v string) error {
		_, err := t.tx.Exec(ctx, `SELECT set_config('danvan.merge_people', $1, true)`, v)
		return err
	}
	if err := setMerge(strconv.FormatInt(drop, 10) + ":" + strconv.FormatInt(keep, 10)); err != nil {
		return fail(err)
	}
	args := pgx.NamedArgs{"keep": keep, "drop": drop}
	for _, ref := range personReferences {
		for _, sql := range ref.merge {
			if _, err := t.tx.Exec(ctx, sql, args); err != nil {
				return fail(fmt.Errorf("%s.%s: %w", ref.table, ref.column, err))
			}
		}
	}
	if err := setMerge(""); err != nil {
		return fail(err)
	}
	ids, err := t.Identities(ctx, keep)
	if err != nil {
		return danvan.Person{}, err
	}
	placeholders := make([]string, len(ids))
	for i, id := range ids {
		placeholders[i] = placeholderName(id)
	}
	if _, err := t.tx.Exec(ctx, `
		UPDATE people k SET
			name = CASE WHEN k.name = ANY(@placeholders) AND d.name <> ALL(@placeholders) THEN d.name ELSE k.name END,
			home_area_id = COALESCE(k.home_area_id, d.home_area_id),
			reminders_off = k.reminders_off OR d.reminders_off,
			chat_id = @chat, lang = @lang, updated_at = @now
		FROM people d
		WHERE k.id = @keep AND d.id = @drop`,
		pgx.NamedArgs{"keep": keep, "drop": drop, "placeholders": placeholders, "chat": chatID, "lang": lang, "now": t.now}); err != nil {
		return fail(err)
	}
	if _, err := t.tx.Exec(ctx, `DELETE FROM people WHERE id = $1`, drop); err != nil {
		return fail(err)
	}
	p, err := t.personByID(ctx, keep)
	if err != nil {
		return fail(err)
	}
	return p, nil
}

// personByID reads a person.
func (t *Tx) personByID(ctx context.Context, id int64) (danvan.Person, error) {
	var p danvan.Person
	err := t.tx.QueryRow(ctx, `SELECT `+personColumns+` FROM people pe WHERE pe.id = $1`, id).
		Scan(&p.ID, &p.ChatID, &p.Name, &p.Lang, &p.HomeAreaID)
	return p, notFound(err)
}
