package flows

import (
	"errors"
	"regexp"
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/internal/catalog"
)

// Receipts: heads (for people of their zones), treasurers (for their
// unit's campaigns) and admins record what was received against a pledge,
// correct it with a reversing entry, and record gifts without a pledge.
// Authority is read from the database at every step, including every
// button press: a button only says which pledge, never who may act.

const (
	stepReceiptPick   = "r_pick"   // choosing an open pledge from the list
	stepReceiptQty    = "r_qty"    // how much was received
	stepReceiptOver   = "r_over"   // confirming a receipt above what is open
	stepReceiptPhoto  = "r_photo"  // an optional photo of the receipt just recorded
	stepCorrectPick   = "r_corr"   // choosing the receipt to reverse
	stepCorrectReason = "r_reason" // why it is reversed
)

// openPledgesShown bounds the list of open pledges offered as buttons.
const openPledgesShown = 20

// maxReason and maxName bound text people type into the ledger.
const (
	maxReason = 300
	maxName   = 100
)

var pledgeCode = regexp.MustCompile(`^[A-Z0-9]{4,8}$`)

// cleanCode reads a pledge code as people type it: "#k7q2", "K7Q2".
func cleanCode(s string) (string, bool) {
	code := strings.ToUpper(strings.TrimPrefix(strings.TrimSpace(s), "#"))
	return code, pledgeCode.MatchString(code)
}

func receiptsConversation(c *conversation) {
	c.commands(
		&command{names: []string{"confirm", "xacnhan"}, private: (*turn).confirmReceipt},
		&command{names: []string{"correct", "dieuchinh"}, private: (*turn).correctReceipt},
		&command{names: []string{"gift", "tang"}, private: (*turn).gift},
	)
	c.actions(map[string]action{
		"rp": on((*turn).pickOpenPledge, stepReceiptPick),
		"ra": on((*turn).receiveAllOpen, stepReceiptQty),
		"ry": on((*turn).receiveOver, stepReceiptOver),
		"rs": on((*turn).skipPhoto, stepReceiptPhoto),
		"rc": on((*turn).pickCorrection, stepCorrectPick),
	})
	c.textStep(stepReceiptQty, (*turn).typedReceiptQuantity)
	c.textStep(stepCorrectReason, (*turn).typedReason)
	c.textStep(stepReceiptPhoto, func(tr *turn, _ string) error {
		tr.say(t(tr.lang, msgRcPhotoOrSkip))
		return nil
	})
	c.photoStep(stepReceiptPhoto, (*turn).receiptPhoto)
}

// recorderGrants are the roles of a person about to record or decide a
// receipt; ok is false, and they were told so (and their conversation
// ended), when they hold none that records.
func (tr *turn) recorderGrants() (gs danvan.Grants, ok bool, err error) {
	if gs, err = tr.grants(); err != nil {
		return nil, false, err
	}
	if !recorder(gs) {
		tr.state.reset()
		tr.say(t(tr.lang, msgRcNoRole))
		return gs, false, nil
	}
	return gs, true, nil
}

// recorder reports whether the person holds any role that records
// receipts, so that people without one are told so before anything about
// a pledge is revealed.
func recorder(gs danvan.Grants) bool {
	return gs.Admin() || len(gs.Zones()) > 0 || len(gs.Units(danvan.RoleTreasurer)) > 0
}

// pledgeCase is a locked pledge with everything a receipt needs.
type pledgeCase struct {
	p   danvan.Pledge
	who danvan.Person // who pledged
	c   danvan.Campaign
	tg  danvan.Target
}

func (pc pledgeCase) open() danvan.Quantity { return pc.p.Quantity - pc.p.Received }

