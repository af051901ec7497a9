package flows

import (
	"errors"
	"strings"
	"time"

	"github.com/danvan/danvan"
)

// Cadres report progress on measured targets (metres paved, households
// visited, a percentage) here; /summary shows the latest value.

func progressConversation(c *conversation) {

	c.commands(&command{names: []string{"progress", "tiendo"}, private: (*turn).progressCommand})
	c.actions(map[string]action{
		"gt": on((*turn).progressTarget, stepGTarget),
		"gs": on((*turn).progressSkip, stepGNote, stepGPhoto),
	})
	c.textStep(stepGValue, (*turn).progressValue)
	c.textStep(stepGNote, (*turn).progressNote)
	c.textStep(stepGPhoto, func(tr *turn, s string) error {
		if isSkip(s) {
			return tr.saveProgress("")
		}
		tr.say(t(tr.lang, msgGPhotoOrSkip))
		return nil
	})
	c.photoStep(stepGPhoto, (*turn).saveProgress)
}

var (
	msgGUsage = msg{
		"Cú pháp: <code>/tiendo MÃ</code> để báo cáo tiến độ, <code>/tiendo MÃ lichsu</code> để xem các lần báo cáo.",
		"Usage: <code>/progress CODE</code> to report progress, <code>/progress CODE history</code> to see the reports.",
	}
	msgGNoMeasured = msg{"Chiến dịch <b>%s</b> không có mục tiêu đo tiến độ (khối lượng hay chỉ tiêu phần trăm).", "The campaign <b>%s</b> has no measured goal (a measure or a percentage)."}
	msgGAskTarget  = msg{"<b>%s</b>\nBáo cáo tiến độ cho mục tiêu nào?", "<b>%s</b>\nWhich goal are you reporting on?"}
	msgGAskValue   = msg{
		"<b>%s</b> — hiện tại %s, mục tiêu %s.\nGõ tổng mới (ví dụ <code>350</code>) hoặc phần tăng thêm (ví dụ <code>+50</code>):",
		"<b>%s</b> — now %s, goal %s.\nType the new total (e.g. <code>350</code>) or the increase (e.g. <code>+50</code>):",
	}
	msgGNoValueYet    = msg{"chưa có báo cáo", "no report yet"}
	msgGAskNote       = msg{"Ghi chú ngắn (không bắt buộc), hoặc bấm Bỏ qua:", "A short note (optional), or press Skip:"}
	msgGBadNote       = msg{"Ghi chú tối đa %d ký tự. Gõ lại, hoặc bấm Bỏ qua:", "A note has at most %d characters. Type it again, or press Skip:"}
	msgGAskPhoto      = msg{"Gửi một ảnh hiện trường (không bắt buộc), hoặc bấm Bỏ qua:", "Send a photo of the work (optional), or press Skip:"}
	msgGPhotoOrSkip   = msg{"Hãy gửi một ảnh, hoặc bấm Bỏ qua.", "Please send a photo, or press Skip."}
	msgGOverPercent   = msg{"Chỉ tiêu không thể vượt 100 phần trăm. Gõ lại:", "An indicator cannot go above 100 percent. Type it again:"}
	msgGSaved         = msg{"Đã ghi nhận báo cáo tiến độ.", "Progress report recorded."}
	msgGLine          = msg{"\n\n<b>%s</b>: %s / %s (%d%%)\n%s", "\n\n<b>%s</b>: %s of %s (%d%%)\n%s"}
	msgGLineNone      = msg{"\n\n<b>%s</b>: chưa có báo cáo tiến độ · mục tiêu %s", "\n\n<b>%s</b>: no progress reported yet · goal %s"}
	msgGUpdated       = msg{"\nCập nhật %s", "\nUpdated %s"}
	msgGHistoryHeader = msg{
		"<b>%s</b> · mã <code>%s</code>\nCác lần báo cáo tiến độ:",
		"<b>%s</b> · code <code>%s</code>\nProgress reports:",
	}
	msgGHistoryLine = msg{"\n• %s · %s · %s%s", "\n• %s · %s · %s%s"}
	msgGHistoryNone = msg{"\n(chưa có)", "\n(none yet)"}
	msgGPhoto       = msg{" · có ảnh", " · with photo"}
)

const (
	stepGTarget = "g_target"
	stepGValue  = "g_value"
	stepGNote   = "g_note"
	stepGPhoto  = "g_photo"
)

const (
	maxNote      = 500
	historyShown = 10
	// historyBudget keeps the history in one message, well under
	// danvan.MaxText however many goals there are.
	historyBudget = 3500
	historyOfWord = "history"
)

// measured are the campaign's targets that take progress reports.
func measured(c danvan.Campaign) []danvan.Target {
	var ts []danvan.Target
	for _, tg := range c.Targets {
		if !tg.Kind.Pledgeable() {
			ts = append(ts, tg)
		}
	}
	return ts
}

