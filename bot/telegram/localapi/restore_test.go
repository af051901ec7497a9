package localapi_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

// A chat kept from one server is put back into a new one as it was: the
// bot may write to the resident again at once, a pressed button on an old
// message reaches the bot with that message, new messages continue after
// the old ids, and the old file_id still works.
func TestRestore(t *testing.T) {
	old := newServer(t)
	bot := newBot(t, old)
	old.SendText(lan, "/start")
	msg := tgbotapi.NewMessage(lan.ID, "<b>Chào Lan</b> &amp; cả nhà")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Đóng góp", "pledge:7"),
		tgbotapi.NewInlineKeyboardButtonURL("Trang", "https://example.org/c/7")))
	menu, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	photo := tgbotapi.NewPhoto(lan.ID, tgbotapi.FileBytes{Name: "qr.png", Bytes: testPNG(t)})
	photo.Caption = "<i>Quét mã</i>"
	photo.ParseMode = tgbotapi.ModeHTML
	sentPhoto, err := bot.Send(photo)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bot.Send(tgbotapi.NewEditMessageText(lan.ID, menu.MessageID, "Đã chọn")); err != nil {
		t.Fatal(err)
	}
	kept := old.Messages(lan.ID)

	srv := newServer(t)
	if err := srv.Restore(localapi.Chat{ID: lan.ID, Type: "private"}, lan, kept); err != nil {
		t.Fatal(err)
	}
	if got := srv.Messages(lan.ID); !reflect.DeepEqual(got, kept) {
		t.Fatalf("restored history differs:\n got %+v\nwant %+v", got, kept)
	}
	if srv.Pending() != 0 {
		t.Errorf("restoring queued %d updates for the bot", srv.Pending())
	}
	if err := srv.Restore(localapi.Chat{ID: lan.ID, Type: "private"}, lan, kept); err == nil {
		t.Error("a chat was restored twice")
	}

	bot = newBot(t, srv)
	// The old photo's file_id is still the photo.
	if _, err := bot.Send(tgbotapi.NewPhoto(lan.ID, tgbotapi.FileID(sentPhoto.Photo[0].FileID))); err != nil {
		t.Fatalf("sending the restored photo by its file_id: %v", err)
	}
	// A new file gets an id of its own.
	doc, err := bot.Send(tgbotapi.NewDocument(lan.ID, tgbotapi.FileBytes{Name: "a.csv", Bytes: []byte("a,b\n")}))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Document.FileID == sentPhoto.Photo[0].FileID {
		t.Error("a new file got the restored photo's file_id")
	}
	all := srv.Messages(lan.ID)
	if last := all[len(all)-1]; last.ID <= kept[len(kept)-1].ID {
		t.Errorf("a new message got id %d, not after the restored %d", last.ID, kept[len(kept)-1].ID)
	}

	// A press on the old menu arrives with the message as it was edited.
	srv.PressButton(lan, lan.ID, int64(menu.MessageID), "pledge:7")
	updates, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(updates) != 1 || updates[0].CallbackQuery == nil || updates[0].CallbackQuery.Message == nil ||
		updates[0].CallbackQuery.Message.MessageID != menu.MessageID || updates[0].CallbackQuery.Message.Text != "Đã chọn" {
		raw, _ := json.Marshal(updates)
		t.Fatalf("the press on a restored message: %s", raw)
	}
	if m, ok := srv.Message(lan.ID, int64(sentPhoto.MessageID)); !ok || !bytes.Equal(m.Photo, kept[2].Photo) || m.PlainCaption != "Quét mã" {
		t.Errorf("Message(%d) = %+v, %v", sentPhoto.MessageID, m, ok)
	}
}

// A group's history comes back with the bot a member, so it may write there.
func TestRestoreGroup(t *testing.T) {
	group := localapi.Chat{ID: -100777, Type: "supergroup", Title: "Ban vận động"}
	old := newServer(t)
	old.AddBotToGroup(group, lan)
	old.SendGroupText(group, lan, "/tongket DIEUHOA")
	kept := old.Messages(group.ID)

	srv := newServer(t)
	if err := srv.Restore(group, localapi.User{}, kept); err != nil {
		t.Fatal(err)
	}
	if _, err := newBot(t, srv).Send(tgbotapi.NewMessage(group.ID, "Tổng kết")); err != nil {
		t.Fatalf("writing to the restored group: %v", err)
	}
	if got := srv.Messages(group.ID); len(got) != 2 || got[0].Text != "/tongket DIEUHOA" || got[1].ID != 2 {
		t.Fatalf("group history %+v", got)
	}
}
