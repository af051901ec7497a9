package setup

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/danvan/danvan"
	"go.yaml.in/yaml/v3"
)

var (
	// The same patterns as the schema's CHECKs, so that the file is refused
	// with a line number instead of the database refusing it half-way.
	localCodeRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$`)
	campaignCodeRe = regexp.MustCompile(`^[A-Z0-9]{2,16}$`)
	binRe          = regexp.MustCompile(`^[0-9]{6}$`)
	accountRe      = regexp.MustCompile(`^[0-9]{6,19}$`)
	yamlLineRe     = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// Parse reads a setup file and checks it whole: unknown keys,
// missing keys, duplicate codes, references to codes the file does not
// define, and bad values. The error, if any, is Errors: every problem, by
// line, each prefixed with filename and line.
func Parse(filename string, data []byte) (*File, error) {
	p := &parser{
		file:      filename,
		f:         &File{Name: filename},
		areas:     map[string]def{},
		units:     map[string]def{},
		campaigns: map[string]def{},
		people:    map[string]int{},
		groups:    map[int64]int{},
	}
	root := p.document(data)
	if root != nil {
		p.top(root)
		p.resolve()
	}
	if len(p.errs) > 0 {
		sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Line < p.errs[j].Line })
		// A node reached through several aliases is reported once.
		seen := map[Error]bool{}
		errs := p.errs[:0]
		for _, e := range p.errs {
			if !seen[*e] {
				seen[*e] = true
				errs = append(errs, e)
			}
		}
		return nil, errs
	}
	return p.f, nil
}

type parser struct {
	file string
	f    *File
	errs Errors

	// Definitions by upper-cased code: the store looks codes up ignoring
	// case, so "yg-k1" and "YG-K1" would be the same row.
	areas, units, campaigns map[string]def
	people                  map[string]int // "channel_id:id" → line
	groups                  map[int64]int  // id → line
	refs                    []ref
	nAreas                  int
}

// Aliases can make the area tree a cycle (children: [*self]) or blow it up
// exponentially, so its depth and size are bounded.
const (
	maxAreaDepth = 8
	maxAreas     = 10000
)

type def struct {
	code string
	line int
}

// ref is a use of a code, checked once the whole file has been read so that
// things may be used before they are defined.
type ref struct {
	defs  map[string]def
	what  string
	code  string
	line  int
	where string
}

func (p *parser) errorf(line int, where, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: msg})
}

func (p *parser) document(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(1, "", "the file is empty")
		} else {
			p.syntax(err)
		}
		return nil
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.syntax(err)
		return nil
	default:
		p.errorf(extra.Line, "", "a setup file holds one YAML document; remove the second one (after ---)")
		return nil
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0]
	}
	p.errorf(doc.Line, "", "the file is empty")
	return nil
}

// parserProblems are the messages of yaml.v3's parser, as opposed to its
// scanner (parserc.go).
var parserProblems = map[string]bool{
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
	"did not find expected '-' indicator":    true,
	"did not find expected <document start>": true,
	"did not find expected <stream-start>":   true,
	"did not find expected key":              true,
	"did not find expected node content":     true,
	"found duplicate %TAG directive":         true,
	"found duplicate %YAML directive":        true,
	"found incompatible YAML document":       true,
	"found undefined tag handle":             true,
}

func (p *parser) syntax(err error) {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserProblems[m[2]] {
			// yaml.v3 counts lines from 0 for parser (not scanner) errors.
			line++
		}
		p.errorf(line, "", "%s", m[2])
		return
	}
	p.errorf(0, "", "%s", strings.TrimPrefix(msg, "yaml: "))
}

// deref follows aliases (*name) to the node they stand for.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "value"
}

// mapping is a YAML mapping with its keys indexed.
type mapping struct {
	n      *yaml.Node
	keys   []*yaml.Node
	byName map[string]*yaml.Node // key nodes: where "targets:" is written
	vals   map[string]*yaml.Node
}

func (m *mapping) get(key string) *yaml.Node { return deref(m.vals[key]) }

func (p *parser) mapping(n *yaml.Node, where string) *mapping {
	n = deref(n)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errorf(n.Line, where, "expected a mapping (key: value), found %s", kindName(n))
		return nil
	}
	m := &mapping{n: n, byName: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		switch {
		case k == nil || k.Kind != yaml.ScalarNode:
			p.errorf(n.Content[i].Line, where, "a key must be a plain word")
			continue
		case k.Value == "<<":
			p.errorf(k.Line, where, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errorf(k.Line, where, "key %q appears twice (first at line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		m.keys = append(m.keys, k)
		m.byName[k.Value] = k
		m.vals[k.Value] = v
	}
	return m
}

// known reports the keys of m that are not among allowed: a misspelt key
// would otherwise be silently ignored and its value lost.
func (p *parser) known(m *mapping, where string, allowed ...string) {
	for _, k := range m.keys {
		ok := false
		for _, a := range allowed {
			ok = ok || k.Value == a
		}
		if !ok {
			p.errorf(k.Line, where, "unknown key %q (expected one of: %s)", k.Value, strings.Join(allowed, ", "))
		}
	}
}

// scalar returns the trimmed text of key's value and its line ("" and the
// mapping's line when absent or empty).
func (p *parser) scalar(m *mapping, key, where string, required bool) (string, int) {
	v := m.get(key)
	if v == nil {
		if required {
			p.errorf(m.n.Line, where, "missing %q", key)
		}
		return "", m.n.Line
	}
	return p.scalarNode(v, key, where, required)
}

func (p *parser) scalarNode(v *yaml.Node, what, where string, required bool) (string, int) {
	if v.Kind != yaml.ScalarNode {
		p.errorf(v.Line, where, "%s: expected a single value, found a %s", what, kindName(v))
		return "", v.Line
	}
	s := ""
	if !isNull(v) {
		s = strings.TrimSpace(v.Value)
	}
	if strings.ContainsRune(s, 0) {
		// PostgreSQL cannot store it; refuse it here, with a line.
		p.errorf(v.Line, where, "%s contains a NUL character", what)
		return "", v.Line
	}
	if s == "" && required {
		p.errorf(v.Line, where, "%s is empty", what)
	}
	return s, v.Line
}

// seq returns the items of key's list; nil when absent or empty.
func (p *parser) seq(m *mapping, key, where string) []*yaml.Node {
	v := m.get(key)
	if v == nil || isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(v.Line, where, "%s: expected a list, found %s", key, kindName(v))
		return nil
	}
	items := make([]*yaml.Node, 0, len(v.Content))
	for _, it := range v.Content {
		items = append(items, deref(it))
	}
	return items
}

// nonEmpty reports whether key holds a list with items, reporting why not
// unless a list of the wrong shape will be reported by seq.
func (p *parser) nonEmpty(m *mapping, key, where, purpose string) bool {
	v := m.get(key)
	switch {
	case v == nil:
		p.errorf(m.n.Line, where, "missing %q: %s", key, purpose)
		return false
	case isNull(v) || v.Kind == yaml.SequenceNode && len(v.Content) == 0:
		p.errorf(v.Line, where, "%s: list at least one (%s)", key, purpose)
		return false
	}
	return true
}

// codes reads a list of references of one kind, refusing repeats.
func (p *parser) codes(m *mapping, key, where string, defs map[string]def, what string) []string {
	var out []string
	seen := map[string]int{}
	for _, it := range p.seq(m, key, where) {
		code, line := p.scalarNode(it, key, where, true)
		if code == "" {
			continue
		}
		if first, dup := seen[strings.ToUpper(code)]; dup {
			p.errorf(line, where, "%s: %q is listed twice (first at line %d)", key, code, first)
			continue
		}
		seen[strings.ToUpper(code)] = line
		out = append(out, code)
		p.ref(defs, what, code, line, where)
	}
	return out
}

func (p *parser) ref(defs map[string]def, what, code string, line int, where string) {
	p.refs = append(p.refs, ref{defs: defs, what: what, code: code, line: line, where: where})
}

// define records a code even when its spelling was refused, so that its
// uses are not reported as unknown as well.
func (p *parser) define(defs map[string]def, what, code string, line int) {
	if code == "" {
		return
	}
	key := strings.ToUpper(code)
	if d, dup := defs[key]; dup {
		p.errorf(line, "", "%s %q is defined twice (first at line %d)", what, code, d.line)
		return
	}
	defs[key] = def{code: code, line: line}
}

func (p *parser) resolve() {
	for _, r := range p.refs {
		d, ok := r.defs[strings.ToUpper(r.code)]
		switch {
		case !ok:
			p.errorf(r.line, r.where, "unknown %s %q: the file must define every %s it uses", r.what, r.code, r.what)
		case d.code != r.code:
			p.errorf(r.line, r.where, "unknown %s %q (did you mean %q, defined at line %d?)", r.what, r.code, d.code, d.line)
		}
	}
}

func (p *parser) top(n *yaml.Node) {
	m := p.mapping(n, "")
	if m == nil {
		return
	}
	p.known(m, "", "areas", "units", "people", "campaigns", "groups")
	for _, it := range p.seq(m, "areas", "") {
		p.area(it, "", 1)
	}
	for _, it := range p.seq(m, "units", "") {
		p.unit(it)
	}
	for _, it := range p.seq(m, "people", "") {
		p.person(it)
	}
	for _, it := range p.seq(m, "campaigns", "") {
		p.campaign(it)
	}
	for _, it := range p.seq(m, "groups", "") {
		p.group(it)
	}
}

// localCode checks an area or unit code.
func (p *parser) localCode(code string, line int, what string) {
	if code != "" && !localCodeRe.MatchString(code) {
		p.errorf(line, "", "%s code %q: use 1 to 32 ASCII letters, digits, - or _, starting with a letter or digit (e.g. YG-K1)", what, code)
	}
}

func named(what, code string) string {
	if code == "" {
		return what
	}
	return what + " " + code
}

func (p *parser) area(n *yaml.Node, parent string, depth int) {
	if n := deref(n); n != nil && depth > maxAreaDepth {
		p.errorf(n.Line, named("area", parent), "areas nest more than %d deep", maxAreaDepth)
		return
	}
	if p.nAreas++; p.nAreas > maxAreas {
		if p.nAreas == maxAreas+1 {
			p.errorf(deref(n).Line, "", "more than %d areas", maxAreas)
		}
		return
	}
	m := p.mapping(n, named("area", parent))
	if m == nil {
		return
	}
	code, line := p.scalar(m, "code", "area", true)
	where := named("area", code)
	p.known(m, where, "code", "name", "children")
	name, _ := p.scalar(m, "name", where, true)
	p.localCode(code, line, "area")
	p.define(p.areas, "area", code, line)
	p.f.Areas = append(p.f.Areas, Area{Code: code, Name: name, Parent: parent, Line: m.n.Line})
	for _, c := range p.seq(m, "children", where) {
		p.area(c, code, depth+1)
	}
}

func (p *parser) unit(n *yaml.Node) {
	m := p.mapping(n, "unit")
	if m == nil {
		return
	}
	code, line := p.scalar(m, "code", "unit", true)
	where := named("unit", code)
	p.known(m, where, "code", "name", "area")
	name, _ := p.scalar(m, "name", where, true)
	area, aline := p.scalar(m, "area", where, true)
	if area != "" {
		p.ref(p.areas, "area", area, aline, where)
	}
	p.localCode(code, line, "unit")
	p.define(p.units, "unit", code, line)
	p.f.Units = append(p.f.Units, Unit{Code: code, Name: name, Area: area, Line: m.n.Line})
}

func (p *parser) person(n *yaml.Node) {
	m := p.mapping(n, "person")
	if m == nil {
		return
	}
	idText, line := p.scalar(m, "telegram_id", "person", false)
	zalo, zline := p.scalar(m, "zalo_id", "person", false)
	where := named("person", cmp.Or(idText, zalo))
	p.known(m, where, "telegram_id", "zalo_id", "name", "roles")
	if idText == "" && zalo == "" {
		p.errorf(m.n.Line, where, `missing "telegram_id" or "zalo_id"`)
	}
	name, _ := p.scalar(m, "name", where, true)
	var id int64
	if idText != "" {
		var err error
		id, err = strconv.ParseInt(idText, 10, 64)
		if err != nil || id <= 0 {
			p.errorf(line, where, "telegram_id %q is not a Telegram user id (a positive whole number)", idText)
		} else {
			p.once("telegram_id", idText, line, where)
		}
	}
	if zalo != "" {
		// Zalo's ids are strings: kept as written, never read as numbers.
		if !zaloID.MatchString(zalo) {
			p.errorf(zline, where, "zalo_id %q is not a Zalo user id (at most 64 letters, digits, _ and -)", zalo)
			zalo = ""
		} else {
			p.once("zalo_id", zalo, zline, where)
		}
	}
	person := Person{TelegramID: id, ZaloID: zalo, Name: name, Line: m.n.Line}
	seen := map[Role]int{}
	for _, it := range p.seq(m, "roles", where) {
		r, ok := p.role(it, where)
		if !ok {
			continue
		}
		key := Role{Role: r.Role, Area: strings.ToUpper(r.Area), Unit: strings.ToUpper(r.Unit)}
		if first, dup := seen[key]; dup {
			p.errorf(r.Line, where, "role %s is listed twice (first at line %d)", r.Role, first)
			continue
		}
		seen[key] = r.Line
		person.Roles = append(person.Roles, r)
	}
	p.f.People = append(p.f.People, person)
}

// zaloID is what a Zalo user id looks like.
var zaloID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// once refuses an account listed for two people.
func (p *parser) once(key, id string, line int, where string) {
	if first, dup := p.people[key+":"+id]; dup {
		p.errorf(line, where, "%s %s is listed twice (first at line %d)", key, id, first)
		return
	}
	p.people[key+":"+id] = line
}

func (p *parser) role(n *yaml.Node, where string) (Role, bool) {
	m := p.mapping(n, where)
	if m == nil {
		return Role{}, false
	}
	p.known(m, where, "role", "area", "unit")
	text, line := p.scalar(m, "role", where, true)
	area, aline := p.scalar(m, "area", where, false)
	unit, uline := p.scalar(m, "unit", where, false)
	r := Role{Role: danvan.Role(text), Area: area, Unit: unit, Line: m.n.Line}
	ok := true
	switch r.Role {
	case "":
		return r, false
	case danvan.RoleHead:
		if area == "" {
			p.errorf(line, where, "head needs an area: the zone they look after (area: YG-K1)")
			ok = false
		}
		if unit != "" {
			p.errorf(uline, where, "head takes an area, not a unit")
			ok = false
		}
	case danvan.RoleTreasurer, danvan.RoleCadre:
		if unit == "" {
			p.errorf(line, where, "%s needs a unit (unit: MTTQ-YG)", r.Role)
			ok = false
		}
		if area != "" {
			p.errorf(aline, where, "%s takes a unit, not an area", r.Role)
			ok = false
		}
	case danvan.RoleAdmin:
		if area != "" || unit != "" {
			p.errorf(line, where, "admin covers everything: it takes no area or unit")
			ok = false
		}
	case danvan.RoleResident:
		p.errorf(line, where, "resident is not granted: everyone is a resident of the zone they choose")
		return r, false
	default:
		p.errorf(line, where, "unknown role %q (head, treasurer, cadre or admin)", text)
		return r, false
	}
	if area != "" {
		p.ref(p.areas, "area", area, aline, where)
	}
	if unit != "" {
		p.ref(p.units, "unit", unit, uline, where)
	}
	return r, ok
}

func (p *parser) campaign(n *yaml.Node) {
	m := p.mapping(n, "campaign")
	if m == nil {
		return
	}
	code, line := p.scalar(m, "code", "campaign", true)
	where := named("campaign", code)
	p.known(m, where, "code", "title", "description", "unit", "areas", "starts", "ends",
		"status", "bank", "honour_board", "due_days", "targets")
	p.define(p.campaigns, "campaign", code, line)
	if code != "" {
		switch {
		case campaignCodeRe.MatchString(code):
		case campaignCodeRe.MatchString(strings.ToUpper(code)):
			p.errorf(line, "", "campaign code %q must be upper case: %q", code, strings.ToUpper(code))
		default:
			p.errorf(line, "", "campaign code %q: use 2 to 16 letters A-Z or digits (e.g. DIEUHOA)", code)
		}
	}
	c := Campaign{Code: code, Line: m.n.Line, Status: danvan.CampaignActive, HonourBoard: true}
	c.Title, _ = p.scalar(m, "title", where, true)
	c.Description, _ = p.scalar(m, "description", where, false)
	unit, uline := p.scalar(m, "unit", where, true)
	if unit != "" {
		c.Unit = unit
		p.ref(p.units, "unit", unit, uline, where)
	}
	if p.nonEmpty(m, "areas", where, "the zones the campaign covers") {
		c.Areas = p.codes(m, "areas", where, p.areas, "area")
	}
	c.Starts = p.date(m, "starts", where)
	c.Ends = p.date(m, "ends", where)
	if !c.Starts.IsZero() && !c.Ends.IsZero() && c.Ends.Before(c.Starts) {
		_, eline := p.scalar(m, "ends", where, false)
		p.errorf(eline, where, "ends %s is before starts %s", c.Ends.Format(time.DateOnly), c.Starts.Format(time.DateOnly))
	}
	if s, sline := p.scalar(m, "status", where, false); s != "" {
		switch st := danvan.CampaignStatus(s); st {
		case danvan.CampaignDraft, danvan.CampaignActive, danvan.CampaignClosed:
			c.Status = st
		default:
			p.errorf(sline, where, "status %q: use draft, active or closed", s)
		}
	}
	if s, hline := p.scalar(m, "honour_board", where, false); s != "" {
		switch strings.ToLower(s) {
		case "true":
		case "false":
			c.HonourBoard = false
		default:
			p.errorf(hline, where, "honour_board %q: use true or false", s)
		}
	}
	if s, dline := p.scalar(m, "due_days", where, false); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 3650 {
			p.errorf(dline, where, "due_days %q: the number of days a pledge made without a date has to be paid, 1 to 3650", s)
		} else {
			c.DueDays = n
		}
	}
	if m.get("bank") != nil && !isNull(m.get("bank")) {
		c.Bank = p.bank(m.get("bank"), where)
	}
	if p.nonEmpty(m, "targets", where, "what the campaign aims for") {
		c.TargetsLine = m.byName["targets"].Line
		for i, it := range p.seq(m, "targets", where) {
			if t, ok := p.target(it, fmt.Sprintf("%s: target %d", where, i+1)); ok {
				c.Targets = append(c.Targets, t)
			}
		}
	}
	p.f.Campaigns = append(p.f.Campaigns, c)
}

func (p *parser) date(m *mapping, key, where string) time.Time {
	s, line := p.scalar(m, key, where, false)
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		p.errorf(line, where, "%s %q is not a date: write YYYY-MM-DD, e.g. 2026-03-01", key, s)
		return time.Time{}
	}
	return d
}

func (p *parser) bank(n *yaml.Node, where string) *danvan.BankAccount {
	where += ": bank"
	m := p.mapping(n, where)
	if m == nil {
		return nil
	}
	p.known(m, where, "bin", "account", "name")
	b := &danvan.BankAccount{}
	var line int
	b.BIN, line = p.scalar(m, "bin", where, true)
	if b.BIN != "" && !binRe.MatchString(b.BIN) {
		p.errorf(line, where, "bin %q: the bank's 6-digit NAPAS BIN, e.g. \"970436\"", b.BIN)
	}
	b.Account, line = p.scalar(m, "account", where, true)
	if b.Account != "" && !accountRe.MatchString(b.Account) {
		p.errorf(line, where, "account %q: 6 to 19 digits, quoted to keep leading zeros", b.Account)
	}
	b.Name, _ = p.scalar(m, "name", where, false)
	return b
}

func (p *parser) target(n *yaml.Node, where string) (Target, bool) {
	m := p.mapping(n, where)
	if m == nil {
		return Target{}, false
	}
	p.known(m, where, "kind", "goal", "item", "label", "unit")
	kind, kline := p.scalar(m, "kind", where, true)
	goal, gline := p.scalar(m, "goal", where, true)
	item, iline := p.scalar(m, "item", where, false)
	label, lline := p.scalar(m, "label", where, false)
	unit, uline := p.scalar(m, "unit", where, false)
	t := Target{Kind: danvan.Kind(kind), Label: label, Unit: unit, Line: m.n.Line}
	if kind == "" {
		return t, false
	}
	if !t.Kind.Valid() {
		names := make([]string, len(danvan.Kinds))
		for i, k := range danvan.Kinds {
			names[i] = string(k)
		}
		p.errorf(kline, where, "unknown kind %q (one of: %s)", kind, strings.Join(names, ", "))
		return t, false
	}
	ok := true
	bad := func(line int, format string, args ...any) {
		p.errorf(line, where, format, args...)
		ok = false
	}
	if goal != "" {
		q, problem := parseGoal(goal, t.Kind)
		if problem != "" {
			bad(gline, "%s", problem)
		}
		t.Goal = q
	} else {
		ok = false
	}
	switch {
	case t.Kind == danvan.KindGoods && item == "":
		bad(m.n.Line, "goods need an item: what is counted (item: điều hòa)")
	case t.Kind == danvan.KindGoods:
		t.Label = item
		if label != "" {
			bad(lline, "goods are named by item, not label")
		}
	case item != "":
		bad(iline, "item is only for goods; name a %s target with label", t.Kind)
	}
	switch t.Kind {
	case danvan.KindMeasure:
		if unit == "" {
			bad(m.n.Line, "a measure needs a unit label (unit: m², unit: hộ…)")
		}
	case danvan.KindGoods:
	default:
		if unit != "" {
			bad(uline, "%s has a fixed unit; unit is only for measure and goods targets", t.Kind)
		}
	}
	return t, ok
}

func (p *parser) group(n *yaml.Node) {
	m := p.mapping(n, "group")
	if m == nil {
		return
	}
	idText, line := p.scalar(m, "chat_id", "group", true)
	where := named("group", idText)
	p.known(m, where, "chat_id", "title", "area", "unit", "campaigns")
	g := Group{Line: m.n.Line}
	if idText != "" {
		id, err := strconv.ParseInt(idText, 10, 64)
		switch {
		case err != nil || id >= 0:
			p.errorf(line, where, "chat_id %q is not a group chat id (groups have negative ids, e.g. -1001234567890)", idText)
		default:
			if first, dup := p.groups[id]; dup {
				p.errorf(line, where, "chat_id %d is listed twice (first at line %d)", id, first)
			}
			p.groups[id] = line
			g.ChatID = id
		}
	}
	g.Title, _ = p.scalar(m, "title", where, false)
	var rline int
	if g.Area, rline = p.scalar(m, "area", where, false); g.Area != "" {
		p.ref(p.areas, "area", g.Area, rline, where)
	}
	if g.Unit, rline = p.scalar(m, "unit", where, false); g.Unit != "" {
		p.ref(p.units, "unit", g.Unit, rline, where)
	}
	g.Campaigns = p.codes(m, "campaigns", where, p.campaigns, "campaign")
	p.f.Groups = append(p.f.Groups, g)
}

var (
	plainNumberRe = regexp.MustCompile(`^([0-9]+(?:_[0-9]+)*)(?:\.([0-9]+))?$`)
	groupedRe     = regexp.MustCompile(`^[0-9]{1,3}(?:[.,][0-9]{3})+$`)
)

// parseGoal reads a goal from the scalar's text, never through a float, and
// returns it in the kind's stored unit, or a problem to report.
func parseGoal(text string, k danvan.Kind) (danvan.Quantity, string) {
	m := plainNumberRe.FindStringSubmatch(text)
	if m == nil {
		if rest, neg := strings.CutPrefix(text, "-"); neg && plainNumberRe.MatchString(rest) {
			return 0, "goal must be more than 0"
		}
		return 0, notPlain(text)
	}
	intPart, frac, hasDot := strings.ReplaceAll(m[1], "_", ""), m[2], strings.Contains(text, ".")
	switch {
	case k == danvan.KindMoney && hasDot:
		return 0, fmt.Sprintf("money goal %q must be a whole number of đồng, without a decimal point or thousands separators", text)
	case k == danvan.KindGoods && hasDot:
		return 0, fmt.Sprintf("goods goal %q must be a whole number", text)
	}
	frac = strings.TrimRight(frac, "0")
	maxDecimals := map[danvan.Kind]int{danvan.KindLabour: 1, danvan.KindLand: 1, danvan.KindMeasure: 3, danvan.KindPercent: 3}[k]
	if len(frac) > maxDecimals {
		return 0, fmt.Sprintf("%s goal %q has more than %d decimal(s)", k, text, maxDecimals)
	}
	scale := k.Scale()
	ip, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil || ip > math.MaxInt64/scale {
		return 0, fmt.Sprintf("goal %q is too large", text)
	}
	q := ip * scale
	if frac != "" {
		f, _ := strconv.ParseInt((frac + "000")[:3], 10, 64)
		q += f
	}
	switch {
	case q <= 0:
		return 0, "goal must be more than 0"
	case k == danvan.KindLabour && q%500 != 0:
		return 0, fmt.Sprintf("labour goal %q: labour is counted in whole or half days (e.g. 40 or 40.5)", text)
	case k == danvan.KindPercent && q > 100*scale:
		return 0, fmt.Sprintf("percent goal %q is more than 100", text)
	}
	return danvan.Quantity(q), ""
}

func notPlain(text string) string {
	if strings.ContainsAny(text, "eE") {
		if r, ok := new(big.Rat).SetString(text); ok && r.IsInt() && r.Sign() > 0 {
			return fmt.Sprintf("goal %q: write the number out in full, digits only: %s", text, r.RatString())
		}
	}
	if groupedRe.MatchString(text) {
		digits := strings.NewReplacer(".", "", ",", "").Replace(text)
		return fmt.Sprintf("goal %q: write it without thousands separators: %s", text, digits)
	}
	if strings.Contains(text, ",") {
		return fmt.Sprintf("goal %q: write decimals with a dot (40.5), without thousands separators", text)
	}
	return fmt.Sprintf("goal %q is not a plain number: write digits, with a dot for decimals (180000000, 40.5)", text)
}
