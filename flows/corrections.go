package flows

// Correcting receipts: a treasurer reverses a receipt of a pledge, or a
// gift without one, with a reason; receipts are never edited.

import (
	"errors"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
)

// correctReceipt is /correct CODE: a treasurer of the campaign's unit
// chooses one of the pledge's receipts to reverse.
func (tr *turn) correctReceipt(args string) error {
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	if !gs.Admin() && len(gs.Units(danvan.RoleTreasurer)) == 0 {
		tr.say(t(tr.lang, msgRcNotTreasurer))
		return nil
	}
	// A gift has no pledge code: it is named by its receipt number, which
	// the bot gave when it was recorded ("№123", or just the digits when
	// they are no pledge's code).
	arg, numbered := strings.CutPrefix(strings.TrimSpace(args), "№")
	if n, err := strconv.ParseInt(strings.TrimSpace(arg), 10, 64); err == nil && n > 0 {
		if numbered {
			return tr.correctGift(gs, n)
		}
		if _, valid := cleanCode(arg); !valid {
			return tr.correctGift(gs, n) // digits that are no pledge code
		}
		if _, _, err := tr.st.LockPledge(tr.ctx, 0, arg); errors.Is(err, danvan.ErrNotFound) {
			return tr.correctGift(gs, n)
		}
	}
	pc, _, ok, err := tr.pledgeFromArgs(args, msgRcCorrectUsage)
	if err != nil || !ok {
		return err
	}
	if !gs.TreasurerOf(pc.c.UnitID) {
		tr.say(t(tr.lang, msgRcOutsideUnit, esc(pc.p.Code)))
		return nil
	}
	rs, err := tr.st.ReceiptsOf(tr.ctx, pc.p.ID)
	if err != nil {
		return err
	}
	reversed := map[int64]bool{}
	for _, r := range rs {
		if r.ReversesID != 0 {
			reversed[r.ReversesID] = true
		}
	}
	var b strings.Builder
	b.WriteString(t(tr.lang, msgRcLedgerHeader, esc(pc.p.Code), esc(pc.who.Name)))
	var open []danvan.Receipt
	for _, r := range rs {
		when := r.RecordedAt.In(tr.e.loc).Format("02/01/2006 15:04")
		switch {
		case r.ReversesID != 0:
			b.WriteString(t(tr.lang, msgRcLedgerReversal, r.ID, when, esc(tr.quantity(pc.tg, r.Quantity)), r.ReversesID, esc(r.Reason)))
		case reversed[r.ID]:
			b.WriteString(t(tr.lang, msgRcLedgerReversed, r.ID, when, esc(tr.quantity(pc.tg, r.Quantity))))
		default:
			b.WriteString(t(tr.lang, msgRcLedgerLine, r.ID, when, esc(tr.quantity(pc.tg, r.Quantity))))
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		tr.say(b.String() + t(tr.lang, msgRcNothingToCorrect))
		return nil
	}
	tr.state = State{Seq: tr.state.Seq, Receipt: &receiptDraft{Pledge: pc.p.ID}}
	tr.ask(stepCorrectPick, b.String()+t(tr.lang, msgRcAskWhichReceipt), func(seq int) [][]danvan.Button {
		rows := make([][]danvan.Button, 0, len(open)+1)
		for _, r := range open {
			label := "№" + strconv.FormatInt(r.ID, 10) + " · " + tr.quantity(pc.tg, r.Quantity) + " · " + r.RecordedAt.In(tr.e.loc).Format("02/01")
			rows = append(rows, []danvan.Button{{Text: label, Data: buttonData(seq, "rc", r.ID)}})
		}
		return append(rows, []danvan.Button{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}})
	})
	return nil
}

// reversible finds receipt id among the pledge's entries if it may be
// reversed: not a reversal itself and not reversed yet.
func reversible(rs []danvan.Receipt, id int64) (danvan.Receipt, bool) {
	var found danvan.Receipt
	for _, r := range rs {
		if r.ReversesID == id {
			return found, false
		}
		if r.ID == id && r.ReversesID == 0 && r.Quantity > 0 {
			found = r
		}
	}
	return found, found.ID != 0
}

// lockForCorrection locks the conversation's pledge and finds the receipt
// to reverse, checking the person still keeps the unit's money.
func (tr *turn) lockForCorrection(receiptID int64) (pledgeCase, danvan.Receipt, bool, error) {
	gs, err := tr.grants()
	if err != nil {
		return pledgeCase{}, danvan.Receipt{}, false, err
	}
	pc, ok, err := tr.lockPledge(tr.receipt().Pledge, "")
	if err != nil || !ok {
		return pc, danvan.Receipt{}, false, err
	}
	if !gs.TreasurerOf(pc.c.UnitID) {
		tr.state.reset()
		tr.say(t(tr.lang, msgRcOutsideUnit, esc(pc.p.Code)))
		return pc, danvan.Receipt{}, false, nil
	}
	rs, err := tr.st.ReceiptsOf(tr.ctx, pc.p.ID)
	if err != nil {
		return pc, danvan.Receipt{}, false, err
	}
	r, ok := reversible(rs, receiptID)
	if !ok {
		tr.state.reset()
		tr.say(t(tr.lang, msgRcAlreadyReversed, receiptID))
		return pc, r, false, nil
	}
	return pc, r, true, nil
}

