package flows

import (
	"errors"
	"fmt"
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/internal/catalog"
)

// People change their mind here: a pledger changes the quantity or due
// date of an open pledge, or cancels it, while nothing has been received;
// after that only a cadre of the campaign's unit can, with a reason.

func myPledgeConversation(c *conversation) {

	c.commands(
		&command{names: []string{"mypledge", "khoancuatoi"}, private: func(tr *turn, args string) error { return tr.openPledge(args, false) }},
		&command{names: []string{"editpledge", "suakhoan"}, private: func(tr *turn, args string) error { return tr.openPledge(args, true) }},
	)
	c.actions(map[string]action{
		"mq": on((*turn).pledgeAskQty, stepMMenu),
		"md": on((*turn).pledgeAskDue, stepMMenu),
		"mc": on((*turn).pledgeAskCancel, stepMMenu),
		"my": on((*turn).pledgeConfirmCancel, stepMCancel),
	})
	c.textStep(stepMQty, (*turn).pledgeTypedQty)
	c.textStep(stepMDue, (*turn).pledgeTypedDue)
	c.textStep(stepMReason, (*turn).pledgeTypedReason)
}

var (
	msgMUsage         = msg{"Cú pháp: <code>/khoancuatoi MÃ</code>, ví dụ <code>/khoancuatoi K7Q2</code>. Gõ /cuatoi để xem mã các khoản của bạn.", "Usage: <code>/mypledge CODE</code>, e.g. <code>/mypledge K7Q2</code>. Send /mypledges to see your pledges' codes."}
	msgMEditUsage     = msg{"Cú pháp: <code>/suakhoan MÃ</code>, ví dụ <code>/suakhoan K7Q2</code>.", "Usage: <code>/editpledge CODE</code>, e.g. <code>/editpledge K7Q2</code>."}
	msgMNotFound      = msg{"Không có khoản ủng hộ mã <code>%s</code>.", "There is no pledge with code <code>%s</code>."}
	msgMNotYours      = msg{"Khoản <b>#%s</b> không phải của bạn.", "The pledge <b>#%s</b> is not yours."}
	msgMIsCancelled   = msg{"Khoản <b>#%s</b> đã hủy.", "The pledge <b>#%s</b> is cancelled."}
	msgMChangedNotice = msg{
		"ℹ️ Cán bộ đã điều chỉnh khoản ủng hộ #%s (%s): nay là %s · %s.\nLý do: %s",
		"ℹ️ A cadre changed your pledge #%s (%s): it is now %s · %s.\nReason: %s",
	}
	msgMCampaignClosed = msg{
		"Chiến dịch %[2]s đã kết thúc nên khoản #%[1]s không sửa được nữa. Cần thay đổi, xin liên hệ cán bộ của chiến dịch.",
		"Campaign %[2]s has ended, so pledge #%[1]s can no longer be changed. For a change, please ask the campaign's cadres.",
	}
	msgMOnlyCadre = msg{
		"Khoản <b>#%s</b> đã được nhận %s, nên bạn không tự sửa hay hủy được nữa. Chỉ cán bộ của đơn vị mới sửa được; hãy liên hệ trưởng khu hoặc cán bộ.",
		"Something was already received against <b>#%s</b> (%s), so you can no longer change or cancel it yourself. Only a cadre of the unit can; please contact your zone head or a cadre.",
	}
	msgMShow = msg{
		"<b>#%s</b> · %s\n%s · <i>%s</i>%s\nBạn muốn làm gì?",
		"<b>#%s</b> · %s\n%s · <i>%s</i>%s\nWhat would you like to do?",
	}
	msgMReceived  = msg{"\nĐã nhận: %s", "\nReceived: %s"}
	msgMChangeQty = msg{"Đổi số lượng", "Change amount"}
	msgMChangeDue = msg{"Đổi hạn nộp", "Change due date"}
	msgMCancel    = msg{"Hủy khoản này", "Cancel the pledge"}
	msgMChanged   = msg{
		"Khoản <b>#%s</b> vừa được thay đổi. Gõ lại lệnh để xem tình trạng mới.",
		"The pledge <b>#%s</b> has just changed. Send the command again to see where it stands.",
	}
	msgMAskQty        = msg{"Số lượng mới? (hiện tại %s) Ví dụ: <code>%s</code>", "New amount? (now %s) For example: <code>%s</code>"}
	msgMAskDue        = msg{"Hạn nộp mới? Gõ ngày/tháng/năm, ví dụ <code>31/12/2026</code> hoặc <code>31/12</code>; gõ <code>không</code> để bỏ hạn riêng.", "New due date? Type day/month/year, e.g. <code>31/12/2026</code> or <code>31/12</code>; <code>none</code> to drop your own date."}
	msgMDuePast       = msg{"Hạn nộp không thể là ngày đã qua. Gõ một ngày từ hôm nay trở đi:", "The due date cannot be in the past. Type a date from today on:"}
	msgMBelowReceived = msg{"Không thể đặt thấp hơn số đã nhận (%s). Gõ lại:", "It cannot be less than what was received (%s). Type it again:"}
	msgMSame          = msg{"Số lượng vẫn như cũ, không có gì thay đổi.", "That is the same amount; nothing changed."}
	msgMAskCancel     = msg{"Hủy khoản <b>#%s</b> (%s)?", "Cancel the pledge <b>#%s</b> (%s)?"}
	msgMCancelYes     = msg{"✔ Đồng ý hủy", "✔ Yes, cancel it"}
	msgMCannotCancel  = msg{
		"Khoản <b>#%s</b> đã được nhận %s nên không hủy được; hãy giảm số lượng xuống bằng số đã nhận.",
		"Something was received against <b>#%s</b> (%s), so it cannot be cancelled; lower its amount to what was received instead.",
	}
	msgMAskReason = msg{"Lý do thay đổi (sẽ được lưu lại)?", "The reason for the change (it is kept on record)?"}
	msgMBadReason = msg{"Lý do cần từ 1 đến %d ký tự. Gõ lại:", "A reason needs 1 to %d characters. Type it again:"}
	msgMDone      = msg{"Đã lưu. Khoản <b>#%s</b>: %s · <i>%s</i>", "Saved. The pledge <b>#%s</b>: %s · <i>%s</i>"}
)

