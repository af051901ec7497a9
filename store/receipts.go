package store

import (
	"context"
	"fmt"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

const pledgeColumns = `p.id, p.code, p.person_id, p.campaign_id, p.target_id, p.quantity, p.received,
	` + pledgeDue + `, p.public_name, p.cancelled_at IS NOT NULL, COALESCE(p.recorded_by, 0), p.created_at`

// pledgeDue is when pledge p is due: the date its pledger gave, or else
// the end of its campaign, so that a pledge made without a date is still
// reminded of and follows its campaign when the end date moves.
const pledgeDue = `COALESCE(p.due, (SELECT c0.ends FROM campaigns c0 WHERE c0.id = p.campaign_id))`

const personColumns = `pe.id, COALESCE(pe.chat_id, 0), pe.name, pe.lang, COALESCE(pe.home_area_id, 0)`

func scanPledgeAndPerson(r pgx.Row, p *danvan.Pledge, pe *danvan.Person, extra ...any) error {
	var due *time.Time
	dest := append([]any{&p.ID, &p.Code, &p.PersonID, &p.CampaignID, &p.TargetID, &p.Quantity, &p.Received,
		&due, &p.PublicName, &p.Cancelled, &p.RecordedBy, &p.CreatedAt,
		&pe.ID, &pe.ChatID, &pe.Name, &pe.Lang, &pe.HomeAreaID}, extra...)
	err := r.Scan(dest...)
	if due != nil {
		p.Due = *due
	}
	return err
}

// LockPledge reads a pledge, by id when id is not 0 and otherwise by code
// (ignoring case), with the person who pledged it, and locks the pledge's
// row until the transaction ends: two people recording a receipt for it at
// the same moment then see each other's receipt, never the same "still
// open" amount.
func (t *Tx) LockPledge(ctx context.Context, id int64, code string) (danvan.Pledge, danvan.Person, error) {
	var p danvan.Pledge
	var pe danvan.Person
	err := scanPledgeAndPerson(t.tx.QueryRow(ctx, `
		SELECT `+pledgeColumns+`, `+personColumns+`
		FROM pledges p JOIN people pe ON pe.id = p.person_id
		WHERE CASE WHEN $1::bigint <> 0 THEN p.id = $1 ELSE p.code = upper($2) END
		FOR UPDATE OF p`, id, code), &p, &pe)
	if err != nil {
		return p, pe, fmt.Errorf("store: lock pledge %d %q: %w", id, code, notFound(err))
	}
	return p, pe, nil
}

// OpenPledgesFor lists the pledges not cancelled and not fully received of
// people living in zones, or to campaigns of units (every one when all),
// newest first, at most limit, with who pledged each.
func (t *Tx) OpenPledgesFor(ctx context.Context, zones, units []int64, all bool, limit int) ([]danvan.PledgeLine, []danvan.Person, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+pledgeColumns+`, `+personColumns+`,
			c.code, c.title, t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal
		FROM pledges p
		JOIN people pe ON pe.id = p.person_id
		JOIN campaigns c ON c.id = p.campaign_id
		JOIN targets t ON t.id = p.target_id
		WHERE p.cancelled_at IS NULL AND p.received < p.quantity
		  AND ($3 OR pe.home_area_id = ANY($1) OR c.unit_id = ANY($2))
		ORDER BY p.created_at DESC, p.id DESC
		LIMIT $4`, zones, units, all, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("store: open pledges: %w", err)
	}
	defer rows.Close()
	var ls []danvan.PledgeLine
	var ps []danvan.Person
	for rows.Next() {
		var l danvan.PledgeLine
		var pe danvan.Person
		tg := &l.Target
		if err := scanPledgeAndPerson(rows, &l.Pledge, &pe, &l.CampaignCode, &l.CampaignTitle,
			&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal); err != nil {
			return nil, nil, fmt.Errorf("store: open pledges: %w", err)
		}
		ls, ps = append(ls, l), append(ps, pe)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: open pledges: %w", err)
	}
	return ls, ps, nil
}

// AddReceipt appends r to the ledger and, for a receipt against a pledge,
// adds its quantity to the pledge's received total in the same
// transaction. It fills in r's id and time. The caller holds the pledge's
// lock (LockPledge).
func (t *Tx) AddReceipt(ctx context.Context, r *danvan.Receipt) error {
	var pledge, by, reverses *int64
	if r.PledgeID != 0 {
		pledge = &r.PledgeID
	}
	if r.RecordedBy != 0 {
		by = &r.RecordedBy
	}
	if r.ReversesID != 0 {
		reverses = &r.ReversesID
	}
	var photo *string
	if r.PhotoFileID != "" {
		photo = &r.PhotoFileID
	}
	err := t.tx.QueryRow(ctx, `
		INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method, recorded_by, recorded_at,
			photo_file_id, reverses_id, reason, donor_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING id`, pledge, r.CampaignID, r.TargetID, r.Quantity, r.Method, by, t.now,
		photo, reverses, r.Reason, r.DonorName).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: add receipt to campaign %d: %w", r.CampaignID, err)
	}
	r.RecordedAt = t.now
	if r.PledgeID != 0 {
		tag, err := t.tx.Exec(ctx, `UPDATE pledges SET received = received + $2, updated_at = $3 WHERE id = $1`, r.PledgeID, r.Quantity, t.now)
		if err == nil && tag.RowsAffected() != 1 {
			err = danvan.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: add receipt to pledge %d: %w", r.PledgeID, err)
		}
	}
	return nil
}

const receiptColumns = `id, COALESCE(pledge_id, 0), campaign_id, target_id, quantity, method, COALESCE(recorded_by, 0),
	recorded_at, COALESCE(photo_file_id, ''), COALESCE(reverses_id, 0), reason, donor_name`

