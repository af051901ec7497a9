package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/report"
	"github.com/danvan/danvan/scheduler"
	"github.com/danvan/danvan/store"
)

// broadcastsTo counts the broadcasts (summaries, reminders) queued for a
// Telegram private chat, sent or not.
func (w *world) broadcastsTo(user int64) int64 {
	w.t.Helper()
	return w.query(`SELECT count(*) FROM outbox WHERE priority = 1
		AND chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text)`, user)
}

// At Monday 08:00 in the ward the weekly summary job sends a campaign's
// summary, text and chart, to the private chat of whoever follows it, and
// once: not to someone who unfollowed, nor to someone who blocked the bot.
func TestWeeklySummaryReachesFollowers(t *testing.T) {
	w := newWorld(t)
	an := w.resident(240001, "An", "vi")
	an.send("/start z_YG-K1")
	an.expect("Đã lưu")
	an.send("/theodoi DIEUHOA")
	an.expect("Đã theo dõi")
	an.send("/ungho DIEUHOA 2tr")
	an.expect("Đã ghi nhận")
	binh := w.resident(240002, "Bình", "vi")
	binh.send("/theodoi DIEUHOA")
	binh.expect("Đã theo dõi")
	binh.send("/botheodoi DIEUHOA")
	binh.expect("Đã thôi theo dõi")
	chi := w.resident(240003, "Chi", "vi")
	chi.send("/theodoi DIEUHOA")
	chi.expect("Đã theo dõi")
	w.api.Block(chi.user)
	eventually(t, 20*time.Second, "Chi blocking the bot", func() (bool, string) {
		n := w.query(`SELECT count(*) FROM unreachable_chats WHERE chat_id = (SELECT id FROM chats WHERE channel = 'telegram' AND external_id = $1::bigint::text)`, chi.user.ID)
		return n == 1, fmt.Sprintf("%d unreachable rows for Chi", n)
	})

	loc := time.FixedZone("ICT", 7*3600)
	monday8 := time.Date(2026, 11, 30, 8, 0, 0, 0, loc)
	db, err := store.Open(context.Background(), w.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = now // the bot's clock: what it queues is due for its sender
	s, err := scheduler.New(db, loc, scheduledJobs(loc, report.DefaultReminders)...)
	if err != nil {
		t.Fatal(err)
	}
	s.Log = w.logger()
	// Sunday's last hour, then Monday 08:00 twice: the slot runs once.
	for _, at := range []time.Time{monday8.Add(-time.Hour), monday8, monday8.Add(time.Minute)} {
		if err := s.Tick(context.Background(), at); err != nil {
			t.Fatal(err)
		}
		if at.Before(monday8) && w.broadcastsTo(an.user.ID) != 0 {
			t.Fatal("the follower's summary was queued before Monday 08:00")
		}
	}

	// The pledge's VietQR picture comes to An too: the chart is the
	// picture with the chart's caption.
	chart := func(m localapi.Message) bool {
		return len(m.Photo) > 0 && strings.Contains(m.PlainCaption, "Biểu đồ tiến độ")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.api.WaitFor(ctx, an.user.ID, func(m localapi.Message) bool { return m.FromBot && chart(m) }); err != nil {
		t.Fatalf("no chart reached the follower: %v", err)
	}
	var text string
	charts, summaries := 0, 0
	for _, m := range w.api.BotMessages(an.user.ID) {
		switch {
		case chart(m):
			charts++
		case strings.Contains(m.PlainText, "Tổng kết tuần"):
			summaries++
			text += m.PlainText + "\n"
		}
	}
	if charts != 1 || summaries != 1 {
		t.Errorf("the follower got %d charts and %d summaries, want one of each:\n%s", charts, summaries, text)
	}
	for _, want := range []string{"mã DIEUHOA", "Tiền: đã nhận 0 ₫ / 180.000.000 ₫ (0%)", "Đã đăng ký: 2.000.000 ₫ · 1 lượt", "Khu 1: đăng ký 2.000.000 ₫"} {
		if !strings.Contains(text, want) {
			t.Errorf("the follower's summary lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "THIETBI") {
		t.Errorf("the follower got a campaign they do not follow:\n%s", text)
	}
	if n := w.broadcastsTo(an.user.ID); n != 2 {
		t.Errorf("%d broadcasts queued for An, want the summary's text and chart", n)
	}
	for _, r := range []*resident{binh, chi} {
		if n := w.broadcastsTo(r.user.ID); n != 0 {
			t.Errorf("%d summary messages queued for %s", n, r.user.FirstName)
		}
	}
}
