package flows

// Creating a campaign, last steps: dates, bank account, honour board, the
// review of the whole draft and publishing it.

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/danvan/danvan"
)

// draftSkip is the Skip button of the optional steps.
func (tr *turn) draftSkip(int64) error {
	switch tr.state.Step {
	case stepKStarts:
		tr.settle(t(tr.lang, msgKAskStarts), t(tr.lang, msgKSkip))
		return tr.draftStarts("")
	case stepKEnds:
		tr.settle(t(tr.lang, msgKAskEnds), t(tr.lang, msgKSkip))
		return tr.draftEnds("")
	case stepKBIN:
		tr.settle(t(tr.lang, msgKAskBIN), t(tr.lang, msgKSkip))
		return tr.draftBIN("")
	}
	return tr.staleButton()
}

func (tr *turn) draftStarts(s string) error {
	d := tr.draft()
	d.Starts = ""
	if s != "" && !isSkip(s) {
		day, ok := parseDate(s, tr.today())
		if !ok {
			tr.say(t(tr.lang, msgKBadDate))
			return nil
		}
		d.Starts = day.Format(time.DateOnly)
	}
	tr.saveDraft(d)
	tr.promptSkippable(stepKEnds, t(tr.lang, msgKAskEnds), "ks")
	return nil
}

// checkEnd refuses an end date before the start or already past, saying
// why; starts may be zero.
func (tr *turn) checkEnd(ends, starts time.Time) bool {
	if !starts.IsZero() && ends.Before(starts) {
		tr.say(t(tr.lang, msgKEndBeforeStart, showDate(starts)))
		return false
	}
	if ends.Before(dateOnly(tr.today())) {
		tr.say(t(tr.lang, msgKEndPast))
		return false
	}
	return true
}

func (tr *turn) draftEnds(s string) error {
	d := tr.draft()
	d.Ends = ""
	if s != "" && !isSkip(s) {
		day, ok := parseDate(s, tr.today())
		if !ok {
			tr.say(t(tr.lang, msgKBadDate))
			return nil
		}
		starts, _ := time.Parse(time.DateOnly, d.Starts)
		if !tr.checkEnd(day, starts) {
			return nil
		}
		d.Ends = day.Format(time.DateOnly)
	}
	tr.saveDraft(d)
	tr.promptSkippable(stepKBIN, t(tr.lang, msgKAskBIN), "ks")
	return nil
}

var (
	binPattern     = regexp.MustCompile(`^[0-9]{6}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{4,19}$`)
)

func (tr *turn) draftBIN(s string) error {
	d := tr.draft()
	if s == "" || isSkip(s) {
		d.BIN, d.Account, d.Holder = "", "", ""
		tr.saveDraft(d)
		return tr.askHonour(stepKHonour)
	}
	bin := strings.Join(strings.Fields(s), "")
	if !binPattern.MatchString(bin) {
		tr.say(t(tr.lang, msgKBadBIN))
		return nil
	}
	d.BIN = bin
	tr.saveDraft(d)
	tr.prompt(stepKAccount, t(tr.lang, msgKAskAccount))
	return nil
}

func (tr *turn) draftAccount(s string) error {
	account := strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '.' || r == '-' }), "")
	if !accountPattern.MatchString(account) {
		tr.say(t(tr.lang, msgKBadAccount))
		return nil
	}
	d := tr.draft()
	d.Account = account
	tr.saveDraft(d)
	tr.prompt(stepKBankName, t(tr.lang, msgKAskBankName))
	return nil
}

func (tr *turn) draftBankName(s string) error {
	holder, ok := cleanText(s, maxBankName)
	if !ok {
		tr.say(t(tr.lang, msgKBadLabel, maxBankName))
		return nil
	}
	d := tr.draft()
	d.Holder = holder
	tr.saveDraft(d)
	return tr.askHonour(stepKHonour)
}

func (tr *turn) askHonour(step string) error {
	tr.ask(step, t(tr.lang, msgKAskHonour), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{
			{Text: t(tr.lang, msgKHonourOn), Data: buttonData(seq, "kh", 1)},
			{Text: t(tr.lang, msgKHonourOff), Data: buttonData(seq, "kh", 0)},
		}}
	})
	return nil
}

