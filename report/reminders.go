package report

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/vietqr"
)

// Reminders: a daily digest to each zone head of the open pledges of their
// zones that are due soon or overdue, and reminders to residents about
// their own pledges' due dates.
//
// The heads' digest carries a button per pledge to record a receipt. What
// the button does, and so its data, belongs to the conversations: the
// caller passes the function that makes it (flows.ReceiptButton), and
// report does not import flows.

// ReminderSettings are the reminder rules; the defaults are the issue's.
type ReminderSettings struct {
	HeadWithinDays int // heads hear of pledges due within this many days, and overdue ones
	BeforeDays     int // a resident's first reminder, this many days before the due date
	EveryDays      int // then one every this many days
	Times          int // at most this many reminders per pledge
}

// DefaultReminders are the rules unless the configuration says otherwise
// (cmd/danvan reads DANVAN_REMIND_*).
var DefaultReminders = ReminderSettings{HeadWithinDays: 3, BeforeDays: 3, EveryDays: 7, Times: 3}

// reminderTextLimit bounds one reminder message (see danvan.MaxText).
const reminderTextLimit = danvan.MaxText

// reminderButtonsPerMessage bounds the buttons on one digest message, well
// under Telegram's limit for an inline keyboard.
const reminderButtonsPerMessage = 40

const (
	msgRemHeadHeader msg = 1000 + iota
	msgRemHeadLine
	msgRemHeadFooter
	msgRemHeadButton
	msgRemOverdue
	msgRemDueToday
	msgRemDueIn
	msgRemDueTomorrow
	msgRemResidentHeader
	msgRemResidentLine
	msgRemResidentFooter
	msgRemQR
	msgRemQRAlt
)

func init() {
	for m, pair := range map[msg][2]string{
		msgRemHeadHeader: {
			"🔔 <b>Các khoản cần thu</b> · %s\nCác khoản ủng hộ ở khu của bạn sắp đến hạn hoặc đã quá hạn:",
			"🔔 <b>Pledges to collect</b> · %s\nPledges in your zones that are due soon or overdue:",
		},
		msgRemHeadLine: {"\n• <b>#%s</b> · %s · <code>%s</code>: còn %s · %s", "\n• <b>#%s</b> · %s · <code>%s</code>: %s open · %s"},
		msgRemHeadFooter: {
			"\n\nBấm nút để ghi nhận đã nhận, hoặc gõ <code>/xacnhan MÃ SỐ</code>.",
			"\n\nPress a button to record what was received, or send <code>/confirm CODE AMOUNT</code>.",
		},
		msgRemHeadButton:  {"✅ #%s", "✅ #%s"},
		msgRemOverdue:     {"<b>quá hạn %d ngày</b> (hạn %s)", "<b>%d days overdue</b> (due %s)"},
		msgRemDueToday:    {"<b>hạn hôm nay</b>", "<b>due today</b>"},
		msgRemDueIn:       {"còn %d ngày (hạn %s)", "due in %d days (%s)"},
		msgRemDueTomorrow: {"<b>hạn ngày mai</b>", "<b>due tomorrow</b>"},
		msgRemResidentHeader: {
			"🔔 <b>Nhắc nhẹ về khoản ủng hộ của bạn</b>",
			"🔔 <b>A friendly reminder about your pledge</b>",
		},
		msgRemResidentLine: {
			"\n\n<b>#%s</b> · %s\nCòn %s chưa nộp · %s",
			"\n\n<b>#%s</b> · %s\n%s still open · %s",
		},
		msgRemQR: {
			"📷 #%s: quét mã để chuyển %s cho %s (nội dung <code>%s</code>).",
			"📷 #%s: scan to transfer %s to %s (memo <code>%s</code>).",
		},
		msgRemQRAlt: {
			"💳 #%s: chuyển %s vào %s, tài khoản <code>%s</code> (%s), nội dung <code>%s</code>.",
			"💳 #%s: transfer %s to %s, account <code>%s</code> (%s), memo <code>%s</code>.",
		},
		msgRemResidentFooter: {
			"\n\nKhi đã nộp, gõ <code>/danop MÃ</code> để trưởng khu, thủ quỹ xác nhận. Cảm ơn bạn!\nKhông muốn nhận nhắc nhở? Gõ /nhacnho tat.",
			"\n\nOnce you have paid, send <code>/paid CODE</code> so the zone head or treasurer can confirm. Thank you!\nNo more reminders? Send /reminders off.",
		},
	} {
		if _, dup := catalogue[m]; dup {
			panic(fmt.Sprintf("report: message %d registered twice", m))
		}
		catalogue[m] = pair
	}
}

