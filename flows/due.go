package flows

import (
	"strconv"
	"time"

	"github.com/danvan/danvan"
)

// When a pledge is due. The guided pledge asks, offering the end of the
// month and the campaign's end as buttons, or a typed date; a pledge
// made without a date (the one-line form, a household's, or "no date") is
// due as its campaign says: so many days after it was made when the setup
// file gives due_days, otherwise at the campaign's end (which the store
// reads for a pledge without a date of its own, so that it follows the
// campaign when the end moves). Reminders and the heads' digest work from
// that date.

// dueFor is the due date to store for a pledge being made in c: own (the
// pledger's date, YYYY-MM-DD, or ""), the campaign's due_days from today,
// or none.
func (tr *turn) dueFor(c danvan.Campaign, own string) time.Time {
	if own != "" {
		if d, err := time.Parse(time.DateOnly, own); err == nil {
			return d
		}
	}
	if c.DueDays > 0 {
		return dateOnly(tr.today()).AddDate(0, 0, c.DueDays)
	}
	return time.Time{}
}

// defaultDue says when a pledge made today without a date of its own is
// due in c: zero when never.
func (tr *turn) defaultDue(c danvan.Campaign) time.Time {
	if c.DueDays > 0 {
		return dateOnly(tr.today()).AddDate(0, 0, c.DueDays)
	}
	return dateOnly(c.Ends)
}

// dueChoices are the dates offered as buttons: the end of this month (of
// the next in a month's last days) and the campaign's end, each only when
// it is ahead and not after the campaign's end.
func (tr *turn) dueChoices(c danvan.Campaign) (month, end time.Time) {
	today := dateOnly(tr.today())
	month = endOfMonth(today)
	if month.Sub(today) < 3*24*time.Hour {
		month = endOfMonth(month.AddDate(0, 0, 1))
	}
	if !c.Ends.IsZero() {
		end = dateOnly(c.Ends)
		if end.Before(today) {
			end = time.Time{}
		}
		if !month.Before(dateOnly(c.Ends)) {
			month = time.Time{}
		}
	}
	return month, end
}

func (tr *turn) askDue(c danvan.Campaign) error {
	month, end := tr.dueChoices(c)
	text := t(tr.lang, msgAskDue) + "\n" + tr.dueDefault(c)
	tr.ask(stepDue, text, func(seq int) [][]danvan.Button {
		var rows [][]danvan.Button
		if !month.IsZero() {
			rows = append(rows, []danvan.Button{{Text: tr.monthEnd(month), Data: buttonData(seq, "d", epochDay(month))}})
		}
		if !end.IsZero() {
			rows = append(rows, []danvan.Button{{Text: t(tr.lang, msgDueEndButton, end.Format("02/01")), Data: buttonData(seq, "d", epochDay(end))}})
		}
		return append(rows,
			[]danvan.Button{{Text: t(tr.lang, msgDueNoneButton), Data: buttonData(seq, "d", 0)}},
			[]danvan.Button{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}})
	})
	return nil
}

// dueDefault says what happens without a date.
func (tr *turn) dueDefault(c danvan.Campaign) string {
	switch d := tr.defaultDue(c); {
	case c.DueDays > 0:
		return t(tr.lang, msgDueDefaultDays, c.DueDays, showDate(d))
	case !d.IsZero():
		return t(tr.lang, msgDueDefaultEnd, showDate(d))
	}
	return t(tr.lang, msgDueDefaultNone)
}

// chooseDue takes a date button: days since the Unix epoch, 0 for none.
func (tr *turn) chooseDue(day int64) error {
	c, err := tr.st.Campaign(tr.ctx, tr.pledge().Campaign)
	if err != nil {
		return err
	}
	month, end := tr.dueChoices(c)
	var label string
	switch {
	case day == 0:
		label = t(tr.lang, msgDueNoneButton)
	case !month.IsZero() && day == epochDay(month):
		label = tr.monthEnd(month)
	case !end.IsZero() && day == epochDay(end):
		label = t(tr.lang, msgDueEndButton, end.Format("02/01"))
	default:
		return tr.staleButton()
	}
	tr.settle(t(tr.lang, msgAskDue), label)
	return tr.takeDue(dayOfEpoch(day))
}

