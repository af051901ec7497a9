package flows

// What a treasurer does with a statement's report: record every matched
// transfer, or decide each other line (record, assign to a pledge, record
// as a gift, set aside), each once.

import (
	"errors"
	"fmt"
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/reconcile"
)

// ownStatement locks a statement for a button press and checks that the
// person may act on it: the treasurer who sent it, or an admin, still in
// that role. ok is false when they were told why not.
func (tr *turn) ownStatement(id int64) (danvan.Statement, danvan.Grants, bool, error) {
	gs, ok, err := tr.treasurer()
	if err != nil || !ok {
		return danvan.Statement{}, gs, false, err
	}
	s, err := tr.st.LockStatement(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		return s, gs, false, tr.staleButton()
	}
	if err != nil {
		return s, gs, false, err
	}
	if s.SentBy != tr.person.ID && !gs.Admin() {
		tr.say(t(tr.lang, msgStNotYours))
		return s, gs, false, nil
	}
	if s.Decision == "dropped" {
		tr.say(t(tr.lang, msgStDropped, esc(s.FileName)))
		return s, gs, false, nil
	}
	return s, gs, true, nil
}

// applyStatement records every transfer still matched when pressed: the
// figures shown may have moved since (another statement, a receipt
// recorded by hand), so each line is matched again.
func (tr *turn) applyStatement(id int64) error {
	s, gs, ok, err := tr.ownStatement(id)
	if err != nil || !ok {
		return err
	}
	if s.Decision == "applied" {
		tr.say(t(tr.lang, msgStAlreadyApplied, esc(s.FileName)))
		return nil
	}
	lines, err := tr.st.StatementLines(tr.ctx, s.ID)
	if err != nil {
		return err
	}
	items, err := tr.classify(gs, lines)
	if err != nil {
		return err
	}
	var n int
	var total int64
	for _, it := range items {
		if it.Outcome != reconcile.Matched {
			continue
		}
		done, err := tr.receiveTransfer(gs, it.Line, it.Pledge.Pledge.ID, true)
		if err != nil {
			return err
		}
		if done {
			n++
			total += it.Line.Amount
		}
	}
	if err := tr.st.DecideStatement(tr.ctx, s.ID, "applied"); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "statement", s.ID, 0, "applied", nil,
		map[string]any{"file": s.FileName, "receipts": n, "amount": total}); err != nil {
		return err
	}
	tr.dropNothingYet()
	tr.conclude("", t(tr.lang, msgStApplied, esc(s.FileName), n, esc(danvan.FormatMoney(danvan.Quantity(total)))))
	return nil
}

// receiveTransfer records line's amount as a transfer received on a pledge,
// once: false when the bank transaction was handled before or the pledge
// is not the person's to record (quiet: the caller reports).
func (tr *turn) receiveTransfer(gs danvan.Grants, l danvan.BankLine, pledgeID int64, quiet bool) (bool, error) {
	var pc pledgeCase
	var ok bool
	var err error
	if quiet {
		pc, ok, err = tr.lockPledge(pledgeID, "")
		ok = ok && gs.TreasurerOf(pc.c.UnitID) && !pc.p.Cancelled && pc.tg.Kind == danvan.KindMoney
	} else {
		pc, ok, err = tr.lockForReceipt(pledgeID, "")
		switch {
		case !ok:
		case !gs.TreasurerOf(pc.c.UnitID):
			// The money is in the account of the treasurer's unit: a
			// head's zone is no reason to book it to another unit.
			tr.say(t(tr.lang, msgRcOutsideScope, esc(pc.p.Code)))
			ok = false
		case pc.tg.Kind != danvan.KindMoney:
			tr.say(t(tr.lang, msgStNotMoney, esc(pc.p.Code)))
			ok = false
		}
	}
	if err != nil || !ok {
		return false, err
	}
	won, err := tr.st.HandleTransaction(tr.ctx, l.Key, l.ID, tr.person.ID)
	if err != nil || !won {
		return false, err
	}
	r, _, err := tr.appendReceipt(pc, danvan.Quantity(l.Amount), danvan.MethodTransfer)
	if err != nil {
		return false, err
	}
	return true, tr.st.LinkTransactionReceipt(tr.ctx, l.Key, r.ID)
}

func (tr *turn) dropStatement(id int64) error {
	s, _, ok, err := tr.ownStatement(id)
	if err != nil || !ok {
		return err
	}
	if s.Decision == "applied" {
		tr.say(t(tr.lang, msgStAlreadyApplied, esc(s.FileName)))
		return nil
	}
	if err := tr.st.DecideStatement(tr.ctx, s.ID, "dropped"); err != nil {
		return err
	}
	tr.dropNothingYet()
	tr.conclude("", t(tr.lang, msgStDropped, esc(s.FileName)))
	return nil
}

