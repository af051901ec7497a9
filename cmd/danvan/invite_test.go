package main

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

var inviteLink = regexp.MustCompile(`https://t\.me/` + localapi.DefaultBotUsername + `\?start=i_([A-Za-z0-9_-]+)`)

// tokenIn reads the invitation token out of the bot's message.
func tokenIn(t *testing.T, m localapi.Message) string {
	t.Helper()
	sub := inviteLink.FindStringSubmatch(m.PlainText)
	if sub == nil {
		t.Fatalf("no invitation link in %q", m.PlainText)
	}
	return sub[1]
}

// byHash selects the invitation of a token the way the bot keeps it.
const byHash = `token_hash = encode(sha256(convert_to($1::text, 'UTF8')), 'hex')`

// forge returns the data of the button labelled label on m with its
// argument replaced: what someone tampering with callback data sends.
func forge(t *testing.T, m localapi.Message, label string, arg int64) string {
	t.Helper()
	data := button(t, m, label).Data
	return data[:strings.LastIndex(data, ":")+1] + strconv.FormatInt(arg, 10)
}

func button(t *testing.T, m localapi.Message, label string) localapi.Button {
	t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return b
			}
		}
	}
	t.Fatalf("no button %q on %q", label, m.PlainText)
	return localapi.Button{}
}

func hasButton(m localapi.Message, label string) bool {
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				return true
			}
		}
	}
	return false
}

// answerTo presses data on m and returns the notice the bot answers with.
func (r *resident) answerTo(m localapi.Message, data string) string {
	r.w.t.Helper()
	_, cb := r.w.api.PressButton(r.user, m.ChatID, m.ID, data)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a, err := r.w.api.WaitAnswer(ctx, cb)
	if err != nil {
		r.w.t.Fatalf("the bot did not answer a button press: %v", err)
	}
	return a.Text
}