// typedDue reads a typed due date, or "no date".
func (tr *turn) typedDue(s string) error {
	day, ok := tr.readDue(s)
	if !ok {
		return nil
	}
	return tr.takeDue(day)
}

// readDue reads a due date as typed: zero for "no date" (bỏ qua, không…);
// ok is false, and the person was told why, for a date that cannot be read
// or has passed.
func (tr *turn) readDue(s string) (time.Time, bool) {
	if isSkip(s) {
		return time.Time{}, true
	}
	day, ok := parseDate(s, tr.today())
	switch {
	case !ok:
		tr.say(t(tr.lang, msgKBadDate))
	case day.Before(dateOnly(tr.today())):
		tr.say(t(tr.lang, msgMDuePast))
	default:
		return day, true
	}
	return time.Time{}, false
}

// takeDue keeps the pledger's date (zero: none) and goes on.
func (tr *turn) takeDue(day time.Time) error {
	tr.pledge().DueChosen, tr.pledge().Due = true, ""
	if !day.IsZero() {
		tr.pledge().Due = day.Format(time.DateOnly)
	}
	return tr.advance()
}

// confirmQuestion asks to confirm the pledge being made in c to tg.
func (tr *turn) confirmQuestion(c danvan.Campaign, tg danvan.Target) string {
	return t(tr.lang, msgConfirmPledge, esc(tr.quantity(tg, danvan.Quantity(tr.pledge().Quantity))), esc(tr.targetName(tg)), esc(c.Title)) +
		tr.dueLine(c, tr.dueFor(c, tr.pledge().Due))
}

// dueLine tells when a pledge in c with the given stored due date is due.
func (tr *turn) dueLine(c danvan.Campaign, due time.Time) string {
	if due.IsZero() {
		due = dateOnly(c.Ends)
	}
	if due.IsZero() {
		return ""
	}
	return t(tr.lang, msgDueLine, showDate(due))
}

func epochDay(d time.Time) int64 { return dateOnly(d).Unix() / 86400 }

func dayOfEpoch(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(n*86400, 0).UTC()
}

var (
	msgAskDue = msg{"Bạn định nộp vào khi nào? Chọn bên dưới, hoặc gõ ngày/tháng, ví dụ <code>15/12</code>.",
		"When do you mean to pay? Choose below, or type day/month, e.g. <code>15/12</code>."}
	msgDueMonthButton = msg{"Cuối tháng %s (%s)", "End of %s (%s)"}
	msgDueEndButton   = msg{"Khi chiến dịch kết thúc (%s)", "When the campaign ends (%s)"}
	msgDueNoneButton  = msg{"Không hẹn ngày", "No date"}
	msgDueDefaultDays = msg{"Nếu không hẹn, hạn nộp là %d ngày sau hôm nay (%s).", "Without a date, it is due %d days from today (%s)."}
	msgDueDefaultEnd  = msg{"Nếu không hẹn, hạn nộp là ngày chiến dịch kết thúc (%s).", "Without a date, it is due when the campaign ends (%s)."}
	msgDueDefaultNone = msg{"Nếu không hẹn, bot sẽ không nhắc hạn nộp.", "Without a date, there will be no reminders."}
	msgDueLine        = msg{"\nHạn nộp: <b>%s</b>.", "\nDue: <b>%s</b>."}
)

// monthEnd labels the button for the end of month m: "Cuối tháng 12
// (31/12)", "End of December (31/12)".
func (tr *turn) monthEnd(m time.Time) string {
	name := strconv.Itoa(int(m.Month()))
	if tr.lang == "en" {
		name = m.Month().String()
	}
	return t(tr.lang, msgDueMonthButton, name, m.Format("02/01"))
}