const (
	stepMMenu   = "m_menu"
	stepMQty    = "m_qty"
	stepMDue    = "m_due"
	stepMCancel = "m_cancel"
	stepMReason = "m_reason"
)

// maxChangeReason bounds the reason a cadre gives for changing a pledge.
const maxChangeReason = 200

// changeDraft is a pledge being changed by its pledger or a cadre.
type changeDraft struct {
	Pledge int64  `json:"pledge"`
	Code   string `json:"code"`
	// Cadre is set when a cadre is changing someone's pledge: the change
	// waits for a reason, and the pledger is told.
	Cadre bool `json:"cadre,omitempty"`
	// Version is the pledge as shown (see pledgeVersion): a change made
	// meanwhile makes the question stale.
	Version string `json:"version"`
	// Op is the change waiting for the cadre's reason (qty, due, cancel)
	// and Value its new value (a quantity, or days since the Unix epoch).
	Op    string `json:"op,omitempty"`
	Value int64  `json:"value,omitempty"`
}

// change is the pledge change under way, begun if none is.
func (tr *turn) change() *changeDraft {
	if tr.state.Change == nil {
		tr.state.Change = &changeDraft{}
	}
	return tr.state.Change
}

// pledgeVersion fingerprints what may change under a conversation: a
// button shown before a receipt or another change is refused.
func pledgeVersion(p danvan.Pledge) string {
	return fmt.Sprintf("%d|%s|%t|%d", p.Quantity, p.Due.Format("2006-01-02"), p.Cancelled, p.Received)
}

