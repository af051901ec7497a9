package flows

// Creating a campaign, first steps: the unit it belongs to, its title, its
// code (proposed from the title) and the zones it covers.

import (
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/danvan/danvan"
)

var campaignCode = regexp.MustCompile(`^[A-Z0-9]{2,16}$`)

// codeFrom proposes a campaign code from a title: letters and digits
// without diacritics, upper case, at most 16.
func codeFrom(title string) string {
	var b strings.Builder
	for _, r := range danvan.Fold(title) {
		r = unicode.ToUpper(r)
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) && b.Len() < 16 {
			b.WriteRune(r)
		}
	}
	code := b.String()
	if len(code) < 2 {
		code = "CD" + code
	}
	return code
}

// codeFree reports whether no campaign has the code.
func (tr *turn) codeFree(code string) (bool, error) {
	_, err := tr.st.CampaignByCode(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		return true, nil
	}
	return false, err
}

// uniqueCode proposes a free code from the title, numbering it when taken.
func (tr *turn) uniqueCode(title string) (string, error) {
	base := codeFrom(title)
	for n := 1; n < 100; n++ {
		code := base
		if n > 1 {
			suffix := strconv.Itoa(n)
			code = base[:min(len(base), 16-len(suffix))] + suffix
		}
		free, err := tr.codeFree(code)
		if err != nil {
			return "", err
		}
		if free {
			return code, nil
		}
	}
	return base, nil // every variant taken: the person types one
}

// unitsToRun are the units the person may run campaigns for.
func (tr *turn) unitsToRun() ([]danvan.Unit, error) {
	gs, err := tr.grants()
	if err != nil {
		return nil, err
	}
	us, err := tr.st.CampaignUnits(tr.ctx)
	if err != nil {
		return nil, err
	}
	var mine []danvan.Unit
	for _, u := range us {
		if gs.CadreOf(u.ID) {
			mine = append(mine, u)
		}
	}
	return mine, nil
}

func (tr *turn) newCampaign(string) error {
	units, err := tr.unitsToRun()
	if err != nil {
		return err
	}
	if len(units) == 0 {
		gs, err := tr.grants()
		if err != nil {
			return err
		}
		if gs.Admin() {
			// An admin may run any unit; there is none yet.
			tr.say(t(tr.lang, msgKNoUnits))
			return nil
		}
		tr.say(t(tr.lang, msgKNotCadre))
		return nil
	}
	tr.state.Campaign = &campaignDraft{}
	if len(units) == 1 {
		tr.saveDraft(campaignDraft{Unit: units[0].ID, Honour: true})
		tr.prompt(stepKTitle, t(tr.lang, msgKAskTitle, esc(units[0].Name)))
		return nil
	}
	tr.ask(stepKUnit, t(tr.lang, msgKAskUnit), func(seq int) [][]danvan.Button {
		rows := make([][]danvan.Button, len(units))
		for i, u := range units {
			rows[i] = []danvan.Button{{Text: truncate(u.Name, 48), Data: buttonData(seq, "ku", u.ID)}}
		}
		return rows
	})
	return nil
}

// draftUnitOK re-reads the draft's unit and checks, at every step, that
// the person still runs it: a role removed midway stops the draft.
func (tr *turn) draftUnitOK(d campaignDraft) (danvan.Unit, bool, error) {
	units, err := tr.unitsToRun()
	if err != nil {
		return danvan.Unit{}, false, err
	}
	for _, u := range units {
		if u.ID == d.Unit {
			return u, true, nil
		}
	}
	tr.state.reset()
	tr.notice(t(tr.lang, msgKNotCadre))
	tr.say(t(tr.lang, msgKNotCadre))
	return danvan.Unit{}, false, nil
}

func (tr *turn) draftUnit(id int64) error {
	if tr.state.Step != stepKUnit {
		return tr.staleButton()
	}
	d := campaignDraft{Unit: id, Honour: true}
	u, ok, err := tr.draftUnitOK(d)
	if err != nil || !ok {
		return err
	}
	tr.settle(t(tr.lang, msgKAskUnit), u.Name)
	tr.saveDraft(d)
	tr.prompt(stepKTitle, t(tr.lang, msgKAskTitle, esc(u.Name)))
	return nil
}

func (tr *turn) draftTitle(s string) error {
	d := tr.draft()
	if _, ok, err := tr.draftUnitOK(d); err != nil || !ok {
		return err
	}
	title, ok := cleanText(s, maxTitle)
	if !ok {
		tr.say(t(tr.lang, msgKBadTitle))
		return nil
	}
	d.Title = title
	tr.saveDraft(d)
	return tr.askCode(d)
}

func (tr *turn) askCode(d campaignDraft) error {
	code, err := tr.uniqueCode(d.Title)
	if err != nil {
		return err
	}
	d.Proposed = code
	tr.saveDraft(d)
	tr.ask(stepKCode, t(tr.lang, msgKAskCode, esc(code)), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{{Text: t(tr.lang, msgKUseCode, code), Data: buttonData(seq, "kc", 0)}}}
	})
	return nil
}

