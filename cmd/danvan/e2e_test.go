package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/store"
)

// Three residents pledge to the example campaigns through the local Bot
// API, by buttons, by the one-line form and with several spellings of
// amounts, and the summary adds them up exactly.
func TestResidentsPledge(t *testing.T) {
	w := newWorld(t)

	lan := w.resident(200001, "Lan", "vi")
	lan.send("/start")
	lan.press(lan.expect("Bạn ở khu (thôn) nào?"), "Khu 1")
	lan.expect("Đã lưu: bạn ở Khu 1")
	lan.press(lan.expect("Các chiến dịch đang vận động"), "Ủng hộ DIEUHOA")
	lan.press(lan.expect("Bạn muốn ủng hộ gì?"), "Tiền")
	lan.press(lan.expect("Bạn ủng hộ bao nhiêu?"), "500.000 ₫")
	lan.press(lan.expect("Bạn định nộp vào khi nào?"), "Khi chiến dịch kết thúc (31/12)")
	lan.press(lan.expect("Xác nhận đăng ký ủng hộ 500.000 ₫"), "ghi tên tôi")
	lan.expect("Hạn nộp: 31/12/2026")

	tuan := w.resident(200002, "Tuấn", "vi")
	tuan.send("/start z_YG-K3")
	tuan.expect("Đã lưu: bạn ở Khu 3")
	tuan.send("/ungho DIEUHOA 2tr")
	tuan.expect("2.000.000 ₫ cho")
	tuan.send("/ungho dieuhoa 1tr5")
	tuan.expect("1.500.000 ₫ cho")
	tuan.send("/pledge DIEUHOA 3 ngày công")
	tuan.expect("3 ngày công cho")

	mai := w.resident(200003, "Mai", "en")
	mai.send("/start c_DIEUHOA")
	mai.press(mai.expect("Which zone do you live in?"), "Khu 2")
	mai.press(mai.expect("What would you like to give?"), "Money")
	mai.expect("How much would you like to give?")
	mai.send("a lot")
	mai.expect("I can't read that amount")
	mai.send("1.500.000đ")
	mai.press(mai.expect("When do you mean to pay?"), "No date")
	mai.press(mai.expect("Confirm your pledge of 1.500.000 ₫"), "anonymously")
	mai.expect("Your pledge #")

	lan.send("/tongket DIEUHOA")
	summary := lan.expect("DIEUHOA")
	for _, want := range []string{
		"đã nhận 0 ₫ / 180.000.000 ₫ (0%)",
		"Đã đăng ký: 5.500.000 ₫ · 4 lượt",
		"Đã đăng ký: 3 ngày công · 1 lượt",
	} {
		if !strings.Contains(summary.PlainText, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary.PlainText)
		}
	}
	if got := w.query(`SELECT sum(p.quantity) FROM pledges p JOIN targets t ON t.id = p.target_id WHERE t.kind = 'money'`); got != 5_500_000 {
		t.Errorf("money pledged in the database = %d, want 5500000", got)
	}
	if got := w.query(`SELECT count(*) FROM pledges WHERE public_name`); got != 1 {
		t.Errorf("%d pledges are public, want 1 (Lan's)", got)
	}

	tuan.send("/cuatoi")
	mine := tuan.expect("Các khoản ủng hộ của bạn")
	for _, want := range []string{"2.000.000 ₫", "1.500.000 ₫", "3 ngày công", "đã đăng ký"} {
		if !strings.Contains(mine.PlainText, want) {
			t.Errorf("/cuatoi lacks %q:\n%s", want, mine.PlainText)
		}
	}
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// The same update delivered twice creates one pledge and one reply.
func TestRepeatedUpdateAppliesOnce(t *testing.T) {
	w := newWorld(t)
	hoa := w.resident(200004, "Hoa", "vi")
	hoa.send("/start z_YG-K1")
	hoa.expect("Đã lưu")
	id := hoa.send("/ungho DIEUHOA 2tr")
	hoa.expect("Đã ghi nhận")
	w.api.Redeliver(id)
	hoa.send("/cuatoi")
	hoa.expect("Các khoản ủng hộ của bạn")
	if n := w.query(`SELECT count(*) FROM pledges`); n != 1 {
		t.Fatalf("%d pledges after a re-delivered update, want 1", n)
	}
	thanks := 0
	for _, m := range w.api.BotMessages(hoa.user.ID) {
		if strings.Contains(m.PlainText, "Đã ghi nhận") {
			thanks++
		}
	}
	if thanks != 1 {
		t.Fatalf("%d thank-you messages, want 1", thanks)
	}
}