// ownLine reads a statement line for a button and checks the person may
// act on it and that it is still open; ok is false when they were told.
func (tr *turn) ownLine(id int64) (danvan.BankLine, danvan.Grants, bool, error) {
	l, err := tr.st.StatementLine(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		return l, nil, false, tr.staleButton()
	}
	if err != nil {
		return l, nil, false, err
	}
	_, gs, ok, err := tr.ownStatement(l.StatementID)
	if err != nil || !ok {
		return l, gs, false, err
	}
	handled, err := tr.st.HandledTransactions(tr.ctx, []string{l.Key})
	if err != nil {
		return l, gs, false, err
	}
	if handled[l.Key] || l.Amount <= 0 {
		tr.say(t(tr.lang, msgStLineHandled, l.Row))
		return l, gs, false, nil
	}
	return l, gs, true, nil
}

// settleLine replaces a line's message (whose button was pressed) by what
// became of it.
func (tr *turn) settleLine(l danvan.BankLine, outcome string) {
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutEdit, ChatID: tr.ev.ChatID, MessageID: tr.ev.MessageID,
		Text: tr.lineHead(l) +
			"\n" + outcome})
}

// recordDiffering records a transfer whose amount is not what was open on
// the pledge its memo names, as the treasurer decided on seeing it.
func (tr *turn) recordDiffering(id int64) error {
	l, gs, ok, err := tr.ownLine(id)
	if err != nil || !ok {
		return err
	}
	items, err := tr.classify(gs, []danvan.BankLine{l})
	if err != nil {
		return err
	}
	if it := items[0]; it.Pledge == nil {
		return tr.staleButton()
	}
	pl := items[0].Pledge
	done, err := tr.receiveTransfer(gs, l, pl.Pledge.ID, false)
	if err != nil || !done {
		return err
	}
	tr.settleLine(l, t(tr.lang, msgStLineRecorded, esc(danvan.FormatMoney(danvan.Quantity(l.Amount))), esc(pl.Pledge.Code)))
	return nil
}

// setLineAside marks a transfer as not for danvan (a fee refund, another
// fund's money): later statements show it as handled.
func (tr *turn) setLineAside(id int64) error {
	l, _, ok, err := tr.ownLine(id)
	if err != nil || !ok {
		return err
	}
	won, err := tr.st.HandleTransaction(tr.ctx, l.Key, l.ID, tr.person.ID)
	if err != nil || !won {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "statement", l.StatementID, 0, "set_aside", nil,
		map[string]any{"row": l.Row, "amount": l.Amount, "memo": l.Memo}); err != nil {
		return err
	}
	tr.settleLine(l, t(tr.lang, msgStLineSetAside))
	return nil
}

// assignLine asks which pledge a transfer is for.
func (tr *turn) assignLine(id int64) error {
	l, _, ok, err := tr.ownLine(id)
	if err != nil || !ok {
		return err
	}
	tr.state = State{Seq: tr.state.Seq, Transfer: &transferDraft{Line: l.ID}}
	tr.ask(stepStatementPledge, t(tr.lang, msgStAskPledge, l.Row, esc(danvan.FormatMoney(danvan.Quantity(l.Amount)))),
		func(seq int) [][]danvan.Button {
			return [][]danvan.Button{{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}}}
		})
	return nil
}

// conversationLine is the statement line the conversation is about.
func (tr *turn) conversationLine() (danvan.BankLine, danvan.Grants, bool, error) {
	var id int64
	if tr.state.Transfer != nil {
		id = tr.state.Transfer.Line
	}
	if id == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgNotUnderstood))
		return danvan.BankLine{}, nil, false, nil
	}
	l, gs, ok, err := tr.ownLine(id)
	if err == nil && !ok {
		tr.state.reset()
	}
	return l, gs, ok, err
}

