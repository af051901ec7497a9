package store

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// AddProgressReport stores r and fills in its id and time.
func (t *Tx) AddProgressReport(ctx context.Context, r *danvan.ProgressReport) error {
	if err := t.tx.QueryRow(ctx, `
		INSERT INTO progress_reports (target_id, campaign_id, value, note, photo_file_id, reported_by, reported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		r.TargetID, r.CampaignID, int64(r.Value), r.Note, nullText(r.PhotoFileID), r.ReportedBy, t.now).Scan(&r.ID); err != nil {
		return fmt.Errorf("store: progress report on target %d: %w", r.TargetID, err)
	}
	r.ReportedAt = t.now
	return nil
}

// ProgressReports returns the reports on a target, newest first, at most
// limit: the first is the target's latest value.
func (t *Tx) ProgressReports(ctx context.Context, targetID int64, limit int) ([]danvan.ProgressReport, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT r.id, r.target_id, r.campaign_id, r.value, r.note, COALESCE(r.photo_file_id, ''),
			r.reported_by, pe.name, r.reported_at
		FROM progress_reports r JOIN people pe ON pe.id = r.reported_by
		WHERE r.target_id = $1
		ORDER BY r.id DESC
		LIMIT $2`, targetID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: progress reports on target %d: %w", targetID, err)
	}
	rs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (danvan.ProgressReport, error) {
		var r danvan.ProgressReport
		err := row.Scan(&r.ID, &r.TargetID, &r.CampaignID, &r.Value, &r.Note, &r.PhotoFileID,
			&r.ReportedBy, &r.ReporterName, &r.ReportedAt)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: progress reports on target %d: %w", targetID, err)
	}
	return rs, nil
}
