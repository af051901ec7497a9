package store

import (
	"context"
	"fmt"
	"time"

	"github.com/danvan/danvan"
)

// Reminders: what heads and residents are reminded of, and the count of
// reminders each pledge's pledger was sent (pledge_reminders).

// dueLineColumns read a pledge line (pledge, campaign, target) and its
// pledger, in scanPledgeAndPerson's order.
const dueLineColumns = pledgeColumns + `, ` + personColumns + `,
	c.code, c.title, t.id, t.campaign_id, t.position, t.kind, t.label, t.unit_label, t.goal`

// dueOpen is the condition on a pledge worth a reminder: not cancelled,
// not fully received, with a due date on or before $1, in an active
// campaign (a closed campaign's leftovers are the committee's business,
// not a daily nag).
const dueOpen = `p.cancelled_at IS NULL AND p.received < p.quantity AND COALESCE(p.due, c.ends) <= $1::date
	AND c.status = 'active'`

func dateParam(d time.Time) string { return d.Format(time.DateOnly) }

// HeadDuePledges lists, for every zone head who has a Telegram chat that
// has not refused the bot, the open pledges of people of their zones due on
// or before dueBy (a date; overdue ones included), by head, then by due
// date. The three slices are parallel: row i is pledge lines[i] of
// pledgers[i], for heads[i].
func (t *Tx) HeadDuePledges(ctx context.Context, dueBy time.Time) (heads []danvan.Person, lines []danvan.PledgeLine, pledgers []danvan.Person, err error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+dueLineColumns+`, h.id, h.chat_id, h.name, h.lang, COALESCE(h.home_area_id, 0)
		FROM roles r
		JOIN people h ON h.id = r.person_id
		JOIN people pe ON pe.home_area_id = r.area_id
		JOIN pledges p ON p.person_id = pe.id
		JOIN campaigns c ON c.id = p.campaign_id
		JOIN targets t ON t.id = p.target_id
		WHERE r.role = 'head' AND h.chat_id IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM unreachable_chats u WHERE u.chat_id = h.chat_id)
		  AND `+dueOpen+`
		ORDER BY h.id, COALESCE(p.due, c.ends), c.code, p.code`, dateParam(dueBy))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("store: pledges due for heads: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h, pe danvan.Person
		var l danvan.PledgeLine
		tg := &l.Target
		if err := scanPledgeAndPerson(rows, &l.Pledge, &pe, &l.CampaignCode, &l.CampaignTitle,
			&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal,
			&h.ID, &h.ChatID, &h.Name, &h.Lang, &h.HomeAreaID); err != nil {
			return nil, nil, nil, fmt.Errorf("store: pledges due for heads: %w", err)
		}
		heads, lines, pledgers = append(heads, h), append(lines, l), append(pledgers, pe)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("store: pledges due for heads: %w", err)
	}
	return heads, lines, pledgers, nil
}

// ResidentRemindersDue lists the open pledges due on or before dueBy (a
// date) whose pledgers have a Telegram chat that has not refused the bot
// and have not turned reminders off, that were reminded fewer than
// maxSent times and not since sentBefore, by pledger and due date. It
// locks their reminder rows (creating them) so that two runs at once count
// each reminder once.
func (t *Tx) ResidentRemindersDue(ctx context.Context, dueBy, sentBefore time.Time, maxSent int) (lines []danvan.PledgeLine, pledgers []danvan.Person, err error) {
	// Rows first, so that FOR UPDATE has something to lock.
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO pledge_reminders (pledge_id)
		SELECT p.id FROM pledges p JOIN campaigns c ON c.id = p.campaign_id
		WHERE `+dueOpen+`
		ON CONFLICT DO NOTHING`, dateParam(dueBy)); err != nil {
		return nil, nil, fmt.Errorf("store: reminders due: %w", err)
	}
	rows, err := t.tx.Query(ctx, `
		SELECT `+dueLineColumns+`
		FROM pledges p
		JOIN people pe ON pe.id = p.person_id
		JOIN campaigns c ON c.id = p.campaign_id
		JOIN targets t ON t.id = p.target_id
		JOIN pledge_reminders pr ON pr.pledge_id = p.id
		WHERE `+dueOpen+`
		  AND pe.chat_id IS NOT NULL AND NOT pe.reminders_off
		  AND NOT EXISTS (SELECT 1 FROM unreachable_chats u WHERE u.chat_id = pe.chat_id)
		  AND pr.sent < $2 AND (pr.last_sent_at IS NULL OR pr.last_sent_at < $3)
		ORDER BY pe.id, COALESCE(p.due, c.ends), p.code
		FOR UPDATE OF pr`, dateParam(dueBy), maxSent, sentBefore)
	if err != nil {
		return nil, nil, fmt.Errorf("store: reminders due: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pe danvan.Person
		var l danvan.PledgeLine
		tg := &l.Target
		if err := scanPledgeAndPerson(rows, &l.Pledge, &pe, &l.CampaignCode, &l.CampaignTitle,
			&tg.ID, &tg.CampaignID, &tg.Position, &tg.Kind, &tg.Label, &tg.Unit, &tg.Goal); err != nil {
			return nil, nil, fmt.Errorf("store: reminders due: %w", err)
		}
		lines, pledgers = append(lines, l), append(pledgers, pe)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: reminders due: %w", err)
	}
	return lines, pledgers, nil
}

// MarkReminded counts one more reminder sent at `at` for each pledge.
func (t *Tx) MarkReminded(ctx context.Context, pledgeIDs []int64, at time.Time) error {
	if len(pledgeIDs) == 0 {
		return nil
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO pledge_reminders (pledge_id, sent, last_sent_at) SELECT unnest($1::bigint[]), 1, $2
		ON CONFLICT (pledge_id) DO UPDATE SET sent = pledge_reminders.sent + 1, last_sent_at = EXCLUDED.last_sent_at`,
		pledgeIDs, at); err != nil {
		return fmt.Errorf("store: count reminders: %w", err)
	}
	return nil
}

// SetRemindersOff turns a person's reminders about their pledges off (or
// back on).
func (t *Tx) SetRemindersOff(ctx context.Context, personID int64, off bool) error {
	if _, err := t.tx.Exec(ctx, `UPDATE people SET reminders_off = $2, updated_at = $3 WHERE id = $1`, personID, off, t.now); err != nil {
		return fmt.Errorf("store: reminders of person %d: %w", personID, err)
	}
	return nil
}

// RemindersOff reports whether a person turned their reminders off.
func (t *Tx) RemindersOff(ctx context.Context, personID int64) (bool, error) {
	var off bool
	if err := t.tx.QueryRow(ctx, `SELECT reminders_off FROM people WHERE id = $1`, personID).Scan(&off); err != nil {
		return false, fmt.Errorf("store: reminders of person %d: %w", personID, notFound(err))
	}
	return off, nil
}
