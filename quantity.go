package danvan

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Reason says why a quantity was refused; the chat layer turns it into a
// message from its catalogue.
type Reason int

const (
	ReasonEmpty       Reason = iota + 1 // nothing typed
	ReasonUnparseable                   // not a quantity
	ReasonZero
	ReasonNegative
	ReasonTooLarge  // above the kind's maximum (also: 10,000 digits, overflow)
	ReasonTooSmall  // money below the minimum, e.g. "500" for money: probably meant 500k
	ReasonPrecision // more decimals than the kind allows (half labour days, one decimal of land, whole goods, whole đồng)
	ReasonNeedUnit  // a bare number and no hint of what it counts
)

var reasonNames = map[Reason]string{
	ReasonEmpty:       "empty",
	ReasonUnparseable: "not a quantity",
	ReasonZero:        "zero",
	ReasonNegative:    "negative",
	ReasonTooLarge:    "too large",
	ReasonTooSmall:    "too small",
	ReasonPrecision:   "too many decimals",
	ReasonNeedUnit:    "no unit",
}

// String names the reason in English, for logs.
func (r Reason) String() string {
	if n, ok := reasonNames[r]; ok {
		return n
	}
	return "Reason(" + strconv.Itoa(int(r)) + ")"
}

// QuantityError is the only error ParseQuantity returns.
type QuantityError struct {
	Reason Reason
	Kind   Kind   // the kind the text named, else the hint ("" when neither)
	Input  string // what was typed, clipped so that a pasted novel does not end up in logs
}

// Error is English, for logs; users see the chat layer's catalogue instead.
func (e *QuantityError) Error() string {
	k := string(e.Kind)
	if k == "" {
		k = "unknown kind"
	}
	return fmt.Sprintf("quantity %q (%s): %s", e.Input, k, e.Reason)
}

// Limits bound what ParseQuantity accepts. A zero field means the default, so
// that a forgotten field never silently lifts a limit.
type Limits struct {
	MinMoney Quantity
	MaxMoney Quantity
	Max      map[Kind]Quantity // every kind but money, in stored units (Kind.Scale)
}

// DefaultLimits are the product's limits: money from 1.000 ₫ to 10 billion,
// and a generous ceiling for every other kind. Each call makes new ones, so
// that no caller can change another's.
func DefaultLimits() Limits {
	return Limits{
		MinMoney: 1_000,
		MaxMoney: 10_000_000_000,
		Max: map[Kind]Quantity{
			KindLabour:  100_000 * 1000,
			KindLand:    1_000_000 * 1000,
			KindGoods:   1_000_000 * 1000,
			KindMeasure: 1_000_000_000 * 1000,
			KindPercent: 100 * 1000,
		},
	}
}

// builtinLimits fill in the fields a Limits leaves zero; nothing writes it.
var builtinLimits = DefaultLimits()

func (l Limits) max(k Kind) Quantity {
	if k == KindMoney {
		if l.MaxMoney > 0 {
			return l.MaxMoney
		}
		return builtinLimits.MaxMoney
	}
	if m := l.Max[k]; m > 0 {
		return m
	}
	return builtinLimits.Max[k]
}

// Limit is the most ParseQuantity accepts of kind k under l.
func (l Limits) Limit(k Kind) Quantity { return l.max(k) }

// LeastMoney is the least amount of money ParseQuantity accepts under l.
func (l Limits) LeastMoney() Quantity { return l.minMoney() }

func (l Limits) minMoney() Quantity {
	if l.MinMoney > 0 {
		return l.MinMoney
	}
	return builtinLimits.MinMoney
}

// step is the smallest stored increment a kind allows. Measure and percent
// stop at two decimals because a third would read as thousands grouping
// ("1,234" is one thousand two hundred and thirty-four), so it could not be
// written back unambiguously.
func step(k Kind) Quantity {
	switch k {
	case KindLabour:
		return 500
	case KindLand:
		return 100
	case KindGoods:
		return 1000
	case KindMeasure, KindPercent:
		return 10
	}
	return 1
}

// exponent is Kind.Scale as a power of ten; all arithmetic is on digit strings
// shifted by powers of ten, so there is never a rounding step.
func exponent(k Kind) int {
	if k == KindMoney {
		return 0
	}
	return 3
}

