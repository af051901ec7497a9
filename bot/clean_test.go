package bot

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/danvan/danvan/bot/localapi"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Lan\x00", "Lan"},
		{"\x00", ""},
		{"a\x01b\x1fc\x7fd", "abcd"},
		{"dòng 1\ndòng 2\tcột", "dòng 1\ndòng 2\tcột"},
		{"dòng 1\r\ndòng 2", "dòng 1\ndòng 2"},
		{"\x1b[31mđỏ\x1b[0m", "[31mđỏ[0m"},
		{"Việt Nam 📷 500k", "Việt Nam 📷 500k"},
		{"\xff500k", "\uFFFD500k"},
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"}, // a UTF-16 surrogate written as UTF-8
		{"\u0085 C1 stays", "\u0085 C1 stays"},
		{"\uFFFD stays", "\uFFFD stays"},
	} {
		if got := cleanText(tc.in); got != tc.want {
			t.Errorf("cleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every kind of update reaches the conversations with its texts cleaned:
// names, text, command arguments, captions, file names, group titles,
// button data.
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
			flows.Event{Kind: flows.EventText, ChatID: 7, UserID: 7, UserName: "Ngọc Lan", Lang: "vi", Text: "500k"}},
		{"only control characters", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Text: "\x00\x01"}},
			flows.Event{Kind: flows.EventOther, ChatID: 7, UserID: 7, UserName: "Ngọc Lan", Lang: "vi"}},
		{"command", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Text: "/ungho DIEU\x00HOA\x1f 500k", Entities: command}},
			flows.Event{Kind: flows.EventCommand, ChatID: 7, UserID: 7, UserName: "Ngọc Lan", Lang: "vi", Command: "ungho", Text: "DIEUHOA 500k"}},
		{"photo", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Caption: "biên\x00 lai",
			Photo: []tgbotapi.PhotoSize{{FileID: "small"}, {FileID: "large"}}}},
			flows.Event{Kind: flows.EventOther, ChatID: 7, UserID: 7, UserName: "Ngọc Lan", Lang: "vi", PhotoID: "large", Text: "biên lai"}},
		{"document", tgbotapi.Update{Message: &tgbotapi.Message{From: from, Chat: private, Caption: "sao\x00 kê",
			Document: &tgbotapi.Document{FileID: "f", FileName: "sao\x00ke\x7f.csv", MimeType: "text/csv", FileSize: 9}}},
			flows.Event{Kind: flows.EventOther, ChatID: 7, UserID: 7, UserName: "Ngọc Lan", Lang: "vi", Text: "sao kê",
				Document: &flows.Document{FileID: "f", Name: "saoke.csv", MIME: "text/csv", Size: 9}}},
		{"name of nothing but control characters", tgbotapi.Update{Message: &tgbotapi.Message{
			From: &tgbotapi.User{ID: 8, FirstName: "\x00", UserName: "hoa\x00"}, Chat: &tgbotapi.Chat{ID: 8, Type: "private"}, Text: "xin chào"}},
			flows.Event{Kind: flows.EventText, ChatID: 8, UserID: 8, UserName: "hoa", Text: "xin chào"}},
		{"group title", tgbotapi.Update{MyChatMember: &tgbotapi.ChatMemberUpdated{From: *from,
			Chat: tgbotapi.Chat{ID: -5, Type: "group", Title: "Khu 1\x00 Yên Giang"}, NewChatMember: tgbotapi.ChatMember{Status: "member"}}},
			flows.Event{Kind: flows.EventJoined, ChatID: -5, Group: true, UserID: 7, UserName: "Ngọc Lan", Lang: "vi", Title: "Khu 1 Yên Giang"}},
		{"button", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "cb\x00", From: from, Data: "3:amount\x00:1",
			Message: &tgbotapi.Message{MessageID: 12, Chat: private, Text: "Bạn\x00 ủng hộ bao nhiêu?", Entities: []tgbotapi.MessageEntity{{Type: "bold", Offset: 0, Length: 4}}}}},
			flows.Event{Kind: flows.EventButton, ChatID: 7, UserID: 7, UserName: "Ngọc Lan", Lang: "vi", Data: "3:amount:1",
				CallbackID: "cb", MessageID: 12, MessageText: "<b>Bạn</b> ủng hộ bao nhiêu?"}},
		{"button on a photo", tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{ID: "cb2", From: from, Data: "qr",
			Message: &tgbotapi.Message{MessageID: 13, Chat: private, Photo: []tgbotapi.PhotoSize{{FileID: "qr"}}, Caption: "Mã QR\x01 K7Q2",
				CaptionEntities: []tgbotapi.MessageEntity{{Type: "code", Offset: 7, Length: 4}}}}},
			flows.Event{Kind: flows.EventButton, ChatID: 7, UserID: 7, UserName: "Ngọc Lan", Lang: "vi", Data: "qr",
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

// cleanEvent cleans every string of an Event, including fields added
// after it was written: each is set to a dirty text here, found by
// reflection.
func TestCleanEventCoversEveryText(t *testing.T) {
	const dirty = "a\x00b"
	ev := flows.Event{Kind: flows.EventText, Document: &flows.Document{}}
	var fields []string
	var fill func(v reflect.Value, path string)
	fill = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(dirty)
			fields = append(fields, path)
		case reflect.Pointer:
			if !v.IsNil() {
				fill(v.Elem(), path)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice:
			for i := range v.Len() {
				fill(v.Index(i), path+"[]")
			}
		}
	}
	fill(reflect.ValueOf(&ev).Elem(), "Event")
	if len(fields) < 10 {
		t.Fatalf("found only %d string fields: %v", len(fields), fields)
	}
	cleanEvent(&ev)
	var check func(v reflect.Value, path string)
	check = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			if v.String() != "ab" {
				t.Errorf("%s = %q after cleaning, want %q", path, v.String(), "ab")
			}
		case reflect.Pointer:
			if !v.IsNil() {
				check(v.Elem(), path)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				check(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice:
			for i := range v.Len() {
				check(v.Index(i), path+"[]")
			}
		}
	}
	check(reflect.ValueOf(&ev).Elem(), "Event")
}

// Whatever a device sends, the cleaned text is UTF-8 without the dropped
// characters, keeps everything else in order, and PostgreSQL stores it
// unchanged. Its seeds are in testdata/fuzz/FuzzCleanText.
func FuzzCleanText(f *testing.F) {
	db, err := store.Open(context.Background(), pgtest.NewDB(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(db.Close)
	f.Fuzz(func(t *testing.T, in string) {
		out := cleanText(in)
		if !utf8.ValidString(out) {
			t.Fatalf("cleanText(%q) = %q: not UTF-8", in, out)
		}
		var kept strings.Builder
		for _, r := range in { // ranging gives U+FFFD for each byte that is not UTF-8
			if r >= 0x20 && r != 0x7f || r == '\n' || r == '\t' {
				kept.WriteRune(r)
			}
		}
		if out != kept.String() {
			t.Fatalf("cleanText(%q) = %q, want %q", in, out, kept.String())
		}
		if again := cleanText(out); again != out {
			t.Fatalf("cleaning %q again gave %q", out, again)
		}
		var stored string
		if err := db.Pool.QueryRow(context.Background(), `SELECT $1::text`, out).Scan(&stored); err != nil {
			t.Fatalf("PostgreSQL refused %q: %v", out, err)
		}
		if stored != out {
			t.Fatalf("PostgreSQL stored %q as %q", out, stored)
		}
	})
}
