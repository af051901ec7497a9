package report

import (
	"context"
	"fmt"

	"github.com/danvan/danvan"
)

// Followers: people who follow campaigns in private (/theodoi CODE) get
// the same weekly summary of them as a group linked to those campaigns
// would, in their private chat and their language. A closed campaign gets
// one final summary and then no more, as in groups.

// Followers are summarised on the groups' default schedule (migration
// 005_schedules.sql), Monday 08:00 in the ward's time zone; flows tells
// them so when they follow.
const (
	followerWeekday = 1 // ISO Monday
	followerHour    = 8
)

// followerStore is what the followers' summaries need beyond a group's
// (store/follows.go).
type followerStore interface {
	// SummaryFollowers lists the people with a followed campaign still to
	// summarise (active, or closed without its final summary yet) whose
	// private chat (Person.ChatID) the bot can reach, by id.
	SummaryFollowers(ctx context.Context) ([]danvan.Person, error)
	// FollowerCampaigns lists those campaigns of one person, by code,
	// with their targets.
	FollowerCampaigns(ctx context.Context, personID int64) ([]danvan.Campaign, error)
	// FollowerSnapshots returns the figures the person was last sent, by
	// target id (Pledged and Received filled in).
	FollowerSnapshots(ctx context.Context, personID int64) (map[int64]danvan.Progress, error)
	// SaveFollowerSnapshots records the figures just sent to the person;
	// each Progress names its target's campaign.
	SaveFollowerSnapshots(ctx context.Context, personID int64, ps []danvan.Progress) error
	// FinishFollowerSummaries records that the person had the final
	// summary of a closed campaign: they hear no more about it.
	FinishFollowerSummaries(ctx context.Context, personID, campaignID int64) error
}

// followerAudience is a person following campaigns, in the private chat
// where the bot writes to them.
func followerAudience(st Store, p danvan.Person) audience {
	return audience{
		who:    fmt.Sprintf("follower %d", p.ID),
		chatID: p.ChatID,
		lang:   reminderLang(p.Lang),
		campaigns: func(ctx context.Context) ([]danvan.Campaign, error) {
			return st.FollowerCampaigns(ctx, p.ID)
		},
		snapshots: func(ctx context.Context) (map[int64]danvan.Progress, error) {
			return st.FollowerSnapshots(ctx, p.ID)
		},
		saveSnapshots: func(ctx context.Context, ps []danvan.Progress) error {
			return st.SaveFollowerSnapshots(ctx, p.ID, ps)
		},
		finish: func(ctx context.Context, campaignID int64) error {
			return st.FinishFollowerSummaries(ctx, p.ID, campaignID)
		},
	}
}
