package flows_test

import (
	"strings"
	"testing"

	"github.com/danvan/danvan/flows"
)

// A claim rejected by one person and then "accepted" from its notice by
// another stays rejected, and the notice says so: a notice shows what
// happened, not which button was pressed. A forged press of the claim's
// button on a photo never asks for an edit Telegram would refuse.
func TestClaimNoticeShowsTheDecision(t *testing.T) {
	w := newWard(t)
	code := w.pledge(300001, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	lan := w.person(300001, "Lan")
	hoa := w.person(100001, "Hoa") // head of Khu 1 and the Front's treasurer
	hoa.send("/huongdan")
	admin := w.person(100004, "Hùng")
	admin.send("/huongdan")

	lan.send("/danop " + code)
	notice := hoa.expect("báo đã nộp")
	claim := w.query(`SELECT id FROM payment_claims`)
	admin.send("/tuchoi " + itoa(claim))
	admin.expect("Đã từ chối")

	answer := hoa.press(notice, "rca", "")
	if !strings.Contains(hoa.last().Text, "đã được xử lý rồi") {
		t.Errorf("the treasurer was told %q (answer %q), want that the claim was decided already", hoa.last().Text, answer)
	}
	if !notice.Edited || strings.Contains(notice.Text, "Đã chấp nhận") || !strings.Contains(notice.Text, "Đã từ chối") {
		t.Errorf("the notice reads %q, want it to say the claim was rejected", notice.Text)
	}
	if !strings.Contains(notice.Text, "Lan") || !strings.Contains(notice.Text, "#"+code) {
		t.Errorf("the notice lost what it said: %q", notice.Text)
	}
	if n := w.query(`SELECT count(*) FROM receipts`); n != 0 {
		t.Errorf("%d receipts after a rejected claim was pressed", n)
	}
	if status := w.query(`SELECT count(*) FROM payment_claims WHERE status = 'rejected'`); status != 1 {
		t.Errorf("the claim is no longer rejected")
	}

	// A pending claim's buttons pressed on a photo (forged): decided, and
	// the photo left alone — the harness fails on an edit of a photo.
	hoa.send("/start z_YG-K1")
	hoa.send("/ungho THIETBI 200k")
	qr := w.chats[hoa.id][len(w.chats[hoa.id])-1]
	if qr.Kind != "photo" {
		t.Fatalf("the last message is a %s, want the VietQR photo", qr.Kind)
	}
	lan.send("/ungho THIETBI 300k")
	other := codeRe.FindStringSubmatch(lan.expect("Đã ghi nhận khoản ủng hộ <b>#").Text)[1]
	lan.send("/danop " + other)
	second := w.query(`SELECT max(id) FROM payment_claims`)
	hoa.pressData(qr, "0:rca:"+itoa(second))
	if n := w.query(`SELECT count(*) FROM payment_claims WHERE status = 'accepted'`); n != 1 {
		t.Errorf("%d accepted claims, want the pressed one", n)
	}
}

// Settling a press keeps what the message said and adds the outcome.
func TestSettledMessagesKeepWhatTheySaid(t *testing.T) {
	w := newWard(t)
	code := w.pledge(300001, "Nguyễn Thị Cúc", "YG-K1", "/ungho DIEUHOA 500k")
	hoa := w.person(100001, "Hoa")
	hoa.send("/xacnhan " + code)
	recorded := hoa.expect("Đã ghi nhận <b>500.000 ₫</b> cho khoản")
	hoa.press(recorded, "rs", "")
	if !strings.Contains(recorded.Text, "Đã ghi nhận <b>500.000 ₫</b> cho khoản <b>#"+code) || !strings.Contains(recorded.Text, "Nguyễn Thị Cúc") ||
		!strings.HasSuffix(recorded.Text, "→ <b>Bỏ qua</b>") || len(recorded.Buttons) != 0 {
		t.Errorf("after Skip the receipt reads %q with buttons %v", recorded.Text, recorded.Buttons)
	}

	r := w.person(300002, "Tư")
	r.send("/start z_YG-K1")
	list := r.expect("Các chiến dịch đang vận động")
	r.press(list, "c", "DIEUHOA")
	if !strings.Contains(list.Text, "Các chiến dịch đang vận động") || !strings.Contains(list.Text, "THIETBI") ||
		!strings.HasSuffix(list.Text, "→ <b>Lắp điều hòa nhà văn hóa khu 1–4</b>") {
		t.Errorf("the campaign list after a choice reads %q", list.Text)
	}
	r.press(r.last(), "t", "Tiền")
	question := r.last()
	asked := question.Text
	r.press(question, "x", "")
	if !strings.HasPrefix(question.Text, asked) || !strings.HasSuffix(question.Text, "→ <b>✖ Hủy</b>") || len(question.Buttons) != 0 {
		t.Errorf("the cancelled question reads %q, want %q and the cancel", question.Text, asked)
	}
}

// A group is told how to link it when the bot joins it unlinked; added back
// to a group that is linked (the setup file's, or after a restart of the
// demo), it is told what it follows, not to type /lienket again.
func TestGroupWelcome(t *testing.T) {
	w := newWard(t)
	cuong := w.person(220002, "Cường")
	joined := func(chat int64) string {
		t.Helper()
		ev := cuong.event(chat, flows.EventJoined)
		ev.Title = "Ban công tác khu 1"
		w.handle(ev)
		msgs := w.chats[chat]
		return msgs[len(msgs)-1].Text
	}
	if got := joined(-100555); !strings.Contains(got, "/lienket") {
		t.Errorf("a new group was told %q, want how to link it", got)
	}
	const example = -1001234567890 // linked to DIEUHOA and THIETBI by the setup file
	got := joined(example)
	if strings.Contains(got, "/lienket") || !strings.Contains(got, "trở lại") || !strings.Contains(got, "DIEUHOA") {
		t.Errorf("a linked group was told %q, want what it follows", got)
	}
}
