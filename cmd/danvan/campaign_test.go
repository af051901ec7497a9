package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

// People of the example setup (examples/quang-yen.yaml).
const (
	cadreLan  = 100003 // cadre of MTTQ-YG, which runs DIEUHOA and SANNHA
	cadreMai  = 100005 // cadre of HPN-YG: another unit
	cadreTuan = 100008 // cadre of UBND-YG, which runs CHUYENDOI
)

// hostile is the title of the abuse cases: HTML and look-alikes that must
// be shown literally.
const hostile = `<b>Sân & "đường"</b> <script>`

// edited waits until message m shows a button whose label contains label,
// after the bot edited it, and returns it as it is then.
func (r *resident) edited(m localapi.Message, label string) localapi.Message {
	r.w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	got, err := r.w.api.WaitFor(ctx, r.user.ID, func(x localapi.Message) bool {
		if x.ID != m.ID {
			return false
		}
		for _, row := range x.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					return true
				}
			}
		}
		return false
	})
	if err != nil {
		r.w.t.Fatalf("%s: message %d never showed a button %q", r.user.FirstName, m.ID, label)
	}
	return got
}

// pressFor presses the button labelled label on m and returns the callback
// query's id, to check the notice it is answered with.
func (r *resident) pressFor(m localapi.Message, label string) string {
	r.w.t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				_, id := r.w.api.PressButton(r.user, m.ChatID, m.ID, b.Data)
				return id
			}
		}
	}
	r.w.t.Fatalf("%s: no button %q on %q", r.user.FirstName, label, m.PlainText)
	return ""
}

var pledgeCodeRE = regexp.MustCompile(`#([A-Z0-9]{4,8})`)

// pledgeCode reads the code of the pledge a thank-you message names.
func pledgeCode(t *testing.T, m localapi.Message) string {
	t.Helper()
	sm := pledgeCodeRE.FindStringSubmatch(m.PlainText)
	if sm == nil {
		t.Fatalf("no pledge code in %q", m.PlainText)
	}
	return sm[1]
}