// A guided pledge survives a restart of the bot in the middle, including a
// button pressed while the bot was down.
func TestConversationSurvivesRestart(t *testing.T) {
	w := newWorld(t)
	an := w.resident(200005, "An", "vi")
	an.send("/start z_YG-K2")
	an.expect("Đã lưu")
	an.send("/start c_DIEUHOA")
	question := an.expect("Bạn muốn ủng hộ gì?")

	w.shutdown()
	an.press(question, "Tiền") // waits at the Bot API until the bot is back
	w.start()

	an.expect("Bạn ủng hộ bao nhiêu?")
	w.shutdown()
	an.send("2 triệu")
	w.start()
	an.expect("Bạn định nộp vào khi nào?")
	an.send("15/12")
	an.press(an.expect("Xác nhận đăng ký ủng hộ 2.000.000 ₫"), "giấu tên")
	an.expect("Hạn nộp: 15/12/2026")
	if n := w.query(`SELECT count(*) FROM pledges WHERE quantity = 2000000`); n != 1 {
		t.Fatalf("%d pledges of 2.000.000 ₫, want 1", n)
	}
}

// Bad input of every kind gets a short answer in the person's language and
// changes nothing.
func TestBadInputChangesNothing(t *testing.T) {
	w := newWorld(t)
	binh := w.resident(200006, "Bình", "vi")
	binh.send("/start z_YG-K1")
	binh.expect("Đã lưu")
	if w.query(`WITH closed AS (UPDATE campaigns SET status = 'closed' WHERE code = 'LED' RETURNING 1) SELECT count(*) FROM closed`) != 1 {
		t.Fatal("the example has no campaign LED to close")
	}

	cases := []struct{ send, want string }{
		{"/foo", "Bot không hiểu lệnh /foo"},
		{"/ungho KHONGCO 1tr", "Không có chiến dịch mã KHONGCO"},
		{"/ungho LED 1tr", "đã kết thúc"},
		{"/ungho CHUYENDOI 5", "không có mục nào để đăng ký"},
		{"/ungho DIEUHOA 0", "phải lớn hơn 0"},
		{"/ungho DIEUHOA -5tr", "không được âm"},
		{"/ungho DIEUHOA 99999 tỷ", "quá lớn"},
		{"/ungho DIEUHOA 20m2", "không nhận Hiến đất"},
		{"/ungho DIEUHOA năm trăm", "không đọc được"},
		{"/start z_YG-K99", "Đường dẫn này không hợp lệ"},
		{"/start c_<b>", "Đường dẫn này không hợp lệ"},
		{"/start i_nothing", "Lời mời này không hợp lệ"},
		{strings.Repeat("😀", 4096), "Bot chưa hiểu ý bạn"},
	}
	for _, c := range cases {
		binh.send(c.send)
		binh.expect(c.want)
	}

	w.api.SendSticker(binh.user)
	binh.expect("Bot chỉ đọc được chữ")

	// A photo where an amount is expected keeps the person at that step.
	binh.send("/ungho DIEUHOA")
	binh.press(binh.expect("Bạn muốn ủng hộ gì?"), "Tiền")
	binh.expect("Bạn ủng hộ bao nhiêu?")
	w.api.SendPhoto(binh.user, "")
	binh.expect("Bot chỉ đọc được chữ")
	binh.send("/huy")
	binh.expect("Đã dừng")

	// A forged button and a stale one are refused with a notice.
	_, forged := w.api.PressButton(binh.user, binh.user.ID, 1, "999:c:1")
	waitAnswer(t, w.api, forged, "Nút này đã cũ")

	if n := w.query(`SELECT count(*) FROM pledges`); n != 0 {
		t.Fatalf("bad input created %d pledges", n)
	}
	if un := w.api.Unanswered(); len(un) != 0 {
		t.Errorf("callback queries left unanswered: %v", un)
	}
}

// Anyone in a group can ask for a summary; the bot does not chat there.
func TestGroupSummary(t *testing.T) {
	w := newWorld(t)
	group := localapi.Chat{ID: -1001234567890, Type: "supergroup", Title: "Ban vận động khu 1"}
	member := localapi.User{ID: 200007, FirstName: "Cường", LanguageCode: "vi"}
	w.api.SendGroupText(group, member, "xin chào cả nhà")
	w.api.SendGroupText(group, member, "/tongket@danvan_test_bot DIEUHOA")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := w.api.WaitFor(ctx, group.ID, func(m localapi.Message) bool { return m.FromBot })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.PlainText, "DIEUHOA") || !strings.Contains(m.PlainText, "180.000.000 ₫") {
		t.Fatalf("group summary = %q", m.PlainText)
	}
	if n := len(w.api.BotMessages(group.ID)); n != 1 {
		t.Fatalf("the bot sent %d messages to the group, want 1 (it must not answer chatter)", n)
	}
}