func (tr *turn) pickCorrection(id int64) error {
	if tr.state.Step != stepCorrectPick {
		return tr.staleButton()
	}
	pc, r, ok, err := tr.lockForCorrection(id)
	if err != nil || !ok {
		return err
	}
	tr.settle(t(tr.lang, msgRcAskWhichReceipt), "№"+strconv.FormatInt(r.ID, 10)+" · "+tr.quantity(pc.tg, r.Quantity))
	tr.receipt().Receipt = r.ID
	tr.ask(stepCorrectReason, t(tr.lang, msgRcAskReason, r.ID, esc(tr.quantity(pc.tg, r.Quantity))), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}}}
	})
	return nil
}

// reversibleGift reads a gift (a receipt without a pledge) the person may
// reverse: a treasurer of its campaign's unit, the gift not reversed yet.
// ok is false when they were told why not.
func (tr *turn) reversibleGift(gs danvan.Grants, id int64) (danvan.Receipt, danvan.Campaign, danvan.Target, bool, error) {
	var c danvan.Campaign
	var tg danvan.Target
	r, reversedBy, err := tr.st.Receipt(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.state.reset()
		tr.say(t(tr.lang, msgRcNoSuchReceipt, id))
		return r, c, tg, false, nil
	}
	if err != nil {
		return r, c, tg, false, err
	}
	if c, err = tr.st.Campaign(tr.ctx, r.CampaignID); err != nil {
		return r, c, tg, false, err
	}
	for _, x := range c.Targets {
		if x.ID == r.TargetID {
			tg = x
		}
	}
	switch {
	case !gs.TreasurerOf(c.UnitID):
		tr.state.reset()
		tr.say(t(tr.lang, msgRcGiftOutsideUnit, id))
	case r.PledgeID != 0:
		tr.state.reset()
		tr.say(t(tr.lang, msgRcNotAGift, id))
	case reversedBy != 0 || r.ReversesID != 0 || r.Quantity <= 0:
		tr.state.reset()
		tr.say(t(tr.lang, msgRcAlreadyReversed, id))
	default:
		return r, c, tg, true, nil
	}
	return r, c, tg, false, nil
}

// correctGift starts reversing a gift: it shows the entry and asks why.
func (tr *turn) correctGift(gs danvan.Grants, id int64) error {
	r, c, tg, ok, err := tr.reversibleGift(gs, id)
	if err != nil || !ok {
		return err
	}
	tr.state = State{Seq: tr.state.Seq, Receipt: &receiptDraft{Receipt: r.ID, Gift: true}}
	tr.ask(stepCorrectReason, t(tr.lang, msgRcGiftEntry, r.ID, esc(tr.quantity(tg, r.Quantity)), esc(r.DonorName), esc(c.Title),
		r.RecordedAt.In(tr.e.loc).Format("02/01/2006 15:04"))+"\n"+t(tr.lang, msgRcAskReason, r.ID, esc(tr.quantity(tg, r.Quantity))),
		func(seq int) [][]danvan.Button {
			return [][]danvan.Button{{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}}}
		})
	return nil
}

// reverseGift appends the entry that reverses a gift, with the reason.
func (tr *turn) reverseGift(id int64, reason string) error {
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	r, c, tg, ok, err := tr.reversibleGift(gs, id)
	if err != nil || !ok {
		return err
	}
	rev := danvan.Receipt{CampaignID: r.CampaignID, TargetID: r.TargetID, Quantity: -r.Quantity, Method: r.Method,
		RecordedBy: tr.person.ID, ReversesID: r.ID, Reason: reason, DonorName: r.DonorName}
	if err := tr.st.AddReceipt(tr.ctx, &rev); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "receipt", r.ID, c.ID, "reversed",
		map[string]any{"receipt": r}, map[string]any{"reversal": rev}); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgRcGiftReversed, r.ID, esc(tr.quantity(tg, r.Quantity)), esc(r.DonorName), esc(c.Title)))
	return nil
}

