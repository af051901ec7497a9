// Package report writes what groups receive on a schedule: the weekly
// summary of the campaigns they follow, as text and as a chart picture
// (which people following a campaign in private get too), and the notices
// of money milestones. It produces outgoing messages; the caller
// writes them to the outbox in the transaction that claimed the job's slot,
// so a summary and the snapshot it is compared with next week are committed
// together or not at all.
package report

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/danvan/danvan"
)

const (
	// maxText bounds a message of the summary (see danvan.MaxText).
	maxText = danvan.MaxText
	// honourShown bounds the honour board of one campaign, so that a
	// popular campaign does not drown the others.
	honourShown = 30
	// groupLang is the language groups are spoken to in: committees are
	// Vietnamese.
	groupLang = "vi"
)

// WeeklySummaries builds the weekly summary of every active group whose
// schedule (ISO weekday and hour in loc) is slot, and, when slot is Monday
// 08:00 (the groups' default schedule), of every follower's campaigns in
// their private chat; of every active group and every follower when force
// is set (`danvan jobs run`). Each gets one or more text messages and one
// chart picture, all broadcasts. It records, through st, what each group or
// follower was told (for next week's "since last time") and which closed
// campaigns had their final summary, so st must be the transaction that
// also enqueues the messages.
func WeeklySummaries(ctx context.Context, st Store, slot time.Time, loc *time.Location, force bool) ([]danvan.Outgoing, error) {
	local := slot.In(loc)
	weekday := int(local.Weekday())
	if weekday == 0 {
		weekday = 7 // ISO: Sunday is the seventh day
	}
	chats, err := st.SummaryChats(ctx, weekday, local.Hour(), force)
	if err != nil {
		return nil, err
	}
	var audiences []audience
	for _, chat := range chats {
		audiences = append(audiences, groupAudience(st, chat))
	}
	if force || (weekday == followerWeekday && local.Hour() == followerHour) {
		people, err := st.SummaryFollowers(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range people {
			audiences = append(audiences, followerAudience(st, p))
		}
	}
	return summaries(ctx, st, audiences, local)
}

// audience is whom a weekly summary is for, in which chat and language,
// and where what they were told is kept: a group (by its chat) or a
// follower (by the person). The summary itself is the same for both.
type audience struct {
	who    string // for errors: "group 12", "follower 3"
	chatID int64
	lang   string
	// campaigns are those to summarise, by code, with their targets:
	// the active ones and the closed ones not yet summarised for the last
	// time.
	campaigns func(ctx context.Context) ([]danvan.Campaign, error)
	// snapshots are the figures last sent, by target id.
	snapshots func(ctx context.Context) (map[int64]danvan.Progress, error)
	// saveSnapshots records the figures just sent.
	saveSnapshots func(ctx context.Context, ps []danvan.Progress) error
	// finish records the final summary of a closed campaign.
	finish func(ctx context.Context, campaignID int64) error
}

// groupAudience is a group chat, spoken to in groupLang.
func groupAudience(st Store, chatID int64) audience {
	return audience{
		who:    fmt.Sprintf("group %d", chatID),
		chatID: chatID,
		lang:   groupLang,
		campaigns: func(ctx context.Context) ([]danvan.Campaign, error) {
			return st.SummaryCampaigns(ctx, chatID)
		},
		snapshots: func(ctx context.Context) (map[int64]danvan.Progress, error) {
			return st.SummarySnapshots(ctx, chatID)
		},
		saveSnapshots: func(ctx context.Context, ps []danvan.Progress) error {
			return st.SaveSummarySnapshots(ctx, chatID, ps)
		},
		finish: func(ctx context.Context, campaignID int64) error {
			return st.FinishSummaries(ctx, chatID, campaignID)
		},
	}
}

// figures are the totals of every campaign in a run's summaries, read
// once for all audiences: a campaign followed by several groups and people
// is read once.
type figures struct {
	progress map[int64][]danvan.Progress // by campaign id, in target order
	zones    map[int64][]zoneTotal       // by target id, in zone code order
	honour   map[int64][]honourEntry     // by campaign id, in board order
	named    map[int64]int               // by campaign id: people named in all
	measured map[int64]*danvan.ProgressReport
}

type zoneTotal struct {
	zone              danvan.Area
	pledged, received danvan.Quantity
}

type honourEntry struct {
	person  int64
	name    string
	target  int64
	pledged danvan.Quantity
}

func newFigures() *figures {
	return &figures{
		progress: map[int64][]danvan.Progress{},
		zones:    map[int64][]zoneTotal{},
		honour:   map[int64][]honourEntry{},
		measured: map[int64]*danvan.ProgressReport{},
	}
}

// readProgress reads the targets' totals of those campaigns of cs not read
// yet; read reads the rest of the figures of cs.
func (f *figures) readProgress(ctx context.Context, st Store, cs []danvan.Campaign) error {
	var ids []int64
	for _, c := range cs {
		if _, ok := f.progress[c.ID]; !ok {
			ids = append(ids, c.ID)
			f.progress[c.ID] = nil
		}
	}
	if len(ids) == 0 {
		return nil
	}
	all, err := st.SummaryProgress(ctx, ids)
	if err != nil {
		return err
	}
	for _, p := range all {
		f.progress[p.Target.CampaignID] = append(f.progress[p.Target.CampaignID], p)
	}
	return nil
}

func (f *figures) read(ctx context.Context, st Store, cs []danvan.Campaign) error {
	var ids, boards []int64
	for _, c := range cs {
		ids = append(ids, c.ID)
		if c.HonourBoard {
			boards = append(boards, c.ID)
		}
	}
	err := st.ZoneTotals(ctx, ids, func(targetID int64, zone danvan.Area, pledged, received danvan.Quantity) {
		f.zones[targetID] = append(f.zones[targetID], zoneTotal{zone, pledged, received})
	})
	if err != nil {
		return err
	}
	if len(boards) > 0 {
		f.named, err = st.HonourBoards(ctx, boards, honourShown, func(campaignID, personID int64, name string, targetID int64, pledged danvan.Quantity) {
			f.honour[campaignID] = append(f.honour[campaignID], honourEntry{personID, name, targetID, pledged})
		})
		if err != nil {
			return err
		}
	}
	for _, c := range cs {
		for _, p := range f.progress[c.ID] {
			if p.Target.Kind.Pledgeable() {
				continue
			}
			rs, err := st.ProgressReports(ctx, p.Target.ID, 1)
			if err != nil {
				return err
			}
			if len(rs) > 0 {
				f.measured[p.Target.ID] = &rs[0]
			}
		}
	}
	return nil
}

// summaries builds the summaries of the audiences, in order: nothing for
// one with no campaign to hear about. Each audience's campaigns and their
// totals are read, and its chart queued to be drawn on every core, before
// the next audience's; while the charts are drawn the rest of the figures
// of all the campaigns are read, in a few queries, and each audience's
// text written and what it was told recorded.
func summaries(ctx context.Context, st Store, audiences []audience, day time.Time) ([]danvan.Outgoing, error) {
	charts := newChartPool(len(audiences))
	campaigns := make([][]danvan.Campaign, len(audiences))
	pictures := make([]*chartJob, len(audiences))
	figs := newFigures()
	var union []danvan.Campaign
	texts, err := func() ([][]danvan.Outgoing, error) {
		for i, a := range audiences {
			cs, err := a.campaigns(ctx)
			if err != nil {
				return nil, fmt.Errorf("report: summary for %s: %w", a.who, err)
			}
			campaigns[i] = cs
			for _, c := range cs {
				if _, ok := figs.progress[c.ID]; !ok {
					union = append(union, c)
				}
			}
			if err := figs.readProgress(ctx, st, cs); err != nil {
				return nil, fmt.Errorf("report: summary for %s: %w", a.who, err)
			}
			var bars []Bar
			for _, c := range cs {
				if bar, ok := moneyBar(c, figs.progress[c.ID]); ok {
					bars = append(bars, bar)
				}
			}
			if len(bars) > 0 {
				pictures[i] = charts.draw(bars, day, a.lang)
			}
		}
		if len(union) == 0 {
			return nil, nil
		}
		if err := figs.read(ctx, st, union); err != nil {
			return nil, fmt.Errorf("report: summaries: %w", err)
		}
		texts := make([][]danvan.Outgoing, len(audiences))
		for i, a := range audiences {
			if len(campaigns[i]) == 0 {
				continue
			}
			var err error
			if texts[i], err = summary(ctx, a, campaigns[i], figs, day); err != nil {
				return nil, fmt.Errorf("report: summary for %s: %w", a.who, err)
			}
		}
		return texts, nil
	}()
	if werr := charts.wait(); err == nil {
		err = werr
	}
	if err != nil || texts == nil {
		return nil, err
	}
	var out []danvan.Outgoing
	for i, a := range audiences {
		out = append(out, texts[i]...)
		if pictures[i] != nil {
			out = append(out, danvan.Outgoing{Kind: danvan.OutPhoto, ChatID: a.chatID, Photo: pictures[i].png,
				Text: t(a.lang, msgChartCaption), Broadcast: true})
		}
	}
	return out, nil
}

// summary is one audience's summary texts, and records what it was told.
func summary(ctx context.Context, a audience, cs []danvan.Campaign, figs *figures, day time.Time) ([]danvan.Outgoing, error) {
	before, err := a.snapshots(ctx)
	if err != nil {
		return nil, err
	}

	lang := a.lang
	lines := []string{t(lang, msgHeader, day.Format("02/01/2006"))}
	var sent []danvan.Progress
	for _, c := range cs {
		ls, snaps := campaignLines(c, figs.progress[c.ID], figs, before, day, lang)
		lines = append(lines, "")
		lines = append(lines, ls...)
		sent = append(sent, snaps...)
		if c.Status == danvan.CampaignClosed {
			if err := a.finish(ctx, c.ID); err != nil {
				return nil, err
			}
		}
	}
	if err := a.saveSnapshots(ctx, sent); err != nil {
		return nil, err
	}

	var out []danvan.Outgoing
	for _, text := range split(lines, maxText) {
		out = append(out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: a.chatID, Text: text, Broadcast: true})
	}
	return out, nil
}

