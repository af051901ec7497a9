package report

import (
	"context"
	"time"

	"github.com/danvan/danvan"
)

// reminderStore is what the reminders to heads and residents need
// (store/reminders.go). The root package has no type for "a pledge due,
// for this head", so rows come back as parallel slices of domain types.
type reminderStore interface {
	// Campaign reads a campaign (for its bank account).
	Campaign(ctx context.Context, id int64) (danvan.Campaign, error)
	// HeadDuePledges lists, for every zone head with a reachable chat, the
	// open pledges of people of their zones, in active campaigns, due on
	// or before dueBy (a date; overdue ones included), by head and due
	// date: row i is lines[i] pledged by pledgers[i], for heads[i].
	HeadDuePledges(ctx context.Context, dueBy time.Time) (heads []danvan.Person, lines []danvan.PledgeLine, pledgers []danvan.Person, err error)
	// ResidentRemindersDue lists the open pledges due on or before dueBy
	// whose pledgers have a reachable chat and reminders on, reminded
	// fewer than maxSent times and not since sentBefore, by pledger; it
	// locks their counts until the transaction ends.
	ResidentRemindersDue(ctx context.Context, dueBy, sentBefore time.Time, maxSent int) (lines []danvan.PledgeLine, pledgers []danvan.Person, err error)
	// MarkReminded counts one more reminder sent at `at` for each pledge.
	MarkReminded(ctx context.Context, pledgeIDs []int64, at time.Time) error
}