func (tr *turn) typedReason(s string) error {
	reason := strings.Join(strings.Fields(s), " ")
	if reason == "" {
		tr.say(t(tr.lang, msgRcReasonEmpty))
		return nil
	}
	reason = truncate(reason, maxReason)
	id := tr.receipt().Receipt
	if tr.receipt().Gift {
		return tr.reverseGift(id, reason)
	}
	pc, r, ok, err := tr.lockForCorrection(id)
	if err != nil || !ok {
		return err
	}
	rev := danvan.Receipt{PledgeID: pc.p.ID, CampaignID: r.CampaignID, TargetID: r.TargetID, Quantity: -r.Quantity,
		Method: r.Method, RecordedBy: tr.person.ID, ReversesID: r.ID, Reason: reason}
	if err := tr.st.AddReceipt(tr.ctx, &rev); err != nil {
		return err
	}
	received := pc.p.Received + rev.Quantity
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "receipt", r.ID, pc.c.ID, "reversed",
		map[string]any{"receipt": r, "received": pc.p.Received},
		map[string]any{"reversal": rev, "received": received}); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "pledge", pc.p.ID, pc.c.ID, "received",
		map[string]any{"received": pc.p.Received}, map[string]any{"received": received, "receipt": rev.ID, "code": pc.p.Code, "target_id": pc.p.TargetID}); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgRcReversed, r.ID, esc(tr.quantity(pc.tg, r.Quantity)), esc(pc.p.Code),
		esc(tr.quantity(pc.tg, received)), esc(tr.quantity(pc.tg, pc.p.Quantity))))
	if pc.who.ChatID != 0 && pc.who.ID != tr.person.ID {
		l := lang(pc.who.Lang)
		tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: pc.who.ChatID,
			Text: t(l, msgRcReversedNotice, esc(quantityIn(l, pc.tg, r.Quantity)), esc(pc.p.Code), esc(reason))})
	}
	return nil
}

var (
	msgRcNotTreasurer = msg{"Chỉ thủ quỹ của đơn vị hoặc quản trị viên mới điều chỉnh được biên nhận.", "Only the unit's treasurer or an admin can correct receipts."}
	msgRcCorrectUsage = msg{
		"Cú pháp: <code>/dieuchinh MÃ</code>, ví dụ <code>/dieuchinh K7Q2</code>; khoản tặng không qua đăng ký: <code>/dieuchinh №SỐ_PHIẾU</code>.",
		"Usage: <code>/correct CODE</code>, e.g. <code>/correct K7Q2</code>; a gift without a pledge: <code>/correct №RECEIPT</code>.",
	}
	msgRcNoSuchReceipt   = msg{"Không có phiếu thu №%d.", "There is no receipt №%d."}
	msgRcGiftOutsideUnit = msg{"Phiếu №%d thuộc chiến dịch của đơn vị khác: bạn không điều chỉnh được.", "Receipt №%d belongs to another unit's campaign: you cannot correct it."}
	msgRcNotAGift        = msg{
		"Phiếu №%d ghi cho một khoản ủng hộ: hãy điều chỉnh bằng mã khoản, <code>/dieuchinh MÃ</code>.",
		"Receipt №%d is against a pledge: correct it by the pledge's code, <code>/correct CODE</code>.",
	}
	msgRcGiftEntry    = msg{"Khoản tặng №%d: %s của %s cho %s, ghi lúc %s.", "Gift №%d: %s from %s to %s, recorded %s."}
	msgRcGiftReversed = msg{"Đã điều chỉnh: bút toán đảo khoản tặng №%d (%s của %s cho %s).", "Corrected: gift №%d reversed (%s from %s to %s)."}
	msgRcOutsideUnit  = msg{
		"Khoản <b>#%s</b> thuộc chiến dịch của đơn vị khác: bạn không điều chỉnh được.",
		"The pledge <b>#%s</b> belongs to another unit's campaign: you cannot correct it.",
	}
	msgRcLedgerHeader     = msg{"<b>Biên nhận của khoản #%s</b> (%s)", "<b>Receipts of #%s</b> (%s)"}
	msgRcLedgerLine       = msg{"\n№%d · %s · %s", "\n№%d · %s · %s"}
	msgRcLedgerReversed   = msg{"\n№%d · %s · %s · <i>đã điều chỉnh</i>", "\n№%d · %s · %s · <i>reversed</i>"}
	msgRcLedgerReversal   = msg{"\n№%d · %s · %s · điều chỉnh №%d: %s", "\n№%d · %s · %s · reverses №%d: %s"}
	msgRcNothingToCorrect = msg{
		"\n\nKhông có biên nhận nào để điều chỉnh.",
		"\n\nThere is no receipt to correct.",
	}
	msgRcAskWhichReceipt = msg{"\n\nChọn biên nhận cần điều chỉnh (hủy bỏ):", "\n\nChoose the receipt to reverse:"}
	msgRcAlreadyReversed = msg{
		"Biên nhận №%d không điều chỉnh được: đã được điều chỉnh, hoặc chính nó là một điều chỉnh.",
		"Receipt №%d cannot be reversed: it was reversed already, or is itself a reversal.",
	}
	msgRcAskReason   = msg{"Lý do điều chỉnh biên nhận №%d (%s)? Hãy gõ một câu ngắn.", "Why is receipt №%d (%s) reversed? Type a short reason."}
	msgRcReasonEmpty = msg{"Hãy gõ lý do điều chỉnh.", "Please type the reason."}
	msgRcReversed    = msg{
		"Đã điều chỉnh biên nhận №%d (%s) của khoản <b>#%s</b>. Đã nhận: %s / %s.",
		"Receipt №%d (%s) of <b>#%s</b> is reversed. Received: %s of %s.",
	}
	msgRcReversedNotice = msg{
		"Biên nhận %s cho khoản <b>#%s</b> đã được điều chỉnh. Lý do: %s",
		"The receipt of %s for <b>#%s</b> was corrected. Reason: %s",
	}
)
