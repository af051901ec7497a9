package setup

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

func TestParseExample(t *testing.T) {
	data, err := os.ReadFile("../examples/quang-yen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse("quang-yen.yaml", data)
	if err != nil {
		t.Fatalf("the example does not parse:\n%v", err)
	}
	if len(f.Areas) != 9 || len(f.Units) != 5 || len(f.People) != 9 || len(f.Campaigns) != 9 || len(f.Groups) != 1 {
		t.Fatalf("got %d areas, %d units, %d people, %d campaigns, %d groups; want 9, 5, 9, 9, 1",
			len(f.Areas), len(f.Units), len(f.People), len(f.Campaigns), len(f.Groups))
	}
	// The example is the demo's data: every campaign must be open on the
	// day the product is shown.
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	for _, c := range f.Campaigns {
		if c.Status != danvan.CampaignActive || c.Starts.After(today) || c.Ends.Before(today) {
			t.Errorf("campaign %s is not open on %s: %s, %s … %s", c.Code, today.Format(time.DateOnly),
				c.Status, c.Starts.Format(time.DateOnly), c.Ends.Format(time.DateOnly))
		}
	}
	want := map[string][]Target{
		"DIEUHOA":    {{Kind: danvan.KindMoney, Goal: 180_000_000}, {Kind: danvan.KindGoods, Goal: 16_000, Label: "điều hòa", Unit: "chiếc"}, {Kind: danvan.KindLabour, Goal: 40_000, Label: "lắp đặt"}},
		"DUONGTHON1": {{Kind: danvan.KindMoney, Goal: 352_000_000}, {Kind: danvan.KindLabour, Goal: 500_000}, {Kind: danvan.KindLand, Goal: 978_000, Label: "đất hiến mở đường"}, {Kind: danvan.KindMeasure, Goal: 326_000, Label: "đường bê tông", Unit: "m"}},
		"CHUYENDOI":  {{Kind: danvan.KindPercent, Goal: 96_000, Label: "thuê bao chuyển từ 2G sang 4G"}, {Kind: danvan.KindPercent, Goal: 100_000, Label: "phí thu không dùng tiền mặt qua mã QR"}},
	}
	for _, c := range f.Campaigns {
		w, ok := want[c.Code]
		if !ok {
			continue
		}
		if len(c.Targets) != len(w) {
			t.Errorf("%s: %d targets, want %d", c.Code, len(c.Targets), len(w))
			continue
		}
		for i := range w {
			got := c.Targets[i]
			got.Line = 0
			if got != w[i] {
				t.Errorf("%s target %d = %+v, want %+v", c.Code, i+1, got, w[i])
			}
		}
	}
	for _, c := range f.Campaigns {
		if want := map[string]int{"THAMHOI": 14}[c.Code]; c.DueDays != want {
			t.Errorf("%s: due_days %d, want %d", c.Code, c.DueDays, want)
		}
	}
	dieuhoa := f.Campaigns[0]
	if dieuhoa.Bank == nil || dieuhoa.Bank.BIN != "970436" || dieuhoa.Bank.Account != "0011001234567" {
		t.Errorf("DIEUHOA bank = %+v", dieuhoa.Bank)
	}
	if got := strings.Join(dieuhoa.Areas, ","); got != "YG-K1,YG-K2,YG-K3,YG-K4" {
		t.Errorf("DIEUHOA areas = %s", got)
	}
	if f.Areas[1].Parent != "YG" || f.Areas[0].Parent != "" {
		t.Errorf("areas are not parents first: %+v", f.Areas[:2])
	}
	if hoa := f.People[0]; len(hoa.Roles) != 2 || hoa.Roles[0] != (Role{Role: danvan.RoleHead, Area: "YG-K1", Line: hoa.Roles[0].Line}) {
		t.Errorf("first person = %+v", hoa)
	}
	g := f.Groups[0]
	if g.ChatID != -1001234567890 || strings.Join(g.Campaigns, ",") != "DIEUHOA,THIETBI" {
		t.Errorf("group = %+v", g)
	}
}

// The short example of docs/setup-file.md, its first yaml block, must stay
// valid: people copy it.
func TestParseDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/setup-file.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	example, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("docs/setup-file.md has no yaml block")
	}
	f, err := Parse("setup-file.md", []byte(example))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Campaigns[0]
	if c.Status != danvan.CampaignActive || !c.HonourBoard || len(c.Targets) != 4 || c.Targets[3].Goal != 1_200_000 {
		t.Errorf("campaign = %+v", c)
	}
	if c.TargetsLine != 23 {
		t.Errorf("targets line = %d, want 23", c.TargetsLine)
	}
}

