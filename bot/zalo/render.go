package zalo

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PlainText turns a text in danvan's HTML subset (b, i, u, s, code, pre, a
// and their Telegram synonyms, with &lt; &gt; &amp; &quot; &#39; escaped)
// into what a person reads on Zalo, which shows no formatting: the tags are
// dropped, the entities decoded, and a link written as "text (url)" unless
// its text already is the address. What only looks like a tag, "<3" or a
// tag outside the subset, stays as written: dropping it could lose words.
func PlainText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	type anchor struct {
		start int // where its text begins in b
		href  string
	}
	var anchors []anchor
	closeAnchor := func() {
		a := anchors[len(anchors)-1]
		anchors = anchors[:len(anchors)-1]
		text := b.String()[a.start:]
		switch {
		case a.href == "" || strings.HasPrefix(strings.ToLower(a.href), "tg:"):
			// No address, or one only Telegram opens (a mention).
		case strings.TrimSpace(text) == "":
			b.WriteString(a.href)
		case !sameAddress(text, a.href):
			b.WriteString(" (" + a.href + ")")
		}
	}
	for s != "" {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		// Decoded piece by piece, between the tags: "&lt;b&gt;" is text.
		b.WriteString(html.UnescapeString(s[:i]))
		s = s[i:]
		name, closing, attrs, n := parseTag(s)
		if n == 0 {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		s = s[n:]
		if name != "a" {
			continue
		}
		if !closing {
			anchors = append(anchors, anchor{b.Len(), hrefOf(attrs)})
		} else if len(anchors) > 0 {
			closeAnchor()
		}
	}
	for len(anchors) > 0 { // unclosed: the text ran to the end
		closeAnchor()
	}
	return b.String()
}

// knownTag tells the tags of the subset, with the synonyms Telegram takes.
func knownTag(name string) bool {
	switch name {
	case "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
		"code", "pre", "a", "span", "tg-spoiler", "tg-emoji", "blockquote":
		return true
	}
	return false
}

// parseTag reads the tag s begins with: its lower-case name, whether it
// closes, its attributes, and its length in bytes; 0 when s does not begin
// with a tag of the subset.
func parseTag(s string) (name string, closing bool, attrs string, n int) {
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return "", false, "", 0
	}
	inner := s[1:end]
	if strings.ContainsRune(inner, '<') {
		return "", false, "", 0
	}
	inner, closing = strings.CutPrefix(inner, "/")
	i := strings.IndexFunc(inner, func(r rune) bool {
		return !(r == '-' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	})
	if i < 0 {
		i = len(inner)
	}
	name, attrs = strings.ToLower(inner[:i]), inner[i:]
	if !knownTag(name) {
		return "", false, "", 0
	}
	if attrs != "" {
		// A name must end at white space: "<bold>" is not "<b>".
		if r, _ := utf8.DecodeRuneInString(attrs); !unicode.IsSpace(r) && r != '/' {
			return "", false, "", 0
		}
		if closing && strings.TrimSpace(attrs) != "" {
			return "", false, "", 0
		}
	}
	return name, closing, attrs, end + 1
}

// hrefOf returns the href attribute's value, decoded.
func hrefOf(attrs string) string {
	for attrs != "" {
		attrs = strings.TrimLeftFunc(attrs, unicode.IsSpace)
		eq := strings.IndexByte(attrs, '=')
		if eq < 0 {
			return ""
		}
		key := strings.ToLower(strings.TrimSpace(attrs[:eq]))
		rest := strings.TrimLeftFunc(attrs[eq+1:], unicode.IsSpace)
		var value string
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			q := strings.IndexByte(rest[1:], rest[0])
			if q < 0 {
				value, rest = rest[1:], ""
			} else {
				value, rest = rest[1:1+q], rest[2+q:]
			}
		} else {
			sp := strings.IndexFunc(rest, unicode.IsSpace)
			if sp < 0 {
				sp = len(rest)
			}
			value, rest = rest[:sp], rest[sp:]
		}
		if key == "href" {
			return strings.TrimSpace(html.UnescapeString(value))
		}
		attrs = rest
	}
	return ""
}

// sameAddress tells whether a link's text already shows its address, as
// written or without its scheme or final slash ("danvan.vn" for
// "https://danvan.vn/").
func sameAddress(text, href string) bool {
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"https://", "http://", "mailto:", "tel:"} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimSuffix(s, "/")
	}
	return norm(text) == norm(href)
}

// Split cuts text into messages of at most limit characters (runes), in
// order: at line ends, packing as many whole lines as fit; a line longer
// than limit at its last space that fits, or, with no space, hard at the
// limit (but never between a letter and its combining marks). The white
// space at each cut, and at the ends of text, is dropped, and nothing else:
// no part is empty, and a text of white space only has no part. A limit
// below 1 is taken as 1.
func Split(text string, limit int) []string {
	limit = max(limit, 1)
	var parts []string
	rest := strings.TrimSpace(text)
	for rest != "" {
		end := runeOffset(rest, limit)
		if end == len(rest) {
			parts = append(parts, rest)
			break
		}
		// rest[end] begins the first rune that does not fit; a cut there is
		// still a cut at a line end or a space, so it is looked at too.
		cut := strings.LastIndexByte(rest[:end+1], '\n')
		if cut <= 0 {
			cut = spaceCut(rest, end)
		}
		if cut <= 0 {
			cut = hardCut(rest, end)
		}
		parts = append(parts, strings.TrimRightFunc(rest[:cut], unicode.IsSpace))
		rest = strings.TrimLeftFunc(rest[cut:], unicode.IsSpace)
	}
	return parts
}

// runeOffset is the byte offset of the n-th rune of s, or len(s).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// spaceCut is the offset of the last space in s up to and including the
// rune at end where a line may break, or -1. No-break spaces are not such
// places: they are there to keep "500 000" or "Q. 1" together.
func spaceCut(s string, end int) int {
	cut := -1
	for i, r := range s {
		if i > end {
			break
		}
		if i > 0 && unicode.IsSpace(r) && r != '\u00a0' && r != '\u2007' && r != '\u202f' {
			cut = i
		}
	}
	return cut
}

// hardCut is end, moved back over combining marks, variation selectors and
// joiners, so that "ệ" typed as e and two marks, or an emoji sequence,
// stays whole; end itself when the whole start is one such cluster.
func hardCut(s string, end int) int {
	for cut := end; cut > 0; {
		r, _ := utf8.DecodeRuneInString(s[cut:])
		prev, size := utf8.DecodeLastRuneInString(s[:cut])
		if !unicode.In(r, unicode.Mn, unicode.Me) && r != '\u200d' && prev != '\u200d' {
			return cut
		}
		cut -= size
	}
	return end
}
