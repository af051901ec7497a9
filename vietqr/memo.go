package vietqr

import (
	"strings"
	"unicode"
)

// Memo joins parts (typically a campaign code and a pledge code) into a
// purpose that Payload always accepts: Vietnamese diacritics stripped (đ
// becomes D), upper case, only A-Z, 0-9 and single spaces, at most 25
// characters.
//
// Upper-case ASCII is what survives every bank's statement unchanged, and it
// is how pledge codes are written anyway. Punctuation and white space become
// word breaks; other characters are dropped.
//
// When the result would be too long, earlier parts are cut before the last
// one, because the last part is normally the pledge code, and a memo without
// it is useless for reconciliation.
func Memo(parts ...string) string {
	var words [][]string
	for _, p := range parts {
		if w := memoWords(p); len(w) > 0 {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return ""
	}
	last := strings.Join(words[len(words)-1], " ")
	if len(last) >= maxPurpose {
		return strings.TrimRight(last[:maxPurpose], " ")
	}
	var head []string
	for _, w := range words[:len(words)-1] {
		head = append(head, w...)
	}
	room := maxPurpose - len(last) - 1 // one space before the last part
	prefix := strings.Join(head, " ")
	if len(prefix) > room {
		prefix = strings.TrimRight(prefix[:room], " ")
	}
	if prefix == "" {
		return last
	}
	return prefix + " " + last
}

// memoWords folds s to upper-case ASCII words.
func memoWords(s string) []string {
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			// A combining accent from decomposed input (as some
			// keyboards send it): the base letter was already kept.
		case r < unicode.MaxASCII && isAlnum(byte(r)):
			w.WriteByte(byte(unicode.ToUpper(r)))
		case foldVietnamese(r) != 0:
			w.WriteByte(foldVietnamese(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// No ASCII spelling we can be sure of; dropping it keeps the
			// rest of the word together.
		default:
			flush()
		}
	}
	flush()
	return words
}

// vietnamese lists, for each upper-case ASCII letter, the precomposed
// Vietnamese letters (lower case) that fold to it.
var vietnamese = map[byte]string{
	'A': "àáảãạăằắẳẵặâầấẩẫậ",
	'D': "đ",
	'E': "èéẻẽẹêềếểễệ",
	'I': "ìíỉĩị",
	'O': "òóỏõọôồốổỗộơờớởỡợ",
	'U': "ùúủũụưừứửữự",
	'Y': "ỳýỷỹỵ",
}

var foldTable = func() map[rune]byte {
	m := make(map[rune]byte)
	for ascii, letters := range vietnamese {
		for _, r := range letters {
			m[r] = ascii
		}
	}
	return m
}()

// foldVietnamese returns the upper-case ASCII letter for a Vietnamese letter
// of either case, or 0.
func foldVietnamese(r rune) byte {
	return foldTable[unicode.ToLower(r)]
}
