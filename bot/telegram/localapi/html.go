//lint:file-ignore ST1005 the parse errors are Telegram's own wording, capitals included: the bot sees them as Telegram sends them

package localapi

//lint:file-ignore ST1005 the errors repeat the wording of Telegram's own, capitals included

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// entity is a MessageEntity; offsets and lengths count UTF-16 code units, as
// Telegram's do.
type entity struct {
	Type          string    `json:"type"`
	Offset        int       `json:"offset"`
	Length        int       `json:"length"`
	URL           string    `json:"url,omitempty"`
	User          *wireUser `json:"user,omitempty"`
	Language      string    `json:"language,omitempty"`
	CustomEmojiID string    `json:"custom_emoji_id,omitempty"`
}

// formatted is a text or caption after entity parsing.
type formatted struct {
	raw      string // as the bot sent it
	mode     string // parse_mode as sent
	plain    string // what the resident reads
	entities []entity
}

func (f formatted) sameContent(plain string, ents []entity) bool {
	if f.plain != plain || len(f.entities) != len(ents) {
		return false
	}
	for i := range ents {
		a, b := f.entities[i], ents[i]
		if a.Type != b.Type || a.Offset != b.Offset || a.Length != b.Length || a.URL != b.URL ||
			a.Language != b.Language || a.CustomEmojiID != b.CustomEmojiID || (a.User == nil) != (b.User == nil) ||
			(a.User != nil && a.User.ID != b.User.ID) {
			return false
		}
	}
	return true
}

// utf16Len counts UTF-16 code units: Telegram's "characters".
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// formatText applies parse_mode (or the explicit entities) to raw and checks
// the length limit. Captions may be empty; message texts may not.
func formatText(raw, mode, entitiesJSON string, limit int, caption bool) (formatted, *apiError) {
	f := formatted{raw: raw, mode: mode}
	if !utf8.ValidString(raw) {
		return f, badRequest("text must be encoded in UTF-8")
	}
	var plain string
	var ents []entity
	switch strings.ToLower(mode) {
	case "":
		plain = raw
		if entitiesJSON != "" {
			if err := json.Unmarshal([]byte(entitiesJSON), &ents); err != nil {
				return f, badRequest("can't parse entities JSON object")
			}
		}
	case "html":
		var err error
		plain, ents, err = parseHTML(raw)
		if err != nil {
			return f, badRequest("can't parse entities: %v", err)
		}
	case "markdown", "markdownv2":
		return f, badRequest("localapi emulates only parse_mode HTML, not %s", mode)
	default:
		return f, badRequest("unsupported parse_mode")
	}
	f.plain, f.entities = trimFormatted(plain, ents)
	n := utf16Len(f.plain)
	switch {
	case n == 0 && !caption:
		return f, badRequest("message text is empty")
	case n > limit && caption:
		return f, badRequest("message caption is too long")
	case n > limit:
		return f, badRequest("message is too long")
	}
	return f, nil
}

// trimFormatted drops leading and trailing white space, as Telegram does
// before storing a message, and moves the entities with the text.
func trimFormatted(plain string, ents []entity) (string, []entity) {
	trimmed := strings.TrimLeftFunc(plain, unicode.IsSpace)
	lead := utf16Len(plain[:len(plain)-len(trimmed)])
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	size := utf16Len(trimmed)
	out := ents[:0:0]
	for _, e := range ents {
		start, end := e.Offset-lead, e.Offset+e.Length-lead
		start, end = max(start, 0), min(end, size)
		if end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		out = append(out, e)
	}
	return trimmed, out
}

// ParseHTML is what Telegram makes of a text sent with parse_mode HTML,
// before it trims the result: the plain text and its entities, as the JSON
// array of MessageEntity that updates carry. Code that turns entities back
// into HTML checks its output with it.
func ParseHTML(s string) (text string, entities json.RawMessage, err error) {
	if !utf8.ValidString(s) {
		return "", nil, errors.New("text must be encoded in UTF-8")
	}
	plain, ents, err := parseHTML(s)
	if err != nil {
		return "", nil, err
	}
	if ents == nil {
		ents = []entity{}
	}
	b, err := json.Marshal(ents)
	if err != nil {
		return "", nil, err
	}
	return plain, b, nil
}

