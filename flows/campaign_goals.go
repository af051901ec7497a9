package flows

// Creating a campaign: its goals, one kind at a time, with item, label,
// unit and quantity.

import (
	"strings"

	"github.com/danvan/danvan"
)

func (tr *turn) askKind(d campaignDraft) error {
	tr.ask(stepKKind, t(tr.lang, msgKAskKind, len(d.Targets)+1), func(seq int) [][]danvan.Button {
		bs := make([]danvan.Button, len(danvan.Kinds))
		for i, k := range danvan.Kinds {
			bs[i] = danvan.Button{Text: tr.kindName(k), Data: buttonData(seq, "kk", int64(i))}
		}
		return grid(bs, 3)
	})
	return nil
}

func (tr *turn) draftKind(i int64) error {
	if tr.state.Step != stepKKind || i < 0 || i >= int64(len(danvan.Kinds)) {
		return tr.staleButton()
	}
	d := tr.draft()
	if _, ok, err := tr.draftUnitOK(d); err != nil || !ok {
		return err
	}
	k := danvan.Kinds[i]
	tr.settle(t(tr.lang, msgKAskKind, len(d.Targets)+1), tr.kindName(k))
	d.Next = draftTarget{Kind: k}
	tr.saveDraft(d)
	switch k {
	case danvan.KindGoods:
		tr.prompt(stepKItem, t(tr.lang, msgKAskItem))
	case danvan.KindMeasure, danvan.KindPercent:
		tr.prompt(stepKLabel, t(tr.lang, msgKAskLabel))
	default:
		tr.askGoal(d.Next.target())
	}
	return nil
}

func (tr *turn) draftItem(s string) error {
	item, ok := cleanText(s, maxItem)
	if !ok {
		tr.say(t(tr.lang, msgKBadLabel, maxItem))
		return nil
	}
	d := tr.draft()
	d.Next.Label = item
	tr.saveDraft(d)
	tr.askGoal(d.Next.target())
	return nil
}

func (tr *turn) draftLabel(s string) error {
	label, ok := cleanText(s, maxItem)
	if !ok {
		tr.say(t(tr.lang, msgKBadLabel, maxItem))
		return nil
	}
	d := tr.draft()
	d.Next.Label = label
	tr.saveDraft(d)
	if d.Next.Kind == danvan.KindMeasure {
		tr.prompt(stepKUnitLabel, t(tr.lang, msgKAskUnitLabel))
		return nil
	}
	tr.askGoal(d.Next.target())
	return nil
}

func (tr *turn) draftUnitLabel(s string) error {
	unit, ok := cleanText(s, maxUnitLabel)
	if !ok {
		tr.say(t(tr.lang, msgKBadLabel, maxUnitLabel))
		return nil
	}
	d := tr.draft()
	d.Next.Unit = unit
	tr.saveDraft(d)
	tr.askGoal(d.Next.target())
	return nil
}

// goalExamples are typed goals shown with the question.
var goalExamples = map[danvan.Kind]string{
	danvan.KindMoney:   "180tr",
	danvan.KindLabour:  "40 công",
	danvan.KindLand:    "500m2",
	danvan.KindGoods:   "16",
	danvan.KindMeasure: "1200",
	danvan.KindPercent: "96",
}

func (tr *turn) askGoal(tg danvan.Target) {
	tr.prompt(stepKGoal, t(tr.lang, msgKAskGoal, esc(tr.targetName(tg)), goalExamples[tg.Kind]))
}

// parseFor reads a quantity typed for target tg, or says what is wrong
// with it (the returned text is ready to send).
func (tr *turn) parseFor(tg danvan.Target, s string) (danvan.Quantity, string) {
	p, err := danvan.ParseQuantity(s, tg.Kind, tr.e.limits)
	if (err != nil || p.Kind != tg.Kind) && tg.Unit != "" {
		// "350 hộ" where the parser does not know "hộ": the target's own
		// unit label means nothing more than the bare number.
		trimmed := strings.TrimSpace(s)
		if len(trimmed) > len(tg.Unit) && strings.EqualFold(trimmed[len(trimmed)-len(tg.Unit):], tg.Unit) {
			if p2, err2 := danvan.ParseQuantity(trimmed[:len(trimmed)-len(tg.Unit)], tg.Kind, tr.e.limits); err2 == nil {
				p, err = p2, nil
			}
		}
	}
	example := t(tr.lang, msgAskQuantityExample, goalExamples[tg.Kind])
	if err != nil {
		return 0, tr.quantityProblem(err) + example
	}
	if p.Kind != tg.Kind {
		return 0, t(tr.lang, msgWrongKind, tr.kindName(tg.Kind), tr.kindName(p.Kind)) + example
	}
	return p.Value, ""
}

func (tr *turn) draftGoal(s string) error {
	d := tr.draft()
	if !d.Next.Kind.Valid() {
		tr.state.reset()
		tr.say(t(tr.lang, msgCancelled))
		return nil
	}
	q, problem := tr.parseFor(d.Next.target(), s)
	if problem != "" {
		tr.say(problem)
		return nil
	}
	d.Next.Goal = q
	d.Targets = append(d.Targets, d.Next)
	added := tr.targetName(d.Next.target()) + ": " + tr.quantity(d.Next.target(), q)
	d.Next = draftTarget{}
	tr.saveDraft(d)
	tr.ask(stepKMore, t(tr.lang, msgKAskMore, esc(added)), func(seq int) [][]danvan.Button {
		var row []danvan.Button
		if len(d.Targets) < maxTargets {
			row = append(row, danvan.Button{Text: t(tr.lang, msgKAddTarget), Data: buttonData(seq, "ka", 0)})
		}
		return [][]danvan.Button{append(row, danvan.Button{Text: t(tr.lang, msgKDone), Data: buttonData(seq, "kn", 0)})}
	})
	return nil
}

func (tr *turn) draftAddTarget(int64) error {
	if tr.state.Step != stepKMore {
		return tr.staleButton()
	}
	d := tr.draft()
	if len(d.Targets) >= maxTargets {
		tr.notice(t(tr.lang, msgKTooManyTargets, maxTargets))
		return nil
	}
	tr.settle("", t(tr.lang, msgKAddTarget))
	return tr.askKind(d)
}

func (tr *turn) draftTargetsDone(int64) error {
	if tr.state.Step != stepKMore {
		return tr.staleButton()
	}
	tr.settle("", t(tr.lang, msgKDone))
	tr.promptSkippable(stepKStarts, t(tr.lang, msgKAskStarts), "ks")
	return nil
}
