package telegram

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// htmlTag is the tag of an entity type in the HTML subset the bot sends,
// with how far out it nests when two entities cover the same text
// (Telegram lists pre, code and links before bold and the like); false for
// the types that stay plain text.
func htmlTag(entityType string) (tag string, rank int, ok bool) {
	switch entityType {
	case "pre":
		return "pre", 0, true
	case "code":
		return "code", 1, true
	case "text_link":
		return "a", 2, true
	case "bold":
		return "b", 3, true
	case "italic":
		return "i", 4, true
	case "underline":
		return "u", 5, true
	case "strikethrough":
		return "s", 6, true
	}
	return "", 0, false
}

// htmlSpan is an entity as a tag around the bytes [start, end) of a text.
type htmlSpan struct {
	start, end int
	tag        string
	rank       int
	href       string
}

func (s htmlSpan) open() string {
	if s.tag == "a" {
		return `<a href="` + escapeAttr(s.href) + `">`
	}
	return "<" + s.tag + ">"
}

func (s htmlSpan) close() string { return "</" + s.tag + ">" }

// messageHTML rebuilds a message as the chat shows it, in the HTML subset
// the bot sends, from its text and entities (whose offsets and lengths
// count UTF-16 code units, as Telegram's do). Entity types outside the
// subset (mentions, links Telegram found, spoilers…) stay plain text.
// Entities that cross each other, which Telegram does not send, are split
// so that the tags still nest; entities outside the text are cut to it.
func messageHTML(text string, entities []tgbotapi.MessageEntity) string {
	offsets := byteOffsets(text)
	units := len(offsets) - 1
	var spans []htmlSpan
	for _, e := range entities {
		tag, rank, ok := htmlTag(e.Type)
		if !ok || e.Offset < 0 || e.Offset >= units || e.Length <= 0 || (e.Type == "text_link" && e.URL == "") {
			continue
		}
		s := htmlSpan{start: offsets[e.Offset], end: offsets[e.Offset+min(e.Length, units-e.Offset)], tag: tag, rank: rank, href: e.URL}
		if s.start < s.end {
			spans = append(spans, s)
		}
	}
	// Outer before inner: earlier start, then later end, then rank.
	slices.SortStableFunc(spans, func(a, b htmlSpan) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(b.end, a.end), cmp.Compare(a.rank, b.rank))
	})

	var b strings.Builder
	var open []htmlSpan
	pos, next := 0, 0
	for {
		bound := len(text)
		for _, s := range open {
			bound = min(bound, s.end)
		}
		if next < len(spans) {
			bound = min(bound, spans[next].start)
		}
		escapeText(&b, text[pos:bound])
		pos = bound
		// Close what ends here, with everything opened inside it; what
		// opened inside it and goes on is opened again.
		if i := slices.IndexFunc(open, func(s htmlSpan) bool { return s.end <= pos }); i >= 0 {
			inner := slices.Clone(open[i:])
			for j := len(inner) - 1; j >= 0; j-- {
				b.WriteString(inner[j].close())
			}
			open = open[:i]
			for _, s := range inner {
				if s.end > pos {
					b.WriteString(s.open())
					open = append(open, s)
				}
			}
		}
		for next < len(spans) && spans[next].start == pos {
			b.WriteString(spans[next].open())
			open = append(open, spans[next])
			next++
		}
		if pos == len(text) && len(open) == 0 {
			return b.String()
		}
	}
}

// byteOffsets maps each UTF-16 offset in s, and the end, to a byte offset.
// An offset between the two halves of a surrogate pair, which Telegram
// never sends, maps to the end of that character.
func byteOffsets(s string) []int {
	offsets := make([]int, 0, len(s)+1)
	for i, r := range s {
		offsets = append(offsets, i)
		if r > 0xFFFF {
			offsets = append(offsets, i+utf8.RuneLen(r))
		}
	}
	return append(offsets, len(s))
}

// escapeText writes s as HTML text; bytes that are not UTF-8 become
// U+FFFD, which the byte offsets counted as one character.
func escapeText(b *strings.Builder, s string) {
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
}

// escapeAttr makes s a double-quoted attribute value.
func escapeAttr(s string) string {
	var b strings.Builder
	escapeText(&b, s)
	return strings.ReplaceAll(b.String(), `"`, "&quot;")
}