// waitAnswer waits until callback query id was answered and checks the notice.
func waitAnswer(t *testing.T, api *localapi.Server, id, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range api.Calls() {
			if c.Method == "answerCallbackQuery" && c.Params["callback_query_id"] == id {
				if !strings.Contains(c.Params["text"], want) {
					t.Fatalf("answer to %s = %q, want %q", id, c.Params["text"], want)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("callback query %s was never answered", id)
}

// Update ids that jump to a random value and batches that come out of order
// lose nothing and apply nothing twice.
func TestUpdateIDJumpsAndDisorder(t *testing.T) {
	w := newWorld(t)
	var people []*resident
	for i := range 6 {
		r := w.resident(int64(210000+i), "Người "+strconv.Itoa(i), "vi")
		r.send("/start z_YG-K1")
		r.expect("Đã lưu")
		people = append(people, r)
	}
	w.api.JumpUpdateID(0)
	w.api.ShuffleUpdates(true)
	for _, r := range people {
		r.send("/ungho DIEUHOA 500k")
	}
	w.api.JumpUpdateID(0)
	for _, r := range people {
		r.send("/ungho DIEUHOA 1tr")
	}
	for _, r := range people {
		r.expect("Đã ghi nhận")
		r.expect("Đã ghi nhận")
	}
	if n := w.query(`SELECT count(*) FROM pledges`); n != 12 {
		t.Fatalf("%d pledges, want 12", n)
	}
	if sum := w.query(`SELECT sum(quantity) FROM pledges`); sum != 6*1_500_000 {
		t.Fatalf("pledged %d, want %d", sum, 6*1_500_000)
	}
}

// A person who blocks the bot gets nothing more, `danvan outbox failed`
// shows what could not be sent, and they are written to again once they
// come back. A group that removes the bot likewise.
func TestBlockedAndKicked(t *testing.T) {
	w := newWorld(t)
	lan := w.resident(220001, "Lan", "vi")
	lan.send("/start z_YG-K1")
	lan.expect("Đã lưu")
	lan.expect("Các chiến dịch đang vận động")

	// Lan blocks the bot; a message for her waits in the outbox.
	w.api.Block(lan.user)
	db, err := store.Open(context.Background(), w.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = now // the bot's clock
	err = db.InTx(context.Background(), func(tx *store.Tx) error {
		chat, err := tx.EnsureChat(context.Background(), danvan.Telegram, strconv.FormatInt(lan.user.ID, 10), false)
		if err != nil {
			return err
		}
		return tx.Enqueue(context.Background(), danvan.Outgoing{Kind: danvan.OutSend, ChatID: chat, Text: "Nhắc hạn ủng hộ", Broadcast: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "Nhắc hạn") {
		if time.Now().After(deadline) {
			t.Fatalf("danvan outbox failed does not show the message to the blocked person:\n%s\n(outbox: %d rows, %d sent; unreachable: %d; lan has %d bot messages)", out.String(),
				w.query(`SELECT count(*) FROM outbox`), w.query(`SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL`),
				w.query(`SELECT count(*) FROM unreachable_chats`), len(w.api.BotMessages(lan.user.ID)))
		}
		time.Sleep(100 * time.Millisecond)
		out.Reset()
		if err := run(context.Background(), []string{"outbox", "failed"}, w.getenv, &out, w.logger()); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{strconv.FormatInt(lan.user.ID, 10), "unreachable"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the failed list lacks %q:\n%s", want, out.String())
		}
	}
	if n := len(w.api.BotMessages(lan.user.ID)); n != lan.seen {
		t.Errorf("the bot wrote to Lan after she blocked it (%d messages, %d before)", n, lan.seen)
	}

	// She unblocks the bot and writes: the answer reaches her.
	w.api.Unblock(lan.user)
	lan.send("/tongket DIEUHOA")
	lan.expect("DIEUHOA")

	group := localapi.Chat{ID: -1009876543210, Type: "supergroup", Title: "Chi hội khu 1"}
	cuong := localapi.User{ID: 220002, FirstName: "Cường", LanguageCode: "vi"}
	w.api.AddBotToGroup(group, cuong)
	w.api.SendGroupText(group, cuong, "/tongket DIEUHOA")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := w.api.WaitFor(ctx, group.ID, func(m localapi.Message) bool { return m.FromBot }); err != nil {
		t.Fatal(err)
	}
	w.api.KickBotFromGroup(group, cuong)
	deadline = time.Now().Add(20 * time.Second)
	for w.query(`SELECT count(*) FROM unreachable_chats WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text)`, group.ID) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the group that removed the bot is not marked unreachable")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