// base is a small valid file; each bad case edits one of its lines, so the
// expected line numbers can be read off it.
const base = `areas:
  - code: YG
    name: Yên Giang
    children:
      - {code: YG-K1, name: Khu 1}
units:
  - {code: MTTQ-YG, name: MTTQ, area: YG}
people:
  - telegram_id: 100001
    name: Hoa
    roles:
      - {role: head, area: YG-K1}
campaigns:
  - code: DIEUHOA
    title: Điều hòa
    unit: MTTQ-YG
    areas: [YG-K1]
    starts: 2026-03-01
    ends: 2026-12-31
    targets:
      - {kind: money, goal: 180000000}
groups:
  - {chat_id: -1001234567890, campaigns: [DIEUHOA]}
`

// edit replaces line n (1-based) of base with repl, which may span lines.
func edit(n int, repl string) string {
	lines := strings.Split(base, "\n")
	lines[n-1] = repl
	return strings.Join(lines, "\n")
}

func TestParseBase(t *testing.T) {
	if _, err := Parse("bad.yaml", []byte(base)); err != nil {
		t.Fatalf("the base of the bad cases is bad itself:\n%v", err)
	}
}

func TestParseBad(t *testing.T) {
	cases := []struct {
		name   string
		file   string
		line   int
		phrase string
	}{
		{"unknown top key", edit(22, "grups:"), 22, `unknown key "grups"`},
		{"unknown campaign key", edit(15, "    titel: Điều hòa"), 15, `unknown key "titel"`},
		{"due days not a number", edit(15, "    title: Điều hòa\n    due_days: two weeks"), 16, `due_days "two weeks"`},
		{"due days zero", edit(15, "    title: Điều hòa\n    due_days: 0"), 16, "1 to 3650"},
		{"unknown target key", edit(21, "      - {kind: money, goal: 5, colour: red}"), 21, `unknown key "colour"`},
		{"unknown role key", edit(12, "      - {role: head, area: YG-K1, zone: YG-K1}"), 12, `unknown key "zone"`},
		{"unknown bank key", edit(19, "    bank: {bin: \"970436\", acount: \"0011001234567\"}"), 19, `unknown key "acount"`},
		{"key twice", edit(15, "    title: A\n    title: B"), 16, `key "title" appears twice`},
		{"missing title", edit(15, "    description: x"), 14, `missing "title"`},
		{"missing targets", strings.Replace(base, "    targets:\n      - {kind: money, goal: 180000000}\n", "    status: active\n", 1), 14, `missing "targets"`},
		{"empty targets", strings.Replace(base, "    targets:\n      - {kind: money, goal: 180000000}\n", "    targets: []\n", 1), 20, "list at least one"},
		{"block mapping syntax", edit(10, "    name: Hoa\n   bad: 1"), 9, "did not find expected '-' indicator"},
		{"flow mapping syntax", edit(5, "      - {code: YG-K1, name: Khu 1"), 5, "did not find expected ',' or '}'"},
		{"indentation", edit(10, "     name: Hoa"), 10, "mapping values are not allowed"},
		{"empty name", edit(10, "    name:"), 10, "name is empty"},
		{"duplicate area", edit(5, "      - {code: YG-K1, name: Khu 1}\n      - {code: yg-k1, name: Khu 1 bis}"), 6, `area "yg-k1" is defined twice (first at line 5)`},
		{"duplicate unit", edit(7, "  - {code: MTTQ-YG, name: MTTQ, area: YG}\n  - {code: MTTQ-YG, name: X, area: YG}"), 8, `unit "MTTQ-YG" is defined twice`},
		{"duplicate campaign", edit(22, "  - {code: DIEUHOA, title: x, unit: MTTQ-YG, areas: [YG], targets: [{kind: money, goal: 1}]}\ngroups:"), 22, `campaign "DIEUHOA" is defined twice (first at line 14)`},
		{"duplicate telegram id", edit(12, "      - {role: head, area: YG-K1}\n  - {telegram_id: 100001, name: Hoa 2}"), 13, "telegram_id 100001 is listed twice (first at line 9)"},
		{"duplicate zalo id", edit(12, "      - {role: head, area: YG-K1}\n  - {zalo_id: e4ea2cd5189df1c3a88c, name: Hoa 2}\n  - {telegram_id: 100002, zalo_id: e4ea2cd5189df1c3a88c, name: Hoa 3}"), 14, "zalo_id e4ea2cd5189df1c3a88c is listed twice (first at line 13)"},
		{"no account", strings.Replace(base, "  - telegram_id: 100001\n    name: Hoa\n", "  - name: Hoa\n", 1), 9, `missing "telegram_id" or "zalo_id"`},
		{"bad zalo id", edit(9, "  - zalo_id: e4ea 2cd5"), 9, `zalo_id "e4ea 2cd5"`},
		{"long zalo id", edit(9, "  - zalo_id: "+strings.Repeat("a", 65)), 9, `zalo_id "aaaa`},
		{"bad zalo id beside a telegram id", edit(10, "    zalo_id: e4ea/2cd5\n    name: Hoa"), 10, `zalo_id "e4ea/2cd5"`},
		{"duplicate chat id", edit(23, "  - {chat_id: -1001234567890}\n  - {chat_id: -1001234567890}"), 24, "chat_id -1001234567890 is listed twice"},
		{"unknown zone", edit(17, "    areas: [YG-K1, YG-K9]"), 17, `campaign DIEUHOA: unknown area "YG-K9"`},
		{"zone twice", edit(17, "    areas: [YG-K1, YG-K1]"), 17, `"YG-K1" is listed twice`},
		{"zone in wrong case", edit(17, "    areas: [yg-k1]"), 17, `unknown area "yg-k1" (did you mean "YG-K1"`},
		{"unknown unit", edit(16, "    unit: MTTQ-XX"), 16, `unknown unit "MTTQ-XX"`},
		{"unknown unit area", edit(7, "  - {code: MTTQ-YG, name: MTTQ, area: LH}"), 7, `unit MTTQ-YG: unknown area "LH"`},
		{"unknown head zone", edit(12, "      - {role: head, area: YG-K2}"), 12, `unknown area "YG-K2"`},
		{"unknown group campaign", edit(23, "  - {chat_id: -1001234567890, campaigns: [LED]}"), 23, `unknown campaign "LED"`},
		{"money with decimals", edit(21, "      - {kind: money, goal: 1.5}"), 21, `money goal "1.5" must be a whole number`},
		{"money with separators", edit(21, "      - {kind: money, goal: 180.000.000}"), 21, "without thousands separators: 180000000"},
		{"float-looking goal", edit(21, "      - {kind: money, goal: 1e6}"), 21, "write the number out in full, digits only: 1000000"},
		{"quoted float goal", edit(21, `      - {kind: measure, unit: m, goal: "1.2E3"}`), 21, "1200"},
		{"zero goal", edit(21, "      - {kind: money, goal: 0}"), 21, "goal must be more than 0"},
		{"negative goal", edit(21, "      - {kind: money, goal: -5}"), 21, "goal must be more than 0"},
		{"missing goal", edit(21, "      - {kind: money}"), 21, `missing "goal"`},
		{"labour not in halves", edit(21, "      - {kind: labour, goal: 1.3}"), 21, "whole or half days"},
		{"land with two decimals", edit(21, "      - {kind: land, goal: 20.25}"), 21, "more than 1 decimal"},
		{"goods fraction", edit(21, "      - {kind: goods, item: tivi, goal: 2.5}"), 21, "must be a whole number"},
		{"goods without item", edit(21, "      - {kind: goods, goal: 16}"), 21, "goods need an item"},
		{"item on money", edit(21, "      - {kind: money, item: tivi, goal: 16}"), 21, "item is only for goods"},
		{"measure without unit", edit(21, "      - {kind: measure, label: sân, goal: 1200}"), 21, "needs a unit label"},
		{"unit on money", edit(21, "      - {kind: money, unit: VND, goal: 16}"), 21, "money has a fixed unit"},
		{"percent over 100", edit(21, "      - {kind: percent, goal: 101}"), 21, "more than 100"},
		{"unknown kind", edit(21, "      - {kind: cash, goal: 1}"), 21, `unknown kind "cash"`},
		{"head without area", edit(12, "      - {role: head}"), 12, "head needs an area"},
		{"head with unit", edit(12, "      - {role: head, area: YG-K1, unit: MTTQ-YG}"), 12, "head takes an area, not a unit"},
		{"treasurer without unit", edit(12, "      - {role: treasurer, area: YG}"), 12, "treasurer needs a unit"},
		{"admin with area", edit(12, "      - {role: admin, area: YG}"), 12, "admin covers everything"},
		{"unknown role", edit(12, "      - {role: boss}"), 12, `unknown role "boss"`},
		{"role twice", edit(12, "      - {role: head, area: YG-K1}\n      - {role: head, area: YG-K1}"), 13, "role head is listed twice"},
		{"bad date", edit(18, "    starts: 2026-02-30"), 18, `starts "2026-02-30" is not a date`},
		{"date not ISO", edit(19, "    ends: 31/12/2026"), 19, `ends "31/12/2026" is not a date`},
		{"ends before starts", edit(19, "    ends: 2026-01-01"), 19, "ends 2026-01-01 is before starts 2026-03-01"},
		{"bad status", edit(20, "    status: open\n    targets:"), 20, `status "open"`},
		{"bad honour board", edit(20, "    honour_board: yes\n    targets:"), 20, `honour_board "yes"`},
		{"lower-case campaign code", edit(14, "  - code: dieuhoa"), 14, `must be upper case: "DIEUHOA"`},
		{"long campaign code", edit(14, "  - code: DIEUHOANHAVANHOAKHU"), 14, "2 to 16 letters"},
		{"bad area code", edit(5, "      - {code: YG K1, name: Khu 1}"), 5, `area code "YG K1"`},
		{"NUL in a title", edit(15, `    title: "Điều\0hòa"`), 15, "title contains a NUL character"},
		{"bad bin", edit(19, `    bank: {bin: "97043", account: "0011001234567"}`), 19, `bin "97043"`},
		{"bad account", edit(19, `    bank: {bin: "970436", account: "0011-0012"}`), 19, `account "0011-0012"`},
		{"bank without account", edit(19, `    bank: {bin: "970436"}`), 19, `missing "account"`},
		{"bad telegram id", edit(9, "  - telegram_id: abc"), 9, `telegram_id "abc"`},
		{"positive chat id", edit(23, "  - {chat_id: 12345}"), 23, "not a group chat id"},
		{"list instead of mapping", edit(7, "  - MTTQ-YG"), 7, "expected a mapping"},
		{"scalar instead of list", edit(17, "    areas: YG-K1"), 17, "areas: expected a list"},
		{"merge key", edit(7, "  - {<<: {code: X}, name: MTTQ, area: YG}"), 7, "merge keys"},
		{"yaml syntax", edit(15, "    title: [unclosed"), 15, "did not find expected"},
		{"second document", base + "---\nareas: []\n", 24, "one YAML document"},
		{"area cycle through an alias", "areas:\n  - &a {code: A, name: A, children: [*a]}\n", 2, "nest more than 8 deep"},
		{"area bomb", "x: &a {code: A, name: A}\nareas:\n" + strings.Repeat("  - &a {code: A, name: A, children: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]}\n", 8), 3, "more than 10000 areas"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(c.file))
			if err == nil {
				t.Fatalf("no error; want line %d: %s", c.line, c.phrase)
			}
			prefix := fmt.Sprintf("bad.yaml:%d: ", c.line)
			for _, l := range strings.Split(err.Error(), "\n") {
				if strings.HasPrefix(l, prefix) && strings.Contains(l, c.phrase) {
					return
				}
			}
			t.Errorf("no error at line %d containing %q; got:\n%v", c.line, c.phrase, err)
		})
	}
}

