package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

// A person whose Telegram name and messages carry NUL characters (which
// PostgreSQL cannot store in text) is answered like anyone else, under
// their name without them, and nothing is retried or given up.
func TestControlCharactersInInput(t *testing.T) {
	w := newWorld(t)
	lan := w.resident(200101, "Ngọc\x00 Lan\x01", "vi")
	lan.user.LastName = "Trần\x7f"

	lan.send("/start z_YG-K1\x00")
	lan.expect("Đã lưu: bạn ở Khu 1")
	lan.send("/ungho DIEUHOA\x00 500k")
	lan.expect("500.000 ₫ cho")
	lan.send("/cuatoi\x00")
	mine := lan.expect("Các khoản ủng hộ của bạn")
	if !strings.Contains(mine.PlainText, "500.000 ₫") {
		t.Errorf("/cuatoi lacks the pledge:\n%s", mine.PlainText)
	}

	if n := w.query(`SELECT count(*) FROM people WHERE id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = ($1)::bigint::text) AND name = 'Ngọc Lan Trần'`, lan.user.ID); n != 1 {
		t.Errorf("%d people recorded as %q, want 1", n, "Ngọc Lan Trần")
	}
	if n := w.query(`SELECT count(*) FROM pledges p JOIN people pe ON pe.id = p.person_id WHERE pe.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = ($1)::bigint::text) AND p.quantity = 500000`, lan.user.ID); n != 1 {
		t.Errorf("%d pledges of 500.000 ₫ recorded for the person, want 1", n)
	}
	for _, m := range w.api.BotMessages(lan.user.ID) {
		if strings.Contains(m.PlainText, "Xin lỗi") {
			t.Errorf("the person got an apology: %q", m.PlainText)
		}
	}
	if logs := w.logs.String(); strings.Contains(logs, "update failed") {
		t.Errorf("an update failed:\n%s", logs)
	}
}

// The handler marks what PostgreSQL would refuse again for the same update
// as permanent, so that intake gives it up at once, and leaves other
// failures to be tried again.
func TestIntakeMarksPermanentErrors(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	engine, err := flows.New(flows.Config{Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	h := &intake{db: db, engine: engine, wake: func() {}}

	// Intake cleans names before they get here; this one is not.
	ev := flows.Event{Kind: flows.EventCommand, Command: "start", Channel: danvan.Telegram, ChatRef: "7", UserRef: "7", UserName: "Lan\x00", Lang: "vi"}
	if _, err := h.HandleUpdate(ctx, "1", ev); !errors.Is(err, bot.ErrPermanent) {
		t.Errorf("a name with NUL: %v, want a permanent error", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ev.UserName = "Lan"
	if _, err := h.HandleUpdate(cancelled, "2", ev); err == nil || errors.Is(err, bot.ErrPermanent) {
		t.Errorf("a cancelled transaction: %v, want an error to try again", err)
	}
	if applied, err := h.HandleUpdate(ctx, "2", ev); err != nil || !applied {
		t.Errorf("the same update tried again: applied %v, %v", applied, err)
	}
}