// latest is the last value reported on a target, and whether there is one.
func (tr *turn) latest(targetID int64) (danvan.ProgressReport, bool, error) {
	rs, err := tr.st.ProgressReports(tr.ctx, targetID, 1)
	if err != nil || len(rs) == 0 {
		return danvan.ProgressReport{}, false, err
	}
	return rs[0], true, nil
}

// progressLine shows a measured target's latest value against its goal,
// for /summary and the progress history; it starts with a blank line like
// the summary's other lines.
func (tr *turn) progressLine(p danvan.Progress) (string, error) {
	tg := p.Target
	r, ok, err := tr.latest(tg.ID)
	if err != nil {
		return "", err
	}
	if !ok {
		return t(tr.lang, msgGLineNone, esc(tr.targetName(tg)), esc(tr.quantity(tg, tg.Goal))), nil
	}
	var pct int64
	if tg.Goal > 0 {
		pct = int64(r.Value) * 100 / int64(tg.Goal)
	}
	return t(tr.lang, msgGLine, esc(tr.targetName(tg)), esc(tr.quantity(tg, r.Value)), esc(tr.quantity(tg, tg.Goal)), pct, progressBar(pct)) +
		t(tr.lang, msgGUpdated, tr.localDate(r.ReportedAt)), nil
}

func (tr *turn) localDate(at time.Time) string {
	return at.In(tr.e.loc).Format("02/01/2006")
}

func isHistoryWord(s string) bool {
	switch strings.ToLower(s) {
	case historyOfWord, "lichsu", "lịch sử", "ls":
		return true
	}
	return false
}

func (tr *turn) progressCommand(args string) error {
	code, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	if code == "" {
		tr.say(t(tr.lang, msgGUsage))
		return nil
	}
	if isHistoryWord(strings.TrimSpace(rest)) {
		// The history is as public as the summary.
		c, err := tr.st.CampaignByCode(tr.ctx, code)
		if errors.Is(err, danvan.ErrNotFound) {
			tr.say(t(tr.lang, msgUnknownCampaign, esc(truncate(code, 16))))
			return nil
		}
		if err != nil {
			return err
		}
		return tr.progressHistory(c)
	}
	c, ok, err := tr.campaignAsCadre(code, msgGUsage)
	if err != nil || !ok {
		return err
	}
	if c.Status == danvan.CampaignClosed {
		tr.say(t(tr.lang, msgKIsClosed, esc(c.Title)))
		return nil
	}
	ts := measured(c)
	if len(ts) == 0 {
		tr.say(t(tr.lang, msgGNoMeasured, esc(c.Title)))
		return nil
	}
	tr.state.Progress = &progressDraft{Campaign: c.ID}
	if len(ts) == 1 {
		return tr.askProgressValue(ts[0])
	}
	tr.ask(stepGTarget, t(tr.lang, msgGAskTarget, esc(c.Title)), func(seq int) [][]danvan.Button {
		rows := make([][]danvan.Button, len(ts))
		for i, tg := range ts {
			rows[i] = []danvan.Button{{Text: truncate(tr.targetName(tg), 48), Data: buttonData(seq, "gt", tg.ID)}}
		}
		return rows
	})
	return nil
}

// heldTarget re-reads the campaign and the measured target the
// conversation is about, re-checking the person's authority.
func (tr *turn) heldTarget(id int64) (danvan.Campaign, danvan.Target, bool, error) {
	c, ok, err := tr.heldCampaign(tr.progress().Campaign)
	if err != nil || !ok {
		return c, danvan.Target{}, false, err
	}
	tg, found := findTarget(measured(c), id)
	if !found {
		tr.state.reset()
		return c, tg, false, tr.staleButton()
	}
	return c, tg, true, nil
}

func (tr *turn) progressTarget(id int64) error {
	if tr.state.Step != stepGTarget {
		return tr.staleButton()
	}
	c, tg, ok, err := tr.heldTarget(id)
	if err != nil || !ok {
		return err
	}
	tr.settle(t(tr.lang, msgGAskTarget, esc(c.Title)), tr.targetName(tg))
	return tr.askProgressValue(tg)
}

func (tr *turn) askProgressValue(tg danvan.Target) error {
	now := t(tr.lang, msgGNoValueYet)
	r, ok, err := tr.latest(tg.ID)
	if err != nil {
		return err
	}
	if ok {
		now = tr.quantity(tg, r.Value)
	}
	tr.progress().Target = tg.ID
	tr.prompt(stepGValue, t(tr.lang, msgGAskValue, esc(tr.targetName(tg)), esc(now), esc(tr.quantity(tg, tg.Goal))))
	return nil
}

