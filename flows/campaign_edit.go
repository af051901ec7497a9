package flows

// Editing a campaign (title, end date, honour board, a goal) and closing
// it, by a cadre of its unit.

import (
	"errors"
	"strings"
	"time"

	"github.com/danvan/danvan"
)

// campaignAsCadre finds the campaign named in a command and checks that the
// person runs its unit, explaining when not.
func (tr *turn) campaignAsCadre(args string, usage msg) (danvan.Campaign, bool, error) {
	code, _, _ := strings.Cut(strings.TrimSpace(args), " ")
	if code == "" {
		tr.say(t(tr.lang, usage))
		return danvan.Campaign{}, false, nil
	}
	c, err := tr.st.CampaignByCode(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgUnknownCampaign, esc(truncate(code, 16))))
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	return c, tr.mayRun(c), nil
}

// mayRun checks that the person runs the campaign's unit, saying so when
// not; every step and button of a cadre's conversation calls it again.
func (tr *turn) mayRun(c danvan.Campaign) bool {
	gs, err := tr.grants()
	if err == nil && gs.CadreOf(c.UnitID) {
		return true
	}
	tr.state.reset()
	tr.notice(t(tr.lang, msgKNotCadre))
	tr.say(t(tr.lang, msgKNotCadre))
	return false
}

// heldCampaign re-reads campaign id, which the conversation is about, and
// checks the person still runs it and that it is not closed.
func (tr *turn) heldCampaign(id int64) (danvan.Campaign, bool, error) {
	c, err := tr.st.Campaign(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.state.reset()
		return c, false, tr.staleButton()
	}
	if err != nil || !tr.mayRun(c) {
		return c, false, err
	}
	if c.Status == danvan.CampaignClosed {
		tr.state.reset()
		tr.say(t(tr.lang, msgKIsClosed, esc(c.Title)))
		return c, false, nil
	}
	return c, true, nil
}

func (tr *turn) editCampaign(args string) error {
	c, ok, err := tr.campaignAsCadre(args, msgKEditUsage)
	if err != nil || !ok {
		return err
	}
	if c.Status == danvan.CampaignClosed {
		tr.say(t(tr.lang, msgKIsClosed, esc(c.Title)))
		return nil
	}
	tr.state.Campaign = &campaignDraft{ID: c.ID}
	honour := t(tr.lang, msgKHonourOff)
	if c.HonourBoard {
		honour = t(tr.lang, msgKHonourOn)
	}
	ends := t(tr.lang, msgKNoEnd)
	if !c.Ends.IsZero() {
		ends = showDate(c.Ends)
	}
	tr.ask(stepKEdit, t(tr.lang, msgKEditMenu, esc(c.Title), esc(c.Code), ends, honour), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{
			{{Text: t(tr.lang, msgKFieldTitle), Data: buttonData(seq, "ke", 1)}, {Text: t(tr.lang, msgKFieldEnds), Data: buttonData(seq, "ke", 2)}},
			{{Text: t(tr.lang, msgKFieldHonour), Data: buttonData(seq, "ke", 3)}, {Text: t(tr.lang, msgKFieldGoal), Data: buttonData(seq, "ke", 4)}},
			{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}},
		}
	})
	return nil
}

func (tr *turn) editField(f int64) error {
	if tr.state.Step != stepKEdit || f < 1 || f > 4 {
		return tr.staleButton()
	}
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	fields := map[int64]msg{1: msgKFieldTitle, 2: msgKFieldEnds, 3: msgKFieldHonour, 4: msgKFieldGoal}
	tr.settle(t(tr.lang, msgSummaryHeader, esc(c.Title), esc(c.Code)), t(tr.lang, fields[f]))
	switch f {
	case 1:
		tr.prompt(stepKETitle, t(tr.lang, msgKAskNewTitle))
	case 2:
		tr.prompt(stepKEEnds, t(tr.lang, msgKAskNewEnds))
	case 3:
		return tr.askHonour(stepKEHonour)
	case 4:
		if len(c.Targets) == 1 {
			return tr.askNewGoal(c.Targets[0])
		}
		tr.ask(stepKETarget, t(tr.lang, msgKAskTarget), func(seq int) [][]danvan.Button {
			rows := make([][]danvan.Button, len(c.Targets))
			for i, tg := range c.Targets {
				rows[i] = []danvan.Button{{Text: truncate(tr.targetName(tg), 48), Data: buttonData(seq, "kt", tg.ID)}}
			}
			return rows
		})
	}
	return nil
}