// Parsed is an accepted quantity.
type Parsed struct {
	Kind  Kind     // the kind the text named, or the hint's kind for a bare number
	Value Quantity // in the kind's stored unit (Kind.Scale)
	Item  string   // for goods: the item words typed after the number, e.g. "điều hòa", "cái" (NFC, trimmed, single spaces); "" otherwise
}

const (
	// maxInputBytes leaves room for an NFD item (twice the bytes of NFC);
	// anything longer is not a quantity somebody typed.
	maxInputBytes = 256
	// maxItemBytes keeps "number + item" well under maxInputBytes when it is
	// written back, so a formatted quantity always parses again.
	maxItemBytes = 100
	maxErrInput  = 64
)

// ParseQuantity reads an amount as Vietnamese people type it; the grammar, with
// examples, is in docs/quantities.md. hint is the kind expected at this step of
// a conversation ("" when unknown): a bare number takes it.
func ParseQuantity(s string, hint Kind, lim Limits) (Parsed, error) {
	if !hint.Valid() {
		hint = ""
	}
	fail := func(r Reason, k Kind) (Parsed, error) {
		return Parsed{}, &QuantityError{Reason: r, Kind: k, Input: clip(s)}
	}
	if len(s) > maxInputBytes {
		// A wall of digits is somebody's idea of a big number; say so rather
		// than "not a quantity", without reading it.
		if strings.Trim(s, "0123456789., ") == "" && strings.ContainsAny(s, "123456789") {
			return fail(ReasonTooLarge, hint)
		}
		return fail(ReasonUnparseable, hint)
	}
	if !utf8.ValidString(s) {
		return fail(ReasonUnparseable, hint)
	}
	p := &parser{src: s, c: decompose(s)}
	if len(p.c) == 0 {
		return fail(ReasonEmpty, hint)
	}

	negative := false
	if r := p.c[0].low; r == '-' || r == '−' {
		negative = true
		p.i = 1
		p.skipSpace()
	} else if kw, ok := p.keyword(); ok && kw.cat == catMinus {
		negative = true
		p.i += len(kw.c)
		p.skipSpace()
	}

	res, reason := p.body(hint)
	if reason == 0 {
		res.val, reason = res.value()
	}
	kind := res.kind
	if kind == "" {
		kind = hint
	}
	if negative {
		switch reason {
		case ReasonUnparseable, ReasonEmpty:
			return fail(ReasonUnparseable, hint)
		case ReasonZero:
			return fail(ReasonZero, kind)
		}
		return fail(ReasonNegative, kind)
	}
	if reason != 0 {
		return fail(reason, kind)
	}
	v := res.val
	switch {
	case v%step(kind) != 0:
		return fail(ReasonPrecision, kind)
	case v > lim.max(kind):
		return fail(ReasonTooLarge, kind)
	case kind == KindMoney && v < lim.minMoney():
		return fail(ReasonTooSmall, kind)
	}
	return Parsed{Kind: kind, Value: v, Item: res.item}, nil
}

