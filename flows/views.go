package flows

import (
	"errors"
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/internal/catalog"
)

// campaigns lists the open campaigns of the person's zone, each with a
// button to pledge.
func (tr *turn) campaigns() error {
	cs, err := tr.st.OpenCampaigns(tr.ctx, tr.person.HomeAreaID)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		tr.say(t(tr.lang, msgNoOpenCampaigns))
		return nil
	}
	var b strings.Builder
	b.WriteString(t(tr.lang, msgCampaignsHeader))
	var pledgeTo []danvan.Campaign
	for _, c := range cs {
		var goals []string
		for _, tg := range c.Targets {
			goals = append(goals, esc(tr.targetName(tg)+": "+tr.quantity(tg, tg.Goal)))
		}
		b.WriteString(t(tr.lang, msgCampaignLine, esc(c.Title), esc(c.Code), strings.Join(goals, " · ")))
		if len(pledgeable(c)) > 0 {
			pledgeTo = append(pledgeTo, c)
		}
	}
	text := b.String()
	if len(pledgeTo) == 0 {
		tr.say(text)
		return nil
	}
	tr.state = State{Seq: tr.state.Seq, Pledge: &pledgeDraft{}}
	tr.ask(stepCampaign, text, func(seq int) [][]danvan.Button {
		rows := make([][]danvan.Button, len(pledgeTo))
		for i, c := range pledgeTo {
			rows[i] = []danvan.Button{{Text: t(tr.lang, msgPledgeButton, c.Code), Data: buttonData(seq, "c", c.ID)}}
		}
		return rows
	})
	return nil
}

// myPledgesShown bounds the list; the oldest are left out.
const myPledgesShown = 30

func (tr *turn) myPledges() error {
	ls, err := tr.st.PledgesOf(tr.ctx, tr.person.ID, myPledgesShown)
	if err != nil {
		return err
	}
	if len(ls) == 0 {
		tr.say(t(tr.lang, msgMyPledgesNone))
		return nil
	}
	today := tr.today()
	var b strings.Builder
	var qrs []danvan.Button
	banks := map[int64]bool{} // campaign → takes transfers
	b.WriteString(t(tr.lang, msgMyPledgesHeader))
	for _, l := range ls {
		if open := l.Pledge.Quantity - l.Pledge.Received; l.Target.Kind == danvan.KindMoney && open > 0 && !l.Pledge.Cancelled && len(qrs) < qrButtonsShown {
			bank, known := banks[l.Pledge.CampaignID]
			if !known {
				c, err := tr.st.Campaign(tr.ctx, l.Pledge.CampaignID)
				if err != nil {
					return err
				}
				bank = c.Bank != nil
				banks[c.ID] = bank
			}
			if bank {
				qrs = append(qrs, globalButton(t(tr.lang, msgQRButton, l.Pledge.Code), "pq", l.Pledge.ID))
			}
		}
		what := tr.quantity(l.Target, l.Pledge.Quantity) + " · " + tr.targetName(l.Target)
		status := catalog.StatusName(tr.lang, l.Pledge.Status(today))
		if !l.Pledge.Due.IsZero() {
			status += t(tr.lang, msgDue, l.Pledge.Due.Format("02/01/2006"))
		}
		b.WriteString(t(tr.lang, msgMyPledgeLine, esc(l.Pledge.Code), esc(l.CampaignTitle), esc(what),
			esc(tr.quantity(l.Target, l.Pledge.Received)), status))
	}
	tr.say(b.String(), grid(qrs, 2)...)
	return nil
}

// qrButtonsShown bounds the "transfer code" buttons under /mypledges.
const qrButtonsShown = 6

// pledgeQR sends the pledger the VietQR picture for what is still open on
// their money pledge, as a button under /mypledges asks; the button names
// a pledge, so whose it is and what is open are read again here.
func (tr *turn) pledgeQR(id int64) error {
	p, who, err := tr.st.LockPledge(tr.ctx, id, "")
	if errors.Is(err, danvan.ErrNotFound) {
		return tr.staleButton()
	}
	if err != nil {
		return err
	}
	if who.ID != tr.person.ID {
		return tr.staleButton()
	}
	c, err := tr.st.Campaign(tr.ctx, p.CampaignID)
	if err != nil {
		return err
	}
	money := false
	for _, tg := range c.Targets {
		money = money || tg.ID == p.TargetID && tg.Kind == danvan.KindMoney
	}
	if !money || p.Cancelled || !tr.sendTransferQR(c, p, p.Quantity-p.Received) {
		tr.say(t(tr.lang, msgQRNothingOpen, esc(p.Code)))
	}
	return nil
}

func viewsConversation(c *conversation) {
	c.globalActions(map[string]func(*turn, int64) error{"pq": (*turn).pledgeQR})
}

// summary shows a campaign's progress; without a code it offers the open
// campaigns as buttons.
func (tr *turn) summary(code string) error {
	code, _, _ = strings.Cut(code, " ")
	if code == "" {
		cs, err := tr.st.OpenCampaigns(tr.ctx, tr.person.HomeAreaID)
		if err != nil {
			return err
		}
		codes := make([]string, len(cs))
		for i, c := range cs {
			codes[i] = "<code>" + esc(c.Code) + "</code>"
		}
		text := t(tr.lang, msgSummaryUsage, strings.Join(codes, ", "))
		if len(cs) == 0 || tr.ev.Group {
			tr.say(text)
			return nil
		}
		tr.state.reset()
		tr.ask(stepSummary, text, func(seq int) [][]danvan.Button {
			bs := make([]danvan.Button, len(cs))
			for i, c := range cs {
				bs[i] = danvan.Button{Text: c.Code, Data: buttonData(seq, "s", c.ID)}
			}
			return grid(bs, 3)
		})
		return nil
	}
	c, err := tr.st.CampaignByCode(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgUnknownCampaign, esc(truncate(code, 16))))
		return nil
	}
	if err != nil {
		return err
	}
	return tr.showSummary(c)
}

func (tr *turn) summaryOf(id int64) error {
	c, err := tr.st.Campaign(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		return tr.staleButton()
	}
	if err != nil {
		return err
	}
	tr.settle(t(tr.lang, msgSummaryHeader, esc(c.Title), esc(c.Code)), c.Code)
	return tr.showSummary(c)
}

func (tr *turn) showSummary(c danvan.Campaign) error {
	ps, err := tr.st.Progress(tr.ctx, c.ID)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(t(tr.lang, msgSummaryHeader, esc(c.Title), esc(c.Code)))
	for _, p := range ps {
		tg := p.Target
		if !tg.Kind.Pledgeable() {
			line, err := tr.progressLine(p)
			if err != nil {
				return err
			}
			b.WriteString(line)
			continue
		}
		b.WriteString(t(tr.lang, msgSummaryTarget, esc(tr.targetName(tg)), esc(tr.quantity(tg, p.Received)),
			esc(tr.quantity(tg, tg.Goal)), p.Percent(), progressBar(p.Percent())))
		if p.Pledges == 0 {
			b.WriteString(t(tr.lang, msgSummaryNoPledges))
		} else {
			b.WriteString(t(tr.lang, msgSummaryPledged, esc(tr.quantity(tg, p.Pledged)), p.Pledges))
		}
	}
	tr.say(b.String())
	return nil
}

// progressBar draws percent as ten blocks, readable in any chat font.
func progressBar(percent int64) string {
	full := int(min(max(percent, 0), 100) / 10)
	return strings.Repeat("▓", full) + strings.Repeat("░", 10-full)
}
