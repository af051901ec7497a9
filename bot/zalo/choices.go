package zalo

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/danvan/danvan"
	"golang.org/x/text/width"
)

// Zalo shows no buttons, so a keyboard becomes a list of options, each
// under a key (a number, or a letter where a typed number is an amount),
// and the person types back a key or an option's label.

// Menu renders buttons, row by row, as one "key. label" line each, then a
// line saying how to answer, in lang ("vi", or English for any other). It
// is plain text, to follow the message's own PlainText, and "" when there
// is no button. Labels are plain text on one line.
//
// Numbered keys are 1, 2, …; lettered keys are a … z, then aa, ab, … az,
// ba, … as spreadsheet columns are named: never numbers, which in lettered
// mode are amounts, and the keys stay short (702 options fit in two
// letters) though no keyboard of danvan's comes near 26.
func Menu(buttons [][]danvan.Button, lettered bool, lang string) string {
	options := flatten(buttons)
	if len(options) == 0 {
		return ""
	}
	var b strings.Builder
	for i, o := range options {
		b.WriteString(optionKey(i, lettered))
		b.WriteString(". ")
		b.WriteString(strings.Join(strings.Fields(PlainText(o.Text)), " "))
		b.WriteByte('\n')
	}
	b.WriteString(hint(lettered, lang))
	return b.String()
}

// hint is the catalogue of Menu's last line.
func hint(lettered bool, lang string) string {
	switch {
	case lang == "vi" && lettered:
		return "Trả lời bằng chữ cái"
	case lang == "vi":
		return "Trả lời bằng số"
	case lettered:
		return "Reply with the letter"
	}
	return "Reply with the number"
}

func flatten(buttons [][]danvan.Button) []danvan.Button {
	var all []danvan.Button
	for _, row := range buttons {
		all = append(all, row...)
	}
	return all
}

// optionKey is the key of the i-th option, from 0.
func optionKey(i int, lettered bool) string {
	if !lettered {
		return strconv.Itoa(i + 1)
	}
	// Bijective base 26: a=1 … z=26, aa=27.
	var key []byte
	for n := i + 1; n > 0; n = (n - 1) / 26 {
		key = append([]byte{byte('a' + (n-1)%26)}, key...)
	}
	return string(key)
}

// maxKeyLen bounds the keys read back: no menu comes near 99,999 options or
// zzz, and the bound keeps long numbers from overflowing.
const maxKeyLen = 5

// Pick finds the option a person's reply chooses among buttons, as Menu
// listed them:
//
//   - its key, "2", "b", tolerant of spaces around it, a "." or ")" after
//     it ("2.", "(b)"), capitals and full-width characters ("２");
//   - otherwise its label typed out, compared folded (case and diacritics
//     aside) and without the emoji or punctuation around it: "xac nhan"
//     picks "✅ Xác nhận". A reply matching several labels picks none.
//
// In lettered mode a bare number picks nothing: it is an amount. A key
// beyond the options is read as a label, so that a numbered option such as
// a year ("2025") can be typed out, and otherwise picks nothing; so do
// words that happen to be letters: "có" is not option 93 but the label
// "Có".
func Pick(reply string, buttons [][]danvan.Button, lettered bool) (danvan.Button, bool) {
	options := flatten(buttons)
	if len(options) == 0 {
		return danvan.Button{}, false
	}
	key := keyOf(reply)
	switch {
	case isDigits(key):
		if lettered {
			return danvan.Button{}, false
		}
		if n, err := strconv.Atoi(key); err == nil && len(key) <= maxKeyLen && n >= 1 && n <= len(options) {
			return options[n-1], true
		}
	case lettered && isLetters(key) && len(key) <= maxKeyLen:
		if i := letterIndex(key); i < len(options) {
			return options[i], true
		}
	}
	return pickLabel(reply, options)
}