func clip(s string) string {
	if len(s) <= maxErrInput {
		return s
	}
	n := maxErrInput
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// ---- characters ----------------------------------------------------------

// Vietnamese marks, split in two slots because a vowel carries at most one
// modifier (hat, breve, horn, the stroke of đ) and one tone.
const (
	markCirc   = '\u0302'
	markBreve  = '\u0306'
	markHorn   = '\u031B'
	markStroke = '\u0335' // stands for the bar of đ, which Unicode does not decompose
	toneGrave  = '\u0300'
	toneAcute  = '\u0301'
	toneHook   = '\u0309'
	toneTilde  = '\u0303'
	toneDot    = '\u0323'
)

// char is one user-perceived character: a base letter with its Vietnamese
// marks, whether typed precomposed (NFC) or as base + combining marks (NFD).
type char struct {
	low   rune // lower-case base, marks removed; ' ' for any run of white space
	mod   rune
	tone  rune
	odd   bool // carries a combining mark Vietnamese does not use
	nfd   bool // typed as a base letter followed by combining marks
	upper bool
	off   int // byte offsets of the character in the input
	end   int
}

type composeKey struct{ base, mod, tone rune }

var (
	decomposeTable = map[rune]composeKey{}
	composeTable   = map[composeKey]rune{}
)

func init() {
	// Every precomposed lower-case Latin letter that Unicode decomposes
	// into a base letter and Vietnamese marks (at most one modifier and one
	// tone), as norm gives it: the one table of what a letter is without
	// its diacritics, for amounts and for Fold.
	for r := rune(0xC0); r <= 0x1EFF; r++ {
		if !unicode.IsLower(r) {
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		if len(d) < 2 || d[0] < 'a' || d[0] > 'z' {
			continue
		}
		k, ok := composeKey{base: d[0]}, true
		for _, m := range d[1:] {
			switch {
			case (m == markCirc || m == markBreve || m == markHorn) && k.mod == 0:
				k.mod = m
			case (m == toneGrave || m == toneAcute || m == toneHook || m == toneTilde || m == toneDot) && k.tone == 0:
				k.tone = m
			default:
				ok = false
			}
		}
		if ok {
			decomposeTable[r] = k
			composeTable[k] = r
		}
	}
	// The bar of đ is part of the letter for Unicode, not a mark.
	decomposeTable['đ'] = composeKey{'d', markStroke, 0}
	composeTable[composeKey{'d', markStroke, 0}] = 'đ'
	for _, kw := range keywordSource {
		keywords = append(keywords, keyword{c: decompose(kw.text), cat: kw.cat, exp: kw.exp})
	}
	// Longest first, so that "ngày công" wins over "ngày" and "đồng" over "đ".
	for i := 1; i < len(keywords); i++ {
		for j := i; j > 0 && len(keywords[j].c) > len(keywords[j-1].c); j-- {
			keywords[j], keywords[j-1] = keywords[j-1], keywords[j]
		}
	}
}

// decompose turns valid UTF-8 into chars, trimmed, with white space collapsed.
func decompose(s string) []char {
	cs := make([]char, 0, len(s))
	for i, r := range s {
		end := i + utf8.RuneLen(r)
		if unicode.Is(unicode.Mn, r) && len(cs) > 0 && cs[len(cs)-1].low != ' ' {
			c := &cs[len(cs)-1]
			c.end = end
			c.nfd = true
			switch r {
			case markCirc, markBreve, markHorn:
				if c.mod != 0 {
					c.odd = true
				}
				c.mod = r
			case toneGrave, toneAcute, toneHook, toneTilde, toneDot, '\u0340', '\u0341':
				if c.tone != 0 {
					c.odd = true
				}
				switch r { // the deprecated tone-mark code points
				case '\u0340':
					r = toneGrave
				case '\u0341':
					r = toneAcute
				}
				c.tone = r
			default:
				c.odd = true
			}
			continue
		}
		if unicode.Is(unicode.Cf, r) { // zero-width spaces and joiners pasted from other apps
			continue
		}
		if unicode.IsSpace(r) {
			if len(cs) > 0 && cs[len(cs)-1].low == ' ' {
				continue
			}
			cs = append(cs, char{low: ' ', off: i, end: end})
			continue
		}
		low := unicode.ToLower(r)
		c := char{low: low, upper: low != r, off: i, end: end}
		if k, ok := decomposeTable[low]; ok {
			c.low, c.mod, c.tone = k.base, k.mod, k.tone
		}
		cs = append(cs, c)
	}
	for len(cs) > 0 && cs[0].low == ' ' {
		cs = cs[1:]
	}
	for len(cs) > 0 && cs[len(cs)-1].low == ' ' {
		cs = cs[:len(cs)-1]
	}
	return cs
}

func (c char) digit() bool {
	return c.low >= '0' && c.low <= '9' && c.mod == 0 && c.tone == 0 && !c.odd
}

func (c char) letter() bool { return unicode.IsLetter(c.low) }

// text writes c back as typed, but composed (NFC) when it was typed as a
// base letter and combining marks, so that items are stored one way.
func (c char) text(s string) string {
	if c.low == ' ' {
		return " "
	}
	if !c.nfd || c.odd {
		return s[c.off:c.end]
	}
	r, ok := composeTable[composeKey{c.low, c.mod, c.tone}]
	if !ok {
		return s[c.off:c.end]
	}
	if c.upper {
		r = unicode.ToUpper(r)
	}
	return string(r)
}

// ---- keywords --------------------------------------------------------------

type category int

const (
	catMultiplier category = iota + 1 // k, nghìn, triệu, tỷ: exp is the power of ten
	catHundred                        // trăm, only before a larger denomination: "5 trăm nghìn"
	catCurrency                       // đ, ₫, đồng, VND
	catLabour
	catLand
	catPercent
	catHalfAfter  // rưỡi: "1 ngày rưỡi", "1 triệu rưỡi"
	catHalfBefore // nửa: "nửa ngày", "nửa triệu"
	catMinus      // âm
)

type keyword struct {
	c   []char
	cat category
	exp int
}

// keywordSource is written with full diacritics; a typed word matches when
// each letter is the keyword's letter with some or all of its marks left out,
// so "trieu" and "triêu" match "triệu" but "cống" (culvert) does not match "công".
var keywordSource = []struct {
	text string
	cat  category
	exp  int
}{
	{"k", catMultiplier, 3}, {"nghìn", catMultiplier, 3}, {"ngàn", catMultiplier, 3},
	{"tr", catMultiplier, 6}, {"triệu", catMultiplier, 6}, {"củ", catMultiplier, 6},
	{"tỷ", catMultiplier, 9}, {"tỉ", catMultiplier, 9}, {"trăm", catHundred, 2},
	{"đ", catCurrency, 0}, {"₫", catCurrency, 0}, {"đồng", catCurrency, 0}, {"vnđ", catCurrency, 0},
	{"ngày công", catLabour, 0}, {"ngày", catLabour, 0}, {"công", catLabour, 0},
	{"labour days", catLabour, 0}, {"labour day", catLabour, 0},
	{"labor days", catLabour, 0}, {"labor day", catLabour, 0},
	{"man-days", catLabour, 0}, {"man-day", catLabour, 0},
	{"workdays", catLabour, 0}, {"workday", catLabour, 0},
	{"days", catLabour, 0}, {"day", catLabour, 0},
	{"m2", catLand, 0}, {"m²", catLand, 0}, {"m^2", catLand, 0},
	{"mét vuông", catLand, 0}, {"m vuông", catLand, 0}, {"sqm", catLand, 0}, {"sq m", catLand, 0},
	{"square metres", catLand, 0}, {"square meters", catLand, 0},
	{"square metre", catLand, 0}, {"square meter", catLand, 0},
	{"%", catPercent, 0}, {"phần trăm", catPercent, 0}, {"percent", catPercent, 0},
	{"rưỡi", catHalfAfter, 0}, {"nửa", catHalfBefore, 0}, {"âm", catMinus, 0},
	{"half a", catHalfBefore, 0}, {"half", catHalfBefore, 0},
}

var keywords []keyword

// ---- parser ----------------------------------------------------------------

type parser struct {
	src string
	c   []char
	i   int
}

func (p *parser) end() bool { return p.i >= len(p.c) }

func (p *parser) skipSpace() bool {
	if p.i < len(p.c) && p.c[p.i].low == ' ' {
		p.i++
		return true
	}
	return false
}

func (p *parser) digitAt(i int) bool { return i < len(p.c) && p.c[i].digit() }

// keyword reports the keyword at p.i without consuming it. A keyword must end
// where a word ends, so "kg" is not "k" and "tivi" is not "tỉ"; a digit may
// follow, as in "1tr5" and "2k5".
func (p *parser) keyword() (keyword, bool) {
next:
	for _, kw := range keywords {
		n := len(kw.c)
		if p.i+n > len(p.c) {
			continue
		}
		for j, k := range kw.c {
			c := p.c[p.i+j]
			if c.low != k.low || c.odd || (c.mod != 0 && c.mod != k.mod) || (c.tone != 0 && c.tone != k.tone) {
				continue next
			}
		}
		if p.i+n < len(p.c) && p.c[p.i+n].letter() {
			continue
		}
		return kw, true
	}
	return keyword{}, false
}

// term is a number of units of 10^exp stored units.
type term struct {
	d   decimal
	exp int
}

type result struct {
	kind  Kind
	terms []term
	item  string
	val   Quantity
}

// value adds the terms up exactly, refusing what overflows or needs rounding.
func (r result) value() (Quantity, Reason) {
	zero := true
	for _, t := range r.terms {
		if !t.d.zero() {
			zero = false
		}
	}
	if zero {
		return 0, ReasonZero
	}
	var sum int64
	for _, t := range r.terms {
		v, reason := t.d.scaled(t.exp)
		if reason != 0 {
			return 0, reason
		}
		if sum > 1<<63-1-v {
			return 0, ReasonTooLarge
		}
		sum += v
	}
	return Quantity(sum), 0
}

var half = decimal{frac: "5"}

func (p *parser) body(hint Kind) (result, Reason) {
	if kw, ok := p.keyword(); ok && kw.cat == catHalfBefore {
		p.i += len(kw.c)
		p.skipSpace()
		var r result
		if exp, ok := p.denomination(); ok {
			r = result{kind: KindMoney, terms: []term{{half, exp}}}
			p.currency()
		} else if kw, ok := p.keyword(); ok && kw.cat == catLabour {
			p.i += len(kw.c)
			r = result{kind: KindLabour, terms: []term{{half, 3}}}
		} else {
			return result{}, ReasonUnparseable
		}
		if !p.end() {
			return result{}, ReasonUnparseable
		}
		return r, 0
	}

	d, ok := p.number()
	if !ok {
		return result{}, ReasonUnparseable
	}
	spaced := p.skipSpace()
	if p.end() {
		if hint == "" {
			if d.zero() {
				return result{}, ReasonZero
			}
			if _, reason := d.scaled(0); reason == ReasonTooLarge {
				return result{}, ReasonTooLarge
			}
			return result{}, ReasonNeedUnit
		}
		return result{kind: hint, terms: []term{{d, exponent(hint)}}}, 0
	}

	start := p.i
	first, _ := p.keyword()
	r, ok := p.unit(d)
	if !ok && spaced && (first.cat == catMultiplier || first.cat == catCurrency) {
		// "2 ti vi", "2 củ khoai", "2 đồng hồ": a money word that turns out
		// to begin the name of a thing. Not when what is left is itself a
		// unit word, so "2 tr tr" stays nonsense, nor when the word is glued
		// to the number ("2tr abc").
		p.skipSpace()
		if _, isKw := p.keyword(); !p.end() && p.c[p.i].letter() && !isKw {
			var item string
			if item, ok = p.item(start); ok {
				r = result{kind: KindGoods, terms: []term{{d, 3}}, item: item}
			}
		}
	}
	if !ok {
		return result{}, ReasonUnparseable
	}
	if hint == KindMeasure && (r.kind == KindGoods || r.kind == KindLand) {
		// A measured target names its own unit ("m²", "hộ"); what was typed
		// after the number is only a reminder of it.
		r.kind, r.item = KindMeasure, ""
	}
	return r, 0
}

// unit reads what follows a number; ok is false unless it reads to the end.
func (p *parser) unit(d decimal) (result, bool) {
	start := p.i
	kw, ok := p.keyword()
	if !ok {
		item, ok := p.item(start)
		return result{kind: KindGoods, terms: []term{{d, 3}}, item: item}, ok
	}
	if exp, ok := p.denomination(); ok {
		r := result{kind: KindMoney}
		p.money(d, exp, &r)
		p.currency()
		p.skipSpace()
		return r, p.end()
	}
	p.i += len(kw.c)
	var r result
	switch kw.cat {
	case catCurrency:
		r = result{kind: KindMoney, terms: []term{{d, 0}}}
	case catLabour:
		r = result{kind: KindLabour, terms: []term{{d, 3}}}
		p.skipSpace()
		if kw, ok := p.keyword(); ok && kw.cat == catHalfAfter && d.whole() {
			p.i += len(kw.c)
			r.terms = append(r.terms, term{half, 3})
		}
	case catLand:
		r = result{kind: KindLand, terms: []term{{d, 3}}}
	case catPercent:
		r = result{kind: KindPercent, terms: []term{{d, 3}}}
	default:
		return result{}, false
	}
	p.skipSpace()
	return r, p.end()
}

// money reads what may follow "N triệu": "rưỡi" (a half), a smaller
// denomination ("1 tỷ 200 triệu", "2 triệu 500 nghìn") or bare digits that
// continue the number in that denomination ("1tr5" 1,5 triệu, "1tr25",
// "1tr500", "2k5", "1ty2").
func (p *parser) money(d decimal, exp int, r *result) {
	r.terms = append(r.terms, term{d, exp})
	for {
		save := p.i
		p.skipSpace()
		if kw, ok := p.keyword(); ok && kw.cat == catHalfAfter {
			if d.whole() {
				p.i += len(kw.c)
				r.terms = append(r.terms, term{half, exp})
			} else {
				p.i = save
			}
			return
		}
		n, ok := p.number()
		if !ok {
			p.i = save
			return
		}
		afterNumber := p.i
		p.skipSpace()
		if next, ok := p.denomination(); ok {
			if next >= exp {
				p.i = save
				return
			}
			r.terms = append(r.terms, term{n, next})
			d, exp = n, next
			continue
		}
		if !n.plain || n.ndigits > exp || !d.whole() {
			p.i = save
			return
		}
		p.i = afterNumber
		r.terms = append(r.terms, term{n, exp - n.ndigits})
		return
	}
}

// denomination consumes a money multiplier ("k", "triệu", "tỷ", or "trăm"
// before one of those: "trăm nghìn") and returns its power of ten.
func (p *parser) denomination() (int, bool) {
	save := p.i
	kw, ok := p.keyword()
	if !ok || (kw.cat != catMultiplier && kw.cat != catHundred) {
		return 0, false
	}
	p.i += len(kw.c)
	if kw.cat == catMultiplier {
		return kw.exp, true
	}
	p.skipSpace()
	if next, ok := p.keyword(); ok && next.cat == catMultiplier {
		p.i += len(next.c)
		return kw.exp + next.exp, true
	}
	p.i = save
	return 0, false
}

// currency consumes an optional trailing "đ", "đồng", "VND" after a
// multiplier: "2 triệu đồng", "500k VND".
func (p *parser) currency() {
	save := p.i
	p.skipSpace()
	if kw, ok := p.keyword(); ok && kw.cat == catCurrency {
		p.i += len(kw.c)
		return
	}
	p.i = save
}

// item reads the name of a counted thing from start to the end. Its first
// word must be letters only: "2 cái" is two things, "1e9" is not a name.
func (p *parser) item(start int) (string, bool) {
	if start >= len(p.c) || !p.c[start].letter() {
		return "", false
	}
	var b strings.Builder
	firstWord := true
	for _, c := range p.c[start:] {
		if c.low == ' ' {
			firstWord = false
		} else if firstWord && c.low >= '0' && c.low <= '9' {
			return "", false
		} else if unicode.IsControl(c.low) {
			return "", false
		}
		b.WriteString(c.text(p.src))
	}
	p.i = len(p.c)
	if b.Len() > maxItemBytes {
		return "", false
	}
	return b.String(), true
}

// ---- numbers ---------------------------------------------------------------

// decimal is a number as typed, kept as digit strings so that no digit is
// lost before it is scaled to stored units.
type decimal struct {
	int     string // integer digits, leading zeros removed
	frac    string // fraction digits, trailing zeros removed
	plain   bool   // typed without any separator
	ndigits int    // digits typed, leading zeros included ("05" is 2)
}

func (d decimal) zero() bool  { return d.int == "" && d.frac == "" }
func (d decimal) whole() bool { return d.frac == "" }

// scaled is d × 10^exp as an integer.
func (d decimal) scaled(exp int) (int64, Reason) {
	if len(d.frac) > exp {
		return 0, ReasonPrecision
	}
	digits := d.int + d.frac + strings.Repeat("0", exp-len(d.frac))
	if strings.Trim(digits, "0") == "" {
		return 0, 0
	}
	if len(d.int)+exp > 19 {
		return 0, ReasonTooLarge
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, ReasonTooLarge
	}
	return v, 0
}

// number reads digits with separators. A separator repeated, or a single one
// followed by exactly three digits, groups thousands ("500.000", "1,500");
// when both '.' and ',' occur, the last one is the decimal mark; otherwise it
// is a decimal mark ("1,5", "1.5"). Spaces may group thousands ("2 000 000")
// before any mark. A leading group of "0" or of more than three digits is
// never a thousands group, so "0,125" and "1234.5" are decimals.
func (p *parser) number() (decimal, bool) {
	if !p.digitAt(p.i) {
		return decimal{}, false
	}
	var groups []string
	var seps []rune
	read := func() {
		var b strings.Builder
		for p.digitAt(p.i) {
			b.WriteRune(p.c[p.i].low)
			p.i++
		}
		groups = append(groups, b.String())
	}
	read()
	lead := groups[0]
	canGroup := len(lead) <= 3 && lead[0] != '0'
	punct := false
	for p.i+1 < len(p.c) {
		sep := p.c[p.i].low
		isPunct := (sep == '.' || sep == ',') && !p.c[p.i].odd && p.digitAt(p.i+1)
		// Spaces group only before any mark, so "1,5 000" is not a number.
		isSpace := sep == ' ' && !punct && canGroup && p.spaceGroup()
		if !isPunct && !isSpace {
			break
		}
		punct = punct || isPunct
		seps = append(seps, sep)
		p.i++
		read()
	}

	d := decimal{plain: len(seps) == 0}
	for _, g := range groups {
		d.ndigits += len(g)
	}
	spaces := 0
	for spaces < len(seps) && seps[spaces] == ' ' {
		spaces++
	}
	puncts := seps[spaces:]
	dec := -1 // index in seps of the decimal mark
	if len(puncts) > 0 {
		last := len(seps) - 1
		same := 0
		for _, s := range puncts {
			if s == seps[last] {
				same++
			}
		}
		switch {
		case spaces > 0:
			// "2 000,5" is a decimal, but in "2 000.000" the mark could
			// as well be one more thousands group.
			if len(puncts) > 1 || len(groups[last+1]) == 3 {
				return decimal{}, false
			}
			dec = last
		case same < len(puncts): // both '.' and ','
			if same > 1 {
				return decimal{}, false
			}
			dec = last
		case len(puncts) == 1:
			if !canGroup || len(groups[1]) != 3 {
				dec = 0
			}
		}
	}
	for i := range seps {
		if i != dec && (len(groups[i+1]) != 3 || !canGroup) {
			return decimal{}, false
		}
	}
	var ip, fp string
	if dec < 0 {
		ip = strings.Join(groups, "")
	} else {
		ip = strings.Join(groups[:dec+1], "")
		fp = groups[dec+1]
	}
	d.int = strings.TrimLeft(ip, "0")
	d.frac = strings.TrimRight(fp, "0")
	return d, true
}

// spaceGroup reports whether the space at p.i groups thousands: exactly
// three digits follow it.
func (p *parser) spaceGroup() bool {
	return p.digitAt(p.i+1) && p.digitAt(p.i+2) && p.digitAt(p.i+3) && !p.digitAt(p.i+4)
}

// ---- formatting ------------------------------------------------------------

// FormatMoney writes đồng the Vietnamese way: "1.500.000 ₫" (also for lang en;
// negative: "-1.500.000 ₫").
func FormatMoney(q Quantity) string {
	return formatNumber(int64(q), 0, '.', ',') + " ₫"
}

// FormatQuantity writes q of kind k the way the bot shows it; lang is "vi" or
// "en" (anything not starting with "vi" is English, "" is Vietnamese); unit is
// the unit/item label for goods and measure ("" for none). What it writes
// parses back to the same kind and value.
func FormatQuantity(k Kind, q Quantity, unit, lang string) string {
	if k == KindMoney {
		return FormatMoney(q)
	}
	vi := lang == "" || strings.HasPrefix(lang, "vi")
	group, mark := byte(','), byte('.')
	if vi {
		group, mark = '.', ','
	}
	n := formatNumber(int64(q), exponent(k), group, mark)
	switch k {
	case KindLabour:
		switch {
		case vi:
			return n + " ngày công"
		case q == 1000:
			return n + " labour day"
		}
		return n + " labour days"
	case KindLand:
		return n + " m²"
	case KindPercent:
		return n + "%"
	}
	if unit = strings.TrimSpace(unit); unit != "" {
		return n + " " + unit
	}
	return n
}

// formatNumber writes v / 10^exp with thousands grouped and trailing zero
// decimals dropped.
func formatNumber(v int64, exp int, group, mark byte) string {
	var u uint64
	neg := v < 0
	if neg {
		u = uint64(-(v + 1)) + 1 // -MinInt64 does not fit an int64
	} else {
		u = uint64(v)
	}
	pow := uint64(1)
	for range exp {
		pow *= 10
	}
	ip, fp := u/pow, u%pow
	digits := strconv.FormatUint(ip, 10)
	var b []byte
	if neg {
		b = append(b, '-')
	}
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b = append(b, group)
		}
		b = append(b, digits[i])
	}
	if fp != 0 {
		f := strconv.FormatUint(fp, 10)
		f = strings.Repeat("0", exp-len(f)) + f
		b = append(b, mark)
		b = append(b, strings.TrimRight(f, "0")...)
	}
	return string(b)
}