// pledgeFromArgs reads "CODE rest…", telling the person the usage when the
// code is missing or malformed, and locks the pledge it names; ok is false
// when the person was told why not.
func (tr *turn) pledgeFromArgs(args string, usage msg) (pc pledgeCase, rest string, ok bool, err error) {
	codeArg, rest, _ := strings.Cut(args, " ")
	code, valid := cleanCode(codeArg)
	if !valid {
		tr.say(t(tr.lang, usage))
		return pc, rest, false, nil
	}
	pc, ok, err = tr.lockPledge(0, code)
	return pc, rest, ok, err
}

// lockPledge reads and locks a pledge by id or code with its campaign and
// target; ok is false, and the person was told, when there is no such
// pledge.
func (tr *turn) lockPledge(id int64, code string) (pledgeCase, bool, error) {
	var pc pledgeCase
	var err error
	pc.p, pc.who, err = tr.st.LockPledge(tr.ctx, id, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.state.reset()
		tr.say(t(tr.lang, msgRcUnknownPledge, esc(truncate(code, 8))))
		return pc, false, nil
	}
	if err != nil {
		return pc, false, err
	}
	if pc.c, err = tr.st.Campaign(tr.ctx, pc.p.CampaignID); err != nil {
		return pc, false, err
	}
	for _, tg := range pc.c.Targets {
		if tg.ID == pc.p.TargetID {
			pc.tg = tg
		}
	}
	return pc, true, nil
}

// lockForReceipt locks a pledge the person is about to record a receipt
// for and checks, against the stored roles, that they may: ok is false,
// and the person was told why, otherwise.
func (tr *turn) lockForReceipt(id int64, code string) (pledgeCase, bool, error) {
	gs, ok, err := tr.recorderGrants()
	if err != nil || !ok {
		return pledgeCase{}, false, err
	}
	pc, ok, err := tr.lockPledge(id, code)
	if err != nil || !ok {
		return pc, false, err
	}
	if !gs.MayRecordReceipt(pc.c.UnitID, pc.who.HomeAreaID) {
		tr.state.reset()
		tr.say(t(tr.lang, msgRcOutsideScope, esc(pc.p.Code)))
		return pc, false, nil
	}
	if pc.p.Cancelled {
		tr.state.reset()
		tr.say(t(tr.lang, msgRcCancelled, esc(pc.p.Code)))
		return pc, false, nil
	}
	return pc, true, nil
}

// confirmReceipt is /confirm CODE [QUANTITY]; without arguments it lists
// the open pledges the person may record.
func (tr *turn) confirmReceipt(args string) error {
	if args == "" {
		return tr.listOpenPledges()
	}
	codeArg, qty, _ := strings.Cut(args, " ")
	code, valid := cleanCode(codeArg)
	if !valid {
		if _, ok, err := tr.recorderGrants(); err != nil || !ok {
			return err
		}
		tr.say(t(tr.lang, msgRcUnknownPledge, esc(truncate(codeArg, 8))) + t(tr.lang, msgRcConfirmUsage))
		return nil
	}
	pc, ok, err := tr.lockForReceipt(0, code)
	if err != nil || !ok {
		return err
	}
	qty = strings.TrimSpace(qty)
	if qty == "" {
		if pc.open() <= 0 {
			tr.say(t(tr.lang, msgRcAlreadyFull, esc(pc.p.Code)))
			return nil
		}
		_, err := tr.recordReceipt(pc, pc.open())
		return err
	}
	q, ok := tr.receiptQuantity(pc.tg, qty)
	if !ok {
		return nil
	}
	return tr.receiveOrAsk(pc, q)
}

// receiptQuantity reads a typed quantity for target tg, explaining a
// refusal to the person.
func (tr *turn) receiptQuantity(tg danvan.Target, s string) (danvan.Quantity, bool) {
	p, err := danvan.ParseQuantity(s, tg.Kind, tr.e.limits)
	if err != nil {
		tr.say(tr.quantityProblem(err) + t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[tg.Kind])))
		return 0, false
	}
	if p.Kind != tg.Kind {
		tr.say(t(tr.lang, msgWrongKind, tr.kindName(tg.Kind), tr.kindName(p.Kind)) + t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[tg.Kind])))
		return 0, false
	}
	return p.Value, true
}

