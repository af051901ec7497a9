package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

// The cadres' story, end to end: the admin invites a new cadre of the
// Front; the cadre creates and publishes a campaign of money, labour days
// and a measured length for Khu 1; residents pledge and the head records a
// household's pledge; the treasurer records a partial receipt and the rest,
// accepts a resident's "I have paid" and reverses a receipt with a reason;
// the cadre reports progress. The summary shows the figures worked out by
// hand below, the database holds them, and the history has the whole trail.
func TestCadresStory(t *testing.T) {
	const (
		newCadre  = 240100
		title     = "Bê tông ngõ 5 Khu 1"
		code      = "NGOK1"
		household = "Ông <Ba> & bà Tư"
		reason    = "Ghi nhầm <số> & tên"
	)
	w := newWorld(t)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("logs:\n%s", lastLines(w.logs.String(), 40))
		}
	})
	hung := w.resident(100004, "Hùng", "vi") // admin
	hoa := w.rcStaff(100001, "Hoa")          // head of Khu 1, treasurer of MTTQ-YG

	// 1. The admin invites a new cadre of MTTQ-YG; the link makes them one.
	hung.send("/moi")
	hung.press(hung.expect("Mời một người nhận vai trò gì?"), "Cán bộ đơn vị")
	hung.press(hung.expect("Cán bộ đơn vị của đơn vị nào?"), "MTTQ phường Yên Giang")
	token := tokenIn(t, hung.expect("Đã tạo lời mời làm cán bộ Ủy ban MTTQ phường Yên Giang"))
	khoa := w.resident(newCadre, "Khoa", "vi")
	khoa.send("/start i_" + token)
	khoa.expect("Từ nay bạn là cán bộ Ủy ban MTTQ phường Yên Giang")
	hung.expect("Khoa đã nhận lời mời của bạn làm cán bộ Ủy ban MTTQ phường Yên Giang")
	if n := w.query(`SELECT count(*) FROM roles r JOIN people p ON p.id = r.person_id JOIN units u ON u.id = r.unit_id
		WHERE p.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = ($1)::bigint::text) AND r.role = 'cadre' AND u.code = 'MTTQ-YG' AND r.source = 'chat'`, newCadre); n != 1 {
		t.Fatalf("%d cadre roles of MTTQ-YG for the invited person, want 1", n)
	}

	// 2. The new cadre creates the campaign: 50tr, 20 labour days, 100 m.
	khoa.send("/taochiendich")
	khoa.expect("Tạo chiến dịch mới — Ủy ban MTTQ phường Yên Giang")
	khoa.send(title)
	khoa.expect("Mã chiến dịch dùng để gõ lệnh")
	khoa.send(strings.ToLower(code))
	zones := khoa.expect("Chiến dịch vận động ở những khu nào?")
	khoa.press(zones, "Khu 1")
	khoa.press(khoa.edited(zones, "✅ Khu 1"), "Xong")
	khoa.press(khoa.expect("Mục tiêu 1: loại gì?"), "Tiền")
	khoa.expect("Mục tiêu (Tiền) là bao nhiêu?")
	khoa.send("50tr")
	khoa.press(khoa.expect("Đã thêm: Tiền: 50.000.000 ₫"), "Thêm mục tiêu")
	khoa.press(khoa.expect("Mục tiêu 2: loại gì?"), "Ngày công")
	khoa.expect("Mục tiêu (Ngày công) là bao nhiêu?")
	khoa.send("20 ngày công")
	khoa.press(khoa.expect("Đã thêm: Ngày công: 20 ngày công"), "Thêm mục tiêu")
	khoa.press(khoa.expect("Mục tiêu 3: loại gì?"), "Khối lượng")
	khoa.expect("Đo cái gì?")
	khoa.send("đường bê tông")
	khoa.expect("Đơn vị đo?")
	khoa.send("m")
	khoa.expect("Mục tiêu (Khối lượng: đường bê tông) là bao nhiêu?")
	khoa.send("100")
	khoa.press(khoa.expect("Đã thêm: Khối lượng: đường bê tông: 100 m"), "Xong")
	khoa.press(khoa.expect("Ngày bắt đầu?"), "Bỏ qua")
	khoa.press(khoa.expect("Ngày kết thúc?"), "Bỏ qua")
	khoa.press(khoa.expect("Tài khoản nhận chuyển khoản"), "Bỏ qua")
	khoa.press(khoa.expect("Có bảng vinh danh người ủng hộ không?"), "Có bảng vinh danh")
	review := khoa.expect("Kiểm tra lại trước khi đăng")
	for _, want := range []string{"Tên: " + title, "Mã: " + code, "Khu: Khu 1\n", "Tiền: 50.000.000 ₫",
		"Ngày công: 20 ngày công", "Khối lượng: đường bê tông: 100 m"} {
		if !strings.Contains(review.PlainText, want) {
			t.Errorf("the review lacks %q:\n%s", want, review.PlainText)
		}
	}
	khoa.press(review, "Đăng chiến dịch")
	khoa.expect("Đã đăng chiến dịch " + title + ", mã " + code)
	campaign := w.query(`SELECT c.id FROM campaigns c JOIN units u ON u.id = c.unit_id
		WHERE c.code = $1 AND c.status = 'active' AND c.honour_board AND u.code = 'MTTQ-YG'`, code)
	if n := w.query(`SELECT count(*) FROM targets WHERE campaign_id = $1 AND (
			(position = 1 AND kind = 'money' AND goal = 50000000) OR
			(position = 2 AND kind = 'labour' AND goal = 20000) OR
			(position = 3 AND kind = 'measure' AND label = 'đường bê tông' AND unit_label = 'm' AND goal = 100000))`, campaign); n != 3 {
		t.Fatalf("%d targets as entered, want 3", n)
	}
	if n := w.query(`SELECT count(*) FROM campaign_areas ca JOIN areas a ON a.id = ca.area_id WHERE ca.campaign_id = $1 AND a.code = 'YG-K1'`, campaign); n != 1 ||
		w.query(`SELECT count(*) FROM campaign_areas WHERE campaign_id = $1`, campaign) != 1 {
		t.Fatal("the campaign does not cover exactly Khu 1")
	}
	money := w.query(`SELECT id FROM targets WHERE campaign_id = $1 AND kind = 'money'`, campaign)
	labour := w.query(`SELECT id FROM targets WHERE campaign_id = $1 AND kind = 'labour'`, campaign)

	// 3. Residents of Khu 1 pledge, spelling amounts their own way.
	an, a := w.rcPledger(240101, "An", "YG-K1", "/ungho "+code+" 2tr")
	binh, b := w.rcPledger(240102, "Bình", "YG-K1", "/ungho "+code+" 1tr5")
	_, c := w.rcPledger(240103, "Cúc", "YG-K1", "/ungho "+code+" 3 công")

	// 4. The head records a household's pledge; its name is shown literally.
	hoa.send("/hogiadinh " + code + " 500k " + household)
	hoa.press(hoa.expect("Có ghi tên "+household+" lên bảng vàng không?"), "Có, ghi tên")
	recorded := hoa.expect("của " + household + " (Khu 1)")
	if !strings.Contains(recorded.Text, "Ông &lt;Ba&gt; &amp; bà Tư") {
		t.Errorf("the household's name is not escaped: %q", recorded.Text)
	}
	h := rcCode(t, recorded)
	for p, want := range map[string]struct{ target, quantity int64 }{
		a: {money, 2_000_000}, b: {money, 1_500_000}, c: {labour, 3_000}, h: {money, 500_000},
	} {
		if n := w.query(`SELECT count(*) FROM pledges WHERE code = $1 AND campaign_id = $2 AND target_id = $3 AND quantity = $4`,
			p, campaign, want.target, want.quantity); n != 1 {
			t.Errorf("pledge #%s is not %d on target %d", p, want.quantity, want.target)
		}
	}

	// 5. The treasurer records a partial receipt on An's pledge, then the rest.
	hoa.send("/xacnhan " + a + " 500k")
	hoa.expect("Đã ghi nhận 500.000 ₫ cho khoản #" + a + " của An. Đã nhận 500.000 ₫ / 2.000.000 ₫ · đã nộp một phần")
	an.expect("Đã nhận 500.000 ₫ cho khoản #" + a)
	partial := w.query(`SELECT r.id FROM receipts r JOIN pledges p ON p.id = r.pledge_id WHERE p.code = $1`, a)
	hoa.send("/xacnhan " + a)
	hoa.expect("Đã ghi nhận 1.500.000 ₫ cho khoản #" + a + " của An. Đã nhận 2.000.000 ₫ / 2.000.000 ₫ · đã nộp đủ")
	an.expect("Đã nhận 1.500.000 ₫ cho khoản #" + a)

	// 6. Bình says they paid; the head and treasurer accepts.
	binh.send("/danop " + b)
	binh.expect("Đã báo trưởng khu và thủ quỹ")
	notice := hoa.expect("Bình báo đã nộp 1.500.000 ₫ cho khoản #" + b)
	claim := regexp.MustCompile(`/chapnhan (\d+)`).FindStringSubmatch(notice.PlainText)
	if claim == nil {
		t.Fatalf("no claim number in %q", notice.PlainText)
	}
	hoa.send("/chapnhan " + claim[1])
	hoa.expect("Đã ghi nhận 1.500.000 ₫ cho khoản #" + b + " của Bình. Đã nhận 1.500.000 ₫ / 1.500.000 ₫ · đã nộp đủ")
	binh.expect("Đã nhận 1.500.000 ₫ cho khoản #" + b)

	// 7. The partial receipt was a mistake: reversed, with a reason.
	hoa.send("/dieuchinh " + a)
	hoa.press(hoa.expect("Biên nhận của khoản #"+a), "№"+strconv.FormatInt(partial, 10)+" · 500.000 ₫")
	hoa.expect("Lý do điều chỉnh biên nhận №" + strconv.FormatInt(partial, 10) + " (500.000 ₫)")
	hoa.send(reason)
	hoa.expect("Đã điều chỉnh biên nhận №" + strconv.FormatInt(partial, 10) + " (500.000 ₫) của khoản #" + a + ". Đã nhận: 1.500.000 ₫ / 2.000.000 ₫")
	an.expect("Biên nhận 500.000 ₫ cho khoản #" + a + " đã được điều chỉnh. Lý do: " + reason)

	// 8. The cadre reports 40 m built.
	khoa.send("/tiendo " + code)
	khoa.expect("Khối lượng: đường bê tông — hiện tại chưa có báo cáo, mục tiêu 100 m")
	khoa.send("40")
	khoa.press(khoa.expect("Ghi chú ngắn"), "Bỏ qua")
	khoa.press(khoa.expect("Gửi một ảnh hiện trường"), "Bỏ qua")
	if s := khoa.expect("Đã ghi nhận báo cáo tiến độ"); !strings.Contains(s.PlainText, "40 m / 100 m (40%)") {
		t.Errorf("after the report:\n%s", s.PlainText)
	}

	// 9. The summary, by hand: pledged 2tr + 1tr5 + 500k (the household) =
	// 4tr in 3 pledges; received 500k + 1tr5 (An) + 1tr5 (Bình's claim)
	// − 500k (reversed) = 3tr, 6 % of 50tr; 3 labour days pledged, none
	// done; 40 m of 100 m built.
	an.send("/tongket " + code)
	summary := an.expect(title + " · mã " + code)
	for _, want := range []string{
		"Tiền: đã nhận 3.000.000 ₫ / 50.000.000 ₫ (6%)\n░░░░░░░░░░\nĐã đăng ký: 4.000.000 ₫ · 3 lượt",
		"Ngày công: đã nhận 0 ngày công / 20 ngày công (0%)\n░░░░░░░░░░\nĐã đăng ký: 3 ngày công · 1 lượt",
		"Khối lượng: đường bê tông: 40 m / 100 m (40%)\n▓▓▓▓░░░░░░\nCập nhật 29/11/2026",
	} {
		if !strings.Contains(summary.PlainText, want) {
			t.Errorf("the summary lacks %q:\n%s", want, summary.PlainText)
		}
	}

	// The database agrees: the ledger per target, each pledge's received
	// total, and the statuses the pledgers see.
	if got := w.query(`SELECT COALESCE(sum(quantity), 0) FROM receipts WHERE target_id = $1`, money); got != 3_000_000 {
		t.Errorf("receipts on the money target sum to %d, want 3000000", got)
	}
	if got := w.query(`SELECT COALESCE(sum(quantity), 0) FROM receipts WHERE target_id = $1`, labour); got != 0 {
		t.Errorf("receipts on the labour target sum to %d, want 0", got)
	}
	if n := w.query(`SELECT count(*) FROM receipts WHERE campaign_id = $1`, campaign); n != 4 {
		t.Errorf("%d receipts, want 4 (partial, rest, claim, reversal)", n)
	}
	if n := w.query(`SELECT count(*) FROM receipts WHERE reverses_id = $1 AND quantity = -500000 AND reason = $2`, partial, reason); n != 1 {
		t.Errorf("%d reversals of receipt %d with the reason, want 1", n, partial)
	}
	if n := w.query(`SELECT count(*) FROM payment_claims pc JOIN pledges p ON p.id = pc.pledge_id
		WHERE p.code = $1 AND pc.status = 'accepted' AND pc.quantity = 1500000 AND pc.receipt_id IS NOT NULL`, b); n != 1 {
		t.Errorf("%d accepted claims on #%s, want 1", n, b)
	}
	for p, want := range map[string][2]int64{a: {2_000_000, 1_500_000}, b: {1_500_000, 1_500_000}, c: {3_000, 0}, h: {500_000, 0}} {
		var q, r int64 = w.query(`SELECT quantity FROM pledges WHERE code = $1`, p), w.query(`SELECT received FROM pledges WHERE code = $1`, p)
		if q != want[0] || r != want[1] {
			t.Errorf("pledge #%s: %d received of %d, want %d of %d", p, r, q, want[1], want[0])
		}
		if sum := w.query(`SELECT COALESCE(sum(r.quantity), 0) FROM receipts r JOIN pledges p ON p.id = r.pledge_id WHERE p.code = $1`, p); sum != r {
			t.Errorf("pledge #%s: received %d, but its receipts sum to %d", p, r, sum)
		}
	}
	an.send("/cuatoi")
	if m := an.expect("#" + a); !strings.Contains(m.PlainText, "2.000.000 ₫ · Tiền — đã nhận 1.500.000 ₫ · đã nộp một phần") {
		t.Errorf("An's pledge is not partly received:\n%s", m.PlainText)
	}
	binh.send("/cuatoi")
	if m := binh.expect("#" + b); !strings.Contains(m.PlainText, "1.500.000 ₫ · Tiền — đã nhận 1.500.000 ₫ · đã nộp đủ") {
		t.Errorf("Bình's pledge is not fulfilled:\n%s", m.PlainText)
	}

	// 10. The trail: every step, counted per entity and action…
	claimID, _ := strconv.ParseInt(claim[1], 10, 64)
	report := w.query(`SELECT id FROM progress_reports WHERE campaign_id = $1`, campaign)
	for _, e := range []struct {
		entity, action string
		want           int64
	}{
		{"campaign", "created", 1},
		{"pledge", "created", 4},
		{"receipt", "created", 3},
		{"pledge", "received", 4}, // three receipts and the reversal
		{"receipt", "reversed", 1},
		{"claim", "created", 1},
		{"claim", "accepted", 1},
		{"progress", "reported", 1},
	} {
		if n := w.query(`SELECT count(*) FROM audit_log WHERE campaign_id = $1 AND entity = $2 AND action = $3`,
			campaign, e.entity, e.action); n != e.want {
			t.Errorf("%d audit entries %s %s, want %d", n, e.entity, e.action, e.want)
		}
	}
	const entries = 16
	if n := w.query(`SELECT count(*) FROM audit_log WHERE campaign_id = $1`, campaign); n != entries {
		t.Errorf("%d audit entries for the campaign, want %d", n, entries)
	}
	if n := w.query(`SELECT count(*) FROM audit_log a JOIN pledges p ON p.id = a.entity_id
		WHERE a.campaign_id = $1 AND a.entity = 'pledge' AND a.action = 'created' AND p.code IN ($2, $3, $4, $5)`, campaign, a, b, c, h); n != 4 {
		t.Errorf("%d creations audited for the four pledges, want 4", n)
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE campaign_id = $1 AND entity = 'receipt' AND action = 'reversed'
		AND entity_id = $2 AND after->'reversal'->>'Reason' = $3`, campaign, partial, reason); n != 1 {
		t.Errorf("%d reversals of receipt %d audited with the reason, want 1", n, partial)
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE campaign_id = $1 AND entity = 'claim' AND action = 'accepted' AND entity_id = $2`, campaign, claimID); n != 1 {
		t.Errorf("%d acceptances of claim %d audited, want 1", n, claimID)
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE campaign_id = $1 AND entity = 'progress' AND entity_id = $2
		AND actor_id = (SELECT id FROM people WHERE id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = ($3)::bigint::text))`, campaign, report, newCadre); n != 1 {
		t.Errorf("%d progress reports audited as the new cadre's, want 1", n)
	}

	// …and read in /lichsu, two pages of it.
	khoa.send("/lichsu " + code)
	page := khoa.expect("Mục 1–10 / " + strconv.Itoa(entries) + ", mới nhất trước")
	khoa.press(page, "Cũ hơn")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	older, err := w.api.WaitFor(ctx, khoa.user.ID, func(m localapi.Message) bool {
		return m.ID == page.ID && strings.Contains(m.PlainText, "Mục 11–16 / 16")
	})
	if err != nil {
		t.Fatalf("the history did not turn to the older page: %v", err)
	}
	trail := page.PlainText + "\n" + older.PlainText
	var missing []string
	for _, want := range []string{
		"Khoa\nChiến dịch tạo mới #" + code,
		"Khoản ủng hộ tạo mới #" + a + ": quantity: 2.000.000 ₫",
		"Khoản ủng hộ tạo mới #" + b + ": quantity: 1.500.000 ₫",
		"Khoản ủng hộ tạo mới #" + c + ": quantity: 3 ngày công",
		// The household's pledge, named by its code like the others.
		"Trần Thị Hoa\nKhoản ủng hộ tạo mới #" + h,
		household,
		"Khoản đã nhận tạo mới: quantity: 500.000 ₫",
		"Khoản đã nhận tạo mới: quantity: 1.500.000 ₫",
		"Khoản đã nhận đảo bút toán",
		reason, // the reversal's reason
		"Báo đã nộp chấp nhận",
		"Khoa\nTiến độ",
	} {
		if !strings.Contains(trail, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the history lacks %q:\n%s", missing, trail)
	}
	if n := strings.Count(trail, "Khoản đã nhận tạo mới"); n != 3 {
		t.Errorf("the history shows %d receipts, want 3:\n%s", n, trail)
	}
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}
