package flows

import (
	"errors"
	"strings"

	"github.com/danvan/danvan"
)

// Households without a phone: a head records a pledge on behalf of a named
// household of one of their zones. The household becomes a person without
// a Telegram id, recorded by the head, and its pledge counts like any
// other.

const (
	stepHouseName   = "r_hname"   // the household's name, typed
	stepHouseZone   = "r_hzone"   // which of the head's zones
	stepHouseCamp   = "r_hcamp"   // which campaign
	stepHouseTarget = "r_htarget" // which target
	stepHouseQty    = "r_hqty"    // how much, typed or chosen
	stepHousePublic = "r_hpub"    // named on the honour board or not
)

func householdConversation(c *conversation) {
	c.commands(&command{names: []string{"household", "hogiadinh"}, private: (*turn).householdCommand})
	c.actions(map[string]action{
		"rz": on((*turn).houseZone, stepHouseZone),
		"rk": on((*turn).houseCampaign, stepHouseCamp),
		"rt": on((*turn).houseTarget, stepHouseTarget),
		"rq": on((*turn).houseQuickQuantity, stepHouseQty),
		"rb": on((*turn).housePublic, stepHousePublic),
	})
	c.textStep(stepHouseName, (*turn).houseName)
	c.textStep(stepHouseQty, (*turn).houseTypedQuantity)
}

// headZones are the zones the person may record households in: those they
// head, or every zone for an admin.
func (tr *turn) headZones() ([]danvan.Area, error) {
	gs, err := tr.grants()
	if err != nil {
		return nil, err
	}
	all, err := tr.st.Zones(tr.ctx)
	if err != nil {
		return nil, err
	}
	var zs []danvan.Area
	for _, z := range all {
		if gs.HeadOf(z.ID) {
			zs = append(zs, z)
		}
	}
	return zs, nil
}

// covers reports whether campaign c is open to people of zone z.
func covers(c danvan.Campaign, z danvan.Area) bool {
	for _, id := range c.AreaIDs {
		if id == z.ID || id == z.ParentID && id != 0 {
			return true
		}
	}
	return false
}

// householdCommand is /household, guided, or /household CODE QUANTITY NAME….
func (tr *turn) householdCommand(args string) error {
	zones, err := tr.headZones()
	if err != nil {
		return err
	}
	if len(zones) == 0 {
		tr.say(t(tr.lang, msgHhNotHead))
		return nil
	}
	tr.state = State{Seq: tr.state.Seq, Household: &householdDraft{}}
	if args == "" {
		return tr.houseAdvance()
	}
	words := strings.Fields(args)
	if len(words) < 3 {
		tr.state.reset()
		tr.say(t(tr.lang, msgHhUsage))
		return nil
	}
	c, ok, err := tr.openCampaign(words[0])
	if err != nil || !ok {
		tr.state.reset()
		return err
	}
	n := tr.quantityWords(c, words)
	if n == 0 {
		_, _, problem := tr.resolveQuantity(c, words[1])
		tr.state.reset()
		tr.say(problem + t(tr.lang, msgHhUsage))
		return nil
	}
	tg, q, problem := tr.resolveQuantity(c, strings.Join(words[1:1+n], " "))
	if problem != "" {
		tr.state.reset()
		tr.say(problem + t(tr.lang, msgHhUsage))
		return nil
	}
	h := tr.household()
	h.Name = truncate(strings.Join(words[1+n:], " "), maxName)
	h.Campaign, h.Target, h.Quantity = c.ID, tg.ID, int64(q)
	return tr.houseAdvance()
}