func (tr *turn) editTarget(id int64) error {
	if tr.state.Step != stepKETarget {
		return tr.staleButton()
	}
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	tg, found := findTarget(c.Targets, id)
	if !found {
		return tr.staleButton()
	}
	tr.settle(t(tr.lang, msgKAskTarget), tr.targetName(tg))
	return tr.askNewGoal(tg)
}

func (tr *turn) askNewGoal(tg danvan.Target) error {
	d := tr.draft()
	d.Target = tg.ID
	tr.saveDraft(d)
	tr.prompt(stepKEGoal, t(tr.lang, msgKAskNewGoal, esc(tr.targetName(tg)), esc(tr.quantity(tg, tg.Goal)), goalExamples[tg.Kind]))
	return nil
}

// changeCampaign applies change to the held campaign, stores and audits it.
func (tr *turn) changeCampaign(change func(c *danvan.Campaign)) error {
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	before := c
	change(&c)
	if err := tr.st.UpdateCampaign(tr.ctx, c); err != nil {
		return err
	}
	return tr.campaignChanged(before, c)
}

// campaignChanged audits a change to a campaign, ends the conversation and
// says it is saved.
func (tr *turn) campaignChanged(before, after danvan.Campaign) error {
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "campaign", after.ID, after.ID, "changed", before, after); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgKSaved, esc(after.Title)))
	return nil
}

func (tr *turn) editTitle(s string) error {
	title, ok := cleanText(s, maxTitle)
	if !ok {
		tr.say(t(tr.lang, msgKBadTitle))
		return nil
	}
	return tr.changeCampaign(func(c *danvan.Campaign) { c.Title = title })
}

func (tr *turn) editEnds(s string) error {
	var ends time.Time
	if !isSkip(s) {
		day, ok := parseDate(s, tr.today())
		if !ok {
			tr.say(t(tr.lang, msgKBadDate))
			return nil
		}
		c, ok, err := tr.heldCampaign(tr.draft().ID)
		if err != nil || !ok {
			return err
		}
		if !tr.checkEnd(day, c.Starts) {
			return nil
		}
		ends = day
	}
	return tr.changeCampaign(func(c *danvan.Campaign) { c.Ends = ends })
}

func (tr *turn) editGoal(s string) error {
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	tg, found := findTarget(c.Targets, tr.draft().Target)
	if !found {
		tr.state.reset()
		tr.say(t(tr.lang, msgCancelled))
		return nil
	}
	q, problem := tr.parseFor(tg, s)
	if problem != "" {
		tr.say(problem)
		return nil
	}
	if err := tr.st.SetTargetGoal(tr.ctx, tg.ID, q); err != nil {
		return err
	}
	after, err := tr.st.Campaign(tr.ctx, c.ID)
	if err != nil {
		return err
	}
	return tr.campaignChanged(c, after)
}

func (tr *turn) closeCampaign(args string) error {
	c, ok, err := tr.campaignAsCadre(args, msgKCloseUsage)
	if err != nil || !ok {
		return err
	}
	if c.Status == danvan.CampaignClosed {
		tr.say(t(tr.lang, msgKIsClosed, esc(c.Title)))
		return nil
	}
	tr.state.Campaign = &campaignDraft{ID: c.ID}
	tr.ask(stepKClose, t(tr.lang, msgKAskClose, esc(c.Title)), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{
			{Text: t(tr.lang, msgKCloseYes), Data: buttonData(seq, "kq", c.ID)},
			{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)},
		}}
	})
	return nil
}

// confirmClose closes the campaign the question was about (id).
func (tr *turn) confirmClose(id int64) error {
	if tr.state.Step != stepKClose || id != tr.draft().ID {
		return tr.staleButton()
	}
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	tr.settle(t(tr.lang, msgKAskClose, esc(c.Title)), t(tr.lang, msgKCloseYes))
	before := c
	c.Status = danvan.CampaignClosed
	if err := tr.st.UpdateCampaign(tr.ctx, c); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "campaign", c.ID, c.ID, "closed", before, c); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgKClosed, esc(c.Title)))
	return nil
}
