package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/danvan/danvan"
)

// milestonePercents are the shares of a money goal announced when first
// received, lowest first.
var milestonePercents = []int{50, 100}

// Milestones records the money targets whose received total has first
// passed 50 % or 100 % of the goal, and returns a short notice for each to
// every active group following the campaign. A milestone is recorded once
// for good (st.ReachMilestone), so a correction that dips under it and a
// later pass announce nothing; a target that passed both since the last
// run is announced once, at 100 %. Like WeeklySummaries, st must be the
// transaction that enqueues the notices.
func Milestones(ctx context.Context, st Store, slot time.Time, loc *time.Location) ([]danvan.Outgoing, error) {
	type reached struct {
		p       danvan.Progress
		percent int
	}
	var order []int64
	byTarget := map[int64]reached{}
	for _, pct := range milestonePercents {
		ps, err := st.ReachMilestone(ctx, pct)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if _, ok := byTarget[p.Target.ID]; !ok {
				order = append(order, p.Target.ID)
			}
			byTarget[p.Target.ID] = reached{p, pct}
		}
	}
	slices.Sort(order)

	lang := groupLang
	var out []danvan.Outgoing
	for _, id := range order {
		r := byTarget[id]
		tg := r.p.Target
		c, err := st.Campaign(ctx, tg.CampaignID)
		if err != nil {
			return nil, fmt.Errorf("report: milestone of target %d: %w", id, err)
		}
		chats, err := st.CampaignChats(ctx, c.ID)
		if err != nil {
			return nil, fmt.Errorf("report: milestone of target %d: %w", id, err)
		}
		title := c.Title
		if tg.Label != "" {
			title += " — " + tg.Label // a campaign with several money goals
		}
		m := msgMilestone50
		if r.percent == 100 {
			m = msgMilestone100
		}
		text := t(lang, m, esc(title), esc(c.Code), esc(quantity(lang, tg, r.p.Received)), esc(quantity(lang, tg, tg.Goal)), r.p.Percent())
		for _, chat := range chats {
			out = append(out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: chat, Text: text, Broadcast: true})
		}
	}
	return out, nil
}