// houseAdvance asks for whatever the household's pledge still lacks, or
// records it. The head's zones are read again at every step.
func (tr *turn) houseAdvance() error {
	zones, err := tr.headZones()
	if err != nil {
		return err
	}
	if len(zones) == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgHhNotHead))
		return nil
	}
	h := tr.household()
	if h.Name == "" {
		tr.ask(stepHouseName, t(tr.lang, msgHhAskName), cancelOnly(tr))
		return nil
	}
	var c danvan.Campaign
	if tr.household().Campaign != 0 {
		if c, err = tr.st.Campaign(tr.ctx, tr.household().Campaign); err != nil {
			return err
		}
	}
	var zone danvan.Area
	if id := h.Zone; id != 0 {
		for _, z := range zones {
			if z.ID == id {
				zone = z
			}
		}
		if zone.ID == 0 {
			tr.state.reset()
			tr.say(t(tr.lang, msgHhNotHead))
			return nil
		}
	} else {
		var eligible []danvan.Area
		for _, z := range zones {
			if c.ID == 0 || covers(c, z) {
				eligible = append(eligible, z)
			}
		}
		switch len(eligible) {
		case 0:
			tr.state.reset()
			tr.say(t(tr.lang, msgHhNotCovered, esc(c.Title)))
			return nil
		case 1:
			zone = eligible[0]
			h.Zone = zone.ID
		default:
			tr.ask(stepHouseZone, t(tr.lang, msgHhAskZone, esc(tr.household().Name)), func(seq int) [][]danvan.Button {
				rows, err := tr.zoneButtons(eligible, seq, "rz")
				tr.fail(err)
				return rows
			})
			return nil
		}
	}
	if c.ID == 0 {
		return tr.pickCampaign(zone.ID, stepHouseCamp, t(tr.lang, msgHhAskCampaign, esc(tr.household().Name)), "rk")
	}
	if !c.OpenOn(tr.today()) {
		tr.state.reset()
		tr.say(t(tr.lang, msgCampaignClosed, esc(c.Title)))
		return nil
	}
	if !covers(c, zone) {
		tr.state.reset()
		tr.say(t(tr.lang, msgHhNotCovered, esc(c.Title)))
		return nil
	}
	ts := pledgeable(c)
	if tr.household().Target == 0 {
		if len(ts) != 1 {
			tr.ask(stepHouseTarget, t(tr.lang, msgHhAskTarget, esc(tr.household().Name), esc(c.Title)), func(seq int) [][]danvan.Button {
				rows := make([][]danvan.Button, len(ts))
				for i, tg := range ts {
					rows[i] = []danvan.Button{{Text: tr.targetName(tg), Data: buttonData(seq, "rt", tg.ID)}}
				}
				return rows
			})
			return nil
		}
		tr.household().Target = ts[0].ID
	}
	tg, ok := findTarget(ts, tr.household().Target)
	if !ok {
		tr.state.reset()
		tr.say(t(tr.lang, msgNotPledgeableTarget))
		return nil
	}
	if tr.household().Quantity == 0 {
		text := t(tr.lang, msgHhAskQuantity, esc(tr.household().Name), esc(c.Title), esc(tr.targetName(tg))) + "\n" +
			t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[tg.Kind]))
		tr.ask(stepHouseQty, text, func(seq int) [][]danvan.Button {
			var row []danvan.Button
			for _, q := range quickAmounts[tg.Kind] {
				row = append(row, danvan.Button{Text: tr.quantity(tg, q), Data: buttonData(seq, "rq", int64(q))})
			}
			return [][]danvan.Button{row, {{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}}}
		})
		return nil
	}
	if c.HonourBoard && h.Public == nil {
		tr.ask(stepHousePublic, t(tr.lang, msgHhAskPublic, esc(tr.household().Name)), func(seq int) [][]danvan.Button {
			return [][]danvan.Button{
				{{Text: t(tr.lang, msgHhPublicYes), Data: buttonData(seq, "rb", 1)}},
				{{Text: t(tr.lang, msgHhPublicNo), Data: buttonData(seq, "rb", 0)}},
				{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}},
			}
		})
		return nil
	}
	return tr.recordHousehold(c, tg, zone, c.HonourBoard && *h.Public)
}

func cancelOnly(tr *turn) func(seq int) [][]danvan.Button {
	return func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}}}
	}
}

func (tr *turn) recordHousehold(c danvan.Campaign, tg danvan.Target, zone danvan.Area, public bool) error {
	name := tr.household().Name
	h, err := tr.st.CreateHousehold(tr.ctx, name, zone.ID, tr.person.ID)
	if err != nil {
		return err
	}
	p := danvan.Pledge{PersonID: h.ID, CampaignID: c.ID, TargetID: tg.ID, Quantity: danvan.Quantity(tr.household().Quantity), Due: tr.dueFor(c, ""),
		PublicName: public, RecordedBy: tr.person.ID}
	if err := tr.st.CreatePledge(tr.ctx, &p); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "pledge", p.ID, c.ID, "created", nil,
		map[string]any{"pledge": p, "household": name, "zone": zone.Code}); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgHhRecorded, p.Code, esc(name), esc(zone.Name), esc(tr.quantity(tg, p.Quantity)), esc(c.Title), p.Code))
	return nil
}

func (tr *turn) houseName(s string) error {
	name := truncate(strings.Join(strings.Fields(s), " "), maxName)
	if name == "" {
		tr.say(t(tr.lang, msgHhAskName))
		return nil
	}
	tr.household().Name = name
	return tr.houseAdvance()
}

func (tr *turn) houseZone(id int64) error {
	if tr.state.Step != stepHouseZone {
		return tr.staleButton()
	}
	zones, err := tr.headZones()
	if err != nil {
		return err
	}
	for _, z := range zones {
		if z.ID == id {
			tr.settle(t(tr.lang, msgHhAskZone, esc(tr.household().Name)), z.Name)
			tr.household().Zone = z.ID
			return tr.houseAdvance()
		}
	}
	// A zone the person does not head: forged, or their role was removed.
	return tr.staleButton()
}

func (tr *turn) houseCampaign(id int64) error {
	if tr.state.Step != stepHouseCamp {
		return tr.staleButton()
	}
	c, err := tr.st.Campaign(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		return tr.staleButton()
	}
	if err != nil {
		return err
	}
	tr.settle(t(tr.lang, msgHhAskCampaign, esc(tr.household().Name)), c.Title)
	tr.household().Campaign = c.ID
	return tr.houseAdvance()
}

