package flows

import (
	"strings"
	"testing"
)

// Building an engine fails, naming both conversations, when two claim the
// same command, alias, button action (conversation or global) or step, or
// one claims a name twice; the bot's own conversations claim each once.
func TestWiringRefusesDuplicates(t *testing.T) {
	if _, err := wire(conversations()); err != nil {
		t.Fatalf("the bot's conversations: %v", err)
	}
	noop := func(*turn, int64) error { return nil }
	type list = []struct {
		name string
		wire func(*conversation)
	}
	for _, tc := range []struct {
		name string
		list list
		want string
	}{
		{"alias", list{
			{"a", func(c *conversation) { c.commands(&command{names: []string{"pledge", "ungho"}}) }},
			{"b", func(c *conversation) { c.commands(&command{names: []string{"give", "ungho"}}) }},
		}, "command /ungho is claimed by a and b"},
		{"action and global action", list{
			{"receipts", func(c *conversation) { c.actions(map[string]action{"rp": on(noop, "r_pick")}) }},
			{"reminders", func(c *conversation) { c.globalActions(map[string]func(*turn, int64) error{"rp": noop}) }},
		}, "button action rp is claimed by receipts and reminders"},
		{"text step", list{
			{"pledge", func(c *conversation) { c.textStep("quantity", nil) }},
			{"household", func(c *conversation) { c.textStep("quantity", nil) }},
		}, "text step quantity is claimed by pledge and household"},
		{"within one", list{
			{"campaign", func(c *conversation) { c.photoStep("k_photo", nil); c.photoStep("k_photo", nil) }},
		}, "photo step k_photo is claimed twice by campaign"},
	} {
		_, err := wire(tc.list)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
