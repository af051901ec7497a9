package flows

import (
	"errors"
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/vietqr"
)

// openCampaign finds a campaign by code for pledging, explaining to the
// person when it does not exist or is closed.
func (tr *turn) openCampaign(code string) (danvan.Campaign, bool, error) {
	c, err := tr.st.CampaignByCode(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgUnknownCampaign, esc(truncate(code, 16))))
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if !c.OpenOn(tr.today()) {
		tr.say(t(tr.lang, msgCampaignClosed, esc(c.Title)))
		return c, false, nil
	}
	if len(pledgeable(c)) == 0 {
		tr.say(t(tr.lang, msgNothingPledgeable, esc(c.Title)))
		return c, false, nil
	}
	tr.pledging = &c
	return c, true, nil
}

// pledgeCampaign is campaign id as a pledge reads it: the one openCampaign
// found in this turn, or read now. Nothing a pledge does changes it.
func (tr *turn) pledgeCampaign(id int64) (danvan.Campaign, error) {
	if c := tr.pledging; c != nil && c.ID == id {
		return *c, nil
	}
	c, err := tr.st.Campaign(tr.ctx, id)
	if err == nil {
		tr.pledging = &c
	}
	return c, err
}

func pledgeable(c danvan.Campaign) []danvan.Target {
	var ts []danvan.Target
	for _, tg := range c.Targets {
		if tg.Kind.Pledgeable() {
			ts = append(ts, tg)
		}
	}
	return ts
}

// pledgeCommand starts the guided pledge, or takes the one-line form
// "/pledge CODE QUANTITY".
func (tr *turn) pledgeCommand(args string) error {
	tr.pledge()
	if args == "" {
		return tr.advance()
	}
	code, qty, _ := strings.Cut(args, " ")
	c, ok, err := tr.openCampaign(code)
	if err != nil || !ok {
		tr.state.reset()
		return err
	}
	tr.pledge().Campaign = c.ID
	qty = strings.TrimSpace(qty)
	if qty == "" {
		return tr.advance()
	}
	target, q, problem := tr.resolveQuantity(c, qty)
	if problem != "" {
		tr.state.reset()
		tr.say(problem + t(tr.lang, msgPledgeUsage))
		return nil
	}
	d := tr.pledge()
	d.Target, d.Quantity, d.Direct = target.ID, int64(q), true
	return tr.advance()
}

// resolveQuantity reads a one-line quantity and finds the target it is for:
// the only pledgeable target, or the one of the kind (and item) typed.
func (tr *turn) resolveQuantity(c danvan.Campaign, s string) (danvan.Target, danvan.Quantity, string) {
	ts := pledgeable(c)
	p, err := tr.parseForCampaign(ts, s)
	if err != nil {
		return danvan.Target{}, 0, tr.quantityProblem(err)
	}
	var match []danvan.Target
	for _, tg := range ts {
		if tg.Kind == p.Kind {
			match = append(match, tg)
		}
	}
	what := tr.kindName(p.Kind)
	if p.Kind == danvan.KindGoods && p.Item != "" {
		// "2 tủ lạnh" is not two of the campaign's air conditioners.
		var items []danvan.Target
		for _, tg := range match {
			if goodsMatch(tg, p.Item) {
				items = append(items, tg)
			}
		}
		match, what = items, what+": "+p.Item
	}
	if len(match) == 0 {
		var names []string
		for _, tg := range ts {
			names = append(names, esc(tr.targetName(tg)))
		}
		return danvan.Target{}, 0, t(tr.lang, msgNoTargetOfKind, esc(c.Title), esc(what), strings.Join(names, ", ")) + "\n"
	}
	return match[0], p.Value, ""
}

// parseForCampaign reads a one-line quantity for a campaign pledgeable to
// ts: a bare number takes the kind of the only target, or is đồng when the
// campaign takes money, as on a bank transfer.
func (tr *turn) parseForCampaign(ts []danvan.Target, s string) (danvan.Parsed, error) {
	hint := danvan.Kind("")
	if len(ts) == 1 {
		hint = ts[0].Kind
	}
	p, err := danvan.ParseQuantity(s, hint, tr.e.limits)
	var qe *danvan.QuantityError
	if errors.As(err, &qe) && qe.Reason == danvan.ReasonNeedUnit && hasKind(ts, danvan.KindMoney) {
		return danvan.ParseQuantity(s, danvan.KindMoney, tr.e.limits)
	}
	return p, err
}

func hasKind(ts []danvan.Target, k danvan.Kind) bool {
	for _, tg := range ts {
		if tg.Kind == k {
			return true
		}
	}
	return false
}

// goodsMatch reports whether item, as typed after a number, names goods
// target tg: its item ("điều hòa", "dieu hoa"), with its unit ("chiếc điều
// hòa"), or a mere counter ("cái", "chiếc", or the target's unit).
func goodsMatch(tg danvan.Target, item string) bool {
	if tg.Kind != danvan.KindGoods {
		return false
	}
	switch danvan.Fold(item) {
	case danvan.Fold(tg.Label), danvan.Fold(tg.Unit + " " + tg.Label), danvan.Fold(tg.Unit), "cai", "chiec":
		return true
	}
	return false
}

