package flows

import (
	"errors"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
)

// "I have paid": a resident claims a payment on their own pledge; the heads
// of their zone and the unit's treasurers are told, and one of them accepts
// it (recording the receipt, as /confirm does) or rejects it.
//
// The people told are in other chats, whose conversations are their own:
// they decide with buttons that belong to no conversation (global actions)
// or by command (/accept ID, /reject ID), and everything is checked against
// the database when they do: the claim, its status and their role.

func claimsConversation(c *conversation) {
	c.commands(
		&command{names: []string{"paid", "danop"}, private: (*turn).paid},
		&command{names: []string{"accept", "chapnhan"}, private: func(tr *turn, args string) error {
			_, err := tr.decideClaim(args, true)
			return err
		}},
		&command{names: []string{"reject", "tuchoi"}, private: func(tr *turn, args string) error {
			_, err := tr.decideClaim(args, false)
			return err
		}},
	)
	c.globalActions(map[string]func(*turn, int64) error{
		"rca": func(tr *turn, id int64) error { return tr.decideClaimButton(id, true) },
		"rcr": func(tr *turn, id int64) error { return tr.decideClaimButton(id, false) },
	})
}

// decideClaimButton decides a claim from the buttons of its notice, then
// takes the buttons off the notice and says under it how the claim now
// stands, whoever decided it: a notice shows what happened, not which
// button was pressed. A claim still waiting (the presser was refused)
// keeps its buttons.
func (tr *turn) decideClaimButton(id int64, accept bool) error {
	status, err := tr.decideClaim(strconv.FormatInt(id, 10), accept)
	if err != nil {
		return err
	}
	var outcome msg
	switch status {
	case claimAccepted:
		outcome = msgClaimAcceptedOutcome
	case claimRejected:
		outcome = msgClaimRejectedOutcome
	default:
		return nil
	}
	tr.conclude(t(tr.lang, msgClaimNoticeDone, id), t(tr.lang, outcome))
	return nil
}

// A payment claim's status, as stored.
const (
	claimPending  = "pending"
	claimAccepted = "accepted"
	claimRejected = "rejected"
)

// paid is /paid CODE [QUANTITY]: the quantity defaults to what is still
// open.
func (tr *turn) paid(args string) error {
	pc, qty, ok, err := tr.pledgeFromArgs(args, msgClaimUsage)
	if err != nil || !ok {
		return err
	}
	if pc.p.PersonID != tr.person.ID {
		// Someone else's pledge is answered as if it did not exist.
		tr.say(t(tr.lang, msgRcUnknownPledge, esc(pc.p.Code)))
		return nil
	}
	switch {
	case pc.p.Cancelled:
		tr.say(t(tr.lang, msgRcCancelled, esc(pc.p.Code)))
		return nil
	case pc.open() <= 0:
		tr.say(t(tr.lang, msgRcAlreadyFull, esc(pc.p.Code)))
		return nil
	}
	pending, err := tr.st.PendingClaim(tr.ctx, pc.p.ID)
	if err != nil {
		return err
	}
	if pending != 0 {
		tr.say(t(tr.lang, msgClaimPending, esc(pc.p.Code)))
		return nil
	}
	q := pc.open()
	if qty = strings.TrimSpace(qty); qty != "" {
		if q, ok = tr.receiptQuantity(pc.tg, qty); !ok {
			return nil
		}
		if q > pc.open() {
			tr.say(t(tr.lang, msgClaimTooMuch, esc(tr.quantity(pc.tg, pc.open())), esc(pc.p.Code)))
			return nil
		}
	}
	id, err := tr.st.CreateClaim(tr.ctx, pc.p.ID, q, tr.person.ID)
	if err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "claim", id, pc.c.ID, "created", nil,
		map[string]any{"pledge": pc.p.ID, "quantity": q}); err != nil {
		return err
	}
	recorders, err := tr.st.Recorders(tr.ctx, pc.c.UnitID, pc.who.HomeAreaID)
	if err != nil {
		return err
	}
	told := 0
	for _, r := range recorders {
		if r.ID == tr.person.ID {
			continue
		}
		l := lang(r.Lang)
		tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: r.ChatID,
			Text: t(l, msgClaimNotice, esc(pc.who.Name), esc(quantityIn(l, pc.tg, q)), esc(pc.p.Code), esc(pc.c.Title), id, id),
			Buttons: [][]danvan.Button{{
				globalButton(t(l, msgClaimAcceptButton), "rca", id),
				globalButton(t(l, msgClaimRejectButton), "rcr", id),
			}}})
		told++
	}
	if told == 0 {
		tr.say(t(tr.lang, msgClaimNobody, esc(tr.quantity(pc.tg, q)), esc(pc.p.Code)))
		return nil
	}
	tr.say(t(tr.lang, msgClaimSent, esc(tr.quantity(pc.tg, q)), esc(pc.p.Code)))
	return nil
}