// receiveOrAsk records q, or first asks when q is more than is open.
func (tr *turn) receiveOrAsk(pc pledgeCase, q danvan.Quantity) error {
	if q <= pc.open() {
		_, err := tr.recordReceipt(pc, q)
		return err
	}
	open := max(pc.open(), 0)
	tr.state = State{Seq: tr.state.Seq, Receipt: &receiptDraft{Pledge: pc.p.ID, Quantity: int64(q), Received: int64(pc.p.Received)}}
	tr.ask(stepReceiptOver, t(tr.lang, msgRcOver, esc(tr.quantity(pc.tg, q)), esc(pc.p.Code), esc(tr.quantity(pc.tg, open))),
		func(seq int) [][]danvan.Button {
			return [][]danvan.Button{
				{{Text: t(tr.lang, msgRcRecordAnyway), Data: buttonData(seq, "ry", pc.p.ID)}},
				{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}},
			}
		})
	return nil
}

// unchanged reports whether the pledge's received total is still what the
// conversation saw when it asked; otherwise the person is told to look
// again, since someone else recorded in between.
func (tr *turn) unchanged(pc pledgeCase) bool {
	if tr.receipt().Received == int64(pc.p.Received) {
		return true
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgRcChanged, esc(pc.p.Code), esc(tr.quantity(pc.tg, pc.p.Received)), esc(tr.quantity(pc.tg, pc.p.Quantity))))
	return false
}

// receiveOver records, once confirmed, a receipt above what is open on the
// pledge the question was about (id).
func (tr *turn) receiveOver(id int64) error {
	d := tr.receipt()
	if tr.state.Step != stepReceiptOver || d.Quantity <= 0 || id != d.Pledge {
		return tr.staleButton()
	}
	pc, ok, err := tr.lockForReceipt(d.Pledge, "")
	if err != nil || !ok {
		return err
	}
	if !tr.unchanged(pc) {
		return nil
	}
	q := danvan.Quantity(d.Quantity)
	tr.settle(t(tr.lang, msgRcOver, esc(tr.quantity(pc.tg, q)), esc(pc.p.Code), esc(tr.quantity(pc.tg, max(pc.open(), 0)))), t(tr.lang, msgRcRecordAnyway))
	_, err = tr.recordReceipt(pc, q)
	return err
}

// recordReceipt appends a receipt of q against the locked pledge, tells the
// pledger, and offers to attach a photo.
func (tr *turn) recordReceipt(pc pledgeCase, q danvan.Quantity) (danvan.Receipt, error) {
	r, after, err := tr.appendReceipt(pc, q, danvan.DefaultMethod(pc.tg.Kind))
	if err != nil {
		return r, err
	}
	status := catalog.StatusName(tr.lang, after.Status(tr.today()))
	text := t(tr.lang, msgRcRecorded, esc(tr.quantity(pc.tg, q)), esc(pc.p.Code), esc(pc.who.Name),
		esc(tr.quantity(pc.tg, after.Received)), esc(tr.quantity(pc.tg, after.Quantity)), status)
	tr.askPhoto(r.ID, text)
	return r, nil
}

// appendReceipt appends a receipt of q against the locked pledge, with its
// audit entries, and thanks the pledger; after is the pledge with it.
func (tr *turn) appendReceipt(pc pledgeCase, q danvan.Quantity, method danvan.ReceiptMethod) (r danvan.Receipt, after danvan.Pledge, err error) {
	r = danvan.Receipt{PledgeID: pc.p.ID, CampaignID: pc.c.ID, TargetID: pc.tg.ID, Quantity: q,
		Method: method, RecordedBy: tr.person.ID}
	if err := tr.st.AddReceipt(tr.ctx, &r); err != nil {
		return r, after, err
	}
	after = pc.p
	after.Received += q
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "receipt", r.ID, pc.c.ID, "created", nil, r); err != nil {
		return r, after, err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "pledge", pc.p.ID, pc.c.ID, "received",
		map[string]any{"received": pc.p.Received}, map[string]any{"received": after.Received, "receipt": r.ID, "code": pc.p.Code, "target_id": pc.p.TargetID}); err != nil {
		return r, after, err
	}
	if pc.who.ChatID != 0 && pc.who.ID != tr.person.ID {
		l := lang(pc.who.Lang)
		tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: pc.who.ChatID,
			Text: t(l, msgRcThanks, esc(quantityIn(l, pc.tg, q)), esc(pc.p.Code), esc(pc.c.Title))})
	}
	return r, after, nil
}