// campaignLines writes one campaign's part of a summary and returns the
// figures to remember for next time. Every line stands alone in HTML (a
// tag opened on a line is closed on it), so the text can be split between
// any two lines.
func campaignLines(c danvan.Campaign, ps []danvan.Progress, figs *figures, before map[int64]danvan.Progress, day time.Time, lang string) ([]string, []danvan.Progress) {
	lines := []string{t(lang, msgCampaign, esc(c.Title), esc(c.Code))}
	if c.Status == danvan.CampaignClosed {
		lines = append(lines, t(lang, msgFinal))
	}

	var snaps []danvan.Progress
	for _, p := range ps {
		tg := p.Target
		last, seen := before[tg.ID]
		if !tg.Kind.Pledgeable() {
			ls, now := measuredLines(p, figs.measured[tg.ID], last, seen, day, lang)
			lines = append(lines, ls...)
			snaps = append(snaps, now)
			continue
		}
		lines = append(lines,
			t(lang, msgTarget, esc(targetName(lang, tg)), esc(quantity(lang, tg, p.Received)), esc(quantity(lang, tg, tg.Goal)), p.Percent()),
			progressBar(p.Percent()))
		if p.Pledges == 0 {
			lines = append(lines, t(lang, msgNoPledges))
		} else {
			lines = append(lines, t(lang, msgPledged, esc(quantity(lang, tg, p.Pledged)), p.Pledges))
		}
		if seen {
			lines = append(lines, t(lang, msgChange,
				esc(signed(lang, tg, p.Pledged-last.Pledged)), esc(signed(lang, tg, p.Received-last.Received))))
		}
		if zs := figs.zones[tg.ID]; len(zs) > 0 {
			lines = append(lines, t(lang, msgZones))
			for _, z := range zs {
				name := z.zone.Name
				if z.zone.ID == 0 {
					name = t(lang, msgNoZone)
				}
				lines = append(lines, t(lang, msgZoneLine, esc(name),
					esc(quantity(lang, tg, z.pledged)), esc(quantity(lang, tg, z.received))))
			}
		}
		snaps = append(snaps, p)
	}

	if c.HonourBoard {
		lines = append(lines, honourLines(figs.honour[c.ID], figs.named[c.ID], ps, lang)...)
	}
	return lines, snaps
}

