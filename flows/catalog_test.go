package flows

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/danvan/danvan"
)

var verb = regexp.MustCompile(`%[-+# 0]*[0-9]*[a-z%]`)

// Every text exists in both languages with the same arguments in the same
// order, so a translation can never print %!d(string=…), and every text is
// said somewhere: the texts are read from the package's source.
func TestTextsAreCompleteAndUsed(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string][2]string{}
	uses := map[string]int{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i >= len(n.Values) {
						break
					}
					lit, ok := n.Values[i].(*ast.CompositeLit)
					if !ok || fmt.Sprint(lit.Type) != "msg" {
						continue
					}
					if len(lit.Elts) != 2 {
						t.Errorf("%s: %d languages", id.Name, len(lit.Elts))
						continue
					}
					texts[id.Name] = [2]string{stringOf(t, lit.Elts[0]), stringOf(t, lit.Elts[1])}
					uses[id.Name]-- // the declaration is not a use
				}
			case *ast.Ident:
				uses[n.Name]++
			}
			return true
		})
	}
	if len(texts) < 400 {
		t.Fatalf("found %d texts; the test reads the source wrongly", len(texts))
	}
	for name, pair := range texts {
		if pair[0] == "" || pair[1] == "" {
			t.Errorf("%s lacks a language: %q", name, pair)
		}
		if vi, en := verb.FindAllString(pair[0], -1), verb.FindAllString(pair[1], -1); !slices.Equal(vi, en) {
			t.Errorf("%s: Vietnamese verbs %v, English verbs %v", name, vi, en)
		}
		if uses[name] < 1 {
			t.Errorf("%s is never said", name)
		}
	}
}

// stringOf evaluates a string literal or a sum of them.
func stringOf(t *testing.T, e ast.Expr) string {
	t.Helper()
	switch e := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		if err != nil {
			t.Fatal(err)
		}
		return s
	case *ast.BinaryExpr:
		return stringOf(t, e.X) + stringOf(t, e.Y)
	case *ast.ParenExpr:
		return stringOf(t, e.X)
	}
	t.Fatalf("a text is not a string literal: %T", e)
	return ""
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
	w, err := wire(conversations())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range staffMenu {
		en, vi := w.commands[c.en], w.commands[c.vi]
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
