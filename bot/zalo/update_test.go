package zalo

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseUpdates(t *testing.T) {
	image := `{"event_name":"message.image.received","message":{"message_id":"m2","date":1766619600000,` +
		`"chat":{"id":"g77","chat_type":"GROUP"},"from":{"id":"u5","first_name":"Lê Thị Bình"},` +
		`"photo_url":"https://zalo.example/p/2.jpg","caption":"Biên lai 500k"}}`
	wantImage := Update{Event: EventImage, MessageID: "m2", ChatID: "g77", Group: true, FromID: "u5", FromName: "Lê Thị Bình",
		PhotoURL: "https://zalo.example/p/2.jpg", Caption: "Biên lai 500k", Date: time.UnixMilli(1766619600000).UTC()}
	for _, tc := range []struct {
		name, body string
		want       []Update
	}{
		{"one update", oneUpdate, []Update{wantOne}},
		{"white space around", "\n  " + oneUpdate + "\r\n", []Update{wantOne}},
		{"an array", "[" + oneUpdate + "," + image + "]", []Update{wantOne, wantImage}},
		{"wrapped", `{"ok":true,"result":` + oneUpdate + `}`, []Update{wantOne}},
		{"wrapped array", `{"ok":true,"result":[` + image + `]}`, []Update{wantImage}},
		{"null", `null`, nil},
		{"empty object", `{}`, nil},
		{"empty array", `[]`, nil},
		{"image as photo", strings.Replace(image, `"photo_url"`, `"photo"`, 1), []Update{wantImage}},
		{"sticker", `{"event_name":"message.sticker.received","message":{"message_id":"m3","chat":{"id":"c1","chat_type":"PRIVATE"},"from":{"id":"c1","name":"An"}}}`,
			[]Update{{Event: EventSticker, MessageID: "m3", ChatID: "c1", FromID: "c1", FromName: "An"}}},
		{"name fields in order", `{"event_name":"message.text.received","message":{"message_id":"m4","chat":{"id":"c1"},` +
			`"from":{"id":"c1","display_name":" ","first_name":"Bình","name":"B"},"text":"hi"}}`,
			[]Update{{Event: EventText, MessageID: "m4", ChatID: "c1", FromID: "c1", FromName: "Bình", Text: "hi"}}},
		{"date as a string, text not a string", `{"event_name":"message.text.received","message":{"message_id":"m5","date":"1766619597466",` +
			`"chat":{"id":"c1"},"from":{"id":"c1"},"text":{"oops":1}}}`,
			[]Update{{Event: EventText, MessageID: "m5", ChatID: "c1", FromID: "c1", Date: time.UnixMilli(1766619597466).UTC()}}},
		{"a date that is not one", strings.Replace(oneUpdate, `1766619597466`, `"hôm qua"`, 1),
			[]Update{func() Update { u := wantOne; u.Date = time.Time{}; return u }()}},
		{"an unknown event", strings.Replace(oneUpdate, EventText, "message.location.received", 1),
			[]Update{func() Update { u := wantOne; u.Event = "message.location.received"; return u }()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			us, err := ParseUpdates([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if !sameUpdates(us, tc.want) {
				t.Errorf("ParseUpdates = %+v\nwant %+v", us, tc.want)
			}
		})
	}
}

func TestParseUpdatesInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		says       []string // what the error must name
	}{
		{"empty", "  ", []string{"empty"}},
		{"not JSON", "<html>", []string{"not JSON"}},
		{"a string", `"hello"`, []string{"string"}},
		{"numeric chat id", strings.Replace(oneUpdate, `"id":"e4ea01","chat_type"`, `"id":16777216,"chat_type"`, 1),
			[]string{"message.chat.id (number instead of a string)", EventText}},
		{"numeric message id", strings.Replace(oneUpdate, `"16f6a1"`, `1234`, 1), []string{"message.message_id (number"}},
		{"empty sender id", strings.Replace(oneUpdate, `"from":{"id":"e4ea01"`, `"from":{"id":""`, 1), []string{"message.from.id (empty)"}},
		{"null sender id", strings.Replace(oneUpdate, `"from":{"id":"e4ea01"`, `"from":{"id":null`, 1), []string{"message.from.id (missing)"}},
		{"no sender", `{"event_name":"message.text.received","message":{"message_id":"m","chat":{"id":"c"}}}`, []string{"message.from"}},
		{"no chat, no event", `{"message":{"message_id":"m","from":{"id":"c"}}}`, []string{"event_name (missing)", "message.chat"}},
		{"no message", `{"event_name":"message.text.received"}`, []string{"message"}},
		{"message not an object", `{"event_name":"message.text.received","message":"hi"}`, []string{"message"}},
		{"refusal", `{"ok":false,"error_code":401,"description":"Unauthorized"}`, []string{"Unauthorized"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			us, err := ParseUpdates([]byte(tc.body))
			if err == nil || len(us) != 0 {
				t.Fatalf("ParseUpdates = %+v, %v; want an error and no update", us, err)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
	var ae *APIError
	if _, err := ParseUpdates([]byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`)); !errors.As(err, &ae) || ae.Code != 401 {
		t.Errorf("a refusal gave %v, want an APIError of 401", err)
	}
}

func FuzzParseUpdates(f *testing.F) {
	for _, s := range []string{
		oneUpdate, "[" + oneUpdate + "," + oneUpdate + "]", `{"ok":true,"result":` + oneUpdate + `}`,
		`{"ok":true,"result":[]}`, `{"ok":false,"error_code":408}`, `null`, `{}`, `[1,"a",null]`,
		strings.Replace(oneUpdate, `"e4ea01"`, `7`, 1), `{"message":{"chat":[],"from":1}}`, "\xff\xfe",
		`{"event_name":"e","message":{"message_id":"\ud800","chat":{"id":"x"},"from":{"id":"y"},"date":1e400}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		us, err := ParseUpdates(body)
		for _, u := range us {
			if u.Event == "" || u.MessageID == "" || u.ChatID == "" || u.FromID == "" {
				t.Errorf("an update without an id or event: %+v", u)
			}
			for _, s := range []string{u.Event, u.MessageID, u.ChatID, u.FromID, u.FromName, u.Text, u.PhotoURL, u.Caption} {
				if !utf8.ValidString(s) {
					t.Errorf("invalid UTF-8 %q in %+v", s, u)
				}
			}
		}
		if !json.Valid(body) && (err == nil || len(us) > 0) {
			t.Errorf("a body that is not JSON gave %v, %v", us, err)
		}
		// The same, wrapped as an API answer, reads the same.
		var top any
		if json.Unmarshal(body, &top) != nil {
			return
		}
		if o, ok := top.(map[string]any); ok && isEnvelope(o) {
			return // already wrapped: a result is not unwrapped twice
		}
		wrapped := append(append([]byte(`{"ok":true,"result":`), body...), '}')
		us2, err2 := ParseUpdates(wrapped)
		if !sameUpdates(us, us2) || (err == nil) != (err2 == nil) {
			t.Errorf("wrapped, %q reads %+v, %v; alone %+v, %v", body, us2, err2, us, err)
		}
	})
}
