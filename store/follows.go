package store

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// Follows: people who get a campaign's weekly summary in their private chat
// (/theodoi CODE), and what the weekly summary job reads and records for
// them. A follow is the person's, on whichever channel they write from;
// migration 013 says why.

// Follow makes the person follow the campaign and reports whether they did
// not already. Whether the campaign may be followed is the caller's to
// check.
func (t *Tx) Follow(ctx context.Context, personID, campaignID int64) (bool, error) {
	tag, err := t.tx.Exec(ctx, `
		INSERT INTO follows (person_id, campaign_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, personID, campaignID, t.now)
	if err != nil {
		return false, fmt.Errorf("store: person %d follows campaign %d: %w", personID, campaignID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Unfollow ends the person's follow of the campaign, with what they were
// last sent of it, and reports whether there was one.
func (t *Tx) Unfollow(ctx context.Context, personID, campaignID int64) (bool, error) {
	tag, err := t.tx.Exec(ctx, `DELETE FROM follows WHERE person_id = $1 AND campaign_id = $2`, personID, campaignID)
	if err != nil {
		return false, fmt.Errorf("store: person %d unfollows campaign %d: %w", personID, campaignID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Follows lists the campaigns the person follows, closed ones included, by
// code, without their targets.
func (t *Tx) Follows(ctx context.Context, personID int64) ([]danvan.Campaign, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+campaignColumns+` FROM follows f JOIN campaigns c ON c.id = f.campaign_id
		WHERE f.person_id = $1
		ORDER BY c.code`, personID)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns person %d follows: %w", personID, err)
	}
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns person %d follows: %w", personID, err)
	}
	return cs, nil
}

// followDue is true for a follow f of campaign c still to be summarised:
// the campaign is active, or closed without its final summary sent yet.
const followDue = `(c.status = 'active' OR (c.status = 'closed' AND f.final_sent_at IS NULL))`

// SummaryFollowers lists, by id, the people with a follow still to be
// summarised and a private chat the bot can reach, with that chat
// (people.chat_id) and their language.
func (t *Tx) SummaryFollowers(ctx context.Context) ([]danvan.Person, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+personColumns+` FROM people pe
		WHERE pe.chat_id IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM unreachable_chats u WHERE u.chat_id = pe.chat_id)
		  AND EXISTS (SELECT 1 FROM follows f JOIN campaigns c ON c.id = f.campaign_id
			WHERE f.person_id = pe.id AND `+followDue+`)
		ORDER BY pe.id`)
	if err != nil {
		return nil, fmt.Errorf("store: followers due a summary: %w", err)
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Person, error) {
		var p danvan.Person
		err := r.Scan(&p.ID, &p.ChatID, &p.Name, &p.Lang, &p.HomeAreaID)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: followers due a summary: %w", err)
	}
	return ps, nil
}

// FollowerCampaigns lists, by code and with their targets, the campaigns
// the person follows that are still to be summarised: the active ones and
// the closed ones whose final summary they have not had.
func (t *Tx) FollowerCampaigns(ctx context.Context, personID int64) ([]danvan.Campaign, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+campaignColumns+` FROM follows f JOIN campaigns c ON c.id = f.campaign_id
		WHERE f.person_id = $1 AND `+followDue+`
		ORDER BY c.code`, personID)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns to summarise for person %d: %w", personID, err)
	}
	cs, err := pgx.CollectRows(rows, scanCampaign)
	if err != nil {
		return nil, fmt.Errorf("store: campaigns to summarise for person %d: %w", personID, err)
	}
	if err := t.loadTargets(ctx, cs); err != nil {
		return nil, err
	}
	return cs, nil
}

// FollowerSnapshots returns the figures the person was last sent of the
// campaigns they follow, by target id.
func (t *Tx) FollowerSnapshots(ctx context.Context, personID int64) (map[int64]danvan.Progress, error) {
	return t.snapshots(ctx, `SELECT target_id, pledged, received FROM follow_snapshots WHERE person_id = $1`, personID, "person")
}

// SaveFollowerSnapshots records the figures just sent to the person, each
// under the follow of its target's campaign (ps[i].Target.CampaignID).
func (t *Tx) SaveFollowerSnapshots(ctx context.Context, personID int64, ps []danvan.Progress) error {
	if len(ps) == 0 {
		return nil
	}
	campaigns := make([]int64, len(ps))
	targets := make([]int64, len(ps))
	pledged := make([]int64, len(ps))
	received := make([]int64, len(ps))
	for i, p := range ps {
		campaigns[i], targets[i] = p.Target.CampaignID, p.Target.ID
		pledged[i], received[i] = int64(p.Pledged), int64(p.Received)
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO follow_snapshots (person_id, campaign_id, target_id, pledged, received, sent_at)
		SELECT $1, s.campaign_id, s.target_id, s.pledged, s.received, $6
		FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[]) AS s (campaign_id, target_id, pledged, received)
		ON CONFLICT (person_id, target_id) DO UPDATE
		SET pledged = EXCLUDED.pledged, received = EXCLUDED.received, sent_at = EXCLUDED.sent_at`,
		personID, campaigns, targets, pledged, received, t.now); err != nil {
		return fmt.Errorf("store: save summary snapshots of person %d: %w", personID, err)
	}
	return nil
}

// FinishFollowerSummaries records that the person had the final summary of
// a closed campaign they follow.
func (t *Tx) FinishFollowerSummaries(ctx context.Context, personID, campaignID int64) error {
	if _, err := t.tx.Exec(ctx, `
		UPDATE follows SET final_sent_at = $3
		WHERE person_id = $1 AND campaign_id = $2 AND final_sent_at IS NULL`, personID, campaignID, t.now); err != nil {
		return fmt.Errorf("store: final summary of campaign %d to person %d: %w", campaignID, personID, err)
	}
	return nil
}