// A cadre creates a campaign step by step, with a title full of HTML,
// mistakes at every step and two goals; it is published, residents see it
// (title shown literally) and pledge to it.
func TestCadreCreatesCampaign(t *testing.T) {
	w := newWorld(t)
	lan := w.resident(cadreLan, "Lan", "vi")
	lan.send("/taochiendich")
	lan.expect("Tạo chiến dịch mới — Ủy ban MTTQ phường Yên Giang")
	lan.send(strings.Repeat("dài ", 60))
	lan.expect("cần từ 1 đến 200 ký tự")
	lan.send(hostile)
	code := lan.expect("Đề xuất: BSANDUONGBSCRIPT")
	if !strings.Contains(code.Text, "<code>BSANDUONGBSCRIPT</code>") {
		t.Errorf("the proposed code is not shown as code: %q", code.Text)
	}
	lan.send("x")
	lan.expect("Mã chỉ gồm 2–16 chữ cái")
	lan.send("dieuhoa")
	lan.expect("Mã DIEUHOA đã có chiến dịch khác dùng")
	lan.send("sanduong")

	zones := lan.expect("Chiến dịch vận động ở những khu nào?")
	done := lan.pressFor(zones, "Xong")
	waitAnswer(t, w.api, done, "Hãy chọn ít nhất một khu")
	lan.press(zones, "Khu 1")
	zones = lan.edited(zones, "✅ Khu 1")
	lan.press(zones, "Khu 2")
	zones = lan.edited(zones, "✅ Khu 2")
	lan.press(zones, "Xong")

	lan.press(lan.expect("Mục tiêu 1: loại gì?"), "Tiền")
	lan.expect("Mục tiêu (Tiền) là bao nhiêu?")
	lan.send("năm chục")
	lan.expect("không đọc được")
	lan.send("50tr")
	lan.press(lan.expect("Đã thêm: Tiền: 50.000.000 ₫"), "Thêm mục tiêu")
	lan.press(lan.expect("Mục tiêu 2: loại gì?"), "Khối lượng")
	lan.expect("Đo cái gì?")
	lan.send("sân lát")
	lan.expect("Đơn vị đo?")
	lan.send("m²")
	lan.expect("Mục tiêu (Khối lượng: sân lát) là bao nhiêu?")
	lan.send("1200")
	lan.press(lan.expect("Đã thêm: Khối lượng: sân lát: 1.200 m²"), "Xong")

	lan.expect("Ngày bắt đầu?")
	lan.send("01/12/2026")
	lan.expect("Ngày kết thúc?")
	lan.send("31/13/2026")
	lan.expect("Ngày không hợp lệ")
	lan.send("30/11/2026")
	lan.expect("phải từ ngày bắt đầu (01/12/2026) trở đi")
	lan.send("31/12/2027")
	lan.expect("Tài khoản nhận chuyển khoản")
	lan.send("97043")
	lan.expect("Mã BIN gồm đúng 6 chữ số")
	lan.send("970436")
	lan.expect("Số tài khoản")
	lan.send("0011 001 234567")
	lan.expect("Tên chủ tài khoản")
	lan.send("MTTQ <YG> & co")
	lan.press(lan.expect("Có bảng vinh danh người ủng hộ không?"), "Không vinh danh")

	review := lan.expect("Kiểm tra lại trước khi đăng")
	for _, want := range []string{"Tên: " + hostile, "Mã: SANDUONG", "Khu: Khu 1, Khu 2", "Tiền: 50.000.000 ₫",
		"Khối lượng: sân lát: 1.200 m²", "01/12/2026 → 31/12/2027", "0011001234567 (MTTQ <YG> & co)", "Không vinh danh"} {
		if !strings.Contains(review.PlainText, want) {
			t.Errorf("the review lacks %q:\n%s", want, review.PlainText)
		}
	}
	if strings.Contains(review.Text, "<script>") {
		t.Errorf("the review carries raw HTML: %q", review.Text)
	}
	lan.press(review, "Đăng chiến dịch")
	published := lan.expect("Đã đăng chiến dịch " + hostile + ", mã SANDUONG")
	if !strings.Contains(published.PlainText, "https://t.me/danvan_test_bot?start=c_SANDUONG") {
		t.Errorf("no link for the QR poster:\n%s", published.PlainText)
	}

	if n := w.query(`SELECT count(*) FROM campaigns WHERE code = 'SANDUONG' AND status = 'active' AND NOT honour_board
		AND title = $1 AND starts = '2026-12-01' AND ends = '2027-12-31' AND bank_account = '0011001234567'`, hostile); n != 1 {
		t.Fatalf("%d campaigns SANDUONG as reviewed, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM targets t JOIN campaigns c ON c.id = t.campaign_id WHERE c.code = 'SANDUONG'
		AND ((t.kind = 'money' AND t.goal = 50000000 AND t.position = 1) OR (t.kind = 'measure' AND t.label = 'sân lát' AND t.unit_label = 'm²' AND t.goal = 1200000 AND t.position = 2))`); n != 2 {
		t.Errorf("%d targets as entered, want 2", n)
	}
	if n := w.query(`SELECT count(*) FROM campaign_areas ca JOIN campaigns c ON c.id = ca.campaign_id JOIN areas a ON a.id = ca.area_id
		WHERE c.code = 'SANDUONG' AND a.code IN ('YG-K1', 'YG-K2')`); n != 2 {
		t.Errorf("%d zones covered, want 2", n)
	}
	if n := w.query(`SELECT count(*) FROM audit_log a JOIN campaigns c ON c.id = a.entity_id
		WHERE a.entity = 'campaign' AND a.action = 'created' AND c.code = 'SANDUONG' AND a.after->>'Title' = $1`, hostile); n != 1 {
		t.Errorf("%d audit entries for the new campaign, want 1", n)
	}

	// Residents of a covered zone see it and pledge; the title stays literal.
	an := w.resident(230001, "An", "vi")
	an.send("/start z_YG-K2")
	list := an.expect("Các chiến dịch đang vận động")
	if !strings.Contains(list.PlainText, hostile+" · mã SANDUONG") {
		t.Errorf("/chiendich does not show the title literally:\n%s", list.PlainText)
	}
	an.send("/ungho SANDUONG 1tr")
	an.expect("1.000.000 ₫ cho " + hostile)
	an.send("/tongket SANDUONG")
	summary := an.expect(hostile + " · mã SANDUONG")
	if !strings.Contains(summary.PlainText, "Đã đăng ký: 1.000.000 ₫ · 1 lượt") {
		t.Errorf("summary:\n%s", summary.PlainText)
	}
	// A resident of a zone not covered does not see it.
	binh := w.resident(230002, "Bình", "vi")
	binh.send("/start z_YG-K5")
	binh.expect("Đã lưu: bạn ở Khu 5")
	if other := binh.expect("Các chiến dịch đang vận động"); strings.Contains(other.PlainText, "SANDUONG") {
		t.Errorf("a zone the campaign does not cover lists it:\n%s", other.PlainText)
	}
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// A cadre edits a campaign's title and goal and closes it: it takes no new
// pledges but keeps its summary. Nobody else can.
func TestCadreEditsAndClosesCampaign(t *testing.T) {
	w := newWorld(t)
	res := w.resident(231001, "Cúc", "vi")
	res.send("/start z_YG-K1")
	res.expect("Đã lưu")
	res.send("/ungho DIEUHOA 2tr")
	code := pledgeCode(t, res.expect("Đã ghi nhận"))

	// Residents and cadres of other units are refused, and nothing changes.
	mai := w.resident(cadreMai, "Mai", "vi")
	for _, r := range []*resident{res, mai} {
		for _, cmd := range []string{"/newcampaign", "/closecampaign DIEUHOA", "/editcampaign DIEUHOA", "/progress SANNHA"} {
			if r == mai && cmd == "/newcampaign" {
				continue // Mai runs campaigns of her own unit
			}
			r.send(cmd)
			r.expect("Chỉ cán bộ của đơn vị phụ trách mới làm được việc này")
		}
	}

	lan := w.resident(cadreLan, "Lan", "vi")
	lan.send("/suachiendich DIEUHOA")
	lan.press(lan.expect("Bạn muốn sửa gì?"), "Tên")
	lan.expect("Gõ tên mới")
	lan.send("Điều hòa <mới> & đẹp")
	lan.expect("Đã lưu thay đổi của chiến dịch Điều hòa <mới> & đẹp")
	lan.send("/suachiendich DIEUHOA")
	lan.press(lan.expect("Bạn muốn sửa gì?"), "Mục tiêu")
	lan.press(lan.expect("Sửa mục tiêu nào?"), "Tiền")
	lan.expect("hiện tại 180.000.000 ₫")
	lan.send("200tr")
	lan.expect("Đã lưu thay đổi")
	lan.send("/suachiendich DIEUHOA")
	lan.press(lan.expect("Bạn muốn sửa gì?"), "Ngày kết thúc")
	lan.send("01/06/2026")
	lan.expect("Ngày kết thúc đã qua")
	lan.send("30/06/2027")
	lan.expect("Đã lưu thay đổi")
	if n := w.query(`SELECT count(*) FROM campaigns c JOIN targets t ON t.campaign_id = c.id AND t.position = 1
		WHERE c.code = 'DIEUHOA' AND c.title = 'Điều hòa <mới> & đẹp' AND t.goal = 200000000 AND c.ends = '2027-06-30'`); n != 1 {
		t.Fatal("the edits were not stored")
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'campaign' AND action = 'changed' AND before IS NOT NULL AND after IS NOT NULL`); n != 3 {
		t.Errorf("%d campaign changes audited, want 3", n)
	}

	// A cadre who loses the role between the question and the answer is
	// refused when pressing.
	lan.send("/dongchiendich DIEUHOA")
	confirm := lan.expect("Đóng chiến dịch Điều hòa <mới> & đẹp?")
	// Someone else's press of Lan's button, forged in their own chat, is stale.
	_, forged := w.api.PressButton(res.user, res.user.ID, confirm.ID, confirm.Buttons[0][0].Data)
	waitAnswer(t, w.api, forged, "Nút này đã cũ")
	w.query(`WITH gone AS (DELETE FROM roles WHERE person_id = (SELECT id FROM people WHERE id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = ($1)::bigint::text)) RETURNING 1) SELECT count(*) FROM gone`, cadreLan)
	lan.press(confirm, "Đóng chiến dịch")
	lan.expect("Chỉ cán bộ của đơn vị phụ trách")
	if n := w.query(`SELECT count(*) FROM campaigns WHERE code = 'DIEUHOA' AND status = 'active'`); n != 1 {
		t.Fatal("a cadre without the role closed the campaign")
	}

	// The admin closes it.
	hung := w.resident(100004, "Hùng", "vi")
	hung.send("/dongchiendich DIEUHOA")
	hung.press(hung.expect("Đóng chiến dịch"), "Đóng chiến dịch")
	hung.expect("Đã đóng chiến dịch Điều hòa <mới> & đẹp")
	res.send("/ungho DIEUHOA 1tr")
	res.expect("đã kết thúc, không nhận đăng ký mới")
	// Its pledges stand as reported: the pledger can no longer change them.
	res.send("/khoancuatoi " + code)
	res.expect("đã kết thúc nên khoản #" + code + " không sửa được nữa")
	res.send("/tongket DIEUHOA")
	if s := res.expect("Điều hòa <mới> & đẹp · mã DIEUHOA"); !strings.Contains(s.PlainText, "Đã đăng ký: 2.000.000 ₫ · 1 lượt") {
		t.Errorf("a closed campaign lost its summary:\n%s", s.PlainText)
	}
	hung.send("/dongchiendich DIEUHOA")
	hung.expect("đã đóng")
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'campaign' AND action = 'closed' AND before->>'Status' = 'active' AND after->>'Status' = 'closed'`); n != 1 {
		t.Errorf("%d closings audited, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM pledges`); n != 1 {
		t.Errorf("%d pledges, want 1", n)
	}
}

