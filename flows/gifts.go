package flows

// Gifts without a pledge, recorded by a treasurer or a head of a covered
// zone (/gift CAMPAIGN AMOUNT NAME).

import (
	"errors"
	"strings"

	"github.com/danvan/danvan"
)

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
		if goodsMatch(tg, p.Item) {
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
)