// askPhoto ends a recording with an offer to attach a photo of the receipt.
func (tr *turn) askPhoto(receiptID int64, text string) {
	tr.state = State{Seq: tr.state.Seq, Receipt: &receiptDraft{Receipt: receiptID}}
	tr.ask(stepReceiptPhoto, text+t(tr.lang, msgRcAskPhoto), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{{Text: t(tr.lang, msgRcSkipPhoto), Data: buttonData(seq, "rs", receiptID)}}}
	})
}

func (tr *turn) receiptPhoto(photoID string) error {
	id := tr.receipt().Receipt
	if id == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgNotUnderstood))
		return nil
	}
	if err := tr.st.AddReceiptPhoto(tr.ctx, id, photoID, tr.person.ID); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "receipt", id, 0, "photo", nil, map[string]any{"photo": photoID}); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgRcPhotoSaved, id))
	return nil
}

func (tr *turn) skipPhoto(id int64) error {
	if tr.state.Step != stepReceiptPhoto || id != tr.receipt().Receipt {
		return tr.staleButton()
	}
	tr.conclude(t(tr.lang, msgRcNoPhoto, id), t(tr.lang, msgChosen, t(tr.lang, msgRcSkipPhoto)))
	tr.state.reset()
	return nil
}

// quantityIn formats q of target tg in language l, for someone other than
// the person acting.
func quantityIn(l string, tg danvan.Target, q danvan.Quantity) string {
	return catalog.Quantity(l, tg, q)
}

// listOpenPledges offers the open pledges the person may record, newest
// first.
func (tr *turn) listOpenPledges() error {
	gs, ok, err := tr.recorderGrants()
	if err != nil || !ok {
		return err
	}
	ls, who, err := tr.st.OpenPledgesFor(tr.ctx, gs.Zones(), gs.Units(danvan.RoleTreasurer), gs.Admin(), openPledgesShown)
	if err != nil {
		return err
	}
	if len(ls) == 0 {
		tr.say(t(tr.lang, msgRcNoOpen))
		return nil
	}
	var b strings.Builder
	b.WriteString(t(tr.lang, msgRcOpenHeader))
	labels := make([]string, len(ls))
	for i, l := range ls {
		open := tr.quantity(l.Target, l.Pledge.Quantity-l.Pledge.Received)
		b.WriteString(t(tr.lang, msgRcOpenLine, esc(l.Pledge.Code), esc(who[i].Name), esc(l.CampaignCode), esc(open)))
		labels[i] = truncate("#"+l.Pledge.Code+" · "+who[i].Name+" · "+open, 48)
	}
	tr.ask(stepReceiptPick, b.String(), func(seq int) [][]danvan.Button {
		rows := make([][]danvan.Button, len(ls))
		for i, l := range ls {
			rows[i] = []danvan.Button{{Text: labels[i], Data: buttonData(seq, "rp", l.Pledge.ID)}}
		}
		return rows
	})
	return nil
}

func (tr *turn) pickOpenPledge(id int64) error {
	if tr.state.Step != stepReceiptPick {
		return tr.staleButton()
	}
	pc, ok, err := tr.lockForReceipt(id, "")
	if err != nil || !ok {
		return err
	}
	if pc.open() <= 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgRcAlreadyFull, esc(pc.p.Code)))
		return nil
	}
	tr.settle(t(tr.lang, msgRcOpenHeader), "#"+pc.p.Code+" · "+pc.who.Name)
	return tr.askReceiptQuantity(pc)
}