// keyOf is reply as a key would be typed: narrowed, lower-cased, without
// the spaces, "." or ")" and "(" around it.
func keyOf(reply string) string {
	s := strings.ToLower(strings.TrimSpace(width.Narrow.String(reply)))
	if t, ok := strings.CutSuffix(s, ")"); ok {
		s = strings.TrimSpace(t)
		s = strings.TrimSpace(strings.TrimPrefix(s, "("))
	} else {
		s = strings.TrimSpace(strings.TrimSuffix(s, "."))
	}
	return s
}

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

func isLetters(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < 'a' || r > 'z' }) < 0
}

// letterIndex is the option, from 0, of a lettered key: optionKey's
// inverse.
func letterIndex(key string) int {
	n := 0
	for _, c := range key {
		n = n*26 + int(c-'a') + 1
	}
	return n - 1
}

// pickLabel finds the one option whose label reads as reply.
func pickLabel(reply string, options []danvan.Button) (danvan.Button, bool) {
	want := labelKey(reply)
	if want == "" {
		return danvan.Button{}, false
	}
	var found danvan.Button
	n := 0
	for _, o := range options {
		if labelKey(PlainText(o.Text)) == want {
			found = o
			n++
		}
	}
	if n != 1 {
		return danvan.Button{}, false
	}
	return found, true
}

// labelKey is a label, or a reply typed as one, folded and without what
// surrounds its words: emoji, punctuation, arrows.
func labelKey(s string) string {
	return strings.TrimFunc(danvan.Fold(width.Narrow.String(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Command reads a text typed as a command. Zalo has no command menu and
// no slash to type first, so a command is its name as the first word,
// with or without "/", in any case and with or without diacritics
// ("UNGHO", "/cuatoi", "ủnghộ"), followed by its arguments, kept as typed
// ("ungho DIEUHOA 500k" is ("ungho", "DIEUHOA 500k")). known tells which
// folded names are commands; anything else is not a command: "Ủng hộ
// DIEUHOA" is the words "ủng" and "hộ", and a text for the conversation.
//
// Telegram's deep links are typed as they are on Zalo: "z_YG-K1" (or "khu
// YG-K1"), "c_DIEUHOA" and "i_TOKEN" alone are ("start", the link's payload,
// true). Those shapes come first: they are the links' and no command's.
func Command(text string, known func(name string) bool) (name, args string, ok bool) {
	first, rest := firstWord(strings.TrimSpace(text))
	first = strings.TrimPrefix(first, "/")
	if rest == "" {
		if p, isLink := linkPayload(first); isLink {
			return "start", p, true
		}
	}
	if danvan.Fold(first) == "khu" {
		// Only a zone code (YG-K1) after "khu": "khu 2" may well be an
		// answer, a household's address, and must stay text.
		if code, more := firstWord(rest); more == "" && strings.Contains(code, "-") {
			code = strings.TrimPrefix(strings.TrimPrefix(code, "z_"), "Z_")
			if p, isLink := linkPayload("z_" + code); isLink {
				return "start", p, true
			}
		}
	}
	name = danvan.Fold(width.Narrow.String(first))
	if !commandName(name) || known == nil || !known(name) {
		return "", "", false
	}
	return name, rest, true
}

// firstWord splits s, trimmed, at its first white space.
func firstWord(s string) (word, rest string) {
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// linkPayload reads a typed deep link, z_, c_ or i_ and a payload of the
// characters and length a link's start parameter may have; the prefix
// comes back in lower case, the rest as typed.
func linkPayload(s string) (string, bool) {
	if len(s) < 3 || len(s) > 64 || s[1] != '_' {
		return "", false
	}
	switch p := s[0] | 0x20; p {
	case 'z', 'c', 'i':
		for _, r := range s[2:] {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
				return "", false
			}
		}
		return string(p) + s[1:], true
	}
	return "", false
}

// commandName tells a name a command could have: what Telegram allows,
// so that both platforms share the names.
func commandName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
