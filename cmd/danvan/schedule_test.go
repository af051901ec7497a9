package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/report"
	"github.com/danvan/danvan/scheduler"
	"github.com/danvan/danvan/store"
)

// At Monday 08:00 in the ward, the committee's group, linked to two
// campaigns, receives one weekly summary with the right figures and one
// chart, even with two schedulers racing on that slot.
func TestWeeklySummaryAtItsMinute(t *testing.T) {
	w := newWorld(t)
	group := localapi.Chat{ID: exampleGroup, Type: "supergroup", Title: "Ban Công tác Mặt trận khu 1–4"}
	w.api.AddBotToGroup(group, localapi.User{ID: 230001, FirstName: "Cường", LanguageCode: "vi"})
	an := w.resident(230002, "An", "vi")
	an.send("/start z_YG-K1")
	an.expect("Đã lưu")
	an.send("/ungho DIEUHOA 2tr")
	an.expect("Đã ghi nhận")
	an.send("/ungho THIETBI 1tr5")
	an.expect("Đã ghi nhận")

	loc := time.FixedZone("ICT", 7*3600)
	monday8 := time.Date(2026, 11, 30, 8, 0, 0, 0, loc)
	var schedulers []*scheduler.Scheduler[*store.Tx]
	for range 2 {
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
		// A minute before: nothing is due yet.
		if err := s.Tick(context.Background(), monday8.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		schedulers = append(schedulers, s)
	}
	if n := w.query(`SELECT count(*) FROM job_runs WHERE job = 'weekly_summary' AND slot >= $1`, monday8.Add(-time.Hour)); n != 0 {
		t.Fatalf("%d weekly summaries ran before their minute", n)
	}
	var wg sync.WaitGroup
	for _, s := range schedulers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.Tick(context.Background(), monday8); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := w.query(`SELECT count(*) FROM job_runs WHERE job = 'weekly_summary' AND slot = $1`, monday8); n != 1 {
		t.Fatalf("%d runs of Monday 08:00's weekly summary, want 1", n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := w.api.WaitFor(ctx, exampleGroup, func(m localapi.Message) bool { return len(m.Photo) > 0 }); err != nil {
		t.Fatalf("no chart reached the group: %v", err)
	}
	var text string
	photos := 0
	for _, m := range w.api.BotMessages(exampleGroup) {
		if len(m.Photo) > 0 {
			photos++
		} else {
			text += m.PlainText + "\n"
		}
	}
	if photos != 1 {
		t.Errorf("the group got %d charts, want 1", photos)
	}
	if strings.Count(text, "Tổng kết tuần") != 1 {
		t.Errorf("the group got %d summaries, want 1:\n%s", strings.Count(text, "Tổng kết tuần"), text)
	}
	for _, want := range []string{
		"mã DIEUHOA", "mã THIETBI",
		"Tiền: đã nhận 0 ₫ / 180.000.000 ₫ (0%)", "Đã đăng ký: 2.000.000 ₫ · 1 lượt",
		"Tiền: đã nhận 0 ₫ / 200.000.000 ₫ (0%)", "Đã đăng ký: 1.500.000 ₫ · 1 lượt",
		"Khu 1: đăng ký 2.000.000 ₫",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary lacks %q:\n%s", want, text)
		}
	}
}