func (tr *turn) draftUseCode(int64) error {
	if tr.state.Step != stepKCode {
		return tr.staleButton()
	}
	code := tr.draft().Proposed
	tr.settle(t(tr.lang, msgKAskCode, esc(code)), code)
	return tr.takeCode(code)
}

func (tr *turn) draftTypedCode(s string) error {
	code := strings.ToUpper(strings.TrimSpace(s))
	if !campaignCode.MatchString(code) {
		tr.say(t(tr.lang, msgKBadCode))
		return nil
	}
	return tr.takeCode(code)
}

func (tr *turn) takeCode(code string) error {
	d := tr.draft()
	if _, ok, err := tr.draftUnitOK(d); err != nil || !ok {
		return err
	}
	if !campaignCode.MatchString(code) {
		tr.prompt(stepKCode, t(tr.lang, msgKBadCode))
		return nil
	}
	free, err := tr.codeFree(code)
	if err != nil {
		return err
	}
	if !free {
		tr.prompt(stepKCode, t(tr.lang, msgKCodeTaken, esc(code)))
		return nil
	}
	d.Code, d.Proposed = code, ""
	tr.saveDraft(d)
	return tr.askZones(d, false)
}

// zonesOf are the zones a unit's campaigns may cover: the children of the
// unit's area.
func (tr *turn) zonesOf(u danvan.Unit) ([]danvan.Area, danvan.Area, error) {
	area, err := tr.st.Area(tr.ctx, u.AreaID)
	if err != nil {
		return nil, area, err
	}
	all, err := tr.st.Zones(tr.ctx)
	if err != nil {
		return nil, area, err
	}
	var zs []danvan.Area
	for _, z := range all {
		if z.ParentID == u.AreaID {
			zs = append(zs, z)
		}
	}
	return zs, area, nil
}

// askZones shows the zones as toggles; edit redraws the pressed message.
func (tr *turn) askZones(d campaignDraft, edit bool) error {
	u, ok, err := tr.draftUnitOK(d)
	if err != nil || !ok {
		return err
	}
	zs, area, err := tr.zonesOf(u)
	if err != nil {
		return err
	}
	if len(zs) == 0 {
		// A unit of a single zone covers it.
		d.Zones = []int64{area.ID}
		tr.saveDraft(d)
		return tr.askKind(d)
	}
	mark := func(id int64, label string) string {
		if slices.Contains(d.Zones, id) {
			return "✅ " + label
		}
		return label
	}
	buttons := func(seq int) [][]danvan.Button {
		bs := make([]danvan.Button, len(zs))
		for i, z := range zs {
			bs[i] = danvan.Button{Text: mark(z.ID, z.Name), Data: buttonData(seq, "kz", z.ID)}
		}
		rows := grid(bs, 3)
		rows = append(rows,
			[]danvan.Button{{Text: mark(area.ID, t(tr.lang, msgKWholeArea, area.Name)), Data: buttonData(seq, "kz", area.ID)}},
			[]danvan.Button{{Text: t(tr.lang, msgKDone), Data: buttonData(seq, "kd", 0)}})
		return rows
	}
	if edit {
		tr.reask(stepKZones, t(tr.lang, msgKAskZones), buttons)
	} else {
		tr.ask(stepKZones, t(tr.lang, msgKAskZones), buttons)
	}
	return nil
}

func (tr *turn) draftToggleZone(id int64) error {
	if tr.state.Step != stepKZones {
		return tr.staleButton()
	}
	d := tr.draft()
	u, ok, err := tr.draftUnitOK(d)
	if err != nil || !ok {
		return err
	}
	zs, area, err := tr.zonesOf(u)
	if err != nil {
		return err
	}
	switch {
	case id == area.ID:
		// The whole area and single zones exclude each other.
		if slices.Contains(d.Zones, id) {
			d.Zones = nil
		} else {
			d.Zones = []int64{id}
		}
	case slices.ContainsFunc(zs, func(z danvan.Area) bool { return z.ID == id }):
		d.Zones = slices.DeleteFunc(d.Zones, func(z int64) bool { return z == area.ID })
		if i := slices.Index(d.Zones, id); i >= 0 {
			d.Zones = slices.Delete(d.Zones, i, i+1)
		} else {
			d.Zones = append(d.Zones, id)
		}
	default:
		return tr.staleButton()
	}
	tr.saveDraft(d)
	return tr.askZones(d, true)
}

func (tr *turn) draftZonesDone(int64) error {
	if tr.state.Step != stepKZones {
		return tr.staleButton()
	}
	d := tr.draft()
	if len(d.Zones) == 0 {
		tr.notice(t(tr.lang, msgKNoZoneChosen))
		return nil
	}
	names, err := tr.areaNames(d.Zones)
	if err != nil {
		return err
	}
	tr.settle(t(tr.lang, msgKAskZones), names)
	return tr.askKind(d)
}

func (tr *turn) areaNames(ids []int64) (string, error) {
	var names []string
	for _, id := range ids {
		a, err := tr.st.Area(tr.ctx, id)
		if err != nil {
			return "", err
		}
		names = append(names, a.Name)
	}
	return strings.Join(names, ", "), nil
}