// A person is known by a Telegram id, a Zalo id or both; a Zalo id is
// text, kept as written, and may have the digits of someone's Telegram id.
func TestParseZalo(t *testing.T) {
	file := strings.NewReplacer(
		"  - telegram_id: 100001\n", "  - telegram_id: 100001\n    zalo_id: e4ea2cd5189df1c3a88c\n",
		// The people of base end where its campaigns begin.
		"campaigns:\n", "  - {zalo_id: 0100001, name: Nam}\n  - {zalo_id: \"100001\", name: Lan}\ncampaigns:\n",
	).Replace(base)
	f, err := Parse("zalo.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.People) != 3 {
		t.Fatalf("%d people, want 3", len(f.People))
	}
	hoa, nam, lan := f.People[0], f.People[1], f.People[2]
	if hoa.TelegramID != 100001 || hoa.ZaloID != "e4ea2cd5189df1c3a88c" || hoa.Name != "Hoa" || len(hoa.Roles) != 1 {
		t.Errorf("Hoa = %+v", hoa)
	}
	want := []danvan.Identity{{Channel: danvan.Telegram, Ref: "100001"}, {Channel: danvan.Zalo, Ref: "e4ea2cd5189df1c3a88c"}}
	if got := hoa.Identities(); !slices.Equal(got, want) {
		t.Errorf("Hoa's identities = %v, want %v", got, want)
	}
	if nam.TelegramID != 0 || nam.ZaloID != "0100001" || !slices.Equal(nam.Identities(), []danvan.Identity{{Channel: danvan.Zalo, Ref: "0100001"}}) {
		t.Errorf("Nam = %+v, identities %v; want Zalo's 0100001 as written", nam, nam.Identities())
	}
	if lan.TelegramID != 0 || !slices.Equal(lan.Identities(), []danvan.Identity{{Channel: danvan.Zalo, Ref: "100001"}}) {
		t.Errorf("Lan = %+v, identities %v; want Zalo's 100001 only", lan, lan.Identities())
	}
}