// mayChangePledge checks the person may change the pledge, saying why not.
func (tr *turn) mayChangePledge(l danvan.PledgeLine, cadre bool) (bool, error) {
	p := l.Pledge
	if cadre {
		c, err := tr.st.Campaign(tr.ctx, p.CampaignID)
		if err != nil {
			return false, err
		}
		if !tr.mayRun(c) {
			return false, nil
		}
	} else if p.PersonID != tr.person.ID {
		tr.state.reset()
		tr.say(t(tr.lang, msgMNotYours, esc(p.Code)))
		return false, nil
	} else {
		// A closed campaign's figures are what was reported; only its
		// cadres may still correct them.
		c, err := tr.st.Campaign(tr.ctx, p.CampaignID)
		if err != nil {
			return false, err
		}
		if !c.OpenOn(tr.today()) {
			tr.state.reset()
			tr.say(t(tr.lang, msgMCampaignClosed, esc(p.Code), esc(c.Title)))
			return false, nil
		}
	}
	if p.Cancelled {
		tr.state.reset()
		tr.say(t(tr.lang, msgMIsCancelled, esc(p.Code)))
		return false, nil
	}
	if !cadre && p.Received != 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgMOnlyCadre, esc(p.Code), esc(tr.quantity(l.Target, p.Received))))
		return false, nil
	}
	return true, nil
}

func (tr *turn) openPledge(args string, cadre bool) error {
	first, _, _ := strings.Cut(strings.TrimSpace(args), " ")
	code, valid := cleanCode(first)
	if code == "" {
		if cadre {
			tr.say(t(tr.lang, msgMEditUsage))
		} else {
			tr.say(t(tr.lang, msgMUsage))
		}
		return nil
	}
	if cadre {
		// Only staff may learn whether a code exists.
		gs, err := tr.grants()
		if err != nil {
			return err
		}
		if len(gs.Units(danvan.RoleCadre)) == 0 && !gs.Admin() {
			tr.say(t(tr.lang, msgKNotCadre))
			return nil
		}
	}
	if !valid {
		tr.say(t(tr.lang, msgMNotFound, esc(truncate(code, 8))))
		return nil
	}
	l, err := tr.st.PledgeToChange(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgMNotFound, esc(code)))
		return nil
	}
	if err != nil {
		return err
	}
	if ok, err := tr.mayChangePledge(l, cadre); err != nil || !ok {
		return err
	}
	tr.state.Change = &changeDraft{Pledge: l.Pledge.ID, Code: l.Pledge.Code, Version: pledgeVersion(l.Pledge), Cadre: cadre}
	tr.ask(stepMMenu, tr.describePledge(l), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{
			{{Text: t(tr.lang, msgMChangeQty), Data: buttonData(seq, "mq", l.Pledge.ID)}, {Text: t(tr.lang, msgMChangeDue), Data: buttonData(seq, "md", l.Pledge.ID)}},
			{{Text: t(tr.lang, msgMCancel), Data: buttonData(seq, "mc", l.Pledge.ID)}, {Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}},
		}
	})
	return nil
}

func (tr *turn) describePledge(l danvan.PledgeLine) string {
	p := l.Pledge
	status := catalog.StatusName(tr.lang, p.Status(tr.today()))
	if !p.Due.IsZero() {
		status += t(tr.lang, msgDue, showDate(p.Due))
	}
	received := ""
	if p.Received != 0 {
		received = t(tr.lang, msgMReceived, esc(tr.quantity(l.Target, p.Received)))
	}
	return t(tr.lang, msgMShow, esc(p.Code), esc(l.CampaignTitle),
		esc(tr.quantity(l.Target, p.Quantity)+" · "+tr.targetName(l.Target)), status, received)
}

// heldPledge re-reads the pledge the conversation is about, locked, and
// checks again that the person may change it and that it has not changed
// since it was shown.
func (tr *turn) heldPledge(id int64) (danvan.PledgeLine, bool, error) {
	code := tr.change().Code
	if id != 0 && id != tr.change().Pledge || code == "" {
		tr.state.reset()
		return danvan.PledgeLine{}, false, tr.staleButton()
	}
	l, err := tr.st.PledgeToChange(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.state.reset()
		return l, false, tr.staleButton()
	}
	if err != nil {
		return l, false, err
	}
	if ok, err := tr.mayChangePledge(l, tr.change().Cadre); err != nil || !ok {
		return l, false, err
	}
	if pledgeVersion(l.Pledge) != tr.change().Version {
		tr.state.reset()
		tr.notice(t(tr.lang, msgButtonExpired))
		tr.say(t(tr.lang, msgMChanged, esc(l.Pledge.Code)))
		return l, false, nil
	}
	return l, true, nil
}