// decideClaim is /accept ID and /reject ID. It reports the claim's status
// once the person acted ("" when they may not know it: no such claim, or
// not theirs to decide).
func (tr *turn) decideClaim(args string, accept bool) (string, error) {
	gs, ok, err := tr.recorderGrants()
	if err != nil || !ok {
		return "", err
	}
	arg, _, _ := strings.Cut(args, " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
	if err != nil || id <= 0 {
		tr.say(t(tr.lang, msgClaimDecideUsage))
		return "", nil
	}
	pledgeID, q, status, err := tr.st.LockClaim(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgClaimUnknown, id))
		return "", nil
	}
	if err != nil {
		return "", err
	}
	pc, ok, err := tr.lockPledge(pledgeID, "")
	if err != nil || !ok {
		return "", err
	}
	if !gs.MayRecordReceipt(pc.c.UnitID, pc.who.HomeAreaID) {
		tr.say(t(tr.lang, msgRcOutsideScope, esc(pc.p.Code)))
		return "", nil
	}
	if status != claimPending {
		tr.say(t(tr.lang, msgClaimDecided, id))
		return status, nil
	}
	if !accept {
		if err := tr.st.DecideClaim(tr.ctx, id, claimRejected, tr.person.ID, 0); err != nil {
			return "", err
		}
		if err := tr.st.Audit(tr.ctx, tr.person.ID, "claim", id, pc.c.ID, "rejected",
			map[string]any{"status": claimPending}, map[string]any{"status": claimRejected}); err != nil {
			return "", err
		}
		tr.say(t(tr.lang, msgClaimRejected, id, esc(pc.p.Code)))
		if pc.who.ChatID != 0 && pc.who.ID != tr.person.ID {
			l := lang(pc.who.Lang)
			tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: pc.who.ChatID,
				Text: t(l, msgClaimRejectedNotice, esc(quantityIn(l, pc.tg, q)), esc(pc.p.Code))})
		}
		return claimRejected, nil
	}
	if pc.p.Cancelled {
		tr.say(t(tr.lang, msgRcCancelled, esc(pc.p.Code)))
		return status, nil
	}
	if q > pc.open() {
		// Someone recorded a receipt since the claim was made: accepting
		// it now could count the same money twice.
		tr.say(t(tr.lang, msgClaimExceeds, id, esc(tr.quantity(pc.tg, q)), esc(tr.quantity(pc.tg, max(pc.open(), 0))), esc(pc.p.Code), id))
		return status, nil
	}
	r, err := tr.recordReceipt(pc, q)
	if err != nil {
		return "", err
	}
	if err := tr.st.DecideClaim(tr.ctx, id, claimAccepted, tr.person.ID, r.ID); err != nil {
		return "", err
	}
	return claimAccepted, tr.st.Audit(tr.ctx, tr.person.ID, "claim", id, pc.c.ID, "accepted",
		map[string]any{"status": claimPending}, map[string]any{"status": claimAccepted, "receipt": r.ID})
}