// An operator fixing a file wants every problem at once, in file order.
func TestParseReportsEveryProblem(t *testing.T) {
	file := strings.NewReplacer(
		"name: Hoa", "name: Hoa\n    colour: red",
		"areas: [YG-K1]", "areas: [YG-K9]",
		"goal: 180000000", "goal: 1.5",
	).Replace(base)
	_, err := Parse("bad.yaml", []byte(file))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("err = %v (%T), want Errors", err, err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%d", e.Line))
	}
	if strings.Join(got, ",") != "11,18,22" {
		t.Errorf("error lines = %v, want 11,18,22:\n%v", got, err)
	}
}

// A misspelt code is reported once, not again at every use.
func TestParseNoCascade(t *testing.T) {
	file := strings.NewReplacer("code: DIEUHOA", "code: dieuhoa", "[DIEUHOA]", "[dieuhoa]").Replace(base)
	_, err := Parse("bad.yaml", []byte(file))
	if err == nil || strings.Count(err.Error(), "\n") != 0 || !strings.Contains(err.Error(), "bad.yaml:14: ") {
		t.Errorf("want one error, at line 14; got:\n%v", err)
	}
}

func TestParseGoal(t *testing.T) {
	cases := []struct {
		text string
		kind danvan.Kind
		want danvan.Quantity // 0: refused
	}{
		{"180000000", danvan.KindMoney, 180_000_000},
		{"180_000_000", danvan.KindMoney, 180_000_000},
		{"9223372036854775807", danvan.KindMoney, 9223372036854775807},
		{"9223372036854775808", danvan.KindMoney, 0},
		{"9223372036854776", danvan.KindMeasure, 0}, // overflows once scaled
		{"40", danvan.KindLabour, 40_000},
		{"40.5", danvan.KindLabour, 40_500},
		{"40.50", danvan.KindLabour, 40_500},
		{"0.5", danvan.KindLabour, 500},
		{"40.25", danvan.KindLabour, 0},
		{"978.5", danvan.KindLand, 978_500},
		{"978.55", danvan.KindLand, 0},
		{"16", danvan.KindGoods, 16_000},
		{"16.0", danvan.KindGoods, 0},
		{"1200.125", danvan.KindMeasure, 1_200_125},
		{"1200.1255", danvan.KindMeasure, 0},
		{"99.5", danvan.KindPercent, 99_500},
		{"100", danvan.KindPercent, 100_000},
		{"100.001", danvan.KindPercent, 0},
		{"0.0", danvan.KindMeasure, 0},
		{"1e6", danvan.KindMoney, 0},
		{"0x10", danvan.KindMoney, 0},
		{"+5", danvan.KindMoney, 0},
		{".5", danvan.KindLabour, 0},
		{"1,5", danvan.KindLabour, 0},
		{"Infinity", danvan.KindMeasure, 0},
		{".nan", danvan.KindMeasure, 0},
	}
	for _, c := range cases {
		got, problem := parseGoal(c.text, c.kind)
		if got != c.want || (c.want == 0) != (problem != "") {
			t.Errorf("parseGoal(%q, %s) = %d, %q; want %d", c.text, c.kind, got, problem, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	example, err := os.ReadFile("../examples/quang-yen.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(base))
	f.Add([]byte("areas: &a [*a]"))
	f.Add([]byte("a: &x {b: *x}\n"))
	f.Add([]byte("campaigns:\n  - {code: AB, targets: [{kind: money, goal: 1e999}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.yaml", data)
		if err != nil {
			for _, l := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(l, "fuzz.yaml:") {
					t.Fatalf("error line without the file name: %q", l)
				}
			}
			return
		}
		// A file that parses is one Apply can write without a dangling
		// reference: every code it uses is defined in it.
		areas, units, campaigns := map[string]bool{"": true}, map[string]bool{"": true}, map[string]bool{}
		for _, a := range file.Areas {
			if !areas[a.Parent] {
				t.Fatalf("area %s before its parent %s", a.Code, a.Parent)
			}
			areas[a.Code] = true
		}
		for _, u := range file.Units {
			units[u.Code] = true
			if !areas[u.Area] || u.Area == "" {
				t.Fatalf("unit %s in unknown area %q", u.Code, u.Area)
			}
		}
		accounts := map[danvan.Identity]bool{}
		for _, p := range file.People {
			ids := p.Identities()
			if len(ids) == 0 {
				t.Fatalf("person %+v has no account", p)
			}
			for _, id := range ids {
				if accounts[id] || id.Ref == "" || !id.Channel.Valid() {
					t.Fatalf("account %v listed twice or empty", id)
				}
				accounts[id] = true
			}
			for _, r := range p.Roles {
				if !areas[r.Area] || !units[r.Unit] {
					t.Fatalf("role %+v refers to something undefined", r)
				}
			}
		}
		for _, c := range file.Campaigns {
			campaigns[c.Code] = true
			if !units[c.Unit] || len(c.Targets) == 0 || len(c.Areas) == 0 {
				t.Fatalf("campaign %+v", c)
			}
			for _, a := range c.Areas {
				if !areas[a] {
					t.Fatalf("campaign %s in unknown area %q", c.Code, a)
				}
			}
			for _, tg := range c.Targets {
				if tg.Goal <= 0 || !tg.Kind.Valid() {
					t.Fatalf("campaign %s target %+v", c.Code, tg)
				}
			}
		}
		for _, g := range file.Groups {
			for _, c := range g.Campaigns {
				if !campaigns[c] {
					t.Fatalf("group %d follows unknown campaign %q", g.ChatID, c)
				}
			}
		}
	})
}
