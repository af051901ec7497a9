package flows

import (
	"strings"

	"github.com/danvan/danvan"
)

// Reminders: residents turn the reminders about their pledges' due dates
// off and on (/reminders on|off); zone heads act on their daily digest.
//
// The digest (report.HeadReminders) is sent into the head's private chat
// with a button per pledge, made by ReceiptButton: a global action, since
// the head's conversation knows nothing of the digest. A press re-checks
// the head's authority, like /confirm CODE, and starts the receipt
// conversation for that pledge: how much was received, with a button for
// all that is open.

const actionReceiptFromReminder = "nr"

func remindersConversation(c *conversation) {
	c.commands(
		&command{names: []string{"reminders", "nhacnho"}, private: (*turn).reminders},
	)
	c.globalActions(map[string]func(*turn, int64) error{
		actionReceiptFromReminder: (*turn).receiptFromReminder,
	})
}

// ReceiptButton is the button, labelled label, that starts recording a
// receipt for pledge pledgeID in whichever chat it is pressed, by whoever
// may record it: what a head's digest offers for each pledge. Its data is
// this package's business.
func ReceiptButton(label string, pledgeID int64) danvan.Button {
	return globalButton(label, actionReceiptFromReminder, pledgeID)
}

// receiptFromReminder starts recording a receipt for the pledge of a
// digest's button, leaving whatever the head was doing.
func (tr *turn) receiptFromReminder(pledgeID int64) error {
	tr.state.reset()
	pc, ok, err := tr.lockForReceipt(pledgeID, "")
	if err != nil || !ok {
		return err
	}
	if pc.open() <= 0 {
		tr.say(t(tr.lang, msgRcAlreadyFull, esc(pc.p.Code)))
		return nil
	}
	return tr.askReceiptQuantity(pc)
}

// reminders is /reminders [on|off]: without an argument it says whether
// they are on.
func (tr *turn) reminders(args string) error {
	var off bool
	switch strings.ToLower(strings.TrimSpace(args)) {
	case "on", "bat", "bật", "mo", "mở":
		off = false
	case "off", "tat", "tắt":
		off = true
	case "":
		off, err := tr.st.RemindersOff(tr.ctx, tr.person.ID)
		if err != nil {
			return err
		}
		state := msgNOn
		if off {
			state = msgNOff
		}
		tr.say(t(tr.lang, state) + t(tr.lang, msgNUsage))
		return nil
	default:
		tr.say(t(tr.lang, msgNUsage))
		return nil
	}
	if err := tr.st.SetRemindersOff(tr.ctx, tr.person.ID, off); err != nil {
		return err
	}
	if off {
		tr.say(t(tr.lang, msgNTurnedOff))
	} else {
		tr.say(t(tr.lang, msgNTurnedOn))
	}
	return nil
}

var (
	msgNOn = msg{
		"🔔 Nhắc nhở đang <b>bật</b>: bot nhắc bạn trước hạn nộp các khoản ủng hộ.",
		"🔔 Reminders are <b>on</b>: I remind you before your pledges are due.",
	}
	msgNOff = msg{
		"🔕 Nhắc nhở đang <b>tắt</b>.",
		"🔕 Reminders are <b>off</b>.",
	}
	msgNUsage = msg{
		"\nGõ <code>/nhacnho tat</code> để tắt, <code>/nhacnho bat</code> để bật lại.",
		"\nSend <code>/reminders off</code> to turn them off, <code>/reminders on</code> to turn them back on.",
	}
	msgNTurnedOn = msg{
		"🔔 Đã bật nhắc nhở: bot sẽ nhắc bạn trước hạn nộp các khoản ủng hộ.",
		"🔔 Reminders are on: I will remind you before your pledges are due.",
	}
	msgNTurnedOff = msg{
		"🔕 Đã tắt nhắc nhở. Gõ <code>/nhacnho bat</code> nếu muốn bật lại.",
		"🔕 Reminders are off. Send <code>/reminders on</code> to turn them back on.",
	}
)