// An admin invites a zone head; the link works once, for someone else,
// before it expires; forged tokens grant nothing; the inviter hears of it.
func TestInvitations(t *testing.T) {
	w := newWorld(t)
	admin := w.resident(100004, "Hùng", "vi")
	admin.send("/moi")
	q := admin.expect("Mời một người nhận vai trò gì?")
	if !hasButton(q, "Quản trị viên") {
		t.Errorf("an admin is not offered the admin role: %v", q.Buttons)
	}
	admin.press(q, "Trưởng khu")
	admin.press(admin.expect("Trưởng của khu (thôn) nào?"), "Khu 2")
	token := tokenIn(t, admin.expect("Đã tạo lời mời làm trưởng Khu 2"))
	if len("i_"+token) > 64 {
		t.Errorf("deep link payload of %d characters, over Telegram's 64", len("i_"+token))
	}
	if n := w.query(`SELECT count(*) FROM invitations WHERE `+byHash+` AND expires_at - created_at = interval '72 hours'`, token); n != 1 {
		t.Fatalf("%d invitations kept by the token's hash with a 72-hour life, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM invitations WHERE token_hash = $1`, token); n != 0 {
		t.Fatal("the token itself is stored")
	}

	lan := w.resident(300001, "Nguyễn <Lan> & co", "vi")
	lan.send("/start i_" + token)
	lan.expect("Từ nay bạn là trưởng Khu 2")
	notice := admin.expect("đã nhận lời mời của bạn làm trưởng Khu 2")
	if !strings.Contains(notice.PlainText, "Nguyễn <Lan> & co") || !strings.Contains(notice.Text, "&lt;Lan&gt;") {
		t.Errorf("the inviter's notice does not show the name literally: %q", notice.Text)
	}
	if n := w.query(`SELECT count(*) FROM roles r JOIN people p ON p.id = r.person_id JOIN areas a ON a.id = r.area_id
		WHERE p.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (300001)::bigint::text) AND r.role = 'head' AND a.code = 'YG-K2' AND r.source = 'chat'`); n != 1 {
		t.Fatalf("%d head roles for the invited person, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM invitations i JOIN people p ON p.id = i.used_by WHERE p.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (300001)::bigint::text) AND i.used_at IS NOT NULL AND `+byHash, token); n != 1 {
		t.Fatal("the invitation is not marked used by the invited person")
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE (entity, action) IN (('role', 'created'), ('invitation', 'used'), ('invitation', 'created'))`); n != 3 {
		t.Errorf("%d audit entries for the invitation, want 3 (created, used, role created)", n)
	}

	// The same link again, by someone else and by the same person.
	minh := w.resident(300002, "Minh", "en")
	minh.send("/start i_" + token)
	minh.expect("This invitation has already been used")
	lan.send("/start i_" + token)
	lan.expect("Lời mời này đã được dùng rồi")
	if n := w.query(`SELECT count(*) FROM roles r JOIN people p ON p.id = r.person_id WHERE p.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id IN (SELECT unnest(ARRAY[300001, 300002])::text))`); n != 1 {
		t.Fatalf("%d roles after the link was used again, want 1", n)
	}

	// A forged token, and one of the wrong shape.
	minh.send("/start i_" + strings.Repeat("A", 32))
	minh.expect("This invitation is not valid or has expired")
	minh.send("/start i_" + token[:len(token)-1])
	minh.expect("This invitation is not valid or has expired")

	// An expired invitation.
	admin.send("/moi")
	admin.press(admin.expect("Mời một người nhận vai trò gì?"), "Thủ quỹ")
	admin.press(admin.expect("Thủ quỹ của đơn vị nào?"), "Phụ nữ")
	expired := tokenIn(t, admin.expect("Đã tạo lời mời làm thủ quỹ Hội Liên hiệp Phụ nữ"))
	w.query(`UPDATE invitations SET expires_at = created_at - interval '1 second' WHERE `+byHash+` RETURNING 1`, expired)
	minh.send("/start i_" + expired)
	minh.expect("This invitation expired at")
	if n := w.query(`SELECT count(*) FROM roles r JOIN people p ON p.id = r.person_id WHERE p.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (300002)::bigint::text)`); n != 0 {
		t.Fatalf("an expired invitation granted %d roles", n)
	}
	if n := w.query(`SELECT count(*) FROM invitations WHERE used_at IS NOT NULL`); n != 1 {
		t.Fatalf("%d invitations used, want only the first", n)
	}

	// A cadre's invitation, after the cadre lost the role.
	lan2 := w.resident(100003, "Lan", "vi")
	lan2.send("/moi")
	lan2.press(lan2.expect("Mời một người nhận vai trò gì?"), "Thủ quỹ")
	lan2.press(lan2.expect("Thủ quỹ của đơn vị nào?"), "MTTQ")
	revoked := tokenIn(t, lan2.expect("Đã tạo lời mời làm thủ quỹ"))
	w.query(`DELETE FROM roles WHERE person_id = (SELECT id FROM people WHERE id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (100003)::bigint::text)) RETURNING 1`)
	minh.send("/start i_" + revoked)
	minh.expect("This invitation is no longer valid")
	if n := w.query(`SELECT count(*) FROM roles r JOIN people p ON p.id = r.person_id WHERE p.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (300002)::bigint::text)`); n != 0 {
		t.Fatalf("a revoked cadre's invitation granted %d roles", n)
	}

	// An admin invitation: not for its creator, then for someone else.
	admin.send("/moi")
	admin.press(admin.expect("Mời một người nhận vai trò gì?"), "Quản trị viên")
	adminToken := tokenIn(t, admin.expect("Đã tạo lời mời làm quản trị viên"))
	admin.send("/start i_" + adminToken)
	admin.expect("Đây là lời mời do chính bạn tạo")
	minh.send("/start i_" + adminToken)
	minh.expect("Welcome! You are now admin")
	minh.send("/roles")
	minh.expect("Roles (")
	admin.expect("Minh đã nhận lời mời của bạn làm quản trị viên")
}

// Cadres invite only within their unit; residents and heads cannot invite,
// list roles or read a campaign's history; forged and stale buttons are
// refused and change nothing.
func TestInvitationAbuse(t *testing.T) {
	w := newWorld(t)
	lan := w.resident(100003, "Lan", "vi") // cadre of MTTQ-YG, a unit of Yên Giang
	lan.send("/moi")
	q := lan.expect("Mời một người nhận vai trò gì?")
	if hasButton(q, "Quản trị viên") {
		t.Errorf("a cadre is offered the admin role: %v", q.Buttons)
	}
	// Forged: the admin role (index 3) on a real button of this question.
	lan.w.api.PressButton(lan.user, q.ChatID, q.ID, forge(t, q, "Trưởng khu", 3))
	lan.expect("Chỉ quản trị viên và cán bộ đơn vị mới tạo được lời mời")

	lan.send("/moi")
	lan.press(lan.expect("Mời một người nhận vai trò gì?"), "Cán bộ đơn vị")
	units := lan.expect("Cán bộ đơn vị của đơn vị nào?")
	if hasButton(units, "Phụ nữ") || !hasButton(units, "MTTQ phường Yên Giang") {
		t.Errorf("a cadre of MTTQ-YG is offered units %v", units.Buttons)
	}
	hpn := w.query(`SELECT id FROM units WHERE code = 'HPN-YG'`)
	w.api.PressButton(lan.user, units.ChatID, units.ID, forge(t, units, "MTTQ", hpn))
	lan.expect("Bạn chỉ được mời người cho đơn vị của mình")
	if n := w.query(`SELECT count(*) FROM invitations`); n != 0 {
		t.Fatalf("%d invitations after a forged scope, want 0", n)
	}
	valid := button(t, units, "MTTQ")
	lan.press(units, "MTTQ")
	lan.expect("Đã tạo lời mời làm cán bộ Ủy ban MTTQ phường Yên Giang")
	// The same button again, once the invitation exists: stale.
	if notice := lan.answerTo(units, valid.Data); !strings.Contains(notice, "Nút này đã cũ") {
		t.Errorf("a stale scope button was answered %q", notice)
	}
	if n := w.query(`SELECT count(*) FROM invitations`); n != 1 {
		t.Fatalf("%d invitations after a stale press, want 1", n)
	}

	// Heads: the zones of the unit's ward, not another commune's.
	lan.send("/moi")
	lan.press(lan.expect("Mời một người nhận vai trò gì?"), "Trưởng khu")
	zones := lan.expect("Trưởng của khu (thôn) nào?")
	if !hasButton(zones, "Khu 6") || hasButton(zones, "Thôn 1") {
		t.Errorf("a cadre of MTTQ-YG is offered zones %v", zones.Buttons)
	}
	thon := w.query(`SELECT id FROM areas WHERE code = 'LH-T1'`)
	w.api.PressButton(lan.user, zones.ChatID, zones.ID, forge(t, zones, "Khu 1", thon))
	lan.expect("Bạn chỉ được mời người cho đơn vị của mình")
	if n := w.query(`SELECT count(*) FROM invitations`); n != 1 {
		t.Fatalf("%d invitations after a forged zone, want 1", n)
	}

	// People without the role.
	ti := w.resident(300010, "Tí", "vi")
	ti.send("/start z_YG-K1")
	ti.expect("Đã lưu")
	ti.send("/moi")
	ti.expect("Chỉ quản trị viên và cán bộ đơn vị mới tạo được lời mời")
	ti.send("/vaitro")
	ti.expect("Chỉ quản trị viên mới xem và gỡ được vai trò")
	ti.send("/lichsu DIEUHOA")
	ti.expect("Chỉ cán bộ của đơn vị phụ trách chiến dịch")
	hoa := w.resident(100001, "Hoa", "vi") // head and treasurer, not a cadre
	hoa.send("/invite")
	hoa.expect("Chỉ quản trị viên và cán bộ đơn vị mới tạo được lời mời")
	mai := w.resident(100005, "Mai", "en") // cadre of another unit
	mai.send("/history DIEUHOA")
	mai.expect("Only cadres of the campaign's unit and admins")
	lan.send("/roles")
	lan.expect("Chỉ quản trị viên mới xem và gỡ được vai trò")
	if n := w.query(`SELECT count(*) FROM invitations`); n != 1 {
		t.Fatalf("%d invitations, want 1", n)
	}
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// An admin pages through the roles and removes one; a cadre pages through
// a campaign's history.
func TestRolesAndHistory(t *testing.T) {
	w := newWorld(t)
	// Enough roles for two pages.
	w.query(`WITH p AS (INSERT INTO people (name) SELECT 'Người ' || g FROM generate_series(1, 10) g RETURNING id),
		r AS (INSERT INTO roles (person_id, role, source) SELECT id, 'admin', 'chat' FROM p RETURNING 1)
		SELECT count(*) FROM r`)
	total := w.query(`SELECT count(*) FROM roles`)
	admin := w.resident(100004, "Hùng", "vi")
	admin.send("/vaitro")
	list := admin.expect("Các vai trò (" + strconv.FormatInt(total, 10) + ") — trang 1/2")
	admin.press(list, "Trang sau ›")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := w.api.WaitFor(ctx, admin.user.ID, func(m localapi.Message) bool {
		return m.ID == list.ID && strings.Contains(m.PlainText, "trang 2/2")
	}); err != nil {
		t.Fatalf("the list did not turn to page 2: %v", err)
	}
	if notice := admin.answerTo(list, button(t, list, "Trang sau").Data); !strings.Contains(notice, "Nút này đã cũ") {
		t.Errorf("an old page button was answered %q", notice)
	}

	admin.send("/vaitro")
	list = admin.expect("trang 1/2")
	admin.press(list, "Lê Văn Hùng")
	admin.expect("Bạn không thể tự gỡ quyền quản trị của mình")
	admin.press(list, "Trang sau ›") // heads come last
	list, err := w.api.WaitFor(ctx, admin.user.ID, func(m localapi.Message) bool {
		return m.ID == list.ID && strings.Contains(m.PlainText, "trang 2/2")
	})
	if err != nil {
		t.Fatalf("the list did not turn to page 2: %v", err)
	}
	if !strings.Contains(list.PlainText, "Nguyễn Văn Bình — trưởng Khu 3 · tệp thiết lập") {
		t.Errorf("the list lacks Bình's role:\n%s", list.PlainText)
	}
	binh := w.rcStaff(100002, "Bình")
	admin.press(list, "Nguyễn Văn Bình")
	confirm := admin.expect("Gỡ vai trò trưởng Khu 3 của Nguyễn Văn Bình?")
	if !strings.Contains(confirm.PlainText, "danvan setup") {
		t.Errorf("the confirmation does not say setup gives the role back:\n%s", confirm.PlainText)
	}
	admin.press(confirm, "Gỡ vai trò")
	admin.expect("Đã gỡ vai trò trưởng Khu 3 của Nguyễn Văn Bình")
	binh.expect("Quản trị viên đã gỡ vai trò trưởng Khu 3 của bạn")
	// His menu goes back to everyone's (it is set after the notice).
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		menu := w.chatMenu(binh.user.ID, "ungho")
		if !slices.Contains(menu, "xacnhan") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Bình's menu still offers /xacnhan: %v", menu)
		}
	}
	if n := w.query(`SELECT count(*) FROM roles r JOIN people p ON p.id = r.person_id WHERE p.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (100002)::bigint::text)`); n != 0 {
		t.Fatalf("Bình still holds %d roles", n)
	}
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'role' AND action = 'removed' AND before->>'person' = 'Nguyễn Văn Bình'`); n != 1 {
		t.Fatalf("%d audit entries for the removal, want 1", n)
	}
	// Confirming again (a replayed press) removes nothing more.
	if notice := admin.answerTo(confirm, button(t, confirm, "Gỡ vai trò").Data); !strings.Contains(notice, "Nút này đã cũ") {
		t.Errorf("a replayed confirmation was answered %q", notice)
	}
	if n := w.query(`SELECT count(*) FROM roles`); n != total-1 {
		t.Fatalf("%d roles, want %d", n, total-1)
	}

	// Eleven pledges: two pages of history.
	teo := w.resident(300020, "<Tí & Tèo>", "vi")
	teo.send("/start z_YG-K1")
	teo.expect("Đã lưu")
	for i := 1; i <= 11; i++ {
		teo.send("/ungho DIEUHOA " + strconv.Itoa(i*100) + "k")
		teo.expect("Đã ghi nhận khoản ủng hộ #")
	}
	lan := w.resident(100003, "Lan", "vi")
	lan.send("/lichsu")
	lan.expect("Gõ /lichsu MÃ")
	lan.send("/lichsu NOSUCH")
	lan.expect("Không có chiến dịch mã NOSUCH")
	lan.send("/lichsu dieuhoa")
	page := lan.expect("Mục 1–10 / 11, mới nhất trước")
	for _, want := range []string{"<Tí & Tèo>", "Khoản ủng hộ tạo mới #", "quantity: 1.100.000 ₫"} {
		if !strings.Contains(page.PlainText, want) {
			t.Errorf("the history lacks %q:\n%s", want, page.PlainText)
		}
	}
	if strings.Contains(page.PlainText, "quantity: 100.000 ₫") {
		t.Errorf("the first page shows the oldest entry:\n%s", page.PlainText)
	}
	lan.press(page, "Cũ hơn")
	var older localapi.Message
	older, err = w.api.WaitFor(ctx, lan.user.ID, func(m localapi.Message) bool {
		return m.ID == page.ID && strings.Contains(m.PlainText, "Mục 11–11 / 11")
	})
	if err != nil {
		t.Fatalf("the history did not turn to the older page: %v", err)
	}
	if !strings.Contains(older.PlainText, "quantity: 100.000 ₫") || !hasButton(older, "Mới hơn") {
		t.Errorf("the older page:\n%s (buttons %v)", older.PlainText, older.Buttons)
	}
	// A forged offset far past the end shows the oldest page.
	w.api.PressButton(lan.user, older.ChatID, older.ID, forge(t, older, "Mới hơn", 1000))
	if _, err := w.api.WaitFor(ctx, lan.user.ID, func(m localapi.Message) bool {
		return m.ID == page.ID && m.Edited >= 2 && strings.Contains(m.PlainText, "Mục 11–11 / 11")
	}); err != nil {
		t.Fatalf("a forged offset: %v", err)
	}
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// chatMenu waits for a private chat's own command menu to hold want, and
// returns its names.
func (w *world) chatMenu(chatID int64, want string) []string {
	w.t.Helper()
	var names []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		names = names[:0]
		for _, c := range w.api.Commands("chat:"+strconv.FormatInt(chatID, 10), "") {
			names = append(names, c.Command)
		}
		if slices.Contains(names, want) {
			return names
		}
	}
	w.t.Fatalf("chat %d's menu never held /%s: %v", chatID, want, names)
	return nil
}