// reminderLang is the catalogue language of a person's stored language.
func reminderLang(l string) string {
	if l == "en" {
		return "en"
	}
	return "vi"
}

// dayOf is the calendar date of t in loc, as midnight UTC, the way DATE
// columns are read: two such dates differ by whole days.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// dueWhen says when a pledge is due, relative to today.
func dueWhen(lang string, due, today time.Time) string {
	days := int(dayOf(due, time.UTC).Sub(today).Hours() / 24)
	switch {
	case days < 0:
		return t(lang, msgRemOverdue, -days, due.Format("02/01/2006"))
	case days == 0:
		return t(lang, msgRemDueToday)
	case days == 1:
		return t(lang, msgRemDueTomorrow)
	}
	return t(lang, msgRemDueIn, days, due.Format("02/01/2006"))
}

// HeadReminders builds, for the slot's day in loc, each zone head's digest
// of the open pledges of their zones due within rules.HeadWithinDays
// or overdue, each with a button to record a receipt. A head with nothing
// due gets nothing. A long digest is split on line boundaries.
func HeadReminders(ctx context.Context, st Store, slot time.Time, loc *time.Location, rules ReminderSettings,
	receiptButton func(label string, pledgeID int64) danvan.Button) ([]danvan.Outgoing, error) {
	today := dayOf(slot, loc)
	heads, lines, pledgers, err := st.HeadDuePledges(ctx, today.AddDate(0, 0, rules.HeadWithinDays))
	if err != nil {
		return nil, err
	}
	var out []danvan.Outgoing
	for i := 0; i < len(heads); {
		head := heads[i]
		lang := reminderLang(head.Lang)
		var items []reminderItem
		for ; i < len(heads) && heads[i].ID == head.ID; i++ {
			l, who := lines[i], pledgers[i]
			open := l.Pledge.Quantity - l.Pledge.Received
			items = append(items, reminderItem{
				text: t(lang, msgRemHeadLine, danvan.EscapeHTML(l.Pledge.Code), danvan.EscapeHTML(who.Name),
					danvan.EscapeHTML(l.CampaignCode), danvan.EscapeHTML(quantity(lang, l.Target, open)), dueWhen(lang, l.Pledge.Due, today)),
				button: new(receiptButton(t(lang, msgRemHeadButton, l.Pledge.Code), l.Pledge.ID)),
			})
		}
		out = append(out, reminderMessages(head.ChatID,
			t(lang, msgRemHeadHeader, today.Format("02/01/2006")), items, t(lang, msgRemHeadFooter))...)
	}
	return out, nil
}

// ResidentReminders reminds pledgers of their open pledges with a due date:
// first rules.BeforeDays before it, then every rules.EveryDays, at
// most rules.Times per pledge, unless they turned reminders off. Each
// reminder sent is counted in the same transaction that writes it to the
// outbox (st), so a pledge is never reminded more than the set count.
func ResidentReminders(ctx context.Context, st Store, slot time.Time, loc *time.Location, rules ReminderSettings) ([]danvan.Outgoing, error) {
	today := dayOf(slot, loc)
	y, m, d := today.Date()
	// Reminded again once the interval has passed in days: anything sent
	// on or before today − EveryDays, whatever the hour it was sent.
	sentBefore := time.Date(y, m, d-rules.EveryDays+1, 0, 0, 0, 0, loc)
	lines, pledgers, err := st.ResidentRemindersDue(ctx, today.AddDate(0, 0, rules.BeforeDays), sentBefore, rules.Times)
	if err != nil {
		return nil, err
	}
	var out []danvan.Outgoing
	ids := make([]int64, 0, len(lines))
	for i := 0; i < len(pledgers); {
		who := pledgers[i]
		lang := reminderLang(who.Lang)
		var items []reminderItem
		var codes []danvan.Outgoing
		for ; i < len(pledgers) && pledgers[i].ID == who.ID; i++ {
			l := lines[i]
			open := l.Pledge.Quantity - l.Pledge.Received
			items = append(items, reminderItem{text: t(lang, msgRemResidentLine, danvan.EscapeHTML(l.Pledge.Code),
				danvan.EscapeHTML(l.CampaignTitle), danvan.EscapeHTML(quantity(lang, l.Target, open)), dueWhen(lang, l.Pledge.Due, today))})
			ids = append(ids, l.Pledge.ID)
			if l.Target.Kind == danvan.KindMoney && open > 0 && len(codes) < qrPerReminder {
				qr, err := pledgeQR(ctx, st, who.ChatID, lang, l, open)
				if err != nil {
					return nil, err
				}
				if qr != nil {
					codes = append(codes, *qr)
				}
			}
		}
		out = append(out, reminderMessages(who.ChatID, t(lang, msgRemResidentHeader), items, t(lang, msgRemResidentFooter))...)
		out = append(out, codes...)
	}
	if err := st.MarkReminded(ctx, ids, slot); err != nil {
		return nil, err
	}
	return out, nil
}

