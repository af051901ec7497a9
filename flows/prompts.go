package flows

// What every conversation uses to ask and to write: questions without
// buttons, typed text made safe, and quantities and targets named for the
// person.

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/internal/catalog"
)

// notice puts a short notice on the answer to the pressed button.
func (tr *turn) notice(text string) {
	for i, o := range tr.out {
		if o.Kind == danvan.OutAnswer {
			tr.out[i].Text = text
		}
	}
}

// reask replaces the pressed message by a new version of the question, for
// toggles, making the older buttons stale.
func (tr *turn) reask(step, text string, buttons func(seq int) [][]danvan.Button) {
	if !tr.renumber(step) {
		return
	}
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutEdit, ChatID: tr.ev.ChatID, MessageID: tr.ev.MessageID,
		Text: text, Buttons: buttons(tr.state.Seq)})
}

// prompt asks for typed text at step; older buttons become stale.
func (tr *turn) prompt(step, text string) {
	tr.ask(step, text, func(int) [][]danvan.Button { return nil })
}

// promptSkippable asks for typed text with a button to skip it.
func (tr *turn) promptSkippable(step, text, action string) {
	tr.ask(step, text, func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{{Text: t(tr.lang, msgKSkip), Data: buttonData(seq, action, 0)}}}
	})
}

// isSkip reports whether typed text means "skip this step".
func isSkip(s string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "-", "skip", "none", "no", "bỏ qua", "bo qua", "không", "khong", "ko":
		return true
	}
	return false
}

// cleanText trims and collapses white space, and reports whether the result
// has 1 to max characters.
func cleanText(s string, max int) (string, bool) {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	n := utf8.RuneCountInString(s)
	return s, n >= 1 && n <= max
}

// staleButton replaces the plain answer already queued by a refusal: the
// button does not belong to the step the conversation is at.
func (tr *turn) staleButton() error {
	for i, o := range tr.out {
		if o.Kind == danvan.OutAnswer {
			tr.out[i].Text = t(tr.lang, msgButtonExpired)
		}
	}
	return nil
}

// quantity formats q of target tg for the person, as plain text.
func (tr *turn) quantity(tg danvan.Target, q danvan.Quantity) string {
	return catalog.Quantity(tr.lang, tg, q)
}

// targetName names a target for a person, as plain text: its kind and label.
func (tr *turn) targetName(tg danvan.Target) string { return catalog.TargetName(tr.lang, tg) }

func (tr *turn) kindName(k danvan.Kind) string { return catalog.KindName(tr.lang, k) }

// esc escapes plain text for a message's HTML.
func esc(s string) string { return danvan.EscapeHTML(s) }