// A cadre reports progress on a measured goal (a total, then an increase,
// with a note and a photo); the latest value shows against the goal and the
// history lists the reports.
func TestProgressReports(t *testing.T) {
	w := newWorld(t)
	lan := w.resident(cadreLan, "Lan", "vi")
	lan.send("/tiendo SANNHA")
	lan.expect("sân lát — hiện tại chưa có báo cáo, mục tiêu 1.200 m²")
	lan.send("nhiều")
	lan.expect("không đọc được")
	lan.send("350")
	lan.expect("Ghi chú ngắn")
	lan.send("Xong khu 1")
	lan.expect("Gửi một ảnh hiện trường")
	w.api.SendPhoto(lan.user, "")
	saved := lan.expect("Đã ghi nhận báo cáo tiến độ")
	if !strings.Contains(saved.PlainText, "350 m² / 1.200 m² (29%)") {
		t.Errorf("after the report:\n%s", saved.PlainText)
	}

	lan.send("/progress SANNHA")
	lan.expect("hiện tại 350 m²")
	lan.send("+50")
	lan.press(lan.expect("Ghi chú ngắn"), "Bỏ qua")
	lan.expect("Gửi một ảnh hiện trường")
	lan.send("bỏ qua")
	if s := lan.expect("Đã ghi nhận báo cáo tiến độ"); !strings.Contains(s.PlainText, "400 m² / 1.200 m² (33%)") {
		t.Errorf("after the increase:\n%s", s.PlainText)
	}
	if n := w.query(`SELECT value FROM progress_reports ORDER BY id DESC LIMIT 1`); n != 400_000 {
		t.Errorf("latest stored value %d, want 400000 (400 m² in thousandths)", n)
	}
	if n := w.query(`SELECT count(*) FROM progress_reports WHERE photo_file_id IS NOT NULL AND note = 'Xong khu 1'`); n != 1 {
		t.Errorf("%d reports with the photo and note, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'progress'`); n != 2 {
		t.Errorf("%d progress reports audited, want 2", n)
	}

	// Anyone can read the history.
	an := w.resident(232001, "An", "vi")
	an.send("/tiendo SANNHA lichsu")
	h := an.expect("Các lần báo cáo tiến độ")
	for _, want := range []string{"400 m² / 1.200 m² (33%)", "400 m² · Phạm Thị Lan", "350 m² · Phạm Thị Lan · Xong khu 1 · có ảnh"} {
		if !strings.Contains(h.PlainText, want) {
			t.Errorf("history lacks %q:\n%s", want, h.PlainText)
		}
	}

	// Percent goals: choose which, and no more than 100 %.
	tuan := w.resident(cadreTuan, "Tuấn", "vi")
	tuan.send("/tiendo CHUYENDOI")
	tuan.press(tuan.expect("Báo cáo tiến độ cho mục tiêu nào?"), "mã QR")
	tuan.send("101")
	tuan.expect("quá lớn")
	tuan.send("90,5")
	tuan.press(tuan.expect("Ghi chú ngắn"), "Bỏ qua")
	tuan.press(tuan.expect("Gửi một ảnh"), "Bỏ qua")
	tuan.expect("Đã ghi nhận")
	tuan.send("/tiendo CHUYENDOI")
	tuan.press(tuan.expect("Báo cáo tiến độ cho mục tiêu nào?"), "mã QR")
	tuan.send("+10")
	tuan.expect("không thể vượt 100 phần trăm")
	if n := w.query(`SELECT count(*) FROM progress_reports`); n != 3 {
		t.Errorf("%d progress reports, want 3", n)
	}
}

// A resident changes and cancels their own pledge while nothing was
// received; after a receipt only a cadre of the unit can, with a reason,
// and never below what was received. Stale and foreign attempts are refused.
func TestChangingOnesMind(t *testing.T) {
	w := newWorld(t)
	cuc := w.resident(233001, "Cúc", "vi")
	cuc.send("/start z_YG-K1")
	cuc.expect("Đã lưu")
	cuc.send("/ungho DIEUHOA 2tr")
	code := pledgeCode(t, cuc.expect("Đã ghi nhận"))

	cuc.send("/khoancuatoi " + code)
	cuc.press(cuc.expect("Bạn muốn làm gì?"), "Đổi số lượng")
	cuc.expect("hiện tại 2.000.000 ₫")
	cuc.send("3tr")
	cuc.expect("Đã lưu. Khoản #" + code + ": 3.000.000 ₫")
	cuc.send("/khoancuatoi #" + strings.ToLower(code))
	cuc.press(cuc.expect("Bạn muốn làm gì?"), "Đổi hạn nộp")
	cuc.send("28/11/2026")
	cuc.expect("không thể là ngày đã qua")
	cuc.send("15/12/2026")
	cuc.expect("hạn 15/12/2026")
	cuc.send("/cuatoi")
	cuc.expect("hạn 15/12/2026")

	// Someone else's code.
	dung := w.resident(233002, "Dũng", "vi")
	dung.send("/mypledge " + code)
	dung.expect("Khoản #" + code + " không phải của bạn")
	dung.send("/mypledge ZZZZ")
	dung.expect("Không có khoản ủng hộ mã ZZZZ")

	// A menu shown before a cadre changed the pledge is stale.
	cuc.send("/khoancuatoi " + code)
	menu := cuc.expect("Bạn muốn làm gì?")
	lan := w.resident(cadreLan, "Lan", "vi")
	lan.send("/suakhoan " + code)
	lan.press(lan.expect("Bạn muốn làm gì?"), "Đổi hạn nộp")
	lan.send("20/12/2026")
	lan.expect("Lý do thay đổi")
	lan.send("Hộ xin lùi hạn")
	lan.expect("hạn 20/12/2026")
	notice := cuc.expect("Cán bộ đã điều chỉnh khoản ủng hộ #" + code)
	if !strings.Contains(notice.PlainText, "hạn 20/12/2026") || !strings.Contains(notice.PlainText, "Lý do: Hộ xin lùi hạn") {
		t.Errorf("the pledger's notice: %q", notice.PlainText)
	}
	stale := cuc.pressFor(menu, "Hủy khoản này")
	waitAnswer(t, w.api, stale, "Nút này đã cũ")
	cuc.expect("vừa được thay đổi")
	if n := w.query(`SELECT count(*) FROM pledges WHERE code = $1 AND cancelled_at IS NULL AND due = '2026-12-20' AND cancel_reason = 'Hộ xin lùi hạn'`, code); n != 1 {
		t.Fatal("the stale press changed the pledge, or the cadre's change was lost")
	}

	// Something is received: the pledger can no longer change it.
	if n := w.query(`WITH r AS (
			INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method, recorded_at)
			SELECT id, campaign_id, target_id, 1000000, 'cash', now() FROM pledges WHERE code = $1
			RETURNING pledge_id, quantity),
		u AS (UPDATE pledges p SET received = p.received + r.quantity FROM r WHERE p.id = r.pledge_id RETURNING 1)
		SELECT count(*) FROM u`, code); n != 1 {
		t.Fatal("could not record a receipt")
	}
	cuc.send("/khoancuatoi " + code)
	cuc.expect("Chỉ cán bộ của đơn vị mới sửa được")
	// The old menu is refused as well.
	again := cuc.pressFor(menu, "Đổi số lượng")
	waitAnswer(t, w.api, again, "Nút này đã cũ")

	// Residents and cadres of other units cannot use /editpledge.
	dung.send("/editpledge " + code)
	dung.expect("Chỉ cán bộ của đơn vị phụ trách")
	mai := w.resident(cadreMai, "Mai", "vi")
	mai.send("/suakhoan " + code)
	mai.expect("Chỉ cán bộ của đơn vị phụ trách")

	// The cadre: not below what was received, not cancelled, with a reason.
	lan.send("/suakhoan " + code)
	lan.press(lan.expect("Đã nhận: 1.000.000 ₫"), "Hủy khoản này")
	lan.expect("không hủy được")
	lan.send("/suakhoan " + code)
	lan.press(lan.expect("Bạn muốn làm gì?"), "Đổi số lượng")
	lan.send("500k")
	lan.expect("Không thể đặt thấp hơn số đã nhận (1.000.000 ₫)")
	lan.send("1tr")
	lan.expect("Lý do thay đổi")
	lan.send("   ")
	lan.expect("Lý do cần từ 1 đến 200 ký tự")
	lan.send("Hộ <khó khăn>, chỉ góp được 1tr")
	lan.expect("Đã lưu. Khoản #" + code + ": 1.000.000 ₫ · đã nộp đủ")
	if n := w.query(`SELECT count(*) FROM pledges WHERE code = $1 AND quantity = 1000000 AND received = 1000000 AND cancel_reason = 'Hộ <khó khăn>, chỉ góp được 1tr'`, code); n != 1 {
		t.Fatal("the cadre's change was not stored")
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'pledge' AND action = 'changed' AND before IS NOT NULL AND after IS NOT NULL`); n != 4 {
		t.Errorf("%d pledge changes audited, want 4", n)
	}

	// A resident cancels an open pledge.
	cuc.send("/ungho DIEUHOA 500k")
	second := pledgeCode(t, cuc.expect("Đã ghi nhận"))
	cuc.send("/khoancuatoi " + second)
	cuc.press(cuc.expect("Bạn muốn làm gì?"), "Hủy khoản này")
	cuc.press(cuc.expect("Hủy khoản #"+second), "Đồng ý hủy")
	cuc.expect("Đã lưu. Khoản #" + second + ": 500.000 ₫ · đã hủy")
	cuc.send("/khoancuatoi " + second)
	cuc.expect("đã hủy")
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'pledge' AND action = 'cancelled' AND after->>'Cancelled' = 'true'`); n != 1 {
		t.Errorf("%d cancellations audited, want 1", n)
	}
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// A campaign draft survives a restart of the bot between two steps.
func TestCampaignDraftSurvivesRestart(t *testing.T) {
	w := newWorld(t)
	mai := w.resident(cadreMai, "Mai", "en")
	mai.send("/newcampaign")
	mai.expect("New campaign — Hội Liên hiệp Phụ nữ phường Yên Giang")
	mai.send("Học bổng Đường Đời")
	question := mai.expect("Proposed: HOCBONGDUONGDOI")
	w.shutdown()
	mai.press(question, "Use HOCBONGDUONGDOI")
	w.start()
	zones := mai.expect("Which zones does the campaign cover?")
	mai.press(zones, "All of Phường Yên Giang")
	mai.press(mai.edited(zones, "✅ All of"), "Done")
	mai.press(mai.expect("Goal 1: what kind?"), "Indicator")
	mai.send("trẻ được học bổng")
	mai.send("100")
	mai.press(mai.expect("Added: Indicator: trẻ được học bổng: 100%"), "Done")
	w.shutdown()
	w.start()
	mai.press(mai.expect("Start date?"), "Skip")
	mai.press(mai.expect("End date?"), "Skip")
	mai.press(mai.expect("Bank account for transfers"), "Skip")
	mai.press(mai.expect("Show an honour board"), "Honour board on")
	review := mai.expect("Check before publishing")
	for _, want := range []string{"Zones: Phường Yên Giang", "Dates: none → none", "Bank transfer: none"} {
		if !strings.Contains(review.PlainText, want) {
			t.Errorf("the review lacks %q:\n%s", want, review.PlainText)
		}
	}
	mai.press(review, "Publish")
	mai.expect("Published the campaign Học bổng Đường Đời")
	if n := w.query(`SELECT count(*) FROM campaigns c JOIN units u ON u.id = c.unit_id
		WHERE c.code = 'HOCBONGDUONGDOI' AND u.code = 'HPN-YG' AND c.starts IS NULL AND c.bank_bin IS NULL`); n != 1 {
		t.Fatalf("%d campaigns HOCBONGDUONGDOI of HPN-YG, want 1", n)
	}
}
