package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

var rcCodeRe = regexp.MustCompile(`#([A-Z0-9]{4,8})`)

// rcCode is the first pledge code in a bot message.
func rcCode(t *testing.T, m localapi.Message) string {
	t.Helper()
	c := rcCodeRe.FindStringSubmatch(m.PlainText)
	if c == nil {
		t.Fatalf("no pledge code in %q", m.PlainText)
	}
	return c[1]
}

// rcPledger registers a resident in zone and pledges, returning the code.
func (w *world) rcPledger(id int64, name, zone, pledge string) (*resident, string) {
	w.t.Helper()
	r := w.resident(id, name, "vi")
	r.send("/start z_" + zone)
	r.expect("Đã lưu")
	r.send(pledge)
	return r, rcCode(w.t, r.expect("Đã ghi nhận khoản ủng hộ #"))
}

// rcStaff is a person of the example setup who opens a chat with the bot, as
// they would before the bot can write to them.
func (w *world) rcStaff(id int64, name string) *resident {
	w.t.Helper()
	r := w.resident(id, name, "vi")
	r.send("/huongdan")
	r.expect("Bot có thể giúp bạn")
	return r
}

// The head of Khu 1 (also the Front's treasurer) records a partial receipt
// and the pledger is thanked; the admin records the rest; a receipt above
// what is open asks first, and a stale "record anyway" after someone else
// recorded is refused. People without the role, or outside their zone, are
// refused, and nothing changes.
func TestConfirmReceipts(t *testing.T) {
	w := newWorld(t)
	lan, a := w.rcPledger(300001, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	_, b := w.rcPledger(300002, "Tuấn", "YG-K3", "/ungho DIEUHOA 1tr")
	hoa := w.rcStaff(100001, "Hoa")
	k3 := w.rcStaff(100002, "Khu 3")
	admin := w.rcStaff(100004, "Admin")

	lan.send("/xacnhan " + a)
	lan.expect("Chỉ trưởng khu, thủ quỹ hoặc quản trị viên")
	k3.send("/xacnhan " + a)
	k3.expect("không thuộc khu hay đơn vị bạn phụ trách")
	hoa.send("/xacnhan KHONG0")
	hoa.expect("Không có khoản ủng hộ mã")
	hoa.send("/xacnhan ZZZZ")
	hoa.expect("Không có khoản ủng hộ mã #ZZZZ")
	hoa.send("/xacnhan " + a + " năm trăm")
	hoa.expect("không đọc được")
	hoa.send("/xacnhan " + a + " 0")
	hoa.expect("phải lớn hơn 0")
	if n := w.query(`SELECT count(*) FROM receipts`); n != 0 {
		t.Fatalf("refusals recorded %d receipts", n)
	}

	hoa.send("/confirm #" + strings.ToLower(a) + " 200k")
	hoa.expect("Đã ghi nhận 200.000 ₫ cho khoản #" + a + " của Lan. Đã nhận 200.000 ₫ / 500.000 ₫ · đã nộp một phần")
	lan.expect("Đã nhận 200.000 ₫ cho khoản #" + a)
	w.api.SendPhoto(hoa.user, "")
	hoa.expect("Đã lưu ảnh cho biên nhận")
	if n := w.query(`SELECT count(*) FROM receipt_photos`); n != 1 {
		t.Errorf("%d receipt photos, want 1", n)
	}

	// Above what is open: asked first; cancelled, nothing is recorded.
	hoa.send("/xacnhan " + a + " 1tr")
	hoa.press(hoa.expect("nhiều hơn phần còn lại (300.000 ₫)"), "Hủy")
	hoa.send("/xacnhan " + a + " 500k")
	over := hoa.expect("nhiều hơn phần còn lại")
	// Meanwhile the admin records the rest: Hoa's question is out of date.
	admin.send("/xacnhan " + a)
	admin.expect("Đã nhận 500.000 ₫ / 500.000 ₫ · đã nộp đủ")
	lan.expect("Đã nhận 300.000 ₫ cho khoản #" + a)
	hoa.press(over, "Vẫn ghi nhận")
	hoa.expect("vừa được người khác ghi nhận")
	hoa.send("/xacnhan " + a)
	hoa.expect("đã nộp đủ, không còn gì để ghi nhận")
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, a); got != 500_000 {
		t.Fatalf("received %d, want 500000", got)
	}

	// The head of Khu 3 records more than pledged, once confirmed.
	k3.send("/xacnhan " + b + " 2tr")
	k3.press(k3.expect("nhiều hơn phần còn lại (1.000.000 ₫)"), "Vẫn ghi nhận")
	recorded := k3.expect("Đã nhận 2.000.000 ₫ / 1.000.000 ₫ · đã nộp đủ")
	k3.press(recorded, "Bỏ qua")
	// A replayed press of the same button is refused.
	_, replayed := w.api.PressButton(k3.user, k3.user.ID, recorded.ID, recorded.Buttons[0][0].Data)
	waitAnswer(t, w.api, replayed, "Nút này đã cũ")
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, b); got != 2_000_000 {
		t.Fatalf("received %d, want 2000000", got)
	}
	if n := w.query(`SELECT count(*) FROM receipts`); n != 3 {
		t.Errorf("%d receipts, want 3", n)
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'receipt' AND action = 'created'`); n != 3 {
		t.Errorf("%d receipts in the audit trail, want 3", n)
	}
	lan.send("/tongket DIEUHOA")
	lan.expect("đã nhận 2.500.000 ₫ / 180.000.000 ₫")
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// Two recorders send /confirm CODE at the same moment: one receipt, and the
// second is told it is already fully received.
func TestConfirmAtTheSameMoment(t *testing.T) {
	w := newWorld(t)
	_, a := w.rcPledger(300011, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	hoa := w.rcStaff(100001, "Hoa")
	admin := w.rcStaff(100004, "Admin")
	hoa.send("/xacnhan " + a)
	admin.send("/xacnhan " + a)
	var recorded, refused int
	eventually(t, 20*time.Second, "both answered", func() (bool, string) {
		recorded, refused = 0, 0
		var texts []string
		for _, r := range []*resident{hoa, admin} {
			for _, m := range w.api.BotMessages(r.user.ID) {
				texts = append(texts, m.PlainText)
				switch {
				case strings.Contains(m.PlainText, "Đã ghi nhận 500.000 ₫ cho khoản #"+a):
					recorded++
				case strings.Contains(m.PlainText, "đã nộp đủ, không còn gì"):
					refused++
				}
			}
		}
		return recorded+refused == 2, strings.Join(texts, " | ")
	})
	if recorded != 1 || refused != 1 {
		t.Fatalf("%d recorded and %d refused, want 1 and 1", recorded, refused)
	}
	if n, got := w.query(`SELECT count(*) FROM receipts`), w.query(`SELECT received FROM pledges WHERE code = $1`, a); n != 1 || got != 500_000 {
		t.Fatalf("%d receipts, received %d; want 1 and 500000", n, got)
	}
}

// The list of open pledges: choose one, type a partial amount, skip the
// photo, choose it again and take all that is open. Old buttons and
// buttons pressed after the role was removed are refused.
func TestConfirmFromList(t *testing.T) {
	w := newWorld(t)
	lan, a := w.rcPledger(300021, "Lan <b>", "YG-K1", "/ungho DIEUHOA 500k")
	lan.send("/ungho DIEUHOA 3 công")
	c := rcCode(t, lan.expect("3 ngày công cho"))
	_, other := w.rcPledger(300022, "Tuấn", "YG-K3", "/ungho DODAU 1tr")
	hoa := w.rcStaff(100001, "Hoa")
	k3 := w.rcStaff(100002, "Khu 3")

	hoa.send("/xacnhan")
	list := hoa.expect("Các khoản đang chờ nộp")
	for _, want := range []string{"#" + a + " · Lan <b>", "#" + c} {
		if !strings.Contains(list.PlainText, want) {
			t.Errorf("the list lacks %q:\n%s", want, list.PlainText)
		}
	}
	if strings.Contains(list.PlainText, other) {
		t.Errorf("Hoa's list shows %s, a pledge outside her zone and unit:\n%s", other, list.PlainText)
	}
	hoa.press(list, "#"+a)
	hoa.expect("còn 500.000 ₫. Đã nhận bao nhiêu?")
	hoa.send("100k")
	hoa.press(hoa.expect("Đã ghi nhận 100.000 ₫ cho khoản #"+a), "Bỏ qua")
	hoa.press(list, "#"+a) // the old list
	if n := w.query(`SELECT count(*) FROM receipts`); n != 1 {
		t.Fatalf("%d receipts after an old button, want 1", n)
	}

	hoa.send("/xacnhan")
	hoa.press(hoa.expect("Các khoản đang chờ nộp"), "#"+a)
	hoa.press(hoa.expect("còn 400.000 ₫"), "Nhận đủ phần còn lại: 400.000 ₫")
	hoa.expect("Đã nhận 500.000 ₫ / 500.000 ₫")

	// A forged "all that is open" with another amount is refused.
	hoa.send("/xacnhan")
	hoa.press(hoa.expect("Các khoản đang chờ nộp"), "#"+c)
	ask := hoa.expect("Đã nhận bao nhiêu?")
	seq := strings.Split(ask.Buttons[0][0].Data, ":")[0]
	_, forged := w.api.PressButton(hoa.user, hoa.user.ID, ask.ID, seq+":ra:999000")
	waitAnswer(t, w.api, forged, "Nút này đã cũ")

	// The head of Khu 3 sees Tuấn's pledge, and not Lan's.
	k3.send("/xacnhan")
	k3list := k3.expect("Các khoản đang chờ nộp")
	if !strings.Contains(k3list.PlainText, other) || strings.Contains(k3list.PlainText, c) {
		t.Errorf("the head of Khu 3's list:\n%s", k3list.PlainText)
	}
	// A forged press for Lan's pledge (Khu 1) on that list is refused on
	// the server, although its sequence number is right.
	k3seq := strings.Split(k3list.Buttons[0][0].Data, ":")[0]
	lanPledge := w.query(`SELECT id FROM pledges WHERE code = $1`, c)
	w.api.PressButton(k3.user, k3.user.ID, k3list.ID, k3seq+":rp:"+strconv.FormatInt(lanPledge, 10))
	k3.expect("không thuộc khu hay đơn vị bạn phụ trách")

	// Hoa loses her roles: her open question no longer records anything.
	w.query(`WITH gone AS (DELETE FROM roles WHERE person_id = (SELECT id FROM people WHERE id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (100001)::bigint::text)) RETURNING 1) SELECT count(*) FROM gone`)
	hoa.send("3 công")
	hoa.expect("Chỉ trưởng khu, thủ quỹ hoặc quản trị viên")
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, c); got != 0 {
		t.Fatalf("received %d on %s after the role was removed, want 0", got, c)
	}
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// A treasurer reverses a receipt with a reason: the pledge goes back, the
// pledger is told, the trail has it, and it cannot be reversed again.
func TestCorrectReceipt(t *testing.T) {
	w := newWorld(t)
	lan, a := w.rcPledger(300031, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	hoa := w.rcStaff(100001, "Hoa")
	k3 := w.rcStaff(100002, "Khu 3")
	hpn := w.rcStaff(100005, "HPN")

	hoa.send("/xacnhan " + a + " 200k")
	hoa.expect("Đã ghi nhận 200.000 ₫")
	k3.send("/dieuchinh " + a)
	k3.expect("Chỉ thủ quỹ của đơn vị")
	hpn.send("/dieuchinh " + a)
	hpn.expect("thuộc chiến dịch của đơn vị khác")
	hoa.send("/dieuchinh")
	hoa.expect("Cú pháp: /dieuchinh MÃ")

	hoa.send("/correct " + a)
	ledger := hoa.expect("Biên nhận của khoản #" + a)
	hoa.press(ledger, "200.000 ₫")
	hoa.expect("Lý do điều chỉnh biên nhận")
	hoa.send("   ")
	hoa.expect("Hãy gõ lý do")
	hoa.send("ghi nhầm <b>số</b> & tên")
	hoa.expect("Đã nhận: 0 ₫ / 500.000 ₫")
	lan.expect("đã được điều chỉnh. Lý do: ghi nhầm <b>số</b> & tên")
	hoa.press(ledger, "200.000 ₫") // the old list
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, a); got != 0 {
		t.Fatalf("received %d after the reversal, want 0", got)
	}
	if n := w.query(`SELECT count(*) FROM receipts WHERE reverses_id IS NOT NULL AND quantity = -200000`); n != 1 {
		t.Fatalf("%d reversals, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE action = 'reversed' AND (before->>'received')::int = 200000 AND (after->>'received')::int = 0`); n != 1 {
		t.Fatalf("%d 'reversed' entries with before/after in the trail, want 1", n)
	}
	hoa.send("/dieuchinh " + a)
	hoa.expect("Không có biên nhận nào để điều chỉnh")
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// Gifts without a pledge count in the totals; households without a phone
// are recorded by their head, in one line or guided, and can then be
// confirmed like any pledge.
func TestGiftsAndHouseholds(t *testing.T) {
	w := newWorld(t)
	lan := w.resident(300041, "Lan", "vi")
	lan.send("/start z_YG-K1")
	lan.expect("Đã lưu")
	hoa := w.rcStaff(100001, "Hoa")
	k3 := w.rcStaff(100002, "Khu 3")
	hpn := w.rcStaff(100005, "HPN")

	lan.send("/tang DIEUHOA 2tr Ông Tư")
	lan.expect("Chỉ trưởng khu, thủ quỹ hoặc quản trị viên")
	hpn.send("/tang DIEUHOA 2tr Ông Tư")
	hpn.expect("Bạn không phải thủ quỹ của đơn vị")
	hoa.send("/tang DIEUHOA 2tr")
	hoa.expect("Cú pháp: /tang")
	hoa.send("/tang DIEUHOA 2 triệu Nguyễn <i>An</i>")
	hoa.press(hoa.expect("Đã ghi nhận 2.000.000 ₫ do Nguyễn <i>An</i> tặng"), "Bỏ qua")
	k3.send("/tang DIEUHOA 2 điều hòa Ông Năm")
	k3.expect("Đã ghi nhận 2 chiếc điều hòa do Ông Năm tặng")
	if n := w.query(`SELECT count(*) FROM receipts WHERE pledge_id IS NULL AND donor_name <> ''`); n != 2 {
		t.Fatalf("%d gifts, want 2", n)
	}
	lan.send("/tongket DIEUHOA")
	lan.expect("đã nhận 2.000.000 ₫ / 180.000.000 ₫")

	// A gift recorded wrong is reversed by its receipt number, with a
	// reason; only once, and only by the unit's treasurer.
	hoa.send("/tang DIEUHOA 20tr Bà Sáu")
	wrong := hoa.expect("Đã ghi nhận 20.000.000 ₫ do Bà Sáu tặng")
	no := regexp.MustCompile(`№(\d+)`).FindStringSubmatch(wrong.PlainText)[1]
	hpn.send("/dieuchinh №" + no)
	hpn.expect("Phiếu №" + no + " thuộc chiến dịch của đơn vị khác")
	lan.send("/dieuchinh №" + no)
	lan.expect("thủ quỹ")
	hoa.send("/dieuchinh №999999")
	hoa.expect("Không có phiếu thu №999999")
	hoa.send("/dieuchinh №" + no)
	hoa.expect("Khoản tặng №" + no + ": 20.000.000 ₫ của Bà Sáu")
	hoa.send("Ghi nhầm, đúng là 2tr")
	hoa.expect("Đã điều chỉnh: bút toán đảo khoản tặng №" + no)
	hoa.send("/dieuchinh " + no)
	hoa.expect("Biên nhận №" + no + " không điều chỉnh được")
	if n := w.query(`SELECT sum(quantity) FROM receipts WHERE donor_name = 'Bà Sáu'`); n != 0 {
		t.Errorf("Bà Sáu's gift and its reversal sum to %d, want 0", n)
	}
	lan.send("/tongket DIEUHOA")
	lan.expect("đã nhận 2.000.000 ₫ / 180.000.000 ₫")

	lan.send("/hogiadinh")
	lan.expect("Chỉ trưởng khu mới ghi được")
	hoa.send("/hogiadinh DIEUHOA 500k Hộ bà <Tư>")
	hoa.press(hoa.expect("Có ghi tên Hộ bà <Tư> lên bảng vàng không?"), "Có, ghi tên")
	h := rcCode(t, hoa.expect("của Hộ bà <Tư> (Khu 1)"))
	if n := w.query(`SELECT count(*) FROM pledges p JOIN people pe ON pe.id = p.person_id
		WHERE p.code = $1 AND pe.chat_id IS NULL AND p.public_name
		AND pe.recorded_by = (SELECT id FROM people WHERE id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (100001)::bigint::text))
		AND p.recorded_by = pe.recorded_by
		AND pe.home_area_id = (SELECT id FROM areas WHERE code = 'YG-K1')`, h); n != 1 {
		t.Fatalf("the household's pledge %s is not stored as recorded by the head", h)
	}

	k3.send("/hogiadinh")
	k3.expect("Tên hộ gia đình")
	k3.send("Hộ ông Năm")
	k3.press(k3.expect("Hộ ông Năm ủng hộ chiến dịch nào?"), "điều hòa")
	k3.press(k3.expect("Hộ ông Năm ủng hộ gì cho"), "Tiền")
	k3.expect("Ủng hộ bao nhiêu?")
	k3.send("1tr")
	k3.press(k3.expect("bảng vàng"), "Không ghi tên")
	k3code := rcCode(t, k3.expect("của Hộ ông Năm (Khu 3)"))

	// Hoa (Khu 1) cannot record the Khu 3 household's payment as its head,
	// but she is the Front's treasurer: she can. The head of Khu 3 cannot
	// record Khu 1's household.
	k3.send("/xacnhan " + h)
	k3.expect("không thuộc khu hay đơn vị bạn phụ trách")
	hoa.send("/xacnhan " + h)
	hoa.expect("Đã ghi nhận 500.000 ₫ cho khoản #" + h)
	lan.send("/tongket DIEUHOA")
	lan.expect("Đã đăng ký: 1.500.000 ₫ · 2 lượt")
	if n := w.query(`SELECT count(*) FROM pledges WHERE code = $1 AND public_name = false`, k3code); n != 1 {
		t.Errorf("the Khu 3 household's pledge is public, want anonymous")
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'pledge' AND action = 'created'`); n != 2 {
		t.Errorf("%d pledge creations in the trail, want 2", n)
	}
}

// "I have paid": the resident claims, the heads and treasurers are told,
// one accepts (recording the receipt), a second decision is refused; a
// rejected claim is told to the resident too. Others cannot claim or
// decide.
func TestPaidClaims(t *testing.T) {
	w := newWorld(t)
	lan, a := w.rcPledger(300051, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	tuan, _ := w.rcPledger(300052, "Tuấn", "YG-K3", "/ungho DIEUHOA 1tr")
	hoa := w.rcStaff(100001, "Hoa")
	k3 := w.rcStaff(100002, "Khu 3")
	admin := w.rcStaff(100004, "Admin")

	tuan.send("/danop " + a)
	tuan.expect("Không có khoản ủng hộ mã #" + a)
	lan.send("/danop")
	lan.expect("Cú pháp: /danop MÃ")
	lan.send("/danop " + a + " 1tr")
	lan.expect("Khoản này chỉ còn 500.000 ₫")
	lan.send("/paid " + a)
	lan.expect("Đã báo trưởng khu và thủ quỹ")
	notice := hoa.expect("Lan báo đã nộp 500.000 ₫ cho khoản #" + a)
	id := regexp.MustCompile(`/chapnhan (\d+)`).FindStringSubmatch(notice.PlainText)
	if id == nil {
		t.Fatalf("no claim number in %q", notice.PlainText)
	}
	lan.send("/danop " + a)
	lan.expect("đã có một báo nộp đang chờ")

	lan.send("/chapnhan " + id[1])
	lan.expect("Chỉ trưởng khu, thủ quỹ hoặc quản trị viên")
	k3.send("/chapnhan " + id[1])
	k3.expect("không thuộc khu hay đơn vị bạn phụ trách")
	hoa.send("/chapnhan 99999")
	hoa.expect("Không có báo nộp số 99999")
	hoa.send("/chapnhan " + id[1])
	hoa.expect("Đã ghi nhận 500.000 ₫ cho khoản #" + a)
	lan.expect("Đã nhận 500.000 ₫ cho khoản #" + a)
	admin.send("/tuchoi " + id[1])
	admin.expect("Báo nộp số " + id[1] + " đã được xử lý rồi")
	if n := w.query(`SELECT count(*) FROM payment_claims WHERE status = 'accepted' AND receipt_id IS NOT NULL`); n != 1 {
		t.Fatalf("%d accepted claims with a receipt, want 1", n)
	}
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, a); got != 500_000 {
		t.Fatalf("received %d, want 500000", got)
	}

	lan.send("/ungho DIEUHOA 300k")
	b := rcCode(t, lan.expect("Đã ghi nhận khoản ủng hộ #"))
	lan.send("/danop " + b + " 100k")
	lan.expect("Đã báo")
	second := regexp.MustCompile(`/tuchoi (\d+)`).FindStringSubmatch(hoa.expect("báo đã nộp 100.000 ₫ cho khoản #" + b).PlainText)
	admin.send("/tuchoi " + second[1])
	admin.expect("Đã từ chối báo nộp số " + second[1])
	lan.expect("Báo nộp 100.000 ₫ cho khoản #" + b + " chưa được xác nhận")
	hoa.send("/accept " + second[1])
	hoa.expect("đã được xử lý rồi")
	if got := w.query(`SELECT received FROM pledges WHERE code = $1`, b); got != 0 {
		t.Fatalf("received %d on a rejected claim, want 0", got)
	}
	n, _ := strconv.Atoi(second[1])
	if got := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'claim' AND entity_id = $1`, n); got != 2 {
		t.Errorf("%d trail entries for claim %d, want 2 (created, rejected)", got, n)
	}
}

// A photo sent as a file (uncompressed), where the receipt's photo is
// asked for, is kept as the photo, not read as a bank statement.
func TestReceiptPhotoSentAsFile(t *testing.T) {
	w := newWorld(t)
	_, a := w.rcPledger(300001, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	hoa := w.rcStaff(100001, "Hoa")
	hoa.send("/xacnhan " + a)
	hoa.expect("Đã ghi nhận 500.000 ₫ cho khoản #" + a)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	w.api.SendDocument(hoa.user, "so-thu.png", png, "")
	hoa.expect("Đã lưu ảnh cho biên nhận")
	if n := w.query(`SELECT count(*) FROM receipt_photos`); n != 1 {
		t.Errorf("%d receipt photos, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM statements`); n != 0 {
		t.Errorf("the photo was taken for a statement")
	}
}
