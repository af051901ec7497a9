package flows

import (
	"errors"
	"regexp"
	"strconv"
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
		tr.say(tr.quantityProblem(err) + t(tr.lang, msgAskQuantityExample, examples[tg.Kind]))
		return 0, false
	}
	if p.Kind != tg.Kind {
		tr.say(t(tr.lang, msgWrongKind, tr.kindName(tg.Kind), tr.kindName(p.Kind)) + t(tr.lang, msgAskQuantityExample, examples[tg.Kind]))
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
	if pc.who.TelegramID != 0 && pc.who.ID != tr.person.ID {
		l := lang(pc.who.Lang)
		tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: pc.who.TelegramID,
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
		"\n" + t(tr.lang, msgAskQuantityExample, examples[pc.tg.Kind])
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
	if pc.who.TelegramID != 0 && pc.who.ID != tr.person.ID {
		l := lang(pc.who.Lang)
		tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: pc.who.TelegramID,
			Text: t(l, msgRcReversedNotice, esc(quantityIn(l, pc.tg, r.Quantity)), esc(pc.p.Code), esc(reason))})
	}
	return nil
}

// gift is /gift CODE QUANTITY NAME…: a gift without a pledge, recorded by
// a treasurer of the campaign's unit or a head of a zone it covers.
func (tr *turn) gift(args string) error {
	gs, ok, err := tr.recorderGrants()
	if err != nil || !ok {
		return err
	}
	words := strings.Fields(args)
	if len(words) < 3 {
		tr.say(t(tr.lang, msgRcGiftUsage))
		return nil
	}
	c, err := tr.st.CampaignByCode(tr.ctx, words[0])
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgUnknownCampaign, esc(truncate(words[0], 16))))
		return nil
	}
	if err != nil {
		return err
	}
	allowed, err := tr.mayTakeGift(gs, c)
	if err != nil {
		return err
	}
	if !allowed {
		tr.say(t(tr.lang, msgRcGiftOutside, esc(c.Code)))
		return nil
	}
	if len(pledgeable(c)) == 0 {
		tr.say(t(tr.lang, msgNothingPledgeable, esc(c.Title)))
		return nil
	}
	n := tr.quantityWords(c, words)
	if n == 0 {
		_, _, problem := tr.resolveQuantity(c, words[1])
		tr.say(problem + t(tr.lang, msgRcGiftUsage))
		return nil
	}
	tg, q, problem := tr.resolveQuantity(c, strings.Join(words[1:1+n], " "))
	if problem != "" {
		tr.say(problem + t(tr.lang, msgRcGiftUsage))
		return nil
	}
	name := truncate(strings.Join(words[1+n:], " "), maxName)
	r := danvan.Receipt{CampaignID: c.ID, TargetID: tg.ID, Quantity: q, Method: danvan.DefaultMethod(tg.Kind),
		RecordedBy: tr.person.ID, DonorName: name}
	if err := tr.st.AddReceipt(tr.ctx, &r); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "receipt", r.ID, c.ID, "created", nil, r); err != nil {
		return err
	}
	tr.askPhoto(r.ID, t(tr.lang, msgRcGiftRecorded, esc(tr.quantity(tg, q)), esc(name), esc(c.Title), r.ID))
	return nil
}

// quantityWords is how many words after the campaign code in words make
// the quantity of a one-line gift or household pledge, 0 when none does.
// The quantity may take several words ("2 triệu", "2 điều hòa"): the
// shortest prefix that reads as a quantity is it, and a goods item must
// name one of the campaign's, so that a name is not read as one.
func (tr *turn) quantityWords(c danvan.Campaign, words []string) int {
	for i := 1; i <= 3 && i < len(words); i++ {
		if tr.giftQuantity(c, strings.Join(words[1:1+i], " ")) {
			return i
		}
	}
	return 0
}

// giftQuantity reports whether s reads as a quantity for campaign c.
func (tr *turn) giftQuantity(c danvan.Campaign, s string) bool {
	ts := pledgeable(c)
	p, err := tr.parseForCampaign(ts, s)
	if err != nil {
		return false
	}
	if p.Kind != danvan.KindGoods || p.Item == "" {
		return true
	}
	for _, tg := range ts {
		if tg.Kind == danvan.KindGoods && sameWords(tg.Label, p.Item) {
			return true
		}
	}
	return false
}