func (tr *turn) askReceiptQuantity(pc pledgeCase) error {
	open := pc.open()
	tr.state = State{Seq: tr.state.Seq, Receipt: &receiptDraft{Pledge: pc.p.ID, Quantity: int64(open), Received: int64(pc.p.Received)}}
	text := t(tr.lang, msgRcAskQty, esc(pc.p.Code), esc(pc.who.Name), esc(pc.c.Title), esc(tr.quantity(pc.tg, open))) +
		"\n" + t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[pc.tg.Kind]))
	tr.ask(stepReceiptQty, text, func(seq int) [][]danvan.Button {
		return [][]danvan.Button{
			{{Text: t(tr.lang, msgRcAllOpen, tr.quantity(pc.tg, open)), Data: buttonData(seq, "ra", pc.p.ID)}},
			{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}},
		}
	})
	return nil
}

// receiveAllOpen records what was open on the pledge the question was about
// (id), as the question said it.
func (tr *turn) receiveAllOpen(id int64) error {
	d := tr.receipt()
	if tr.state.Step != stepReceiptQty || id != d.Pledge {
		return tr.staleButton()
	}
	pc, ok, err := tr.lockForReceipt(d.Pledge, "")
	if err != nil || !ok {
		return err
	}
	if !tr.unchanged(pc) {
		return nil
	}
	if danvan.Quantity(d.Quantity) != pc.open() || pc.open() <= 0 {
		// The pledge was changed since the question: its amount is not
		// what the button said.
		return tr.staleButton()
	}
	tr.settle(t(tr.lang, msgRcAskQty, esc(pc.p.Code), esc(pc.who.Name), esc(pc.c.Title), esc(tr.quantity(pc.tg, pc.open()))),
		t(tr.lang, msgRcAllOpen, tr.quantity(pc.tg, pc.open())))
	_, err = tr.recordReceipt(pc, pc.open())
	return err
}

func (tr *turn) typedReceiptQuantity(s string) error {
	pc, ok, err := tr.lockForReceipt(tr.receipt().Pledge, "")
	if err != nil || !ok {
		return err
	}
	q, ok := tr.receiptQuantity(pc.tg, s)
	if !ok {
		return nil // still at this step
	}
	return tr.receiveOrAsk(pc, q)
}

