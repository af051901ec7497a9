package store

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// SaveStatement stores a statement as read with its lines, filling in the
// ids and the time.
func (t *Tx) SaveStatement(ctx context.Context, s *danvan.Statement, lines []danvan.BankLine) error {
	var by *int64
	if s.SentBy != 0 {
		by = &s.SentBy
	}
	err := t.tx.QueryRow(ctx, `
		INSERT INTO statements (sent_by, file_name, layout, bank, account, problems, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		by, s.FileName, s.Layout, s.Bank, s.Account, s.Problems, t.now).Scan(&s.ID)
	if err != nil {
		return fmt.Errorf("store: save statement %q: %w", s.FileName, err)
	}
	s.CreatedAt = t.now
	rows := make([][]any, len(lines))
	for i := range lines {
		l := &lines[i]
		l.StatementID = s.ID
		rows[i] = []any{s.ID, l.Row, l.Key, l.Ref, l.Date, l.Amount, l.Currency, l.Memo}
	}
	// A statement of the largest size allowed holds tens of thousands of
	// lines: copied in one go, then read back for their ids (a line's row
	// is unique in its file).
	if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{"statement_lines"},
		[]string{"statement_id", "row_no", "txn_key", "ref", "booked_on", "amount", "currency", "memo"},
		pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("store: save statement %d lines: %w", s.ID, err)
	}
	saved, err := t.StatementLines(ctx, s.ID)
	if err != nil {
		return err
	}
	ids := make(map[int]int64, len(saved))
	for _, l := range saved {
		ids[l.Row] = l.ID
	}
	for i := range lines {
		lines[i].ID = ids[lines[i].Row]
	}
	return nil
}

// LockStatement reads a statement and locks it until the transaction ends,
// so that two presses of its "apply" button are applied one after the
// other, the second seeing the first's decision.
func (t *Tx) LockStatement(ctx context.Context, id int64) (danvan.Statement, error) {
	var s danvan.Statement
	err := t.tx.QueryRow(ctx, `
		SELECT id, COALESCE(sent_by, 0), file_name, layout, bank, account, problems, created_at, COALESCE(decision, '')
		FROM statements WHERE id = $1 FOR UPDATE`, id).Scan(
		&s.ID, &s.SentBy, &s.FileName, &s.Layout, &s.Bank, &s.Account, &s.Problems, &s.CreatedAt, &s.Decision)
	if err != nil {
		return s, fmt.Errorf("store: statement %d: %w", id, notFound(err))
	}
	return s, nil
}

// DecideStatement records that the statement's matched transfers were
// applied, or that it was dropped.
func (t *Tx) DecideStatement(ctx context.Context, id int64, decision string) error {
	_, err := t.tx.Exec(ctx, `UPDATE statements SET decision = $2, decided_at = $3 WHERE id = $1`, id, decision, t.now)
	if err != nil {
		return fmt.Errorf("store: decide statement %d: %w", id, err)
	}
	return nil
}

const bankLineColumns = `id, statement_id, row_no, txn_key, ref, booked_on, amount, currency, memo`

func scanBankLine(r pgx.CollectableRow) (danvan.BankLine, error) {
	var l danvan.BankLine
	err := r.Scan(&l.ID, &l.StatementID, &l.Row, &l.Key, &l.Ref, &l.Date, &l.Amount, &l.Currency, &l.Memo)
	return l, err
}

// StatementLines are a statement's lines in file order.
func (t *Tx) StatementLines(ctx context.Context, statementID int64) ([]danvan.BankLine, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+bankLineColumns+` FROM statement_lines WHERE statement_id = $1 ORDER BY row_no, id`, statementID)
	ls, err := pgx.CollectRows(rows, scanBankLine)
	if err != nil {
		return nil, fmt.Errorf("store: lines of statement %d: %w", statementID, err)
	}
	return ls, nil
}

// StatementLine reads one line.
func (t *Tx) StatementLine(ctx context.Context, id int64) (danvan.BankLine, error) {
	rows, _ := t.tx.Query(ctx, `SELECT `+bankLineColumns+` FROM statement_lines WHERE id = $1`, id)
	l, err := pgx.CollectExactlyOneRow(rows, scanBankLine)
	if err != nil {
		return l, fmt.Errorf("store: statement line %d: %w", id, notFound(err))
	}
	return l, nil
}

// HandledTransactions reports which of the bank transactions keys were
// handled before (applied as a receipt or set aside).
func (t *Tx) HandledTransactions(ctx context.Context, keys []string) (map[string]bool, error) {
	rows, _ := t.tx.Query(ctx, `SELECT txn_key FROM bank_transactions WHERE txn_key = ANY($1)`, keys)
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: handled bank transactions: %w", err)
	}
	m := make(map[string]bool, len(found))
	for _, k := range found {
		m[k] = true
	}
	return m, nil
}

// HandleTransaction claims a bank transaction for the line, with the
// receipt it became (0: set aside). It reports false, changing nothing,
// when the transaction was handled before: that is how a transfer sent in
// two statements, or a button pressed twice, is applied once. The claim is
// taken before the receipt is written, so the caller writes the receipt
// only when it won, then links it with LinkTransactionReceipt.
func (t *Tx) HandleTransaction(ctx context.Context, key string, lineID, by int64) (bool, error) {
	var byp *int64
	if by != 0 {
		byp = &by
	}
	tag, err := t.tx.Exec(ctx, `
		INSERT INTO bank_transactions (txn_key, line_id, handled_by, handled_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (txn_key) DO NOTHING`, key, lineID, byp, t.now)
	if err != nil {
		return false, fmt.Errorf("store: handle bank transaction of line %d: %w", lineID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// LinkTransactionReceipt records the receipt a claimed transaction became.
func (t *Tx) LinkTransactionReceipt(ctx context.Context, key string, receiptID int64) error {
	_, err := t.tx.Exec(ctx, `UPDATE bank_transactions SET receipt_id = $2 WHERE txn_key = $1`, key, receiptID)
	if err != nil {
		return fmt.Errorf("store: link bank transaction to receipt %d: %w", receiptID, err)
	}
	return nil
}

// PledgesByCodes reads the pledges with the given codes (upper case), with
// their campaign and target, for matching transfer memos. Codes that name no
// pledge are simply absent.
func (t *Tx) PledgesByCodes(ctx context.Context, codes []string) ([]danvan.PledgeLine, error) {
	rows, _ := t.tx.Query(ctx, `
		SELECT p.id, p.code, p.person_id, p.campaign_id, p.target_id, p.quantity, p.received,
			p.public_name, p.cancelled_at IS NOT NULL, COALESCE(p.recorded_by, 0), p.created_at,
			c.code, c.title,
			t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal
		FROM pledges p
		JOIN campaigns c ON c.id = p.campaign_id
		JOIN targets t ON t.id = p.target_id
		WHERE p.code = ANY($1)`, codes)
	ls, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.PledgeLine, error) {
		var l danvan.PledgeLine
		p, tg := &l.Pledge, &l.Target
		err := r.Scan(&p.ID, &p.Code, &p.PersonID, &p.CampaignID, &p.TargetID, &p.Quantity, &p.Received,
			&p.PublicName, &p.Cancelled, &p.RecordedBy, &p.CreatedAt,
			&l.CampaignCode, &l.CampaignTitle,
			&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: pledges by code: %w", err)
	}
	return ls, nil
}
