package report

import (
	"context"

	"github.com/danvan/danvan"
)

// Store is what the report package reads and records, in the one transaction
// that also claims the job's slot and writes the messages to the outbox.
// *store.Tx implements it.
type Store interface {
	summaryStore
	followerStore
	reminderStore
}

// summaryStore is what weekly summaries and milestones need. The root
// package has no types for a group, a zone's totals or an honour-board line,
// so the rows that have no domain type are handed to a callback, one at a
// time, in plain values.
type summaryStore interface {
	// SummaryChats lists the active groups the bot can still reach whose
	// weekly summary is due at this ISO weekday (1 = Monday … 7) and hour
	// in the ward's time zone, or every such group when all is set.
	SummaryChats(ctx context.Context, weekday, hour int, all bool) ([]int64, error)
	// SummaryCampaigns lists, by code, the campaigns a group follows:
	// linked to it directly (group_campaigns), run by the unit it is
	// linked to, or covering the area it is linked to. Active ones, and
	// closed ones the group has not yet had a final summary of.
	SummaryCampaigns(ctx context.Context, chatID int64) ([]danvan.Campaign, error)
	// SummaryProgress returns the totals of every target of the campaigns,
	// by campaign id and then position.
	SummaryProgress(ctx context.Context, campaignIDs []int64) ([]danvan.Progress, error)
	// ZoneTotals calls each with what was pledged and received per target
	// of the campaigns and per pledger's home zone (zone.ID 0: the pledger
	// chose no zone), by target and zone code.
	ZoneTotals(ctx context.Context, campaignIDs []int64, each func(targetID int64, zone danvan.Area, pledged, received danvan.Quantity)) error
	// HonourBoards calls each with the public names of each campaign's
	// pledgers (pledges.public_name, the pledger's own choice or, for a
	// household recorded by a head, the head's) and what each pledged per
	// target, by campaign id and in the order they first pledged, for the
	// first limit people of each campaign; it returns how many people are
	// named in all per campaign (absent: none).
	HonourBoards(ctx context.Context, campaignIDs []int64, limit int, each func(campaignID, personID int64, name string, targetID int64, pledged danvan.Quantity)) (map[int64]int, error)
	// ProgressReports returns the reports on a measured target, newest first.
	ProgressReports(ctx context.Context, targetID int64, limit int) ([]danvan.ProgressReport, error)
	// SummarySnapshots returns the figures a group was last sent, by target
	// id (Pledged and Received filled in).
	SummarySnapshots(ctx context.Context, chatID int64) (map[int64]danvan.Progress, error)
	// SaveSummarySnapshots records the figures just sent to a group.
	SaveSummarySnapshots(ctx context.Context, chatID int64, ps []danvan.Progress) error
	// FinishSummaries records that a group had the final summary of a
	// closed campaign: it hears no more about it.
	FinishSummaries(ctx context.Context, chatID int64, campaignID int64) error
	// ReachMilestone records, once and for good, each active campaign's
	// money target whose received total is now at least percent of its
	// goal, and returns the progress of those recorded just now.
	ReachMilestone(ctx context.Context, percent int) ([]danvan.Progress, error)
	// CampaignChats lists the active, reachable groups that follow a
	// campaign (linked as in SummaryCampaigns).
	CampaignChats(ctx context.Context, campaignID int64) ([]int64, error)
	// Campaign finds a campaign and its targets by id.
	Campaign(ctx context.Context, id int64) (danvan.Campaign, error)
}