func (tr *turn) pledgeAskQty(id int64) error {
	if tr.state.Step != stepMMenu || id == 0 {
		return tr.staleButton()
	}
	l, ok, err := tr.heldPledge(id)
	if err != nil || !ok {
		return err
	}
	tr.settle(tr.describePledge(l), t(tr.lang, msgMChangeQty))
	tr.prompt(stepMQty, t(tr.lang, msgMAskQty, esc(tr.quantity(l.Target, l.Pledge.Quantity)), t(tr.lang, examples[l.Target.Kind])))
	return nil
}

func (tr *turn) pledgeAskDue(id int64) error {
	if tr.state.Step != stepMMenu || id == 0 {
		return tr.staleButton()
	}
	l, ok, err := tr.heldPledge(id)
	if err != nil || !ok {
		return err
	}
	tr.settle(tr.describePledge(l), t(tr.lang, msgMChangeDue))
	tr.prompt(stepMDue, t(tr.lang, msgMAskDue))
	return nil
}

func (tr *turn) pledgeAskCancel(id int64) error {
	if tr.state.Step != stepMMenu || id == 0 {
		return tr.staleButton()
	}
	l, ok, err := tr.heldPledge(id)
	if err != nil || !ok {
		return err
	}
	tr.settle(tr.describePledge(l), t(tr.lang, msgMCancel))
	if l.Pledge.Received != 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgMCannotCancel, esc(l.Pledge.Code), esc(tr.quantity(l.Target, l.Pledge.Received))))
		return nil
	}
	if tr.change().Cadre {
		tr.change().Op = "cancel"
		tr.prompt(stepMReason, t(tr.lang, msgMAskReason))
		return nil
	}
	tr.ask(stepMCancel, t(tr.lang, msgMAskCancel, esc(l.Pledge.Code), esc(tr.quantity(l.Target, l.Pledge.Quantity))), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{
			{Text: t(tr.lang, msgMCancelYes), Data: buttonData(seq, "my", l.Pledge.ID)},
			{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)},
		}}
	})
	return nil
}

func (tr *turn) pledgeConfirmCancel(id int64) error {
	if tr.state.Step != stepMCancel || id == 0 {
		return tr.staleButton()
	}
	l, ok, err := tr.heldPledge(id)
	if err != nil || !ok {
		return err
	}
	tr.settle(t(tr.lang, msgMAskCancel, esc(l.Pledge.Code), esc(tr.quantity(l.Target, l.Pledge.Quantity))), t(tr.lang, msgMCancelYes))
	return tr.applyPledgeChange(l, "cancel", 0, "")
}

func (tr *turn) pledgeTypedQty(s string) error {
	l, ok, err := tr.heldPledge(0)
	if err != nil || !ok {
		return err
	}
	p, err := danvan.ParseQuantity(s, l.Target.Kind, tr.e.limits)
	if err != nil {
		tr.say(tr.quantityProblem(err) + t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[l.Target.Kind])))
		return nil
	}
	if p.Kind != l.Target.Kind {
		tr.say(t(tr.lang, msgWrongKind, tr.kindName(l.Target.Kind), tr.kindName(p.Kind)) + t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[l.Target.Kind])))
		return nil
	}
	if p.Value < l.Pledge.Received {
		tr.say(t(tr.lang, msgMBelowReceived, esc(tr.quantity(l.Target, l.Pledge.Received))))
		return nil
	}
	if p.Value == l.Pledge.Quantity {
		tr.state.reset()
		tr.say(t(tr.lang, msgMSame))
		return nil
	}
	return tr.reasonOrApply(l, "qty", int64(p.Value))
}

