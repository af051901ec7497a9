package flows

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/danvan/danvan"
)

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*[a-z%]`)

// Every message exists in both languages with the same arguments in the
// same order, so a translation can never print %!d(string=…).
func TestCatalogueIsComplete(t *testing.T) {
	for m := msgWelcome; m <= msgCmdCancel; m++ {
		if _, ok := catalogue[m]; !ok {
			t.Errorf("message %d is missing", m)
		}
	}
	for m, pair := range catalogue {
		if pair[0] == "" || pair[1] == "" {
			t.Errorf("message %d lacks a language: %q", m, pair)
		}
		if vi, en := verb.FindAllString(pair[0], -1), verb.FindAllString(pair[1], -1); !slices.Equal(vi, en) {
			t.Errorf("message %d: Vietnamese verbs %v, English verbs %v", m, vi, en)
		}
	}
}

func TestLanguage(t *testing.T) {
	for code, want := range map[string]string{"": "vi", "vi": "vi", "vi-VN": "vi", "en": "en", "en-US": "en", "fr": "en"} {
		if got := lang(code); got != want {
			t.Errorf("lang(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestButtonData(t *testing.T) {
	d := buttonData(1<<30, "c", 1<<62)
	if len(d) > 64 {
		t.Fatalf("button data %q is %d bytes, over Telegram's 64", d, len(d))
	}
	seq, action, arg, ok := parseButtonData(d)
	if !ok || seq != 1<<30 || action != "c" || arg != 1<<62 {
		t.Fatalf("parseButtonData(%q) = %d %q %d %v", d, seq, action, arg, ok)
	}
	for _, bad := range []string{"", "1:c", "x:c:1", "1::1", "1:c:x", "1:c:1:2"} {
		if _, _, _, ok := parseButtonData(bad); ok {
			t.Errorf("parseButtonData(%q) accepted forged data", bad)
		}
	}
}

// Every command of a staff menu is one the bot answers, under both of its
// names, and a menu keeps to Telegram's rules.
func TestStaffMenus(t *testing.T) {
	for _, c := range staffMenu {
		en, vi := commands[c.en], commands[c.vi]
		if en == nil || en != vi {
			t.Errorf("menu entry /%s (/%s) is not one registered command", c.en, c.vi)
		}
	}
	admin := danvan.Grants{{Role: danvan.RoleAdmin}}
	head := danvan.Grants{{Role: danvan.RoleHead, AreaID: 7}}
	for _, l := range []string{"vi", "en"} {
		all := CommandsFor(l, admin)
		if len(all) != len(Commands(l))+len(staffMenu) || len(all) > 100 {
			t.Errorf("%s: the admin's menu has %d entries", l, len(all))
		}
		for _, c := range all {
			if !regexp.MustCompile(`^[a-z0-9_]{1,32}$`).MatchString(c.Name) || c.Description == "" || len([]rune(c.Description)) > 256 {
				t.Errorf("%s: menu entry %+v breaks Telegram's rules", l, c)
			}
		}
	}
	var names []string
	for _, c := range CommandsFor("vi", head) {
		names = append(names, c.Name)
	}
	if got := strings.Join(names, " "); got != "chiendich ungho cuatoi tongket huongdan huy xacnhan hogiadinh tang" {
		t.Errorf("a head's menu: %s", got)
	}
	if len(CommandsFor("vi", nil)) != len(Commands("vi")) {
		t.Error("someone without a role has more than everyone's commands")
	}
}
