package telegram

import (
	"reflect"
	"testing"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestEventOfCleansTexts(t *testing.T) {
	from := &tgbotapi.User{ID: 7, FirstName: "Ngọc\x00", LastName: "Lan\x07", UserName: "lan", LanguageCode: "vi\x00"}
	private := &tgbotapi.Chat{ID: 7, Type: "private"}
	command := []tgbotapi.MessageEntity{{Type: "bot_command", Offset: 0, Length: 6}}
	for _, tc := range []struct {
		name string
		u    tgbotapi.Update
		want flows.Event
	}{
		{"text", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Text: "500\x00k"}},
			flows.Event{Kind: flows.EventText, Channel: danvan.Telegram, ChatRef: "7", UserRef: "7", UserName: "Ngọc Lan", Lang: "vi", Text: "500k"}},
		{"only control characters", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Text: "\x00\x01"}},
			flows.Event{Kind: flows.EventOther, Channel: danvan.Telegram, ChatRef: "7", UserRef: "7", UserName: "Ngọc Lan", Lang: "vi"}},
		{"command", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Text: "/ungho DIEU\x00HOA\x1f 500k", Entities: command}},
			flows.Event{Kind: flows.EventCommand, Channel: danvan.Telegram, ChatRef: "7", UserRef: "7", UserName: "Ngọc Lan", Lang: "vi", Command: "ungho", Text: "DIEUHOA 500k"}},
		{"photo", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Caption: "biên\x00 lai",
			Photo: []tgbotapi.PhotoSize{{FileID: "small"}, {FileID: "large"}}}},
			flows.Event{Kind: flows.EventOther, Channel: danvan.Telegram, ChatRef: "7", UserRef: "7", UserName: "Ngọc Lan", Lang: "vi", PhotoID: "large", Text: "biên lai"}},
		{"document", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Caption: "sao\x00 kê",
			Document: &tgbotapi.Document{FileID: "f", FileName: "sao\x00ke\x7f.csv", MimeType: "text/csv", FileSize: 9}}},
			flows.Event{Kind: flows.EventOther, Channel: danvan.Telegram, ChatRef: "7", UserRef: "7", UserName: "Ngọc Lan", Lang: "vi", Text: "sao kê",
				Document: &flows.Document{FileID: "f", Name: "saoke.csv", MIME: "text/csv", Size: 9}}},
		{"name of nothing but control characters", tgbotapi.Update{Message: &tgbotapi.Message{
			From: &tgbotapi.User{ID: 8, FirstName: "\x00", UserName: "hoa\x00"}, Chat: &tgbotapi.Chat{ID: 8, Type: "private"}, Text: "xin chào"}},
			flows.Event{Kind: flows.EventText, Channel: danvan.Telegram, ChatRef: "8", UserRef: "8", UserName: "hoa", Text: "xin chào"}},
		{"group title", tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{From: *from,
			Chat: tgbotapi.Chat{ID: -5, Type: "group", Title: "Khu 1\x00 Yên Giang"}, NewChatMember: tgbotapi.ChatMember{Status: "member"}}},
			flows.Event{Kind: flows.EventJoined, Channel: danvan.Telegram, ChatRef: "-5", Group: true, UserRef: "7", UserName: "Ngọc Lan", Lang: "vi", Title: "Khu 1 Yên Giang"}},
		{"button", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "cb\x00", From: from, Data: "3:amount\x00:1",
			Message: &tgbotapi.Message{MessageID: 12, Chat: private, Text: "Bạn\x00 ủng hộ bao nhiêu?", Entities: []tgbotapi.MessageEntity{{Type: "bold", Offset: 0, Length: 4}}}}},
			flows.Event{Kind: flows.EventButton, Channel: danvan.Telegram, ChatRef: "7", UserRef: "7", UserName: "Ngọc Lan", Lang: "vi", Data: "3:amount:1",
				CallbackID: "cb", MessageID: 12, MessageText: "<b>Bạn</b> ủng hộ bao nhiêu?"}},
		{"button on a photo", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "cb2", From: from, Data: "qr",
			Message: &tgbotapi.Message{MessageID: 13, Chat: private, Photo: []tgbotapi.PhotoSize{{FileID: "qr"}}, Caption: "Mã QR\x01 K7Q2",
				CaptionEntities: []tgbotapi.MessageEntity{{Type: "code", Offset: 7, Length: 4}}}}},
			flows.Event{Kind: flows.EventButton, Channel: danvan.Telegram, ChatRef: "7", UserRef: "7", UserName: "Ngọc Lan", Lang: "vi", Data: "qr",
				CallbackID: "cb2", MessageID: 13, MessageText: "Mã QR <code>K7Q2</code>", MessageMedia: true}},
	} {
		got, ok := eventOf(tc.u, localapi.DefaultBotUsername)
		if !ok {
			t.Errorf("%s: ignored", tc.name)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, got, tc.want)
		}
	}
}