// measuredLines shows a measure or percent target's latest progress
// report r (nil: none yet); the snapshot keeps the reported value as
// "received".
func measuredLines(p danvan.Progress, r *danvan.ProgressReport, last danvan.Progress, seen bool, day time.Time, lang string) ([]string, danvan.Progress) {
	tg := p.Target
	if r == nil {
		return []string{t(lang, msgMeasureNone, esc(targetName(lang, tg)), esc(quantity(lang, tg, tg.Goal)))},
			danvan.Progress{Target: tg}
	}
	var pct int64
	if tg.Goal > 0 {
		pct = int64(r.Value) * 100 / int64(tg.Goal)
	}
	lines := []string{
		t(lang, msgMeasure, esc(targetName(lang, tg)), esc(quantity(lang, tg, r.Value)), esc(quantity(lang, tg, tg.Goal)), pct),
		progressBar(pct),
		t(lang, msgMeasureUpdated, r.ReportedAt.In(day.Location()).Format("02/01/2006")),
	}
	if seen {
		lines = append(lines, t(lang, msgChangeMeasure, esc(signed(lang, tg, r.Value-last.Received))))
	}
	return lines, danvan.Progress{Target: tg, Received: r.Value}
}

// honourLines is a campaign's honour board: one line per named person with
// what they pledged publicly, in the order they first pledged, and how
// many more there are of the total named.
func honourLines(board []honourEntry, total int, ps []danvan.Progress, lang string) []string {
	type entry struct {
		name  string
		gifts []string
	}
	var order []int64
	people := map[int64]*entry{}
	for _, h := range board {
		e, ok := people[h.person]
		if !ok {
			e = &entry{name: h.name}
			people[h.person] = e
			order = append(order, h.person)
		}
		e.gifts = append(e.gifts, quantity(lang, targetOf(ps, h.target), h.pledged))
	}
	if len(order) == 0 {
		return nil
	}
	lines := []string{t(lang, msgHonour)}
	for _, id := range order {
		e := people[id]
		lines = append(lines, t(lang, msgHonourLine, esc(e.name), esc(strings.Join(e.gifts, ", "))))
	}
	if more := total - len(order); more > 0 {
		lines = append(lines, t(lang, msgHonourMore, more))
	}
	return lines
}