// Staff find their commands in their chat's menu: a treasurer and head the
// receipt commands and exports, a cadre the campaign commands; a resident
// keeps everyone's menu.
func TestStaffMenus(t *testing.T) {
	w := newWorld(t)
	hoa := w.rcStaff(100001, "Hoa") // /huongdan
	menu := w.chatMenu(hoa.user.ID, "xacnhan")
	for _, want := range []string{"ungho", "hogiadinh", "dieuchinh", "xuat", "baocaonam"} {
		if !slices.Contains(menu, want) {
			t.Errorf("the head and treasurer's menu lacks /%s: %v", want, menu)
		}
	}
	if slices.Contains(menu, "taochiendich") || slices.Contains(menu, "vaitro") {
		t.Errorf("the head and treasurer's menu has a cadre's or an admin's command: %v", menu)
	}
	lan := w.resident(100003, "Lan", "en")
	lan.send("/start")
	lan.expect("")
	if menu := w.chatMenu(lan.user.ID, "newcampaign"); slices.Contains(menu, "confirm") {
		t.Errorf("the cadre's English menu: %v", menu)
	}
	res := w.resident(300001, "Minh", "vi")
	res.send("/huongdan")
	res.expect("Bot có thể giúp bạn")
	// A chat's messages go out in order: once the next reply is here, a
	// menu the first command set would have been set too.
	res.send("/chiendich")
	res.expect("")
	if got := w.api.Commands("chat:300001", ""); len(got) != 0 {
		t.Errorf("a resident got a menu of their own: %v", got)
	}
}
