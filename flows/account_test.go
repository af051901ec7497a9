package flows_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/store"
)

// linkCodeRe finds the code in /taikhoan's answer: two groups of four
// digits, in the command to type on the other app.
var linkCodeRe = regexp.MustCompile(`<code>[^<]*?(\d{4} \d{4})</code>`)

// linkCode asks for a code to join accounts and returns it as shown.
func (p *person) linkCode() string {
	p.w.t.Helper()
	p.send("/taikhoan")
	m := linkCodeRe.FindStringSubmatch(p.expect("Tài khoản của bạn:").Text)
	if m == nil {
		p.w.t.Fatalf("%s: no code in %q", p.name, p.last().Text)
	}
	return m[1]
}

// personOf is the person behind an account.
func (w *ward) personOf(channel, ref string) int64 {
	w.t.Helper()
	return w.query(`SELECT COALESCE(max(person_id), 0) FROM identities WHERE channel = $1 AND external_id = $2`, channel, ref)
}

// Lan pledges on Telegram, then writes to the bot from Zalo for the first
// time with the code she got on Telegram: the two are one person, hers,
// and whatever she pledges on either app shows on both.
func TestLinkAccountsTelegramToZalo(t *testing.T) {
	w := newWard(t)
	first := w.pledge(300001, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	lan := w.person(300001, "Lan")
	lanID := w.personOf("telegram", "300001")
	people := w.query(`SELECT count(*) FROM people`)

	lan.send("/taikhoan")
	shown := lan.expect("Tài khoản của bạn: Telegram ✓, Zalo —")
	if !strings.Contains(shown.Text, "mở Zalo và nhắn cho bot:\n<code>taikhoan ") || !strings.Contains(shown.Text, "hết hạn lúc 09:10 29/11/2026") {
		t.Errorf("/taikhoan on Telegram: %q", shown.Text)
	}
	code := linkCodeRe.FindStringSubmatch(shown.Text)[1]
	if n := w.query(`SELECT count(*) FROM account_links WHERE code_hash LIKE '%' || $1 || '%'`, strings.ReplaceAll(code, " ", "")); n != 0 {
		t.Error("the code is stored as it is, not as a hash")
	}

	zalo := w.zaloPerson("e4ea2cd5189df1c3a88c", "Lan Nguyễn")
	zalo.send("/taikhoan " + strings.ReplaceAll(code, " ", "-"))
	zalo.expect("✅ Đã nối: tài khoản Telegram và Zalo của bạn nay là một.")
	lan.expect("✅ Tài khoản Telegram của bạn vừa được nối với tài khoản Zalo <b>Lan Nguyễn</b> bằng mã bạn tạo.")

	// Lan stays who she was, with her zone; the Zalo person made on first
	// contact is gone, and the bot now writes to her on Zalo.
	if got := w.personOf("zalo", "e4ea2cd5189df1c3a88c"); got != lanID {
		t.Errorf("the Zalo account is person %d, want Lan, %d", got, lanID)
	}
	if n := w.query(`SELECT count(*) FROM people`); n != people {
		t.Errorf("%d people after joining, want %d as before Lan wrote from Zalo", n, people)
	}
	if chat := w.query(`SELECT chat_id FROM people WHERE id = $1`, lanID); chat != zalo.id {
		t.Errorf("Lan's chat is %d, want her Zalo chat %d", chat, zalo.id)
	}
	if n := w.query(`SELECT count(*) FROM people p JOIN areas a ON a.id = p.home_area_id WHERE p.id = $1 AND a.code = 'YG-K1' AND p.name = 'Lan'`, lanID); n != 1 {
		t.Error("Lan lost her name or her zone")
	}
	// The audit trail says who became whom.
	var before, after string
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT before::text, after::text FROM audit_log WHERE entity = 'person' AND action = 'linked' AND entity_id = $1 AND actor_id = $1`, lanID).Scan(&before, &after); err != nil {
		t.Fatalf("the audit entry of the join: %v", err)
	}
	for _, want := range []string{`"telegram:300001"`, `"zalo:e4ea2cd5189df1c3a88c"`, `"person_id": ` + itoa(lanID)} {
		if !strings.Contains(before, want) || !strings.Contains(after, want) {
			t.Errorf("audit entry before %s after %s: want %s in both", before, after, want)
		}
	}

	// A pledge made on Zalo is hers on Telegram too, and the other way.
	zalo.send("/ungho THIETBI 200k")
	second := codeRe.FindStringSubmatch(zalo.expect("Đã ghi nhận khoản ủng hộ <b>#").Text)[1]
	for _, p := range []*person{lan, zalo} {
		p.send("/cuatoi")
		mine := p.expect("Các khoản ủng hộ của bạn").Text
		if !strings.Contains(mine, first) || !strings.Contains(mine, second) {
			t.Errorf("/cuatoi on %s after joining: %q, want %s and %s", p.name, mine, first, second)
		}
	}
	zalo.send("/taikhoan")
	zalo.expect("Tài khoản của bạn: Telegram ✓, Zalo ✓\n\nCác tài khoản này đã là một")
	if n := w.query(`SELECT count(*) FROM account_links WHERE used_at IS NULL`); n != 0 {
		t.Errorf("%d codes made for people whose accounts are all joined", n)
	}

	// The code is spent.
	snap := w.snapshot()
	zalo.send("/taikhoan " + code)
	zalo.expect("Mã này đã được dùng rồi")
	if changed := w.changedSince(snap); len(changed) != 0 {
		t.Errorf("a used code changed %v", changed)
	}
}

// Hoa, a head and treasurer, types on Telegram (in English) the code a Zalo
// resident made: Hoa stays, as her roles name her, and takes the pledge and
// the zone of her Zalo self; each chat hears of it in its own language.
func TestLinkAccountsZaloToTelegram(t *testing.T) {
	w := newWard(t)
	zalo := w.zaloPerson("9a0b1c2d3e4f", "Hoa Trần")
	zalo.send("/start z_YG-K2")
	zalo.send("/ungho DIEUHOA 1tr")
	pledge := codeRe.FindStringSubmatch(zalo.expect("Đã ghi nhận khoản ủng hộ <b>#").Text)[1]
	zaloID := w.personOf("zalo", "9a0b1c2d3e4f")

	zalo.send("/taikhoan")
	shown := zalo.expect("Tài khoản của bạn: Telegram —, Zalo ✓")
	if !strings.Contains(shown.Text, "mở Telegram và nhắn cho bot:\n<code>/taikhoan ") {
		t.Errorf("/taikhoan on Zalo: %q", shown.Text)
	}
	code := linkCodeRe.FindStringSubmatch(shown.Text)[1]

	hoa := w.person(100001, "Hoa")
	hoa.lang = "en"
	hoa.send("/account " + code)
	hoa.expect("✅ Joined: your Zalo and Telegram accounts are now one.")
	zalo.expect("✅ Tài khoản Zalo của bạn vừa được nối với tài khoản Telegram <b>Trần Thị Hoa</b>")

	hoaID := w.personOf("telegram", "100001")
	if got := w.personOf("zalo", "9a0b1c2d3e4f"); got != hoaID || hoaID == zaloID {
		t.Fatalf("the Zalo account is person %d, want Hoa, %d (the Zalo person was %d)", got, hoaID, zaloID)
	}
	if n := w.query(`SELECT count(*) FROM people WHERE id = $1`, zaloID); n != 0 {
		t.Error("the Zalo person is still there")
	}
	if n := w.query(`SELECT count(*) FROM pledges WHERE code = $1 AND person_id = $2`, pledge, hoaID); n != 1 {
		t.Error("the Zalo pledge did not move to Hoa")
	}
	if n := w.query(`SELECT count(*) FROM people p JOIN areas a ON a.id = p.home_area_id WHERE p.id = $1 AND a.code = 'YG-K2' AND p.name = 'Trần Thị Hoa' AND p.lang = 'en'`, hoaID); n != 1 {
		t.Error("Hoa did not keep her name and take the Zalo zone and her Telegram language")
	}
	if n := w.query(`SELECT count(*) FROM roles WHERE person_id = $1`, hoaID); n != 2 {
		t.Errorf("Hoa holds %d roles, want her 2", n)
	}
	// Her roles now answer on Zalo too, in English: Zalo does not say
	// what language she uses, and she chose English on Telegram.
	zalo.send("/xacnhan " + pledge + " 1tr")
	zalo.expect("Recorded")
	hoa.send("/mypledges")
	if mine := hoa.expect("Your pledges").Text; !strings.Contains(mine, pledge) {
		t.Errorf("/mypledges on Telegram: %q, want %s", mine, pledge)
	}
}

// Two people with nothing to their names: the code's owner stays.
func TestLinkAccountsKeepsTheOwner(t *testing.T) {
	w := newWard(t)
	minh := w.person(300002, "Minh")
	code := minh.linkCode()
	zalo := w.zaloPerson("77aa", "Minh Z")
	zalo.send("/start")
	zaloID := w.personOf("zalo", "77aa")
	zalo.send("/taikhoan " + code)
	zalo.expect("✅ Đã nối")
	minhID := w.personOf("telegram", "300002")
	if got := w.personOf("zalo", "77aa"); got != minhID || w.query(`SELECT count(*) FROM people WHERE id = $1`, zaloID) != 0 {
		t.Errorf("the Zalo account is person %d, want Minh, %d, who made the code", got, minhID)
	}
}

// Every way a code can fail joins nothing and changes nothing, the code
// itself included, and says why.
func TestLinkAccountsRefusals(t *testing.T) {
	w := newWard(t)
	lanPledge := w.pledge(300001, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	lan := w.person(300001, "Lan")
	zlan := w.zaloPerson("lan-zalo", "Lan Z")
	zlan.send("/start")
	other := w.person(300002, "Minh")
	other.send("/start")

	refused := func(p *person, typed, want string) {
		t.Helper()
		snap := w.snapshot()
		p.send(typed)
		if got := p.last().Text; !strings.Contains(got, want) {
			t.Errorf("%s typing %q: %q, want %q", p.name, typed, got, want)
		}
		if changed := w.changedSince(snap); len(changed) != 0 {
			t.Errorf("%s typing %q changed %v", p.name, typed, changed)
		}
	}

	code := lan.linkCode()
	wrong := []byte(strings.ReplaceAll(code, " ", ""))
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	refused(zlan, "/taikhoan 12345", "Mã nối tài khoản gồm 8 chữ số, ví dụ <code>taikhoan 4821 0937</code>")
	refused(zlan, "/taikhoan abcd efgh", "Mã nối tài khoản gồm 8 chữ số")
	refused(zlan, "/taikhoan "+string(wrong), "Không có mã nối tài khoản này")
	refused(lan, "/taikhoan "+code, "Mã này được tạo trên Telegram, nên phải gõ nó trên ứng dụng kia (Zalo)")
	refused(other, "/taikhoan "+code, "Mã này được tạo trên Telegram")

	// A new code replaces the old one.
	old := code
	code = lan.linkCode()
	if code != old {
		refused(zlan, "/taikhoan "+old, "Không có mã nối tài khoản này")
	}

	// Expired ten minutes after it was made.
	w.now = w.now.Add(10 * time.Minute)
	refused(zlan, "/taikhoan "+code, "Mã này đã hết hạn lúc 09:")

	// Both have an open pledge to one goal: it may be one pledge made
	// twice, which joining would count twice.
	code = lan.linkCode()
	zlan.send("/start z_YG-K1")
	zlan.send("/ungho DIEUHOA 100k")
	zlanPledge := codeRe.FindStringSubmatch(zlan.expect("Đã ghi nhận khoản ủng hộ <b>#").Text)[1]
	refused(zlan, "/taikhoan "+code, "đều có khoản ủng hộ cho cùng một mục tiêu (<b>#"+lanPledge)

	// Both hold roles: Hoa (head and treasurer) on Telegram, and a Zalo
	// account made head of Khu 2 by an invitation.
	hoa := w.person(100001, "Hoa")
	zhead := w.zaloPerson("head-zalo", "Bảo")
	zhead.send("/start " + w.invitation("Trưởng khu", "Khu 2"))
	zhead.expect("Từ nay bạn là")
	code = hoa.linkCode()
	refused(zhead, "/taikhoan "+code, "Cả tài khoản Telegram và tài khoản Zalo đều có vai trò cán bộ")

	// One account per app. Minh joins his Zalo account; then it cannot
	// join Lan, as it has a Telegram account already.
	zminh := w.zaloPerson("minh-zalo", "Minh Z")
	zminh.send("/taikhoan " + other.linkCode())
	zminh.expect("✅ Đã nối")
	refused(zminh, "/taikhoan "+lan.linkCode(), "Tài khoản Zalo này đã nối với một tài khoản Telegram khác")
	// Nor can an account join someone who has one on its app already:
	// Tâm made a code on Telegram, then the setup file gave him his Zalo
	// account. That code joins Lan's Zalo account to nobody, and is
	// nothing to Tâm's own Zalo account: the two are one already.
	tam := w.person(300005, "Tâm")
	code = tam.linkCode()
	err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
		_, _, _, err := tx.UpsertPerson(w.ctx, []danvan.Identity{{Channel: danvan.Telegram, Ref: "300005"}, {Channel: danvan.Zalo, Ref: "tam-zalo"}}, "Tâm")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	refused(zlan, "/taikhoan "+code, "Mã này là của một người đã có tài khoản Zalo khác")
	ztam := w.zaloPerson("tam-zalo", "Tâm")
	ztam.send("/start")
	refused(ztam, "/taikhoan "+code, "Tài khoản Telegram và Zalo này đã là một người rồi")

	// After all that, Lan and her Zalo self are still two, each with
	// their pledge.
	lanID, zlanID := w.personOf("telegram", "300001"), w.personOf("zalo", "lan-zalo")
	if lanID == zlanID || w.query(`SELECT count(*) FROM pledges WHERE code = $1 AND person_id = $2`, lanPledge, lanID) != 1 ||
		w.query(`SELECT count(*) FROM pledges WHERE code = $1 AND person_id = $2`, zlanPledge, zlanID) != 1 {
		t.Error("a refused join moved something")
	}
	// Groups have no accounts to join.
	lan.sendIn(-1001234567890, "/taikhoan")
	if got := w.chats[-1001234567890]; len(got) == 0 || !strings.Contains(got[len(got)-1].Text, "nhắn riêng") {
		t.Errorf("/taikhoan in a group: %v", got)
	}
}

// invitation has the admin invite someone to a role and scope (button
// labels) and returns the /start payload of the link.
func (w *ward) invitation(role, scope string) string {
	w.t.Helper()
	admin := w.person(100004, "Hùng")
	admin.send("/moi")
	admin.press(admin.expect("Mời một người nhận vai trò gì?"), "ir", role)
	admin.press(admin.last(), "is", scope)
	m := regexp.MustCompile(`start=(i_[A-Za-z0-9_-]+)`).FindStringSubmatch(admin.last().Text)
	if m == nil {
		w.t.Fatalf("no invitation link in %q", admin.last().Text)
	}
	return m[1]
}

// The audit entry of a join is JSON a reader can follow: both people, both
// accounts.
func TestLinkAccountsAudit(t *testing.T) {
	w := newWard(t)
	tg := w.person(300003, "Cúc")
	code := tg.linkCode()
	z := w.zaloPerson("cuc-zalo", "Cúc Z")
	z.send("/start")
	zID := w.personOf("zalo", "cuc-zalo")
	z.send("/taikhoan " + code)
	var before, after []byte
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT before, after FROM audit_log WHERE entity = 'person' AND action = 'linked'`).Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	var b struct {
		People []struct {
			PersonID int64    `json:"person_id"`
			Accounts []string `json:"accounts"`
		} `json:"people"`
	}
	var a struct {
		PersonID int64    `json:"person_id"`
		MergedID int64    `json:"merged_id"`
		Accounts []string `json:"accounts"`
	}
	if err := json.Unmarshal(before, &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(after, &a); err != nil {
		t.Fatal(err)
	}
	tgID := w.personOf("telegram", "300003")
	if len(b.People) != 2 || b.People[0].PersonID != tgID || b.People[1].PersonID != zID ||
		a.PersonID != tgID || a.MergedID != zID || !slices.Equal(a.Accounts, []string{"telegram:300003", "zalo:cuc-zalo"}) {
		t.Errorf("audit: before %s, after %s", before, after)
	}
}