func (tr *turn) progressValue(s string) error {
	_, tg, ok, err := tr.heldTarget(tr.progress().Target)
	if err != nil || !ok {
		return err
	}
	s = strings.TrimSpace(s)
	increment := strings.HasPrefix(s, "+")
	v, problem := tr.parseFor(tg, strings.TrimPrefix(s, "+"))
	if problem != "" {
		tr.say(problem)
		return nil
	}
	if increment {
		r, _, err := tr.latest(tg.ID)
		if err != nil {
			return err
		}
		v += r.Value
	}
	if tg.Kind == danvan.KindPercent && v > 100*danvan.Quantity(tg.Kind.Scale()) {
		tr.say(t(tr.lang, msgGOverPercent))
		return nil
	}
	tr.progress().Quantity = int64(v)
	tr.promptSkippable(stepGNote, t(tr.lang, msgGAskNote), "gs")
	return nil
}

func (tr *turn) progressNote(s string) error {
	if s == "" || isSkip(s) { // "" is the Skip button
		s = ""
	} else {
		note, ok := cleanText(s, maxNote)
		if !ok {
			tr.say(t(tr.lang, msgGBadNote, maxNote))
			return nil
		}
		s = note
	}
	tr.progress().Note = s
	tr.promptSkippable(stepGPhoto, t(tr.lang, msgGAskPhoto), "gs")
	return nil
}

func (tr *turn) progressSkip(int64) error {
	switch tr.state.Step {
	case stepGNote:
		tr.settle(t(tr.lang, msgGAskNote), t(tr.lang, msgKSkip))
		return tr.progressNote("")
	case stepGPhoto:
		tr.settle(t(tr.lang, msgGAskPhoto), t(tr.lang, msgKSkip))
		return tr.saveProgress("")
	}
	return tr.staleButton()
}

func (tr *turn) saveProgress(photoID string) error {
	c, tg, ok, err := tr.heldTarget(tr.progress().Target)
	if err != nil || !ok {
		return err
	}
	if tr.progress().Quantity <= 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgCancelled))
		return nil
	}
	before, had, err := tr.latest(tg.ID)
	if err != nil {
		return err
	}
	r := danvan.ProgressReport{TargetID: tg.ID, CampaignID: c.ID, Value: danvan.Quantity(tr.progress().Quantity),
		Note: tr.progress().Note, PhotoFileID: photoID, ReportedBy: tr.person.ID, ReporterName: tr.person.Name}
	if err := tr.st.AddProgressReport(tr.ctx, &r); err != nil {
		return err
	}
	var prior any
	if had {
		prior = before
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "progress", r.ID, c.ID, "reported", prior, r); err != nil {
		return err
	}
	tr.state.reset()
	line, err := tr.progressLine(danvan.Progress{Target: tg})
	if err != nil {
		return err
	}
	tr.say(t(tr.lang, msgGSaved) + line)
	return nil
}

// progressHistory lists the latest reports on each measured target.
func (tr *turn) progressHistory(c danvan.Campaign) error {
	ts := measured(c)
	if len(ts) == 0 {
		tr.say(t(tr.lang, msgGNoMeasured, esc(c.Title)))
		return nil
	}
	var b strings.Builder
	b.WriteString(t(tr.lang, msgGHistoryHeader, esc(c.Title), esc(c.Code)))
	for _, tg := range ts {
		line, err := tr.progressLine(danvan.Progress{Target: tg})
		if err != nil {
			return err
		}
		b.WriteString(line)
		rs, err := tr.st.ProgressReports(tr.ctx, tg.ID, historyShown)
		if err != nil {
			return err
		}
		if len(rs) == 0 {
			b.WriteString(t(tr.lang, msgGHistoryNone))
		}
		for _, r := range rs {
			extra := ""
			if r.Note != "" {
				extra = " · " + esc(truncate(r.Note, 120))
			}
			if r.PhotoFileID != "" {
				extra += t(tr.lang, msgGPhoto)
			}
			line := t(tr.lang, msgGHistoryLine, tr.localDate(r.ReportedAt), esc(tr.quantity(tg, r.Value)), esc(r.ReporterName), extra)
			if b.Len()+len(line) > historyBudget {
				break // older reports do not fit one message
			}
			b.WriteString(line)
		}
	}
	tr.say(b.String())
	return nil
}

// progressDraft is a progress report being made on a measured target.
type progressDraft struct {
	Campaign int64  `json:"campaign"`
	Target   int64  `json:"target,omitempty"`
	Quantity int64  `json:"quantity,omitempty"` // the new total, in the kind's stored unit
	Note     string `json:"note,omitempty"`
}

// progress is the progress report under way, begun if none is.
func (tr *turn) progress() *progressDraft {
	if tr.state.Progress == nil {
		tr.state.Progress = &progressDraft{}
	}
	return tr.state.Progress
}
