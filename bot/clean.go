package bot

import (
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/flows"
)

// CleanText makes text from a person's device safe to store and show: it
// drops the C0 control characters but newline and tab, and DEL (NUL is
// refused by PostgreSQL in text, and no chat shows the others), and turns
// each byte that is not UTF-8 into U+FFFD, as encoding/json does.
func CleanText(s string) string {
	// strings.Map passes each byte that is not UTF-8 as U+FFFD, and
	// returns s itself when nothing changes.
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// CleanEvent cleans every text of ev that came from the platform, so that
// the conversations and the database never see what CleanText drops.
func CleanEvent(ev *flows.Event) {
	for _, s := range []*string{&ev.ChatRef, &ev.UserRef, &ev.MovedFrom, &ev.UserName, &ev.Lang, &ev.Text, &ev.PhotoID, &ev.Command,
		&ev.Data, &ev.CallbackID, &ev.MessageText, &ev.Title} {
		*s = CleanText(*s)
	}
	ev.Channel = danvan.Channel(CleanText(string(ev.Channel)))
	if d := ev.Document; d != nil {
		d.FileID, d.Name, d.MIME = CleanText(d.FileID), CleanText(d.Name), CleanText(d.MIME)
	}
	if ev.Kind == flows.EventText && ev.Text == "" {
		// Nothing readable is left: answered like a sticker.
		ev.Kind = flows.EventOther
	}
}