func (tr *turn) pledgeTypedDue(s string) error {
	l, ok, err := tr.heldPledge(0)
	if err != nil || !ok {
		return err
	}
	day, ok := tr.readDue(s)
	if !ok {
		return nil
	}
	var due int64 // days since the Unix epoch; 0 for none
	if !day.IsZero() {
		due = epochDay(day)
	}
	return tr.reasonOrApply(l, "due", due)
}

// reasonOrApply applies the pledger's own change now; a cadre's waits for
// the reason.
func (tr *turn) reasonOrApply(l danvan.PledgeLine, op string, value int64) error {
	if !tr.change().Cadre {
		return tr.applyPledgeChange(l, op, value, "")
	}
	tr.change().Op, tr.change().Value = op, value
	tr.prompt(stepMReason, t(tr.lang, msgMAskReason))
	return nil
}

func (tr *turn) pledgeTypedReason(s string) error {
	reason, ok := cleanText(s, maxChangeReason)
	if !ok {
		tr.say(t(tr.lang, msgMBadReason, maxChangeReason))
		return nil
	}
	l, ok, err := tr.heldPledge(0)
	if err != nil || !ok {
		return err
	}
	return tr.applyPledgeChange(l, tr.change().Op, tr.change().Value, reason)
}

// applyPledgeChange stores one change to a held pledge and audits it.
func (tr *turn) applyPledgeChange(l danvan.PledgeLine, op string, value int64, reason string) error {
	before, after := l.Pledge, l.Pledge
	action := "changed"
	switch op {
	case "qty":
		if danvan.Quantity(value) < after.Received || value <= 0 {
			tr.state.reset()
			tr.say(t(tr.lang, msgMBelowReceived, esc(tr.quantity(l.Target, after.Received))))
			return nil
		}
		after.Quantity = danvan.Quantity(value)
	case "due":
		after.Due = dayOfEpoch(value) // 0: no date of its own
	case "cancel":
		if after.Received != 0 {
			tr.state.reset()
			tr.say(t(tr.lang, msgMCannotCancel, esc(after.Code), esc(tr.quantity(l.Target, after.Received))))
			return nil
		}
		after.Cancelled, action = true, "cancelled"
	default:
		tr.state.reset()
		tr.say(t(tr.lang, msgCancelled))
		return nil
	}
	if err := tr.st.UpdatePledgeTerms(tr.ctx, after, reason); err != nil {
		return err
	}
	record := struct {
		danvan.Pledge
		Reason string `json:",omitempty"`
	}{after, reason}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "pledge", after.ID, after.CampaignID, action, before, record); err != nil {
		return err
	}
	tr.state.reset()
	if after.Due.IsZero() {
		// Without a date of its own it is due when its campaign ends.
		c, err := tr.st.Campaign(tr.ctx, after.CampaignID)
		if err != nil {
			return err
		}
		after.Due = dateOnly(c.Ends)
	}
	status := catalog.StatusName(tr.lang, after.Status(tr.today()))
	if !after.Due.IsZero() {
		status += t(tr.lang, msgDue, showDate(after.Due))
	}
	tr.say(t(tr.lang, msgMDone, esc(after.Code), esc(tr.quantity(l.Target, after.Quantity)), status))
	if after.PersonID == tr.person.ID {
		return nil
	}
	// A cadre changed someone's pledge: they hear it from the bot, with
	// the reason, rather than finding a different figure later.
	_, who, err := tr.st.LockPledge(tr.ctx, after.ID, "")
	if err != nil || who.ChatID == 0 {
		return err
	}
	wl := lang(who.Lang)
	now := catalog.StatusName(wl, after.Status(tr.today()))
	if !after.Due.IsZero() {
		now += t(wl, msgDue, showDate(after.Due))
	}
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: who.ChatID,
		Text: t(wl, msgMChangedNotice, esc(after.Code), esc(l.CampaignTitle), esc(quantityIn(wl, l.Target, after.Quantity)), now, esc(reason))})
	return nil
}
