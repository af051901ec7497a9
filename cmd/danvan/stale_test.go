package main

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

// The probe's attack, end to end: a treasurer asked about one pledge
// answers /huy, opens another pledge of the same amount, then presses
// "all that is open" on the message about the first. Nothing is recorded,
// and the press is told it is out of date. The question pressed on today
// keeps what it said, with the choice under it.
func TestOldReceiptButtonRecordsNothing(t *testing.T) {
	w := newWorld(t)
	defer w.shutdown()
	_, a := w.rcPledger(300041, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	_, b := w.rcPledger(300042, "Cúc", "YG-K1", "/ungho DIEUHOA 500k")
	hoa := w.rcStaff(100001, "Hoa")

	pick := func(code string) localapi.Message {
		hoa.send("/xacnhan")
		hoa.press(hoa.expect("Các khoản đang chờ nộp"), "#"+code)
		return hoa.expect("#" + code + " của")
	}
	old := pick(a)
	hoa.send("/huy")
	hoa.expect("Đã dừng")
	fresh := pick(b)

	_, cb := w.api.PressButton(hoa.user, old.ChatID, old.ID, buttonData(t, old, "Nhận đủ phần còn lại"))
	waitAnswer(t, w.api, cb, "Nút này đã cũ")
	if n := w.query(`SELECT count(*) FROM receipts`); n != 0 {
		t.Fatalf("the old button recorded %d receipts", n)
	}

	// The current question still works, and reads as a record afterwards.
	hoa.press(fresh, "Nhận đủ phần còn lại")
	hoa.expect("Đã ghi nhận 500.000 ₫ cho khoản #" + b)
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, b); got != 500_000 {
		t.Fatalf("pledge %s received %d, want 500000", b, got)
	}
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, a); got != 0 {
		t.Fatalf("pledge %s received %d, want 0", a, got)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var m localapi.Message
		for _, x := range w.api.BotMessages(fresh.ChatID) {
			if x.ID == fresh.ID {
				m = x
			}
		}
		if m.Edited > 0 {
			if !strings.HasPrefix(m.PlainText, fresh.PlainText) || !strings.Contains(m.PlainText, "→ Nhận đủ phần còn lại: 500.000 ₫") || len(m.Buttons) != 0 {
				t.Errorf("the pressed question reads %q (buttons %v), want what it said and the choice", m.PlainText, m.Buttons)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pressed question was never settled")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// buttonData is the data of m's button whose label contains label.
func buttonData(t *testing.T, m localapi.Message, label string) string {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b.Data
			}
		}
	}
	t.Fatalf("no button %q on %q", label, m.PlainText)
	return ""
}
