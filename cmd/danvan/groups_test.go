package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

// newFastGroupWorld is newWorld whose sender may write to a group 600
// times a minute: the committee here presses buttons faster than people
// do, and every press is answered and edits a message in the group. The
// group limit has tests of its own.
func newFastGroupWorld(t *testing.T) *world {
	t.Helper()
	w := newBareWorld(t)
	getenv := func(k string) string {
		if k == "DANVAN_RATE_GROUP" {
			return "600"
		}
		return w.getenv(k)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.stop, w.done = cancel, make(chan error, 1)
	go func() { w.done <- run(ctx, []string{"serve"}, getenv, io.Discard, w.logger()) }()
	return w
}

// member is a person writing in a group chat.
type member struct {
	w    *world
	chat localapi.Chat
	user localapi.User
}

func (w *world) member(chat localapi.Chat, id int64, name string) *member {
	return &member{w: w, chat: chat, user: localapi.User{ID: id, FirstName: name, LanguageCode: "vi"}}
}

func (m *member) send(text string) { m.w.api.SendGroupText(m.chat, m.user, text) }

// waitGroup waits for a bot message in the group that matches, and returns
// it as it is now (edits included).
func (w *world) waitGroup(chat int64, what string, match func(localapi.Message) bool) localapi.Message {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := w.api.WaitFor(ctx, chat, match)
	if err != nil {
		var got []string
		for _, m := range w.api.BotMessages(chat) {
			got = append(got, m.PlainText)
		}
		w.t.Fatalf("no group message %s: %v; messages: %q", what, err, got)
	}
	return m
}

// expectNew waits for a bot message in the group, newer than after, that
// contains want.
func (m *member) expectNew(after int64, want string) localapi.Message {
	m.w.t.Helper()
	return m.w.waitGroup(m.chat.ID, "containing "+want, func(msg localapi.Message) bool {
		return msg.ID > after && strings.Contains(msg.PlainText, want)
	})
}

// press presses the button labelled label on message msg and returns the
// answer the bot gave the press.
func (m *member) press(msg localapi.Message, label string) localapi.Answer {
	m.w.t.Helper()
	for _, row := range msg.Buttons {
		for _, b := range row {
			if strings.Contains(b.Text, label) {
				_, cb := m.w.api.PressButton(m.user, msg.ChatID, msg.ID, b.Data)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				a, err := m.w.api.WaitAnswer(ctx, cb)
				if err != nil {
					m.w.t.Fatalf("%s's press of %q was not answered: %v", m.user.FirstName, label, err)
				}
				return a
			}
		}
	}
	m.w.t.Fatalf("no button %q on %q (buttons %v)", label, msg.PlainText, msg.Buttons)
	return localapi.Answer{}
}

// lastBotID is the id of the group's latest bot message, 0 if none.
func (w *world) lastBotID(chat int64) int64 {
	msgs := w.api.BotMessages(chat)
	if len(msgs) == 0 {
		return 0
	}
	return msgs[len(msgs)-1].ID
}

// In the example's committee group, a cadre links campaigns with buttons
// and changes the summary's schedule; a resident can do neither, nor press
// the cadre's buttons.
func TestGroupLinkAndSchedule(t *testing.T) {
	w := newFastGroupWorld(t)
	defer w.shutdown()
	group := localapi.Chat{ID: -1001234567890, Type: "supergroup", Title: "Ban vận động phường Yên Giang"}
	lan := w.member(group, 100003, "Lan")     // cadre of MTTQ-YG
	cuong := w.member(group, 220010, "Cường") // a resident
	linked := func(code string) int64 {
		return w.query(`SELECT count(*) FROM group_campaigns gc JOIN campaigns c ON c.id = gc.campaign_id
			WHERE gc.chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text) AND c.code = $2`, group.ID, code)
	}

	cuong.send("/lienket")
	cuong.expectNew(0, "Chỉ cán bộ hoặc quản trị")

	last := w.lastBotID(group.ID)
	lan.send("/lienket")
	menu := lan.expectNew(last, "Liên kết của nhóm")
	for _, want := range []string{"Phường Yên Giang", "Ủy ban MTTQ phường Yên Giang", "DIEUHOA", "THIETBI"} {
		if !strings.Contains(menu.PlainText, want) {
			t.Errorf("the menu lacks %q: %q", want, menu.PlainText)
		}
	}
	if a := lan.press(menu, "Chiến dịch"); a.Text != "" {
		t.Errorf("Lan's press answered %q", a.Text)
	}
	toggles := w.waitGroup(group.ID, "with campaign toggles", func(m localapi.Message) bool {
		return m.ID == menu.ID && hasButton(m, "⬜ SANNHA")
	})
	if !hasButton(toggles, "✅ DIEUHOA") || !hasButton(toggles, "✅ THIETBI") || hasButton(toggles, "⬜ LANCAN") {
		t.Errorf("toggles = %v: want the linked campaigns ticked and only MTTQ-YG's offered", toggles.Buttons)
	}

	lan.press(toggles, "⬜ SANNHA")
	toggles = w.waitGroup(group.ID, "with SANNHA ticked", func(m localapi.Message) bool {
		return m.ID == menu.ID && hasButton(m, "✅ SANNHA")
	})
	if linked("SANNHA") != 1 {
		t.Fatal("SANNHA is not linked to the group")
	}

	// Someone else pressing Lan's buttons is refused, and nothing changes.
	if a := cuong.press(toggles, "⬜ LED"); !strings.Contains(a.Text, "Nút này đã cũ") {
		t.Errorf("Cường's press answered %q, want it refused as out of date", a.Text)
	}
	lan.press(toggles, "✅ THIETBI")
	toggles = w.waitGroup(group.ID, "with THIETBI unticked", func(m localapi.Message) bool {
		return m.ID == menu.ID && hasButton(m, "⬜ THIETBI")
	})
	if linked("LED") != 0 || linked("THIETBI") != 0 || linked("DIEUHOA") != 1 {
		t.Errorf("links LED %d THIETBI %d DIEUHOA %d, want 0 0 1", linked("LED"), linked("THIETBI"), linked("DIEUHOA"))
	}
	lan.press(toggles, "Quay lại")
	back := w.waitGroup(group.ID, "back at the menu", func(m localapi.Message) bool { return m.ID == menu.ID && hasButton(m, "✔ Xong") })
	lan.press(back, "Xong")
	done := w.waitGroup(group.ID, "saying the links are saved", func(m localapi.Message) bool {
		return m.ID == menu.ID && strings.Contains(m.PlainText, "Đã lưu")
	})
	if len(done.Buttons) != 0 || !strings.Contains(done.PlainText, "SANNHA") {
		t.Errorf("final message %q with buttons %v", done.PlainText, done.Buttons)
	}

	// The schedule: a resident may not change it; a bad one is explained
	// and the old one kept; a good one is stored.
	schedule := func() (int64, int64) {
		return w.query(`SELECT summary_weekday FROM groups WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text)`, group.ID),
			w.query(`SELECT summary_hour FROM groups WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text)`, group.ID)
	}
	last = w.lastBotID(group.ID)
	cuong.send("/lichtongket CN 20")
	cuong.expectNew(last, "Chỉ cán bộ phụ trách nhóm")
	for _, bad := range []struct{ args, why string }{
		{"thu9 8", "không hiểu ngày"},
		{"thu2 25", "Giờ trong"},
		{"CN", "chưa đủ"},
		{"thu2 8:30", "Giờ trong"},
	} {
		last = w.lastBotID(group.ID)
		lan.send("/lichtongket " + bad.args)
		m := lan.expectNew(last, bad.why)
		if !strings.Contains(m.PlainText, "Lịch cũ vẫn giữ nguyên: thứ Hai 8:00") {
			t.Errorf("/lichtongket %s: %q does not say the old schedule is kept", bad.args, m.PlainText)
		}
		if d, h := schedule(); d != 1 || h != 8 {
			t.Fatalf("/lichtongket %s changed the schedule to %d %d", bad.args, d, h)
		}
	}
	last = w.lastBotID(group.ID)
	lan.send("/lichtongket Chủ nhật 20h")
	lan.expectNew(last, "Đã đổi lịch tổng kết tuần của nhóm: Chủ nhật 20:00")
	if d, h := schedule(); d != 7 || h != 20 {
		t.Errorf("schedule = %d %d, want Sunday (7) 20", d, h)
	}
	// Every change of what the group follows, and of when, is in the audit
	// trail: SANNHA linked, THIETBI unlinked, the new schedule; refusals
	// are not.
	if n := w.query(`SELECT count(*) FROM audit_log WHERE entity = 'group' AND entity_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text)`, group.ID); n != 3 {
		t.Errorf("%d group changes audited, want 3", n)
	}
	if n := w.query(`SELECT count(*) FROM audit_log a JOIN campaigns c ON c.id = a.campaign_id
		WHERE a.entity = 'group' AND (c.code = 'SANNHA' AND a.action = 'linked' OR c.code = 'THIETBI' AND a.action = 'unlinked')`); n != 2 {
		t.Errorf("%d campaign link changes audited with their campaign, want 2", n)
	}
	last = w.lastBotID(group.ID)
	lan.send("/schedule")
	lan.expectNew(last, "Chủ nhật 20:00")
}

// The bot added to a group introduces itself and records the group;
// removed, the group is inactive. A group upgraded to a supergroup keeps
// its links and schedule.
func TestGroupJoinedAndLeft(t *testing.T) {
	w := newWorld(t)
	defer w.shutdown()
	group := localapi.Chat{ID: -1009990001, Type: "supergroup", Title: "Tổ dân phố Khu 3"}
	by := localapi.User{ID: 220011, FirstName: "Dũng", LanguageCode: "vi"}
	w.api.AddBotToGroup(group, by)
	intro := w.waitGroup(group.ID, "introducing the bot", func(m localapi.Message) bool {
		return strings.Contains(m.PlainText, "/lienket")
	})
	if !strings.Contains(intro.PlainText, "thứ Hai 8:00") || !strings.Contains(intro.PlainText, "/tongket") {
		t.Errorf("introduction = %q", intro.PlainText)
	}
	if w.query(`SELECT count(*) FROM groups WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text) AND active AND title = $2`, group.ID, group.Title) != 1 {
		t.Fatal("the group is not recorded as active with its title")
	}
	w.api.RemoveBotFromGroup(group, by)
	deadline := time.Now().Add(20 * time.Second)
	for w.query(`SELECT count(*) FROM groups WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text) AND NOT active`, group.ID) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the group the bot was removed from is still active")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// A small group, linked and scheduled, becomes a supergroup.
	old := localapi.Chat{ID: -424242, Type: "group", Title: "Chi bộ khu 1"}
	lan := w.member(old, 100003, "Lan") // cadre of MTTQ-YG
	w.api.AddBotToGroup(old, lan.user)
	w.waitGroup(old.ID, "introducing the bot", func(m localapi.Message) bool { return strings.Contains(m.PlainText, "/lienket") })
	lan.send("/lichtongket CN 20")
	lan.expectNew(0, "Chủ nhật 20:00")
	w.query(`WITH l AS (INSERT INTO group_campaigns SELECT (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text), id FROM campaigns WHERE code = 'DIEUHOA' RETURNING 1) SELECT count(*) FROM l`, old.ID)
	const to = -1000000424242
	w.api.AddUpdate(map[string]any{"message": map[string]any{
		"chat":               map[string]any{"id": old.ID, "type": "group", "title": old.Title},
		"from":               map[string]any{"id": lan.user.ID, "is_bot": false, "first_name": "Lan"},
		"migrate_to_chat_id": to,
	}})
	deadline = time.Now().Add(20 * time.Second)
	for w.query(`SELECT count(*) FROM groups g JOIN group_campaigns gc USING (chat_id) WHERE g.chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text) AND g.summary_weekday = 7 AND g.summary_hour = 20`, int64(to)) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the supergroup did not keep the group's link and schedule")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := w.query(`SELECT count(*) FROM groups WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text)`, old.ID); n != 0 {
		t.Errorf("the old group is still recorded (%d)", n)
	}
}

