package main

import "testing"

// A head decides a payment claim with the buttons of its notice, which
// belong to no conversation of theirs; the same data pressed by the
// resident, or pressed again, decides nothing.
func TestClaimButtons(t *testing.T) {
	w := newWorld(t)
	lan, code := w.rcPledger(300061, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	hoa := w.rcStaff(100001, "Hoa")

	lan.send("/danop " + code)
	lan.expect("Đã báo trưởng khu và thủ quỹ")
	notice := hoa.expect("Lan báo đã nộp 500.000 ₫ cho khoản #" + code)
	var accept string
	for _, row := range notice.Buttons {
		for _, b := range row {
			if b.Text == "✅ Đã nhận" {
				accept = b.Data
			}
		}
	}
	if accept == "" {
		t.Fatalf("the notice has no accept button: %v", notice.Buttons)
	}

	// Lan forges the head's button in her own chat: she has no role.
	w.api.PressButton(lan.user, lan.user.ID, 1, accept)
	lan.expect("Chỉ trưởng khu, thủ quỹ hoặc quản trị viên")
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, code); got != 0 {
		t.Fatalf("a forged button recorded %d", got)
	}

	hoa.press(notice, "Đã nhận")
	hoa.expect("Đã ghi nhận 500.000 ₫ cho khoản #" + code)
	lan.expect("Đã nhận 500.000 ₫ cho khoản #" + code)
	hoa.press(notice, "Đã nhận") // pressed again before the edit arrived
	hoa.expect("đã được xử lý rồi")
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, code); got != 500_000 {
		t.Fatalf("received %d after two presses, want 500000", got)
	}
	if n := w.query(`SELECT count(*) FROM receipts`); n != 1 {
		t.Fatalf("%d receipts, want 1", n)
	}
}