var (
	msgClaimAcceptButton    = msg{"✅ Đã nhận", "✅ Received"}
	msgClaimRejectButton    = msg{"✖ Chưa nhận", "✖ Not received"}
	msgClaimNoticeDone      = msg{"Báo nộp số %d", "Payment claim %d"}
	msgClaimAcceptedOutcome = msg{"→ <b>✅ Đã chấp nhận và ghi nhận</b>", "→ <b>✅ Accepted and recorded</b>"}
	msgClaimRejectedOutcome = msg{"→ <b>✖ Đã từ chối: chưa nhận</b>", "→ <b>✖ Rejected: not received</b>"}
)

var (
	msgClaimUsage = msg{
		"Cú pháp: <code>/danop MÃ [SỐ_LƯỢNG]</code>, ví dụ <code>/danop K7Q2</code>. Gõ /cuatoi để xem mã các khoản của bạn.",
		"Usage: <code>/paid CODE [AMOUNT]</code>, e.g. <code>/paid K7Q2</code>. Send /mypledges to see your codes.",
	}
	msgClaimPending = msg{
		"Khoản <b>#%s</b> đã có một báo nộp đang chờ xác nhận.",
		"You already said you paid <b>#%s</b>; it is waiting to be confirmed.",
	}
	msgClaimTooMuch = msg{
		"Khoản này chỉ còn %s chưa nộp (<b>#%s</b>).",
		"Only %s is still open on <b>#%s</b>.",
	}
	msgClaimNotice = msg{
		"%s báo đã nộp <b>%s</b> cho khoản <b>#%s</b> (%s).\nGõ <code>/chapnhan %d</code> để xác nhận đã nhận, hoặc <code>/tuchoi %d</code> nếu chưa nhận.",
		"%s says they paid <b>%s</b> for <b>#%s</b> (%s).\nSend <code>/accept %d</code> to confirm it was received, or <code>/reject %d</code> if not.",
	}
	msgClaimNobody = msg{
		"Đã ghi nhận bạn báo nộp %s cho khoản <b>#%s</b>, nhưng chưa có ai phụ trách để xác nhận. Hãy báo trưởng khu.",
		"Your payment of %s for <b>#%s</b> is noted, but nobody is set up to confirm it yet. Please tell your zone head.",
	}
	msgClaimSent = msg{
		"Đã báo trưởng khu và thủ quỹ: bạn đã nộp %s cho khoản <b>#%s</b>. Bot sẽ nhắn khi có xác nhận.",
		"The zone head and treasurer are told you paid %s for <b>#%s</b>. I will let you know when they confirm.",
	}
	msgClaimDecideUsage = msg{
		"Cú pháp: <code>/chapnhan SỐ</code> hoặc <code>/tuchoi SỐ</code>, theo số trong tin nhắn báo nộp.",
		"Usage: <code>/accept NUMBER</code> or <code>/reject NUMBER</code>, with the number from the payment message.",
	}
	msgClaimUnknown  = msg{"Không có báo nộp số %d.", "There is no payment claim %d."}
	msgClaimDecided  = msg{"Báo nộp số %d đã được xử lý rồi.", "Payment claim %d was already decided."}
	msgClaimRejected = msg{
		"Đã từ chối báo nộp số %d (khoản <b>#%s</b>).",
		"Payment claim %d (<b>#%s</b>) is rejected.",
	}
	msgClaimRejectedNotice = msg{
		"Báo nộp %s cho khoản <b>#%s</b> chưa được xác nhận. Hãy liên hệ trưởng khu hoặc thủ quỹ.",
		"Your payment of %s for <b>#%s</b> was not confirmed. Please contact your zone head or the treasurer.",
	}
	msgClaimExceeds = msg{
		"Báo nộp số %d (%s) nhiều hơn phần còn lại (%s) của khoản <b>#%s</b>: có thể đã được ghi nhận rồi. Dùng /xacnhan để ghi số khác, hoặc <code>/tuchoi %d</code>.",
		"Payment claim %d (%s) is more than what is open (%s) on <b>#%s</b>: it may have been recorded already. Use /confirm for another amount, or <code>/reject %d</code>.",
	}
)