func scanReceipt(r pgx.CollectableRow) (danvan.Receipt, error) {
	var rc danvan.Receipt
	err := r.Scan(&rc.ID, &rc.PledgeID, &rc.CampaignID, &rc.TargetID, &rc.Quantity, &rc.Method, &rc.RecordedBy,
		&rc.RecordedAt, &rc.PhotoFileID, &rc.ReversesID, &rc.Reason, &rc.DonorName)
	return rc, err
}

// ReceiptsOf returns the ledger of a pledge, oldest first, reversals
// included.
func (t *Tx) ReceiptsOf(ctx context.Context, pledgeID int64) ([]danvan.Receipt, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+receiptColumns+` FROM receipts WHERE pledge_id = $1 ORDER BY id`, pledgeID)
	if err != nil {
		return nil, fmt.Errorf("store: receipts of pledge %d: %w", pledgeID, err)
	}
	rs, err := pgx.CollectRows(rows, scanReceipt)
	if err != nil {
		return nil, fmt.Errorf("store: receipts of pledge %d: %w", pledgeID, err)
	}
	return rs, nil
}

// Receipt reads one ledger entry and the entry that reversed it (0: none).
func (t *Tx) Receipt(ctx context.Context, id int64) (danvan.Receipt, int64, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+receiptColumns+` FROM receipts WHERE id = $1`, id)
	r, err := pgx.CollectExactlyOneRow(rows, scanReceipt)
	if err != nil {
		return r, 0, fmt.Errorf("store: receipt %d: %w", id, notFound(err))
	}
	var reversedBy int64
	err = t.tx.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM receipts WHERE reverses_id = $1`, id).Scan(&reversedBy)
	if err != nil {
		return r, 0, fmt.Errorf("store: reversal of receipt %d: %w", id, err)
	}
	return r, reversedBy, nil
}

// AddReceiptPhoto keeps a photo of a receipt taken after it was recorded.
func (t *Tx) AddReceiptPhoto(ctx context.Context, receiptID int64, fileID string, by int64) error {
	var added *int64
	if by != 0 {
		added = &by
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO receipt_photos (receipt_id, file_id, added_by, added_at) VALUES ($1, $2, $3, $4)`,
		receiptID, fileID, added, t.now); err != nil {
		return fmt.Errorf("store: photo of receipt %d: %w", receiptID, err)
	}
	return nil
}

// Recorders returns the people with a Telegram chat who may record a
// receipt for a pledge by someone of zone zoneID to a campaign of unit
// unitID: the zone's heads and the unit's treasurers.
func (t *Tx) Recorders(ctx context.Context, unitID, zoneID int64) ([]danvan.Person, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+personColumns+` FROM people pe
		WHERE pe.chat_id IS NOT NULL AND EXISTS (
			SELECT 1 FROM roles r WHERE r.person_id = pe.id
			AND (r.role = 'head' AND r.area_id = $2 OR r.role = 'treasurer' AND r.unit_id = $1))
		ORDER BY pe.id`, unitID, zoneID)
	if err != nil {
		return nil, fmt.Errorf("store: recorders for unit %d, zone %d: %w", unitID, zoneID, err)
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Person, error) {
		var p danvan.Person
		err := r.Scan(&p.ID, &p.ChatID, &p.Name, &p.Lang, &p.HomeAreaID)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: recorders for unit %d, zone %d: %w", unitID, zoneID, err)
	}
	return ps, nil
}

// CreateClaim records a resident saying they paid q against a pledge and
// returns its id. The caller checked that no claim is pending (a unique
// index backs that up).
func (t *Tx) CreateClaim(ctx context.Context, pledgeID int64, q danvan.Quantity, by int64) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `
		INSERT INTO payment_claims (pledge_id, quantity, claimed_by, claimed_at) VALUES ($1, $2, $3, $4)
		RETURNING id`, pledgeID, q, by, t.now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: claim on pledge %d: %w", pledgeID, err)
	}
	return id, nil
}

// PendingClaim returns the id of the claim waiting on a pledge, or 0.
func (t *Tx) PendingClaim(ctx context.Context, pledgeID int64) (int64, error) {
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT id FROM payment_claims WHERE pledge_id = $1 AND status = 'pending'`, pledgeID).Scan(&id)
	if err == pgx.ErrNoRows {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: pending claim on pledge %d: %w", pledgeID, err)
	}
	return id, nil
}

// LockClaim reads a claim and locks it until the transaction ends, so
// that two people deciding it at once decide it once: its pledge, the
// quantity claimed and its status (pending, accepted, rejected).
func (t *Tx) LockClaim(ctx context.Context, id int64) (pledgeID int64, q danvan.Quantity, status string, err error) {
	err = t.tx.QueryRow(ctx, `SELECT pledge_id, quantity, status FROM payment_claims WHERE id = $1 FOR UPDATE`, id).
		Scan(&pledgeID, &q, &status)
	if err != nil {
		return 0, 0, "", fmt.Errorf("store: lock claim %d: %w", id, notFound(err))
	}
	return pledgeID, q, status, nil
}

// DecideClaim settles a pending claim: accepted (with the receipt it
// produced) or rejected.
func (t *Tx) DecideClaim(ctx context.Context, id int64, status string, by, receiptID int64) error {
	var receipt *int64
	if receiptID != 0 {
		receipt = &receiptID
	}
	tag, err := t.tx.Exec(ctx, `
		UPDATE payment_claims SET status = $2, decided_by = $3, decided_at = $4, receipt_id = $5
		WHERE id = $1 AND status = 'pending'`, id, status, by, t.now, receipt)
	if err == nil && tag.RowsAffected() != 1 {
		err = danvan.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store: decide claim %d: %w", id, err)
	}
	return nil
}