func (tr *turn) chooseHonour(on int64) error {
	if on != 0 && on != 1 {
		return tr.staleButton()
	}
	choice := t(tr.lang, msgKHonourOff)
	if on == 1 {
		choice = t(tr.lang, msgKHonourOn)
	}
	switch tr.state.Step {
	case stepKHonour:
		tr.settle(t(tr.lang, msgKAskHonour), choice)
		d := tr.draft()
		d.Honour = on == 1
		tr.saveDraft(d)
		return tr.review(d)
	case stepKEHonour:
		tr.settle(t(tr.lang, msgKAskHonour), choice)
		return tr.changeCampaign(func(c *danvan.Campaign) { c.HonourBoard = on == 1 })
	}
	return tr.staleButton()
}

// campaignOf builds the campaign a draft describes.
func (d campaignDraft) campaign() danvan.Campaign {
	c := danvan.Campaign{Code: d.Code, Title: d.Title, UnitID: d.Unit, AreaIDs: d.Zones,
		Status: danvan.CampaignActive, HonourBoard: d.Honour}
	c.Starts, _ = time.Parse(time.DateOnly, d.Starts)
	c.Ends, _ = time.Parse(time.DateOnly, d.Ends)
	if d.BIN != "" {
		c.Bank = &danvan.BankAccount{BIN: d.BIN, Account: d.Account, Name: d.Holder}
	}
	for _, tg := range d.Targets {
		c.Targets = append(c.Targets, tg.target())
	}
	return c
}

func (tr *turn) review(d campaignDraft) error {
	u, ok, err := tr.draftUnitOK(d)
	if err != nil || !ok {
		return err
	}
	if d.Title == "" || d.Code == "" || len(d.Zones) == 0 || len(d.Targets) == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgCancelled))
		return nil
	}
	zones, err := tr.areaNames(d.Zones)
	if err != nil {
		return err
	}
	c := d.campaign()
	var goals strings.Builder
	for _, tg := range c.Targets {
		goals.WriteString(t(tr.lang, msgKReviewTarget, esc(tr.targetName(tg)), esc(tr.quantity(tg, tg.Goal))))
	}
	dates := t(tr.lang, msgKReviewDates, tr.dateOr(c.Starts), tr.dateOr(c.Ends))
	bank := t(tr.lang, msgKReviewNoBank)
	if c.Bank != nil {
		bank = t(tr.lang, msgKReviewBank, esc(c.Bank.BIN), esc(c.Bank.Account), esc(c.Bank.Name))
	}
	honour := t(tr.lang, msgKHonourOff)
	if c.HonourBoard {
		honour = t(tr.lang, msgKHonourOn)
	}
	text := t(tr.lang, msgKReview, esc(c.Title), esc(c.Code), esc(u.Name), esc(zones), goals.String(), dates, bank, honour)
	tr.ask(stepKReview, text, func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{
			{Text: t(tr.lang, msgKPublish), Data: buttonData(seq, "kp", 0)},
			{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)},
		}}
	})
	return nil
}

func (tr *turn) dateOr(d time.Time) string {
	if d.IsZero() {
		return t(tr.lang, msgKReviewNoDates)
	}
	return showDate(d)
}

func (tr *turn) publishDraft(int64) error {
	if tr.state.Step != stepKReview {
		return tr.staleButton()
	}
	d := tr.draft()
	if _, ok, err := tr.draftUnitOK(d); err != nil || !ok {
		return err
	}
	c := d.campaign()
	tr.settle("", t(tr.lang, msgKPublish))
	created, err := tr.st.CreateCampaign(tr.ctx, &c)
	if err != nil {
		return err
	}
	if !created {
		// Someone took the code since it was chosen.
		tr.prompt(stepKCode, t(tr.lang, msgKCodeTaken, esc(c.Code)))
		return nil
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "campaign", c.ID, c.ID, "created", nil, c); err != nil {
		return err
	}
	tr.state.reset()
	text := t(tr.lang, msgKPublished, esc(c.Title), esc(c.Code), esc(c.Code))
	if link := tr.e.startLink("c_" + c.Code); link != "" {
		text += t(tr.lang, msgKPublishedLink, esc(link))
	}
	tr.say(text)
	return nil
}
