package flows_test

import (
	"slices"
	"strings"
	"testing"
)

// follows counts the person's follows, by their Telegram id.
func (w *ward) follows(who int64) int64 {
	w.t.Helper()
	return w.query(`SELECT count(*) FROM follows f JOIN identities i ON i.person_id = f.person_id
		WHERE i.channel = 'telegram' AND i.external_id = $1::bigint::text`, who)
}

// A resident follows campaigns, lists them, follows one twice and stops
// following one; each follow and unfollow is in the campaign's history like
// a group's link.
func TestFollowListAndUnfollow(t *testing.T) {
	w := newWard(t)
	an := w.person(410001, "An")

	an.send("/theodoi")
	m := an.expect("Bạn chưa theo dõi chiến dịch nào")
	if !strings.Contains(m.Text, "<code>/theodoi MÃ</code>") || !strings.Contains(m.Text, "thứ Hai 8:00") {
		t.Errorf("the empty list does not say how to follow, or when summaries come: %q", m.Text)
	}

	an.send("/theodoi dieuhoa")
	m = an.expect("Đã theo dõi <b>Lắp điều hòa nhà văn hóa khu 1–4</b>")
	for _, want := range []string{"<code>DIEUHOA</code>", "tin nhắn riêng vào thứ Hai 8:00", "<code>/botheodoi DIEUHOA</code>"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the confirmation lacks %q: %q", want, m.Text)
		}
	}
	an.send("/follow #THIETBI")
	an.expect("Đã theo dõi <b>Trang bị ti vi")
	if n := w.follows(410001); n != 2 {
		t.Fatalf("%d follows, want 2", n)
	}

	// Twice is once.
	before := w.snapshot()
	an.send("/theodoi DIEUHOA")
	an.expect("Bạn đã theo dõi chiến dịch <b>Lắp điều hòa nhà văn hóa khu 1–4</b> rồi")
	if changed := w.changedSince(before); len(changed) > 0 {
		t.Errorf("following again changed %v", changed)
	}

	an.send("/theodoi")
	m = an.expect("Các chiến dịch bạn theo dõi")
	i, j := strings.Index(m.Text, "<code>DIEUHOA</code>"), strings.Index(m.Text, "<code>THIETBI</code>")
	if i < 0 || j < i || !strings.Contains(m.Text, "/botheodoi MÃ") {
		t.Errorf("the list should show DIEUHOA then THIETBI and how to stop: %q", m.Text)
	}

	an.send("/botheodoi DIEUHOA")
	an.expect("Đã thôi theo dõi <b>Lắp điều hòa nhà văn hóa khu 1–4</b>")
	an.send("/theodoi")
	m = an.expect("Các chiến dịch bạn theo dõi")
	if strings.Contains(m.Text, "<code>DIEUHOA</code>") || !strings.Contains(m.Text, "<code>THIETBI</code>") {
		t.Errorf("after unfollowing DIEUHOA the list reads %q", m.Text)
	}

	// In English, by the English names.
	ben := w.person(410002, "Ben")
	ben.lang = "en"
	ben.send("/follow THIETBI")
	m = ben.expect("You now follow")
	if !strings.Contains(m.Text, "in private on Monday 8:00") || !strings.Contains(m.Text, "<code>/unfollow THIETBI</code>") {
		t.Errorf("the English confirmation reads %q", m.Text)
	}
	ben.send("/unfollow")
	ben.expect("The campaigns you follow")

	// The cadre of the campaign sees who followed and left, as for groups.
	cadre := w.person(100003, "Phạm Thị Lan")
	cadre.send("/lichsu DIEUHOA")
	m = cadre.expect("Lịch sử thay đổi")
	if strings.Count(m.Text, "Tin nhắn riêng liên kết #DIEUHOA") != 1 || strings.Count(m.Text, "Tin nhắn riêng bỏ liên kết #DIEUHOA") != 1 {
		t.Errorf("the history should show An's follow and unfollow:\n%s", m.Text)
	}
}

// Refusals say why and change nothing: an unknown code, a draft or a
// closed campaign, a second follow, unfollowing what one does not follow,
// and following from a group.
func TestFollowRefusalsChangeNothing(t *testing.T) {
	w := newWard(t)
	an := w.person(410001, "An")
	an.send("/theodoi LED") // followed before it closed
	an.expect("Đã theo dõi")
	if _, err := w.db.Pool.Exec(w.ctx, `UPDATE campaigns SET status = 'draft' WHERE code = 'SANNHA'`); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.Pool.Exec(w.ctx, `UPDATE campaigns SET status = 'closed' WHERE code = 'LED'`); err != nil {
		t.Fatal(err)
	}

	ben := w.person(410002, "Ben")
	ben.lang = "en"
	ben.send("/follow")
	ben.expect("You follow no campaign yet")

	before := w.snapshot()
	for _, c := range []struct{ send, want string }{
		{"/theodoi KHONGCO", "Không có chiến dịch mã <code>KHONGCO</code>"},
		{"/botheodoi KHONGCO", "Không có chiến dịch mã <code>KHONGCO</code>"},
		{"/theodoi SANNHA", "Chiến dịch mã <code>SANNHA</code> chưa bắt đầu nên chưa theo dõi được"},
		{"/theodoi LED", "Chiến dịch <b>Lắp màn hình LED nhà văn hóa khu 1, 3, 6</b> đã kết thúc nên không theo dõi được nữa"},
		{"/botheodoi THIETBI", "Bạn không theo dõi chiến dịch <b>Trang bị ti vi"},
		{"/botheodoi SANNHA", "Bạn không theo dõi chiến dịch <b>Lát sân"},
	} {
		an.send(c.send)
		an.expect(c.want)
	}
	ben.send("/follow SANNHA")
	ben.expect("The campaign <code>SANNHA</code> has not started, so it cannot be followed yet")
	ben.send("/follow LED")
	ben.expect("is closed, so it can no longer be followed")

	// In a group the commands are for private chats.
	const group = -1001234567890
	an.sendIn(group, "/theodoi DIEUHOA")
	if msgs := w.chats[group]; len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Text, "nhắn riêng") {
		t.Errorf("the group was not told to write in private")
	}
	if changed := w.changedSince(before); len(changed) > 0 {
		t.Errorf("refusals changed %v", changed)
	}

	// The closed campaign followed before stays listed, marked, and can
	// be left.
	an.send("/theodoi")
	m := an.expect("Các chiến dịch bạn theo dõi")
	if !strings.Contains(m.Text, "<code>LED</code> · đã kết thúc") {
		t.Errorf("the closed campaign is not marked: %q", m.Text)
	}
	an.send("/botheodoi led")
	an.expect("Đã thôi theo dõi <b>Lắp màn hình LED")
	if changed := w.changedSince(before); !slices.Equal(changed, []string{"audit_log", "follows"}) {
		t.Errorf("unfollowing changed %v, want audit_log and follows", changed)
	}
	if n := w.follows(410001); n != 0 {
		t.Errorf("%d follows left", n)
	}
}
