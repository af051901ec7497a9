package demo

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, nil)) }

// What the bot does to the page's chats is kept as it ends up: a message
// it edits is kept edited, one it deletes is gone, a photo keeps its
// picture; a new local Bot API gets it all back.
func TestHistoryKeepsEditsAndDeletes(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	const token = "424242:history-test"
	// PostgreSQL keeps microseconds.
	clock := localapi.WithClock(func() time.Time { return time.Now().Truncate(time.Microsecond) })
	personas := DefaultPersonas()
	resident, group := persona(t, personas, "resident1"), persona(t, personas, "group")

	first, err := localapi.New(token, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(first.Close)
	h, err := OpenHistory(context.Background(), pool, first, personas, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if restored, err := h.Restore(context.Background()); err != nil || len(restored) != 0 {
		t.Fatalf("a new table restored %v (%v)", restored, err)
	}
	stop := h.Record()
	first.SendText(resident.User, "/start")
	first.AddBotToGroup(group.Chat, group.User)
	bot, err := tgbotapi.NewBotAPIWithClient(token, first.Endpoint(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	menu := tgbotapi.NewMessage(resident.ChatID, "<b>Chọn</b>")
	menu.ParseMode = tgbotapi.ModeHTML
	menu.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Có", "yes")))
	sent, err := bot.Send(menu)
	if err != nil {
		t.Fatal(err)
	}
	gone, err := bot.Send(tgbotapi.NewMessage(resident.ChatID, "sẽ bị xóa"))
	if err != nil {
		t.Fatal(err)
	}
	png := samplePNG(t)
	if _, err := bot.Send(tgbotapi.NewPhoto(resident.ChatID, tgbotapi.FileBytes{Name: "qr.png", Bytes: png})); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageText(resident.ChatID, sent.MessageID, "Đã chọn: Có")); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Request(tgbotapi.NewDeleteMessage(resident.ChatID, gone.MessageID)); err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(group.ChatID, "Xin chào cả nhóm")); err != nil {
		t.Fatal(err)
	}
	stop()

	second, err := localapi.New(token, clock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(second.Close)
	h2, err := OpenHistory(context.Background(), pool, second, personas, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	restored, err := h2.Restore(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !restored[resident.ChatID] || !restored[group.ChatID] || len(restored) != 2 {
		t.Errorf("restored chats %v, want the resident's and the group", restored)
	}
	for _, chat := range []int64{resident.ChatID, group.ChatID} {
		want, got := first.Messages(chat), second.Messages(chat)
		if len(got) != len(want) {
			t.Fatalf("chat %d: %d messages back, want %d", chat, len(got), len(want))
		}
		for i := range want {
			w, g := want[i], got[i]
			if g.ID != w.ID || g.Text != w.Text || g.PlainText != w.PlainText || g.Edited != w.Edited || !g.Date.Equal(w.Date) ||
				!g.EditDate.Equal(w.EditDate) || !bytes.Equal(g.Photo, w.Photo) || g.FileID != w.FileID || len(g.Buttons) != len(w.Buttons) {
				t.Errorf("chat %d message %d back as %+v, want %+v", chat, i, g, w)
			}
		}
	}
	msgs := second.Messages(resident.ChatID)
	if len(msgs) != 3 || msgs[1].PlainText != "Đã chọn: Có" || msgs[1].Edited != 1 || !bytes.Equal(msgs[2].Photo, png) {
		t.Errorf("the resident's chat back as %+v: want /start, the edited menu, the photo, and not the deleted message", msgs)
	}
}

func samplePNG(t *testing.T) []byte {
	t.Helper()
	// The smallest valid PNG: one transparent pixel.
	return []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
}

func persona(t *testing.T, ps []Persona, key string) Persona {
	t.Helper()
	i := slices.IndexFunc(ps, func(p Persona) bool { return p.Key == key })
	if i < 0 {
		t.Fatalf("no persona %q", key)
	}
	return ps[i]
}