// mayTakeGift: the unit's treasurer, or the head of a zone the campaign
// covers (directly or through its ward).
func (tr *turn) mayTakeGift(gs danvan.Grants, c danvan.Campaign) (bool, error) {
	if gs.TreasurerOf(c.UnitID) {
		return true, nil
	}
	covered := map[int64]bool{}
	for _, id := range c.AreaIDs {
		covered[id] = true
	}
	for _, z := range gs.Zones() {
		if covered[z] {
			return true, nil
		}
		a, err := tr.st.Area(tr.ctx, z)
		if err != nil {
			return false, err
		}
		if a.ParentID != 0 && covered[a.ParentID] {
			return true, nil
		}
	}
	return false, nil
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
		"Recorded <b>%s</b> for <b>#%s</b> by %s. Received %s of %s · <i>%s</i>.",
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
		"Pledge <b>#%s</b> by %s (%s): <b>%s</b> open. How much was received? Choose or type an amount.",
	}
	msgRcAllOpen      = msg{"Nhận đủ phần còn lại: %s", "All that is open: %s"}
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
	msgRcGiftUsage = msg{
		"Cú pháp: <code>/tang MÃ_CHIẾN_DỊCH SỐ_LƯỢNG TÊN NGƯỜI TẶNG</code>, ví dụ <code>/tang DIEUHOA 2tr Nguyễn Văn An</code>.",
		"Usage: <code>/gift CAMPAIGN AMOUNT DONOR NAME</code>, e.g. <code>/gift DIEUHOA 2tr Nguyen Van An</code>.",
	}
	msgRcGiftOutside = msg{
		"Bạn không phải thủ quỹ của đơn vị hay trưởng một khu của chiến dịch <code>%s</code>.",
		"You are neither the unit's treasurer nor the head of a zone of campaign <code>%s</code>.",
	}
	msgRcGiftRecorded = msg{
		"Đã ghi nhận <b>%s</b> do %s tặng cho <b>%s</b> (biên nhận №%d).",
		"Recorded a gift of <b>%s</b> from %s to <b>%s</b> (receipt №%d).",
	}
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
	msgHhNotHead = msg{"Chỉ trưởng khu mới ghi được khoản ủng hộ cho hộ gia đình.", "Only zone heads can record pledges for households."}
	msgHhUsage   = msg{
		"Cú pháp: <code>/hogiadinh MÃ SỐ_LƯỢNG TÊN HỘ</code>, ví dụ <code>/hogiadinh DIEUHOA 500k Hộ bà Nguyễn Thị Tư</code>. Hoặc gõ /hogiadinh để được hướng dẫn.",
		"Usage: <code>/household CODE AMOUNT HOUSEHOLD NAME</code>, e.g. <code>/household DIEUHOA 500k Mrs Nguyen Thi Tu</code>. Or send /household to be guided.",
	}
	msgHhAskName     = msg{"Tên hộ gia đình (ví dụ: Hộ bà Nguyễn Thị Tư)?", "The household's name (e.g. Mrs Nguyen Thi Tu)?"}
	msgHhAskZone     = msg{"Hộ <b>%s</b> ở khu nào?", "Which zone does <b>%s</b> live in?"}
	msgHhAskCampaign = msg{"Hộ <b>%s</b> ủng hộ chiến dịch nào?", "Which campaign does <b>%s</b> support?"}
	msgHhNotCovered  = msg{
		"Chiến dịch <b>%s</b> không vận động ở khu bạn phụ trách.",
		"The campaign <b>%s</b> does not cover the zones you head.",
	}
	msgHhAskQuantity = msg{
		"Hộ <b>%s</b> — <b>%s</b> — %s\nỦng hộ bao nhiêu? Chọn nhanh hoặc gõ số lượng.",
		"<b>%s</b> — <b>%s</b> — %s\nHow much? Choose or type an amount.",
	}
	msgHhAskPublic = msg{"Có ghi tên hộ <b>%s</b> lên bảng vàng không?", "Show <b>%s</b> on the honour board?"}
	msgHhPublicYes = msg{"✅ Có, ghi tên", "✅ Yes, show the name"}
	msgHhPublicNo  = msg{"Không ghi tên", "No, keep it anonymous"}
	msgHhRecorded  = msg{
		"Đã ghi nhận khoản ủng hộ <b>#%s</b> của hộ <b>%s</b> (%s): %s cho <b>%s</b>.\nKhi hộ nộp, gõ <code>/xacnhan %s</code>.",
		"Recorded pledge <b>#%s</b> of <b>%s</b> (%s): %s to <b>%s</b>.\nWhen they pay, send <code>/confirm %s</code>.",
	}
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