// advance asks for whatever the pledge still lacks, or completes it.
func (tr *turn) advance() error {
	d := tr.pledge()
	if tr.person.HomeAreaID == 0 {
		return tr.askZone()
	}
	if d.Campaign == 0 {
		return tr.askCampaign()
	}
	c, err := tr.pledgeCampaign(d.Campaign)
	if err != nil {
		return err
	}
	if !c.OpenOn(tr.today()) {
		tr.say(t(tr.lang, msgCampaignClosed, esc(c.Title)))
		tr.state.reset()
		return nil
	}
	ts := pledgeable(c)
	if d.Target == 0 {
		if len(ts) == 1 {
			d.Target = ts[0].ID
		} else {
			return tr.askTarget(c, ts)
		}
	}
	target, ok := findTarget(ts, d.Target)
	if !ok {
		tr.state.reset()
		tr.say(t(tr.lang, msgNotPledgeableTarget))
		return nil
	}
	if d.Quantity == 0 {
		return tr.askQuantity(c, target)
	}
	if d.Direct {
		return tr.record(c, target, false)
	}
	if !d.DueChosen {
		return tr.askDue(c)
	}
	return tr.askConfirm(c, target)
}

// chosenTarget re-reads the campaign and the pledgeable target of ch; ok is
// false, the conversation ended and the person told, when the target takes
// no pledges (any more).
func (tr *turn) chosenTarget(ch *choice) (danvan.Campaign, danvan.Target, bool, error) {
	c, err := tr.pledgeCampaign(ch.Campaign)
	if err != nil {
		return c, danvan.Target{}, false, err
	}
	tg, ok := findTarget(pledgeable(c), ch.Target)
	if !ok {
		tr.state.reset()
		tr.say(t(tr.lang, msgNotPledgeableTarget))
	}
	return c, tg, ok, nil
}

func findTarget(ts []danvan.Target, id int64) (danvan.Target, bool) {
	for _, tg := range ts {
		if tg.ID == id {
			return tg, true
		}
	}
	return danvan.Target{}, false
}

func (tr *turn) askCampaign() error {
	return tr.pickCampaign(tr.person.HomeAreaID, stepCampaign, t(tr.lang, msgAskCampaign), "c")
}

// pickCampaign asks at step, with question, which of the campaigns open to
// pledges in zone, each a button for action; there being none ends the
// conversation with a sentence saying so.
func (tr *turn) pickCampaign(zone int64, step, question, action string) error {
	cs, err := tr.st.OpenCampaigns(tr.ctx, zone)
	if err != nil {
		return err
	}
	var open []danvan.Campaign
	for _, c := range cs {
		if len(pledgeable(c)) > 0 {
			open = append(open, c)
		}
	}
	if len(open) == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgNoOpenCampaigns))
		return nil
	}
	tr.ask(step, question, func(seq int) [][]danvan.Button {
		rows := make([][]danvan.Button, len(open))
		for i, c := range open {
			rows[i] = []danvan.Button{{Text: truncate(c.Title, 48), Data: buttonData(seq, action, c.ID)}}
		}
		return rows
	})
	return nil
}

func (tr *turn) chooseCampaign(id int64) error {
	if tr.state.Step != stepCampaign {
		return tr.staleButton()
	}
	c, err := tr.pledgeCampaign(id)
	if errors.Is(err, danvan.ErrNotFound) {
		return tr.staleButton()
	}
	if err != nil {
		return err
	}
	tr.settle(t(tr.lang, msgAskCampaign), c.Title)
	tr.state = State{Seq: tr.state.Seq, Pledge: &pledgeDraft{choice: choice{Campaign: c.ID}}}
	return tr.advance()
}

func (tr *turn) askTarget(c danvan.Campaign, ts []danvan.Target) error {
	tr.ask(stepTarget, t(tr.lang, msgAskTarget, esc(c.Title)), func(seq int) [][]danvan.Button {
		rows := make([][]danvan.Button, len(ts))
		for i, tg := range ts {
			rows[i] = []danvan.Button{{Text: tr.targetName(tg), Data: buttonData(seq, "t", tg.ID)}}
		}
		return rows
	})
	return nil
}

func (tr *turn) chooseTarget(id int64) error {
	return tr.takeTarget(&tr.pledge().choice, id, stepTarget, tr.advance)
}

// takeTarget records in ch the target a button chose at step (a resident's
// pledge, or a head's for a household) and goes on with next.
func (tr *turn) takeTarget(ch *choice, id int64, step string, next func() error) error {
	if tr.state.Step != step {
		return tr.staleButton()
	}
	c, err := tr.pledgeCampaign(ch.Campaign)
	if err != nil {
		return err
	}
	tg, ok := findTarget(pledgeable(c), id)
	if !ok {
		return tr.staleButton()
	}
	tr.settle(t(tr.lang, msgAskTarget, esc(c.Title)), tr.targetName(tg))
	ch.Target = tg.ID
	return next()
}

