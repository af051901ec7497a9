package zalo

import (
	"strings"
	"unicode"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/flows"
)

// Lettered tells whether a list is keyed by letters rather than numbers:
// when an option starts with a digit (a quick amount, "500k"), a typed
// number could be the option's key or an amount of its own, and only
// letters keep the two apart.
func Lettered(buttons [][]danvan.Button) bool {
	for _, b := range flatten(buttons) {
		label := strings.TrimLeftFunc(PlainText(b.Text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if label != "" && unicode.IsDigit([]rune(label)[0]) {
			return true
		}
	}
	return false
}

// Typed turns text typed in a chat into the press it stands for, against
// the chat's latest list kb (shown tells whether there is one): a key or
// a label of an open list is that option pressed on the list's message. A
// bare key of a list already answered is pressed as well, so that it is
// refused as a stale button is; anything else stays text. In a group only a
// bare key counts.
func Typed(ev *flows.Event, kb danvan.Keyboard, shown bool) {
	if ev.Kind != flows.EventText || !shown {
		return
	}
	lettered := Lettered(kb.Buttons)
	b, ok := Pick(ev.Text, kb.Buttons, lettered)
	// In a group people talk among themselves: only a bare key answers
	// the list there, so that a sentence that happens to name an option
	// stays talk.
	if !ok || (!kb.Open || ev.Group) && !bareKey(ev.Text, lettered) {
		return
	}
	ev.Kind, ev.Data, ev.Text = flows.EventButton, b.Data, ""
	ev.MessageID, ev.MessageText = kb.MessageID, kb.Text
	ev.MessageMedia = kb.Kind == danvan.OutPhoto || kb.Kind == danvan.OutDocument
}

// bareKey reports whether text is only a list's key.
func bareKey(text string, lettered bool) bool {
	k := keyOf(text)
	if lettered {
		return isLetters(k) && len(k) <= 2
	}
	return isDigits(k) && len(k) <= 2
}