// The daily digest reaches the head of Khu 1 with a button per pledge due;
// the button, pressed in the head's chat, asks how much was received and
// records it. The head of Khu 3 hears nothing of Khu 1. A resident turns
// reminders off.
func TestHeadReminderButtonRecordsReceipt(t *testing.T) {
	w := newWorld(t)
	defer w.shutdown()
	an, code := w.rcPledger(300101, "An", "YG-K1", "/ungho DIEUHOA 500k")
	w.rcPledger(300102, "Bảo", "YG-K3", "/ungho DIEUHOA 1tr") // no due date
	w.query(`WITH u AS (UPDATE pledges SET due = '2026-11-30' WHERE code = $1 RETURNING 1) SELECT count(*) FROM u`, code)
	hoa := w.rcStaff(100001, "Hoa")   // head of Khu 1
	binh := w.rcStaff(100002, "Bình") // head of Khu 3

	var out strings.Builder
	if err := run(context.Background(), []string{"jobs", "run", "head_reminders"}, w.getenv, &out, w.logger()); err != nil {
		t.Fatalf("jobs run head_reminders: %v\n%s", err, out.String())
	}
	digest := hoa.expect("Các khoản cần thu")
	if !strings.Contains(digest.PlainText, "#"+code) || !strings.Contains(digest.PlainText, "hạn ngày mai") {
		t.Errorf("digest = %q", digest.PlainText)
	}
	hoa.press(digest, "#"+code)
	ask := hoa.expect("Đã nhận bao nhiêu")
	hoa.press(ask, "Nhận đủ phần còn lại")
	hoa.expect("Đã ghi nhận 500.000 ₫ cho khoản #" + code)
	if n := w.query(`SELECT received FROM pledges WHERE code = $1`, code); n != 500000 {
		t.Errorf("received = %d, want 500000", n)
	}
	// jobs run committed the digests before returning: the outbox holds
	// them all.
	if n := w.query(`SELECT count(*) FROM outbox WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text) AND payload->>'text' LIKE '%cần thu%'`, binh.user.ID); n != 0 {
		t.Errorf("the head of Khu 3 got %d digests", n)
	}

	an.send("/nhacnho tat")
	an.expect("Đã tắt nhắc nhở")
	if w.query(`SELECT count(*) FROM people WHERE id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (300101)::bigint::text) AND reminders_off`) != 1 {
		t.Error("reminders are not off")
	}
	an.send("/reminders on")
	an.expect("Đã bật nhắc nhở")
	if w.query(`SELECT count(*) FROM people WHERE id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = (300101)::bigint::text) AND NOT reminders_off`) != 1 {
		t.Error("reminders are not back on")
	}
}