func (tr *turn) assignLineTo(text string) error {
	code, valid := cleanCode(strings.TrimSpace(text))
	if !valid {
		tr.say(t(tr.lang, msgRcUnknownPledge, esc(truncate(text, 8))) + "\n" + t(tr.lang, msgStAskPledgeAgain))
		return nil
	}
	l, gs, ok, err := tr.conversationLine()
	if err != nil || !ok {
		return err
	}
	asked := tr.state
	pc, ok, err := tr.lockForReceipt(0, code)
	if err != nil {
		return err
	}
	if !ok {
		// Told why; another code may be typed.
		tr.state = asked
		tr.say(t(tr.lang, msgStAskPledgeAgain))
		return nil
	}
	tr.state.reset()
	done, err := tr.receiveTransfer(gs, l, pc.p.ID, false)
	if err != nil || !done {
		return err
	}
	tr.say(tr.lineHead(l) +
		"\n" + t(tr.lang, msgStLineRecorded, esc(danvan.FormatMoney(danvan.Quantity(l.Amount))), esc(pc.p.Code)))
	return nil
}

// giftLine asks which campaign a transfer without a pledge is a gift to.
func (tr *turn) giftLine(id int64) error {
	l, gs, ok, err := tr.ownLine(id)
	if err != nil || !ok {
		return err
	}
	cs, err := tr.st.LinkableCampaigns(tr.ctx, gs.Units(danvan.RoleTreasurer), gs.Admin())
	if err != nil {
		return err
	}
	var money []danvan.Campaign
	for _, c := range cs {
		full, err := tr.st.Campaign(tr.ctx, c.ID)
		if err != nil {
			return err
		}
		if hasKind(full.Targets, danvan.KindMoney) {
			money = append(money, c)
		}
	}
	if len(money) == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgStNoCampaign))
		return nil
	}
	tr.state = State{Seq: tr.state.Seq, Transfer: &transferDraft{Line: l.ID}}
	tr.ask(stepStatementGift, t(tr.lang, msgStAskCampaign, l.Row, esc(danvan.FormatMoney(danvan.Quantity(l.Amount)))), func(seq int) [][]danvan.Button {
		bs := make([]danvan.Button, 0, len(money)+1)
		for _, c := range money {
			bs = append(bs, danvan.Button{Text: c.Code, Data: buttonData(seq, "sgc", c.ID)})
		}
		return grid(append(bs, danvan.Button{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}), 2)
	})
	return nil
}

func (tr *turn) giftLineTo(campaignID int64) error {
	if tr.state.Step != stepStatementGift {
		return tr.staleButton()
	}
	l, gs, ok, err := tr.conversationLine()
	if err != nil || !ok {
		return err
	}
	c, err := tr.st.Campaign(tr.ctx, campaignID)
	if errors.Is(err, danvan.ErrNotFound) {
		return tr.staleButton() // no button names a campaign that does not exist
	}
	if err != nil {
		return fmt.Errorf("flows: gift from statement: %w", err)
	}
	tr.state.reset()
	var money *danvan.Target
	for i := range c.Targets {
		if c.Targets[i].Kind == danvan.KindMoney {
			money = &c.Targets[i]
			break
		}
	}
	if money == nil || !gs.TreasurerOf(c.UnitID) {
		tr.say(t(tr.lang, msgRcGiftOutside, esc(c.Code)))
		return nil
	}
	won, err := tr.st.HandleTransaction(tr.ctx, l.Key, l.ID, tr.person.ID)
	if err != nil || !won {
		return err
	}
	r := danvan.Receipt{CampaignID: c.ID, TargetID: money.ID, Quantity: danvan.Quantity(l.Amount),
		Method: danvan.MethodTransfer, RecordedBy: tr.person.ID, DonorName: truncate(l.Memo, maxName)}
	if err := tr.st.AddReceipt(tr.ctx, &r); err != nil {
		return err
	}
	if err := tr.st.LinkTransactionReceipt(tr.ctx, l.Key, r.ID); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "receipt", r.ID, c.ID, "created", nil, r); err != nil {
		return err
	}
	tr.settle(t(tr.lang, msgStAskCampaign, l.Row, esc(danvan.FormatMoney(danvan.Quantity(l.Amount)))), c.Code)
	tr.say(t(tr.lang, msgRcGiftRecorded, esc(danvan.FormatMoney(r.Quantity)), esc(r.DonorName), esc(c.Title), r.ID))
	return nil
}

// transferDraft is a bank transfer of a statement being assigned to a
// pledge or recorded as a gift.
type transferDraft struct {
	Line int64 `json:"line"` // the statement line
}

// dropNothingYet takes the report's "nothing recorded yet, press below" out
// of the pressed message's text, which the outcome is about to settle.
func (tr *turn) dropNothingYet() {
	for _, s := range []string{msgStNothingYet.vi, msgStNothingYet.en} {
		tr.ev.MessageText = strings.Replace(tr.ev.MessageText, s, "", 1)
	}
}
