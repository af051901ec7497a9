package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/store"
)

// Every pledge gets a date to be paid by, so reminders and the heads'
// digest find it: the guided pledge asks (buttons or a typed date), and a
// pledge made without one is due when its campaign says.
func TestPledgesAreDue(t *testing.T) {
	w := newWard(t)
	lan := w.person(300001, "Lan")
	lan.send("/start z_YG-K1")
	due := func(code string) string {
		t.Helper()
		var d *time.Time
		if err := w.db.Pool.QueryRow(w.ctx, `SELECT due FROM pledges WHERE code = $1`, code).Scan(&d); err != nil {
			t.Fatal(err)
		}
		if d == nil {
			return "none"
		}
		return d.Format(time.DateOnly)
	}
	pledged := func() string {
		t.Helper()
		return codeRe.FindStringSubmatch(lan.expect("Đã ghi nhận khoản ủng hộ <b>#").Text)[1]
	}

	// THIETBI ends on 31/12: the end of this month (30/11, tomorrow) is too
	// near to offer, the end of December is the campaign's end.
	lan.send("/ungho THIETBI")
	lan.press(lan.last(), "q", "500.000")
	ask := lan.expect("Bạn định nộp vào khi nào?")
	if !strings.Contains(ask.Text, "hạn nộp là ngày chiến dịch kết thúc (31/12/2026)") {
		t.Errorf("the question does not say what no date means: %q", ask.Text)
	}
	if labels := buttonLabels(ask); labels != "Khi chiến dịch kết thúc (31/12)|Không hẹn ngày|✖ Hủy" {
		t.Errorf("due choices %q", labels)
	}
	lan.send("28/11")
	lan.expect("không thể là ngày đã qua")
	lan.send("31/02")
	lan.expect("Ngày không hợp lệ")
	lan.send("4/12")
	lan.press(lan.expect("Hạn nộp: <b>04/12/2026</b>"), "y", "")
	if code := pledged(); due(code) != "2026-12-04" {
		t.Errorf("typed 4/12: due %s", due(code))
	}

	// SANNHA runs to June: the end of December is offered, and taken.
	lan.send("/ungho SANNHA")
	lan.press(lan.last(), "q", "200.000")
	ask = lan.expect("Bạn định nộp vào khi nào?")
	if labels := buttonLabels(ask); labels != "Cuối tháng 12 (31/12)|Khi chiến dịch kết thúc (30/06)|Không hẹn ngày|✖ Hủy" {
		t.Errorf("due choices %q", labels)
	}
	lan.press(ask, "d", "Cuối tháng 12")
	lan.press(lan.expect("Hạn nộp: <b>31/12/2026</b>"), "y", "")
	if code := pledged(); due(code) != "2026-12-31" {
		t.Errorf("end of December: due %s", due(code))
	}

	// The one-line form has no date of its own: due at the campaign's end,
	// which it follows when the end moves.
	lan.send("/ungho DIEUHOA 500k")
	oneLine := codeRe.FindStringSubmatch(lan.expect("Hạn nộp: <b>31/12/2026</b>").Text)[1]
	if due(oneLine) != "none" {
		t.Errorf("one-line pledge stored due %s, want none of its own", due(oneLine))
	}
	var lines []danvan.PledgeLine
	digest := func(by time.Time) []string {
		t.Helper()
		err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
			var err error
			_, lines, _, err = tx.HeadDuePledges(w.ctx, by)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var codes []string
		for _, l := range lines {
			codes = append(codes, l.Pledge.Code)
		}
		return codes
	}
	if got := digest(time.Date(2026, 12, 30, 0, 0, 0, 0, time.UTC)); strings.Contains(strings.Join(got, ","), oneLine) {
		t.Errorf("the digest up to 30/12 has the pledge due 31/12: %v", got)
	}
	if got := digest(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)); !strings.Contains(strings.Join(got, ","), oneLine) {
		t.Errorf("the digest up to 31/12 lacks the one-line pledge due at the campaign's end: %v", got)
	}
	if _, err := w.db.Pool.Exec(w.ctx, `UPDATE campaigns SET ends = '2027-01-15' WHERE code = 'DIEUHOA'`); err != nil {
		t.Fatal(err)
	}
	if got := digest(time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)); strings.Contains(strings.Join(got, ","), oneLine) {
		t.Errorf("after the campaign was extended the pledge is still due 31/12: %v", got)
	}

	// THAMHOI gives 14 days (due_days in the setup file).
	lan.send("/ungho THAMHOI 1tr")
	if code := codeRe.FindStringSubmatch(lan.expect("Hạn nộp: <b>13/12/2026</b>").Text)[1]; due(code) != "2026-12-13" {
		t.Errorf("due_days 14: due %s", due(code))
	}
	// A household recorded by its head follows the same rule.
	hoa := w.person(100001, "Hoa")
	hoa.send("/hogiadinh THAMHOI 500k Hộ ông Tư") // no honour board: recorded at once
	if n := w.query(`SELECT count(*) FROM pledges WHERE due = '2026-12-13' AND recorded_by IS NOT NULL`); n != 1 {
		t.Errorf("%d household pledges due in 14 days, want 1", n)
	}
}

// buttonLabels lists a message's button labels, row after row.
func buttonLabels(m *message) string {
	var labels []string
	for _, row := range m.Buttons {
		for _, b := range row {
			labels = append(labels, b.Text)
		}
	}
	return strings.Join(labels, "|")
}