// htmlTags maps Telegram's supported tags to entity types.
var htmlTags = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"span": "spoiler", "tg-spoiler": "spoiler",
	"a":          "text_link",
	"code":       "code",
	"pre":        "pre",
	"blockquote": "blockquote",
	"tg-emoji":   "custom_emoji",
}

type openTag struct {
	name  string
	ent   entity
	start int // UTF-16 offset in the output
}

// parseHTML follows Telegram's HTML parse mode: the supported tags, properly
// nested, and the entities &lt; &gt; &amp; &quot; and numeric ones. Errors
// mimic Telegram's wording and byte offsets.
//
// It is stricter than Telegram in one way on purpose: Telegram keeps a stray
// "&" (and "&lt" without ";") as text, but the Bot API documentation requires
// escaping, and a bot that forgets to escape a resident's name like "A&B"
// would show "A<B" for "A&ltB". So every "&" must start a complete entity.
func parseHTML(s string) (string, []entity, error) {
	var out strings.Builder
	u16 := 0
	var stack []openTag
	var ents []entity
	i := 0
	for i < len(s) {
		c := s[i]
		switch c {
		case '&':
			r, n, err := decodeEntity(s, i)
			if err != nil {
				return "", nil, err
			}
			out.WriteRune(r)
			u16 += utf16Len(string(r))
			i += n
		case '<':
			begin := i
			if i+1 < len(s) && s[i+1] == '/' {
				j := i + 2
				for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '>' {
					j++
				}
				name := strings.ToLower(s[i+2 : j])
				for j < len(s) && isHTMLSpace(s[j]) {
					j++
				}
				if j >= len(s) || s[j] != '>' {
					return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
				}
				i = j + 1
				if len(stack) == 0 {
					return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
				}
				top := stack[len(stack)-1]
				if top.name != name {
					return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, name)
				}
				stack = stack[:len(stack)-1]
				ents = closeEntity(ents, top, u16)
				continue
			}
			j := i + 1
			for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '>' {
				j++
			}
			name := strings.ToLower(s[i+1 : j])
			typ, ok := htmlTags[name]
			if !ok {
				if j >= len(s) {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				return "", nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", name, begin)
			}
			attrs, next, err := parseAttrs(s, j, name, begin)
			if err != nil {
				return "", nil, err
			}
			i = next
			ent := entity{Type: typ}
			switch name {
			case "a":
				ent.URL = attrs["href"]
				if id, ok := strings.CutPrefix(ent.URL, "tg://user?id="); ok {
					if uid, err := strconv.ParseInt(id, 10, 64); err == nil {
						ent.Type, ent.URL, ent.User = "text_mention", "", &wireUser{ID: uid}
					}
				}
			case "span":
				if attrs["class"] != "tg-spoiler" {
					return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
				}
			case "code":
				if lang, ok := strings.CutPrefix(attrs["class"], "language-"); ok {
					ent.Language = lang
				}
			case "blockquote":
				if _, ok := attrs["expandable"]; ok {
					ent.Type = "expandable_blockquote"
				}
			case "tg-emoji":
				ent.CustomEmojiID = attrs["emoji-id"]
				if _, err := strconv.ParseInt(ent.CustomEmojiID, 10, 64); err != nil {
					return "", nil, fmt.Errorf("Tag \"tg-emoji\" must have a numeric attribute \"emoji-id\" at byte offset %d", begin)
				}
			}
			stack = append(stack, openTag{name: name, ent: ent, start: u16})
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			out.WriteString(s[i : i+size])
			u16 += utf16Len(s[i : i+size])
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	sort.SliceStable(ents, func(a, b int) bool {
		if ents[a].Offset != ents[b].Offset {
			return ents[a].Offset < ents[b].Offset
		}
		return ents[a].Length > ents[b].Length
	})
	return out.String(), ents, nil
}

// closeEntity appends the entity of a closed tag. A <code class="language-x">
// spanning a whole <pre> becomes the pre's language, as Telegram merges them.
func closeEntity(ents []entity, t openTag, end int) []entity {
	e := t.ent
	e.Offset, e.Length = t.start, end-t.start
	if e.Length == 0 || (e.Type == "text_link" && e.URL == "") {
		return ents
	}
	if e.Type == "pre" && len(ents) > 0 {
		last := ents[len(ents)-1]
		if last.Type == "code" && last.Offset == e.Offset && last.Length == e.Length {
			e.Language = last.Language
			ents = ents[:len(ents)-1]
		}
	}
	return append(ents, e)
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// parseAttrs reads attributes from s[i:] up to and including '>'.
func parseAttrs(s string, i int, tag string, begin int) (map[string]string, int, error) {
	attrs := map[string]string{}
	unclosed := fmt.Errorf("Unclosed start tag at byte offset %d", begin)
	for {
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return nil, 0, unclosed
		}
		if s[i] == '>' {
			return attrs, i + 1, nil
		}
		start := i
		for i < len(s) && (isASCIIAlnum(s[i]) || s[i] == '-' || s[i] == '_') {
			i++
		}
		if start == i {
			return nil, 0, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
		}
		name := strings.ToLower(s[start:i])
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return nil, 0, unclosed
		}
		if s[i] != '=' {
			attrs[name] = ""
			continue
		}
		i++
		for i < len(s) && isHTMLSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return nil, 0, unclosed
		}
		var raw string
		if q := s[i]; q == '"' || q == '\'' {
			end := strings.IndexByte(s[i+1:], q)
			if end < 0 {
				return nil, 0, fmt.Errorf("Unclosed end of an attribute value at byte offset %d", i)
			}
			raw = s[i+1 : i+1+end]
			i += end + 2
		} else {
			vs := i
			for i < len(s) && !isHTMLSpace(s[i]) && s[i] != '>' {
				i++
			}
			raw = s[vs:i]
		}
		val, err := decodeText(raw, i-len(raw))
		if err != nil {
			return nil, 0, err
		}
		attrs[name] = val
	}
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// decodeText decodes the entities of an attribute value; base is its byte
// offset in the message, for error messages.
func decodeText(raw string, base int) (string, error) {
	if !strings.Contains(raw, "&") {
		return raw, nil
	}
	var b strings.Builder
	for i := 0; i < len(raw); {
		if raw[i] != '&' {
			b.WriteByte(raw[i])
			i++
			continue
		}
		r, n, err := decodeEntity(raw, i)
		if err != nil {
			return "", fmt.Errorf("%v (in an attribute at byte offset %d)", err, base)
		}
		b.WriteRune(r)
		i += n
	}
	return b.String(), nil
}

// decodeEntity decodes the character reference at s[i] ('&') and returns its
// rune and byte length.
func decodeEntity(s string, i int) (rune, int, error) {
	semi := strings.IndexByte(s[i:], ';')
	bad := fmt.Errorf("Unescaped \"&\" at byte offset %d: write &amp; (Telegram supports only &lt; &gt; &amp; &quot; and numeric entities)", i)
	if semi < 0 || semi > 12 {
		return 0, 0, bad
	}
	name := s[i+1 : i+semi]
	n := semi + 1
	switch name {
	case "lt":
		return '<', n, nil
	case "gt":
		return '>', n, nil
	case "amp":
		return '&', n, nil
	case "quot":
		return '"', n, nil
	}
	num, ok := strings.CutPrefix(name, "#")
	if !ok {
		return 0, 0, bad
	}
	base := 10
	if h, ok := strings.CutPrefix(num, "x"); ok {
		num, base = h, 16
	} else if h, ok := strings.CutPrefix(num, "X"); ok {
		num, base = h, 16
	}
	v, err := strconv.ParseUint(num, base, 32)
	if err != nil || v == 0 || v > unicode.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return 0, 0, bad
	}
	return rune(v), n, nil
}

// commandEntity finds a leading /command (with an optional @botname), which
// Telegram marks as a bot_command entity at offset 0.
func commandEntity(text string) []entity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	i := 1
	for i < len(text) && i <= 64 && (isASCIIAlnum(text[i]) || text[i] == '_') {
		i++
	}
	if i == 1 {
		return nil
	}
	if i < len(text) && text[i] == '@' {
		j := i + 1
		for j < len(text) && (isASCIIAlnum(text[j]) || text[j] == '_') {
			j++
		}
		if j > i+1 {
			i = j
		}
	}
	return []entity{{Type: "bot_command", Offset: 0, Length: i}}
}
