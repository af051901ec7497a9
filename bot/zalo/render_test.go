package zalo

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestPlainText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Đã đăng chiến dịch <b>Điều hòa</b>, mã <code>DIEUHOA</code>. Người dân ủng hộ bằng lệnh <code>/ungho DIEUHOA</code>.",
			"Đã đăng chiến dịch Điều hòa, mã DIEUHOA. Người dân ủng hộ bằng lệnh /ungho DIEUHOA."},
		{"<i>nghiêng</i> <u>gạch</u> <s>xóa</s> <B>đậm</B> <strong>x</strong>", "nghiêng gạch xóa đậm x"},
		{"Hộ <b>Lê Thị &lt;Bình&gt;</b> &amp; con: &quot;500k&quot; &#39;ok&#39;", `Hộ Lê Thị <Bình> & con: "500k" 'ok'`},
		// Escaped tags are text, not tags.
		{"&lt;b&gt;không đậm&lt;/b&gt;", "<b>không đậm</b>"},
		{"dòng đầu:\n<pre>Ngày;Số tiền\n01/01;500.000</pre>\nhết", "dòng đầu:\nNgày;Số tiền\n01/01;500.000\nhết"},
		{`Xem <a href="https://danvan.example/kq?a=1&amp;b=2">kết quả</a>.`, "Xem kết quả (https://danvan.example/kq?a=1&b=2)."},
		{`<a href="https://danvan.example/">https://danvan.example/</a>`, "https://danvan.example/"},
		{`<a href="https://danvan.example/">danvan.example</a>`, "danvan.example"},
		{`<a href='https://x.example'>x</a>`, "x (https://x.example)"},
		{`<a  class="c" href=https://x.example>x</a>`, "x (https://x.example)"},
		{`<a href="https://x.example"></a>`, "https://x.example"},
		{`<a href="tg://user?id=7">Lan</a> đã nộp`, "Lan đã nộp"},
		{`<a href="https://x.example"><b>đậm</b> link</a> sau`, "đậm link (https://x.example) sau"},
		{`unclosed <a href="https://x.example">link`, "unclosed link (https://x.example)"},
		// What only looks like a tag stays.
		{"tim <3 và 1 < 2 > 0", "tim <3 và 1 < 2 > 0"},
		{"<bold>x</bold> <br> <b", "<bold>x</bold> <br> <b"},
		{"", ""},
	} {
		if got := PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q)\n = %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "Xin chào\nbạn", 20, []string{"Xin chào\nbạn"}},
		{"trimmed ends", "  \n Xin chào \n ", 20, []string{"Xin chào"}},
		{"blank", " \n\t ", 5, nil},
		{"empty", "", 5, nil},
		{"whole lines packed", "một\nhai\nba\nbốn", 7, []string{"một\nhai", "ba\nbốn"}},
		{"exactly at the limit", "12345\n678", 5, []string{"12345", "678"}},
		{"a paragraph break dropped", "đoạn một\n\n\nđoạn hai", 10, []string{"đoạn một", "đoạn hai"}},
		{"a long line at a space", "Cảm ơn bạn đã ủng hộ", 10, []string{"Cảm ơn bạn", "đã ủng hộ"}},
		{"a long line after short ones", "a\nxin chào các bạn", 9, []string{"a", "xin chào", "các bạn"}},
		{"hard cut", "0123456789abc", 5, []string{"01234", "56789", "abc"}},
		{"no-break space kept", "500\u00a0000\u00a0đồng", 6, []string{"500\u00a000", "0\u00a0đồng"}},
		// e, then a circumflex and a dot below: the marks stay with it.
		{"combining marks", "ABe\u0302\u0323", 4, []string{"AB", "e\u0302\u0323"}},
		{"a joined emoji", "ab👨\u200d👩", 3, []string{"ab", "👨\u200d👩"}},
		{"limit below 1", "ab", 0, []string{"a", "b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Split(tc.text, tc.limit)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Split(%q, %d) = %q, want %q", tc.text, tc.limit, got, tc.want)
			}
			checkSplit(t, tc.text, tc.limit, got)
		})
	}
}

// checkSplit asserts Split's promises: parts in order, none empty, none
// over the limit, none beginning or ending with white space, and between
// them (and around them) nothing of text but white space.
func checkSplit(t *testing.T, text string, limit int, parts []string) {
	t.Helper()
	pos := 0
	for i, p := range parts {
		if p == "" {
			t.Fatalf("part %d is empty", i)
		}
		if n := utf8.RuneCountInString(p); n > max(limit, 1) {
			t.Errorf("part %d has %d characters, over %d", i, n, limit)
		}
		if r, _ := utf8.DecodeRuneInString(p); unicode.IsSpace(r) {
			t.Errorf("part %d %q begins with white space", i, p)
		}
		if r, _ := utf8.DecodeLastRuneInString(p); unicode.IsSpace(r) {
			t.Errorf("part %d %q ends with white space", i, p)
		}
		gap := pos
		for gap < len(text) {
			r, size := utf8.DecodeRuneInString(text[gap:])
			if !unicode.IsSpace(r) {
				break
			}
			gap += size
		}
		if !strings.HasPrefix(text[gap:], p) {
			t.Fatalf("part %d %q is not what follows in the text: %q", i, p, text[gap:min(len(text), gap+len(p)+10)])
		}
		pos = gap + len(p)
	}
	if strings.TrimSpace(text[pos:]) != "" {
		t.Errorf("lost %q at the end", text[pos:])
	}
}

// Random texts of Vietnamese words, lines and blank lines, at random
// limits, keep Split's promises; lines no longer than the limit are never
// cut.
func TestSplitProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"ủng", "hộ", "Điều", "hòa", "500.000đ", "khu", "phố", "🇻🇳", "e\u0302\u0301", "👨\u200d👩\u200d👧", "rất-dài-không-có-khoảng-trắng-nào-cả"}
	seps := []string{" ", " ", " ", "\n", "\n\n", "  ", "\t", "\u00a0"}
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(120) {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		text := b.String()
		limit := 1 + rng.IntN(60)
		parts := Split(text, limit)
		checkSplit(t, text, limit, parts)
		if t.Failed() {
			t.Fatalf("Split(%q, %d) = %q", text, limit, parts)
		}
		// A line that fits is never cut: each of its parts' lines is
		// one of the text's lines, whole.
		lines := map[string]bool{}
		fits := true
		for l := range strings.SplitSeq(text, "\n") {
			l = strings.TrimSpace(l)
			lines[l] = true
			fits = fits && utf8.RuneCountInString(l) <= limit
		}
		if !fits {
			continue
		}
		for _, p := range parts {
			for l := range strings.SplitSeq(p, "\n") {
				if !lines[strings.TrimSpace(l)] {
					t.Fatalf("Split(%q, %d): part %q cuts the line %q", text, limit, p, l)
				}
			}
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("Cảm ơn bạn đã ủng hộ\n\nkhu phố 3", 7)
	f.Add("e\u0302\u0301e\u0302\u0301e\u0302\u0301", 1)
	f.Add(" \u00a0 \n", 2)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		limit %= 300
		parts := Split(text, limit)
		if !utf8.ValidString(text) {
			return // the promises are about characters
		}
		checkSplit(t, text, limit, parts)
	})
}
