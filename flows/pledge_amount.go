package flows

// How much a resident pledges: quick buttons per kind, typed amounts, and
// why a typed amount was refused.

import (
	"errors"
	"regexp"
	"strings"

	"github.com/danvan/danvan"
)

// quickAmounts are the buttons offered for each kind, in the kind's stored
// unit.
var quickAmounts = map[danvan.Kind][]danvan.Quantity{
	danvan.KindMoney:  {200_000, 500_000, 1_000_000, 2_000_000},
	danvan.KindLabour: {1000, 2000, 3000, 5000},
	danvan.KindLand:   {5000, 10000, 20000, 50000},
	danvan.KindGoods:  {1000, 2000},
}

// examples are typed forms shown with each kind's question.
var examples = map[danvan.Kind]msg{
	danvan.KindMoney:  {"1tr5", "1tr5"},
	danvan.KindLabour: {"2 công", "2 days"},
	danvan.KindLand:   {"25m2", "25m2"},
	danvan.KindGoods:  {"3", "3"},
}

func (tr *turn) askQuantity(c danvan.Campaign, tg danvan.Target) error {
	text := t(tr.lang, msgAskQuantity, esc(c.Title), esc(tr.targetName(tg))) + "\n" +
		t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[tg.Kind]))
	tr.ask(stepQuantity, text, func(seq int) [][]danvan.Button {
		var row []danvan.Button
		for _, q := range quickAmounts[tg.Kind] {
			row = append(row, danvan.Button{Text: tr.quantity(tg, q), Data: buttonData(seq, "q", int64(q))})
		}
		return [][]danvan.Button{row, {{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}}}
	})
	return nil
}

func (tr *turn) chooseQuantity(q int64) error {
	return tr.takeQuickQuantity(&tr.pledge().choice, q, stepQuantity, func(c danvan.Campaign, tg danvan.Target) string {
		return t(tr.lang, msgAskQuantity, esc(c.Title), esc(tr.targetName(tg)))
	}, tr.advance)
}

// takeQuickQuantity records in ch the amount a quick button chose at step,
// after the question asked (to settle it), and goes on with next.
func (tr *turn) takeQuickQuantity(ch *choice, q int64, step string, question func(danvan.Campaign, danvan.Target) string, next func() error) error {
	if tr.state.Step != step || q <= 0 {
		return tr.staleButton()
	}
	c, err := tr.pledgeCampaign(ch.Campaign)
	if err != nil {
		return err
	}
	tg, ok := findTarget(pledgeable(c), ch.Target)
	if !ok || !isQuickAmount(tg.Kind, q) {
		return tr.staleButton()
	}
	tr.settle(question(c, tg), tr.quantity(tg, danvan.Quantity(q)))
	ch.Quantity = q
	return next()
}

func isQuickAmount(k danvan.Kind, q int64) bool {
	for _, v := range quickAmounts[k] {
		if int64(v) == q {
			return true
		}
	}
	return false
}

func (tr *turn) typedQuantity(s string) error {
	_, tg, ok, err := tr.chosenTarget(&tr.pledge().choice)
	if err != nil || !ok {
		return err
	}
	p, err := danvan.ParseQuantity(s, tg.Kind, tr.e.limits)
	if err != nil {
		tr.say(tr.quantityProblem(err) + t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[tg.Kind])))
		return nil
	}
	if p.Kind != tg.Kind {
		tr.say(t(tr.lang, msgWrongKind, tr.kindName(tg.Kind), tr.kindName(p.Kind)) + t(tr.lang, msgAskQuantityExample, t(tr.lang, examples[tg.Kind])))
		return nil
	}
	tr.pledge().Quantity = int64(p.Value)
	return tr.advance()
}

// thousands is a bare number people often type for thousands of đồng.
var thousands = regexp.MustCompile(`^[1-9][0-9]{0,2}$`)

// quantityProblem explains why a typed quantity was refused.
func (tr *turn) quantityProblem(err error) string {
	var qe *danvan.QuantityError
	if !errors.As(err, &qe) {
		return t(tr.lang, msgQtyUnparseable)
	}
	switch qe.Reason {
	case danvan.ReasonEmpty:
		return t(tr.lang, msgQtyEmpty)
	case danvan.ReasonZero:
		return t(tr.lang, msgQtyZero)
	case danvan.ReasonNegative:
		return t(tr.lang, msgQtyNegative)
	case danvan.ReasonTooLarge:
		if !qe.Kind.Valid() {
			// A number too long to read, of no kind we could tell.
			return t(tr.lang, msgQtyTooLargeNumber)
		}
		return t(tr.lang, msgQtyTooLarge, danvan.FormatQuantity(qe.Kind, tr.e.limits.Limit(qe.Kind), "", tr.lang))
	case danvan.ReasonTooSmall:
		least := danvan.FormatMoney(tr.e.limits.LeastMoney())
		if n := strings.TrimSpace(qe.Input); thousands.MatchString(n) {
			// "500" for money is most likely 500 nghìn.
			return t(tr.lang, msgQtyTooSmallThousands, least, n+"k")
		}
		return t(tr.lang, msgQtyTooSmall, least)
	case danvan.ReasonPrecision:
		return t(tr.lang, msgQtyPrecision, tr.kindName(qe.Kind))
	case danvan.ReasonNeedUnit:
		return t(tr.lang, msgQtyNeedUnit)
	}
	return t(tr.lang, msgQtyUnparseable)
}