// reminderItem is one line of a reminder, with its button if any.
type reminderItem struct {
	text   string
	button *danvan.Button
}

// reminderMessages lays a header, items and a footer out as broadcast
// messages to chatID, starting a new message when the next line would
// make the text too long or the keyboard too big: a line and its button
// always travel together. Buttons go two to a row.
func reminderMessages(chatID int64, header string, items []reminderItem, footer string) []danvan.Outgoing {
	var out []danvan.Outgoing
	text, n := header, 0
	var buttons []danvan.Button
	flush := func() {
		out = append(out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: chatID, Text: text,
			Buttons: reminderRows(buttons), Broadcast: true})
		text, n, buttons = "", 0, nil
	}
	for _, it := range items {
		full := utf8.RuneCountInString(text)+utf8.RuneCountInString(it.text) > reminderTextLimit
		if n > 0 && (full || it.button != nil && len(buttons) >= reminderButtonsPerMessage) {
			flush()
		}
		line := it.text
		if text == "" {
			// A continued message starts with its first line, not a blank.
			for len(line) > 0 && line[0] == '\n' {
				line = line[1:]
			}
		}
		text += line
		n++
		if it.button != nil {
			buttons = append(buttons, *it.button)
		}
	}
	if n > 0 && utf8.RuneCountInString(text)+utf8.RuneCountInString(footer) > reminderTextLimit {
		flush()
		footer = strings.TrimLeft(footer, "\n")
	}
	text += footer
	flush()
	return out
}

func reminderRows(bs []danvan.Button) [][]danvan.Button {
	var rows [][]danvan.Button
	for len(bs) > 0 {
		k := min(2, len(bs))
		rows = append(rows, bs[:k:k])
		bs = bs[k:]
	}
	return rows
}

// qrPerReminder bounds the transfer codes sent with one person's reminder.
const qrPerReminder = 3

// pledgeQR is the VietQR picture that pays what is open on a money pledge,
// or nil when its campaign takes no transfers (or its account, from the
// setup file, does not make a valid code: the reminder goes without).
func pledgeQR(ctx context.Context, st Store, chatID int64, lang string, l danvan.PledgeLine, open danvan.Quantity) (*danvan.Outgoing, error) {
	c, err := st.Campaign(ctx, l.Pledge.CampaignID)
	if err != nil {
		return nil, err
	}
	if c.Bank == nil {
		return nil, nil
	}
	png, memo, err := vietqr.ForPledge(*c.Bank, c.Code, l.Pledge.Code, int64(open))
	if err != nil {
		return nil, nil
	}
	return &danvan.Outgoing{Kind: danvan.OutPhoto, ChatID: chatID, Photo: png, Broadcast: true,
		Text: t(lang, msgRemQR, danvan.EscapeHTML(l.Pledge.Code), danvan.EscapeHTML(danvan.FormatMoney(open)),
			danvan.EscapeHTML(c.Bank.Name), danvan.EscapeHTML(memo)),
		Alt: t(lang, msgRemQRAlt, danvan.EscapeHTML(l.Pledge.Code), danvan.EscapeHTML(danvan.FormatMoney(open)),
			danvan.EscapeHTML(vietqr.BankName(c.Bank.BIN)), danvan.EscapeHTML(c.Bank.Account), danvan.EscapeHTML(c.Bank.Name),
			danvan.EscapeHTML(memo))}, nil
}
