package localapi

import (
	"strings"
	"testing"
)

func TestParseHTML(t *testing.T) {
	for _, tc := range []struct {
		in, plain string
		ents      []entity
	}{
		{"<b>đậm</b> thường", "đậm thường", []entity{{Type: "bold", Offset: 0, Length: 3}}},
		// Offsets count UTF-16 units: the emoji takes two.
		{"😀 <i>nghiêng</i>", "😀 nghiêng", []entity{{Type: "italic", Offset: 3, Length: 7}}},
		{"<B>hoa</B>", "hoa", []entity{{Type: "bold", Offset: 0, Length: 3}}},
		{`<a href='tg://user?id=42'>Lan</a>`, "Lan", []entity{{Type: "text_mention", Offset: 0, Length: 3, User: &wireUser{ID: 42}}}},
		{`<pre><code class="language-sql">select 1</code></pre>`, "select 1", []entity{{Type: "pre", Offset: 0, Length: 8, Language: "sql"}}},
		{"<b>a <u>b</u></b>", "a b", []entity{{Type: "bold", Offset: 0, Length: 3}, {Type: "underline", Offset: 2, Length: 1}}},
		{"1 > 0 &amp;&amp; &#39;x&#39;", "1 > 0 && 'x'", nil},
		{`<span class="tg-spoiler">bí mật</span>`, "bí mật", []entity{{Type: "spoiler", Offset: 0, Length: 6}}},
		{`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍", []entity{{Type: "custom_emoji", Offset: 0, Length: 2, CustomEmojiID: "5368324170671202286"}}},
	} {
		plain, ents, err := parseHTML(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if plain != tc.plain || !(formatted{plain: plain, entities: ents}).sameContent(tc.plain, tc.ents) {
			t.Errorf("%q: got %q %+v, want %q %+v", tc.in, plain, ents, tc.plain, tc.ents)
		}
	}
}

func TestParseHTMLExported(t *testing.T) {
	text, raw, err := ParseHTML("📷 <b>Mã &amp; QR</b>")
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"type":"bold","offset":3,"length":7}]`; text != "📷 Mã & QR" || string(raw) != want {
		t.Errorf("got %q %s, want %q %s", text, raw, "📷 Mã & QR", want)
	}
	if _, raw, err := ParseHTML("thường"); err != nil || string(raw) != "[]" {
		t.Errorf("plain text: %s, %v", raw, err)
	}
	for _, bad := range []string{"a < b", "\xff"} {
		if _, _, err := ParseHTML(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseHTMLErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"a < b", `Unsupported start tag "" at byte offset 2`},
		{"x<5 và 6", `Unsupported start tag "5" at byte offset 1`},
		{"<p>x</p>", `Unsupported start tag "p" at byte offset 0`},
		{"ab <b", `Unclosed start tag at byte offset 3`},
		{"<b>x</i>", `Unmatched end tag at byte offset 4, expected "</b>", found "</i>"`},
		{"x</b>", `Unexpected end tag at byte offset 1`},
		{"<b>x", `Can't find end tag corresponding to start tag "b"`},
		{"A&B", `Unescaped "&" at byte offset 1`},
		{"&lt without semicolon", `Unescaped "&" at byte offset 0`},
		{"&nbsp;", `Unescaped "&" at byte offset 0`},
		{"&#xD800;", `Unescaped "&" at byte offset 0`},
		{`<a href="x&y">l</a>`, `Unescaped "&"`},
		{`<span class="red">x</span>`, `Tag "span" must have class "tg-spoiler"`},
	} {
		_, _, err := parseHTML(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestFormatTextTrimsAndMovesEntities(t *testing.T) {
	f, aerr := formatText("\n  <b>đậm</b>  \n", "HTML", "", maxTextLen, false)
	if aerr != nil {
		t.Fatal(aerr.desc)
	}
	if f.plain != "đậm" || len(f.entities) != 1 || f.entities[0].Offset != 0 || f.entities[0].Length != 3 {
		t.Fatalf("got %q %+v", f.plain, f.entities)
	}
	if _, aerr := formatText(strings.Repeat("ế", 1025), "", "", maxCaptionLen, true); aerr == nil || aerr.desc != "Bad Request: message caption is too long" {
		t.Fatalf("caption limit: %+v", aerr)
	}
	if _, aerr := formatText("", "", "", maxCaptionLen, true); aerr != nil {
		t.Fatalf("an empty caption is allowed: %s", aerr.desc)
	}
}

func TestCommandEntity(t *testing.T) {
	for in, want := range map[string]int{
		"/start":                      6,
		"/start abc":                  6,
		"/dong_gop@danvan_test_bot x": 25,
		"/ x":                         0,
		"start":                       0,
	} {
		got := commandEntity(in)
		if (want == 0) != (got == nil) || (got != nil && got[0].Length != want) {
			t.Errorf("%q: got %+v, want length %d", in, got, want)
		}
	}
}
