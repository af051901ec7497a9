package telegram

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

type ents = []tgbotapi.MessageEntity

func TestMessageHTML(t *testing.T) {
	link := func(off, n int, url string) tgbotapi.MessageEntity {
		return tgbotapi.MessageEntity{Type: "text_link", Offset: off, Length: n, URL: url}
	}
	e := func(typ string, off, n int) tgbotapi.MessageEntity {
		return tgbotapi.MessageEntity{Type: typ, Offset: off, Length: n}
	}
	for _, tc := range []struct {
		name, text string
		ents       ents
		want       string
	}{
		{"plain", "Xin chào", nil, "Xin chào"},
		{"empty", "", nil, ""},
		{"escaping outside entities", `1 < 2 && 3 > 2 "x"`, nil, `1 &lt; 2 &amp;&amp; 3 &gt; 2 "x"`},
		{"bold", "đậm thường", ents{e("bold", 0, 3)}, "<b>đậm</b> thường"},
		{"every tag", "a b c d e f", ents{e("bold", 0, 1), e("italic", 2, 1), e("underline", 4, 1), e("strikethrough", 6, 1), e("code", 8, 1), e("pre", 10, 1)},
			"<b>a</b> <i>b</i> <u>c</u> <s>d</s> <code>e</code> <pre>f</pre>"},
		{"emoji before an entity", "📷 Mã QR cho K7Q2", ents{e("bold", 3, 5), e("code", 13, 4)}, "📷 <b>Mã QR</b> cho <code>K7Q2</code>"},
		{"emoji inside an entity", "a😀b", ents{e("italic", 1, 2)}, "a<i>😀</i>b"},
		{"escaping inside an entity", "a<b>&c", ents{e("bold", 0, 6)}, "<b>a&lt;b&gt;&amp;c</b>"},
		{"bold inside a link", "Lan và Hoa", ents{link(0, 10, `https://x.vn/?a=1&b="2"<>`), e("bold", 0, 3)},
			`<a href="https://x.vn/?a=1&amp;b=&quot;2&quot;&lt;&gt;"><b>Lan</b> và Hoa</a>`},
		{"same text, link outside whatever the order", "Lan", ents{e("bold", 0, 3), link(0, 3, "https://x.vn")},
			`<a href="https://x.vn"><b>Lan</b></a>`},
		{"nesting three deep", "abcdef", ents{e("bold", 0, 6), e("italic", 1, 4), e("underline", 2, 2)}, "<b>a<i>b<u>cd</u>e</i>f</b>"},
		{"adjacent", "abcd", ents{e("bold", 0, 2), e("italic", 2, 2)}, "<b>ab</b><i>cd</i>"},
		{"plain types", "@lan #DIEUHOA /ungho https://x.vn 0912345678 bí mật",
			ents{e("mention", 0, 4), e("hashtag", 5, 8), e("bot_command", 14, 6), e("url", 21, 12), e("phone_number", 34, 10), e("spoiler", 45, 6),
				{Type: "text_mention", Offset: 0, Length: 4, User: &tgbotapi.User{ID: 1}}},
			"@lan #DIEUHOA /ungho https://x.vn 0912345678 bí mật"},
		{"pre with a language", "select 1", ents{{Type: "pre", Offset: 0, Length: 8, Language: "sql"}}, "<pre>select 1</pre>"},
		{"crossing entities are split", "abcd", ents{e("bold", 0, 3), e("italic", 2, 2)}, "<b>ab<i>c</i></b><i>d</i>"},
		{"past the end is cut", "abc", ents{e("bold", 1, 10)}, "a<b>bc</b>"},
		{"outside the text is dropped", "abc", ents{e("bold", 3, 1), e("bold", -1, 2), e("italic", 0, 0), link(0, 3, "")}, "abc"},
		{"inside a surrogate pair", "😀x", ents{e("bold", 1, 2)}, "😀<b>x</b>"},
	} {
		if got := messageHTML(tc.text, tc.ents); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

// A button is pressed on messages the bot sent in HTML through the local
// Bot API, which parses them into text and entities as Telegram does: the
// button's event carries the message as the bot wrote it.
func TestPressedMessageRoundTrip(t *testing.T) {
	api, err := localapi.New(token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	events := make(chan flows.Event, 20)
	p := &Poller{Token: token, Endpoint: api.Endpoint(), Log: quiet,
		Handler: &fakeHandler{onUpdate: func(ev flows.Event) { events <- ev }}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	bot, err := newAPI(ctx, token, api.Endpoint(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	nextEvent := func(what string) flows.Event {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(30 * time.Second):
			t.Fatalf("%s was not handled within 30 s", what)
			return flows.Event{}
		}
	}
	lan := localapi.User{ID: 600100, FirstName: "Lan", LanguageCode: "vi"}
	api.SendText(lan, "/start") // a bot may only write to people who wrote first
	if ev := nextEvent("/start"); ev.Command != "start" {
		t.Fatalf("first event %+v, want /start", ev)
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}

	for i, tc := range []struct {
		kind danvan.OutKind
		html string // as the bot sends it
		want string // "" for html itself
	}{
		{kind: danvan.OutSend, html: "<b>DIEUHOA</b> · Điều hòa cho trường\nĐã nhận <i>1.500.000 ₫</i> / 180.000.000 ₫ (1%)"},
		{kind: danvan.OutSend, html: "📷 <b>Mã QR</b> cho khoản <code>K7Q2</code> 🎉 <u>500.000 ₫</u>"},
		{kind: danvan.OutSend, html: `<a href="https://example.vn/q?a=1&amp;b=&quot;2&quot;"><b>Lan &amp; Hoa</b> &lt;3</a> &gt; <s>cũ</s>`},
		{kind: danvan.OutSend, html: "<pre>a &lt; b\n  c</pre>\n<b>x <i>y <u>z</u></i></b>"},
		// Written another way by the bot, rebuilt in one form.
		{kind: danvan.OutSend, html: "<strong>Lan</strong> &#39;Hoa&#39; &#34;An&#34; <em>&#x1F4F7;</em>", want: `<b>Lan</b> 'Hoa' "An" <i>📷</i>`},
		{kind: danvan.OutPhoto, html: "<b>Biểu đồ</b> 📈 tuần <i>48</i>"},
		{kind: danvan.OutDocument, html: "Sổ thu <code>DIEUHOA</code> &amp; <b>MTTQ</b>"},
	} {
		want := cmp.Or(tc.want, tc.html)
		out := danvan.Outgoing{Kind: tc.kind, ChatID: lan.ID, Text: tc.html, Buttons: [][]danvan.Button{{{Text: "OK", Data: fmt.Sprint("ok:", i)}}}}
		switch tc.kind {
		case danvan.OutPhoto:
			out.Photo = pic.Bytes()
		case danvan.OutDocument:
			out.Document, out.FileName = []byte("a,b\n1,2\n"), "so-thu.csv"
		}
		if err := deliver(bot, lan.ID, out); err != nil {
			t.Fatalf("sending %s: %v", tc.html, err)
		}
		msgs := api.BotMessages(lan.ID)
		sent := msgs[len(msgs)-1]
		api.PressButton(lan, lan.ID, sent.ID, out.Buttons[0][0].Data)
		ev := nextEvent("the press on " + tc.html)
		if ev.Kind != flows.EventButton || ev.MessageID != sent.ID {
			t.Fatalf("got %+v, want the press on message %d", ev, sent.ID)
		}
		if ev.MessageText != want {
			t.Errorf("pressed %s:\n got %s\nwant %s", tc.html, ev.MessageText, want)
		}
		if media := tc.kind != danvan.OutSend; ev.MessageMedia != media {
			t.Errorf("pressed %s: MessageMedia %v, want %v", tc.html, ev.MessageMedia, media)
		}
	}

	// A message Telegram no longer gives arrives without its text.
	api.PressButton(lan, lan.ID, 999999, "ok:old")
	if ev := nextEvent("the press on an unknown message"); ev.MessageText != "" || ev.MessageMedia {
		t.Errorf("press on an unknown message: MessageText %q, MessageMedia %v", ev.MessageText, ev.MessageMedia)
	}
}

// For any text and any entity list Telegram could send (entities nested
// or apart, on character boundaries), the HTML is accepted by the local
// Bot API's parser and gives back the same text and formatting.
func FuzzMessageHTML(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string, spec []byte) {
		text = strings.ToValidUTF8(text, "\uFFFD")
		in := wellFormed(text, spec)
		html := messageHTML(text, in)
		plain, raw, err := localapi.ParseHTML(html)
		if err != nil {
			t.Fatalf("%q with %+v gave %q, which does not parse: %v", text, in, html, err)
		}
		if plain != text {
			t.Fatalf("%q with %+v gave %q, which reads %q", text, in, html, plain)
		}
		var out ents
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		if got, want := formatting(out), formatting(in); !slices.Equal(got, want) {
			t.Fatalf("%q with %+v gave %q, whose formatting is\n%v, want\n%v", text, in, html, got, want)
		}
	})
}

// formatting lists the entities HTML can carry, in one order.
func formatting(es ents) []string {
	var out []string
	for _, e := range es {
		if _, _, ok := htmlTag(e.Type); ok {
			out = append(out, fmt.Sprintf("%s %d+%d %s", e.Type, e.Offset, e.Length, e.URL))
		}
	}
	slices.Sort(out)
	return out
}

// wellFormed makes the entities spec describes (three bytes each: type,
// start, length) over text, keeping those Telegram could send with the
// others: on character boundaries, each nested in or apart from the
// others, nothing inside or around pre and code, no link in a link.
func wellFormed(text string, spec []byte) ents {
	types := []string{"bold", "italic", "underline", "strikethrough", "code", "pre", "text_link", "mention", "url", "spoiler"}
	urls := []string{"https://example.vn/a?b=1&c=2", `https://x.vn/"q"<>`, "tg://resolve?domain=danvan"}
	var bounds []int // UTF-16 offsets of character boundaries
	n := 0
	for _, r := range text {
		bounds = append(bounds, n)
		n += utf16.RuneLen(r)
	}
	bounds = append(bounds, n)
	if len(bounds) < 2 {
		return nil
	}
	var out ents
	// A message of Telegram's carries at most 100 entities.
	for spec = spec[:min(len(spec), 3*100)]; len(spec) >= 3; spec = spec[3:] {
		e := tgbotapi.MessageEntity{Type: types[int(spec[0])%len(types)]}
		start := int(spec[1]) % (len(bounds) - 1)
		end := start + 1 + int(spec[2])%(len(bounds)-1-start)
		e.Offset, e.Length = bounds[start], bounds[end]-bounds[start]
		if e.Type == "text_link" {
			e.URL = urls[int(spec[2])%len(urls)]
		}
		if fits(e, out) {
			out = append(out, e)
		}
	}
	return out
}

func fits(e tgbotapi.MessageEntity, others ents) bool {
	for _, o := range others {
		apart := e.Offset+e.Length <= o.Offset || o.Offset+o.Length <= e.Offset
		if apart {
			continue
		}
		eIn := o.Offset <= e.Offset && e.Offset+e.Length <= o.Offset+o.Length
		oIn := e.Offset <= o.Offset && o.Offset+o.Length <= e.Offset+e.Length
		switch {
		case !eIn && !oIn:
			return false // crossing
		case e.Type == "pre" || e.Type == "code" || o.Type == "pre" || o.Type == "code":
			return false
		case e.Type == "text_link" && o.Type == "text_link":
			return false
		}
	}
	return true
}