func (tr *turn) houseTarget(id int64) error {
	return tr.takeTarget(&tr.household().choice, id, stepHouseTarget, tr.houseAdvance)
}

func (tr *turn) houseQuickQuantity(q int64) error {
	return tr.takeQuickQuantity(&tr.household().choice, q, stepHouseQty, func(c danvan.Campaign, tg danvan.Target) string {
		return t(tr.lang, msgHhAskQuantity, esc(tr.household().Name), esc(c.Title), esc(tr.targetName(tg)))
	}, tr.houseAdvance)
}

func (tr *turn) houseTypedQuantity(s string) error {
	_, tg, ok, err := tr.chosenTarget(&tr.household().choice)
	if err != nil || !ok {
		return err
	}
	q, ok := tr.receiptQuantity(tg, s)
	if !ok {
		return nil
	}
	tr.household().Quantity = int64(q)
	return tr.houseAdvance()
}

func (tr *turn) housePublic(v int64) error {
	if tr.state.Step != stepHousePublic || v != 0 && v != 1 {
		return tr.staleButton()
	}
	choice := t(tr.lang, msgHhPublicNo)
	if v == 1 {
		choice = t(tr.lang, msgHhPublicYes)
	}
	tr.settle(t(tr.lang, msgHhAskPublic, esc(tr.household().Name)), choice)
	public := v == 1
	tr.household().Public = &public
	return tr.houseAdvance()
}

// householdDraft is a household's pledge a head is recording.
type householdDraft struct {
	choice
	Name string `json:"name,omitempty"`
	Zone int64  `json:"zone,omitempty"`
	// Public is whether the household agreed to be on the honour board;
	// nil until asked.
	Public *bool `json:"public,omitempty"`
}

// household is the household's pledge being recorded, begun if none is.
func (tr *turn) household() *householdDraft {
	if tr.state.Household == nil {
		tr.state.Household = &householdDraft{}
	}
	return tr.state.Household
}

var (
	msgHhNotHead = msg{"Chỉ trưởng khu mới ghi được khoản ủng hộ cho hộ gia đình.", "Only zone heads can record pledges for households."}
	msgHhUsage   = msg{
		"Cú pháp: <code>/hogiadinh MÃ SỐ_LƯỢNG TÊN HỘ</code>, ví dụ <code>/hogiadinh DIEUHOA 500k Hộ bà Nguyễn Thị Tư</code>. Hoặc gõ /hogiadinh để được hướng dẫn.",
		"Usage: <code>/household CODE AMOUNT HOUSEHOLD NAME</code>, e.g. <code>/household DIEUHOA 500k Mrs Nguyen Thi Tu</code>. Or send /household to be guided.",
	}
	msgHhAskName = msg{"Tên hộ gia đình (ví dụ: Hộ bà Nguyễn Thị Tư)?", "The household's name (e.g. Mrs Nguyen Thi Tu)?"}
	// The household's name is typed as people say it ("Hộ bà Tư"), so the
	// texts do not put "hộ" before it again.
	msgHhAskZone     = msg{"<b>%s</b> ở khu nào?", "Which zone does <b>%s</b> live in?"}
	msgHhAskCampaign = msg{"<b>%s</b> ủng hộ chiến dịch nào?", "Which campaign does <b>%s</b> support?"}
	msgHhAskTarget   = msg{"<b>%s</b> ủng hộ gì cho <b>%s</b>?", "What does <b>%s</b> give to <b>%s</b>?"}
	msgHhNotCovered  = msg{
		"Chiến dịch <b>%s</b> không vận động ở khu bạn phụ trách.",
		"The campaign <b>%s</b> does not cover the zones you head.",
	}
	msgHhAskQuantity = msg{
		"<b>%s</b> — <b>%s</b> — %s\nỦng hộ bao nhiêu? Chọn nhanh hoặc gõ số lượng.",
		"<b>%s</b> — <b>%s</b> — %s\nHow much? Choose or type an amount.",
	}
	msgHhAskPublic = msg{"Có ghi tên <b>%s</b> lên bảng vàng không?", "Show <b>%s</b> on the honour board?"}
	msgHhPublicYes = msg{"✅ Có, ghi tên", "✅ Yes, show the name"}
	msgHhPublicNo  = msg{"Không ghi tên", "No, keep it anonymous"}
	msgHhRecorded  = msg{
		"Đã ghi nhận khoản ủng hộ <b>#%s</b> của <b>%s</b> (%s): %s cho <b>%s</b>.\nKhi hộ nộp, gõ <code>/xacnhan %s</code>.",
		"Recorded pledge <b>#%s</b> of <b>%s</b> (%s): %s to <b>%s</b>.\nWhen they pay, send <code>/confirm %s</code>.",
	}
)