func (tr *turn) askConfirm(c danvan.Campaign, tg danvan.Target) error {
	text := tr.confirmQuestion(c, tg)
	tr.ask(stepConfirm, text, func(seq int) [][]danvan.Button {
		if !c.HonourBoard {
			return [][]danvan.Button{{
				{Text: t(tr.lang, msgConfirmPlain), Data: buttonData(seq, "a", tg.ID)},
				{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)},
			}}
		}
		return [][]danvan.Button{
			{{Text: t(tr.lang, msgConfirmNamed), Data: buttonData(seq, "y", tg.ID)}},
			{{Text: t(tr.lang, msgConfirmAnonymous), Data: buttonData(seq, "a", tg.ID)}},
			{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}},
		}
	})
	return nil
}

// confirm records the pledge the question was about: target is the one its
// buttons were made for.
func (tr *turn) confirm(target int64, named bool) error {
	if tr.state.Step != stepConfirm || target != tr.pledge().Target {
		return tr.staleButton()
	}
	c, tg, ok, err := tr.chosenTarget(&tr.pledge().choice)
	if err != nil || !ok {
		return err
	}
	choice := t(tr.lang, msgConfirmAnonymous)
	if named {
		choice = t(tr.lang, msgConfirmNamed)
	} else if !c.HonourBoard {
		choice = t(tr.lang, msgConfirmPlain)
	}
	tr.settle(tr.confirmQuestion(c, tg), choice)
	if !c.OpenOn(tr.today()) {
		tr.state.reset()
		tr.say(t(tr.lang, msgCampaignClosed, esc(c.Title)))
		return nil
	}
	return tr.record(c, tg, named && c.HonourBoard)
}

// record stores the pledge and thanks the person.
func (tr *turn) record(c danvan.Campaign, tg danvan.Target, named bool) error {
	p := danvan.Pledge{
		PersonID:   tr.person.ID,
		CampaignID: c.ID,
		TargetID:   tg.ID,
		Quantity:   danvan.Quantity(tr.pledge().Quantity),
		PublicName: named,
		Due:        tr.dueFor(c, tr.pledge().Due),
	}
	if err := tr.st.CreatePledge(tr.ctx, &p); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "pledge", p.ID, c.ID, "created", nil, p); err != nil {
		return err
	}
	tr.state.reset()
	text := t(tr.lang, msgPledged, p.Code, esc(tr.quantity(tg, p.Quantity)), esc(c.Title)) + tr.dueLine(c, p.Due)
	if tg.Kind != danvan.KindMoney || c.Bank == nil {
		tr.say(text)
		return nil
	}
	text += t(tr.lang, msgPledgedBank, esc(vietqr.BankName(c.Bank.BIN)), esc(c.Bank.Account), esc(c.Bank.Name), esc(vietqr.Memo(c.Code, p.Code)))
	tr.say(text)
	tr.sendTransferQR(c, p, p.Quantity)
	return nil
}

// sendTransferQR sends the VietQR picture that pays amount of pledge p into
// campaign c's account. A bank account the setup file got wrong makes no
// picture; the typed account details, still right to copy by hand, remain.
func (tr *turn) sendTransferQR(c danvan.Campaign, p danvan.Pledge, amount danvan.Quantity) bool {
	if c.Bank == nil || amount <= 0 {
		return false
	}
	// The picture is drawn by the sender: in the outbox it is its payload.
	payload, memo, err := vietqr.PledgePayload(*c.Bank, c.Code, p.Code, int64(amount))
	if err != nil {
		return false
	}
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutPhoto, ChatID: tr.ev.ChatID, QR: payload,
		Text: t(tr.lang, msgPledgedQR, esc(danvan.FormatMoney(amount)), esc(c.Bank.Name), esc(memo)),
		Alt:  t(tr.lang, msgQRAlt, esc(danvan.FormatMoney(amount)), esc(vietqr.BankName(c.Bank.BIN)), esc(c.Bank.Account), esc(c.Bank.Name), esc(memo))})
	return true
}

// pledgeDraft is a resident's pledge being made.
type pledgeDraft struct {
	choice
	// Direct pledges (the one-line form) skip the date and the
	// confirmation.
	Direct bool `json:"direct,omitempty"`
	// Due is when the pledger means to pay (YYYY-MM-DD), once DueChosen;
	// "" with DueChosen: no date of their own.
	Due       string `json:"due,omitempty"`
	DueChosen bool   `json:"due_chosen,omitempty"`
}

// pledge is the pledge being made, begun if none is.
func (tr *turn) pledge() *pledgeDraft {
	if tr.state.Pledge == nil {
		tr.state.Pledge = &pledgeDraft{}
	}
	return tr.state.Pledge
}