var (
	msgRcNoRole = msg{
		"Chỉ trưởng khu, thủ quỹ hoặc quản trị viên mới ghi nhận được khoản đã nộp.",
		"Only zone heads, treasurers and admins can record what was received.",
	}
	msgRcUnknownPledge = msg{"Không có khoản ủng hộ mã <code>#%s</code>.", "There is no pledge with code <code>#%s</code>."}
	msgRcConfirmUsage  = msg{
		"\nCú pháp: <code>/xacnhan MÃ [SỐ_LƯỢNG]</code>, ví dụ <code>/xacnhan K7Q2 500k</code>. Gõ /xacnhan để xem danh sách.",
		"\nUsage: <code>/confirm CODE [AMOUNT]</code>, e.g. <code>/confirm K7Q2 500k</code>. Send /confirm for a list.",
	}
	msgRcOutsideScope = msg{
		"Khoản <b>#%s</b> không thuộc khu hay đơn vị bạn phụ trách, bạn không ghi nhận được.",
		"The pledge <b>#%s</b> is outside your zones and units: you cannot record it.",
	}
	msgRcCancelled   = msg{"Khoản <b>#%s</b> đã bị hủy.", "The pledge <b>#%s</b> was cancelled."}
	msgRcAlreadyFull = msg{"Khoản <b>#%s</b> đã nộp đủ, không còn gì để ghi nhận.", "The pledge <b>#%s</b> is already fully received."}
	msgRcOver        = msg{
		"Bạn ghi nhận <b>%s</b> cho khoản <b>#%s</b>, nhiều hơn phần còn lại (%s). Vẫn ghi nhận?",
		"You are recording <b>%s</b> for <b>#%s</b>, more than what is open (%s). Record it anyway?",
	}
	msgRcRecordAnyway = msg{"✅ Vẫn ghi nhận", "✅ Record anyway"}
	msgRcChanged      = msg{
		"Khoản <b>#%s</b> vừa được người khác ghi nhận (đã nhận %s / %s). Hãy xem lại rồi làm lại.",
		"Someone else just recorded a receipt for <b>#%s</b> (received %s of %s). Please look again and start over.",
	}
	msgRcRecorded = msg{
		"Đã ghi nhận <b>%s</b> cho khoản <b>#%s</b> của %s. Đã nhận %s / %s · <i>%s</i>.",
		"Recorded <b>%s</b> for <b>#%s</b>, pledged by %s. Received %s of %s · <i>%s</i>.",
	}
	msgRcThanks = msg{
		"Đã nhận <b>%s</b> cho khoản <b>#%s</b> (%s). Xin cảm ơn!",
		"Received <b>%s</b> for <b>#%s</b> (%s). Thank you!",
	}
	msgRcAskPhoto    = msg{"\n\nCó thể gửi ảnh biên lai ngay bây giờ, hoặc bấm Bỏ qua.", "\n\nYou may send a photo of the receipt now, or press Skip."}
	msgRcSkipPhoto   = msg{"Bỏ qua", "Skip"}
	msgRcPhotoOrSkip = msg{"Hãy gửi một ảnh, hoặc bấm Bỏ qua ở tin nhắn trên.", "Please send a photo, or press Skip above."}
	msgRcPhotoSaved  = msg{"Đã lưu ảnh cho biên nhận №%d.", "The photo is saved with receipt №%d."}
	msgRcNoPhoto     = msg{"Biên nhận №%d: không có ảnh.", "Receipt №%d: no photo."}
	msgRcNoOpen      = msg{"Không có khoản nào đang chờ nộp trong phạm vi bạn phụ trách.", "No open pledges in your zones and units."}
	msgRcOpenHeader  = msg{"<b>Các khoản đang chờ nộp</b> (mới nhất trước). Chọn một khoản để ghi nhận:", "<b>Open pledges</b> (newest first). Choose one to record:"}
	msgRcOpenLine    = msg{"\n<b>#%s</b> · %s · %s · còn %s", "\n<b>#%s</b> · %s · %s · open %s"}
	msgRcAskQty      = msg{
		"Khoản <b>#%s</b> của %s (%s): còn <b>%s</b>. Đã nhận bao nhiêu? Chọn hoặc gõ số lượng.",
		"Pledge <b>#%s</b> of %s (%s): <b>%s</b> open. How much was received? Choose or type an amount.",
	}
	msgRcAllOpen = msg{"Nhận đủ phần còn lại: %s", "All that is open: %s"}
)

// receiptDraft is a receipt being recorded or reversed.
type receiptDraft struct {
	Pledge int64 `json:"pledge,omitempty"`
	// Quantity is what the question offered to record (what was open, or
	// an amount above it), in the target kind's stored unit.
	Quantity int64 `json:"quantity,omitempty"`
	// Received is what the pledge had received when the question was
	// asked: someone recording in between makes the question stale.
	Received int64 `json:"received,omitempty"`
	// Receipt is the receipt just recorded (for its photo) or chosen for
	// reversal; Gift when it is a gift without a pledge.
	Receipt int64 `json:"receipt,omitempty"`
	Gift    bool  `json:"gift,omitempty"`
}

// receipt is the receipt conversation's draft, begun if none is.
func (tr *turn) receipt() *receiptDraft {
	if tr.state.Receipt == nil {
		tr.state.Receipt = &receiptDraft{}
	}
	return tr.state.Receipt
}