func targetOf(ps []danvan.Progress, id int64) danvan.Target {
	i := slices.IndexFunc(ps, func(p danvan.Progress) bool { return p.Target.ID == id })
	if i < 0 {
		return danvan.Target{ID: id, Kind: danvan.KindMoney}
	}
	return ps[i].Target
}

// moneyBar sums a campaign's money targets for the chart; campaigns with
// no money goal are not drawn.
func moneyBar(c danvan.Campaign, ps []danvan.Progress) (Bar, bool) {
	b := Bar{Label: c.Code}
	ok := false
	for _, p := range ps {
		if p.Target.Kind == danvan.KindMoney {
			b.Goal += p.Target.Goal
			b.Pledged += p.Pledged
			b.Received += p.Received
			ok = true
		}
	}
	return b, ok
}

// split joins lines into texts of at most max UTF-16 code units (how
// a chat counts), breaking only between lines and dropping blank lines at
// the edges of each text. A single line longer than max, which the
// summary never writes, is cut.
func split(lines []string, max int) []string {
	var texts []string
	var cur []string
	size := 0
	flush := func() {
		for len(cur) > 0 && cur[len(cur)-1] == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			texts = append(texts, strings.Join(cur, "\n"))
		}
		cur, size = nil, 0
	}
	for _, l := range lines {
		n := utf16Len(l)
		if n > max {
			l = cut(l, max)
			n = utf16Len(l)
		}
		if len(cur) > 0 && size+1+n > max {
			flush()
		}
		if len(cur) == 0 && l == "" {
			continue
		}
		if len(cur) > 0 {
			size++ // the newline
		}
		cur = append(cur, l)
		size += n
	}
	flush()
	return texts
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// cut shortens s to at most max UTF-16 code units, on a rune boundary.
func cut(s string, max int) string {
	n := 0
	for i, r := range s {
		if n+utf16.RuneLen(r) > max-1 {
			return s[:i] + "…"
		}
		n += utf16.RuneLen(r)
	}
	return s
}

func esc(s string) string { return danvan.EscapeHTML(s) }
