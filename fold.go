package danvan

import "strings"

// Fold is s as it reads without diacritics, in lower case, with runs of
// white space made one space and the ends trimmed: "Chủ  Nhật" and
// "chu nhat" fold alike, as do precomposed and decomposed letters, and đ is
// d. It is the product's one way of comparing what people type with or
// without marks (amounts use the same letters, quantity.go).
func Fold(s string) string {
	var b strings.Builder
	for _, c := range decompose(s) {
		b.WriteRune(c.low)
	}
	return b.String()
}
