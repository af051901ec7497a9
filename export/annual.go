package export

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/danvan/danvan"
	"github.com/xuri/excelize/v2"
)

// AnnualReport is what an area mobilised in a calendar year, per unit, per
// campaign and in all (see Annual for what counts).
type AnnualReport struct {
	Year       int
	Area       danvan.Area
	Units      int // units with at least one campaign counted
	Campaigns  int // campaigns counted
	ByUnit     []UnitYear
	ByCampaign []CampaignYear
	Total      Mobilised
}

// UnitYear is one unit's line.
type UnitYear struct {
	Code, Name string
	Campaigns  int
	Mobilised
}

// CampaignYear is one campaign's line.
type CampaignYear struct {
	Code, Title string
	UnitCode    string
	Mobilised
}

// Mobilised is what was pledged and received, by kind. Measured targets
// are reported, not pledged, so they have no place here.
type Mobilised struct {
	Money  Amount // đồng
	Labour Amount // thousandths of a labour day
	Land   Amount // thousandths of a m²
	Goods  []ItemAmount
}

// Amount is a pledged and a received total of one kind, in its stored
// unit.
type Amount struct {
	Pledged, Received danvan.Quantity
}

// ItemAmount is goods of one item ("điều hòa"), in thousandths.
type ItemAmount struct {
	Item string // as labelled on the first target that counts it
	Amount
}

// Annual sums what area mobilised in year, from d (the store's data for
// ExportScope{Area: area.Code, Year: year} is exactly what it needs; data
// for a wider scope gives the same report). A zero area means every area.
//
// What is "in the year", with every instant read in the ward's time zone
// loc, the year running from 1 January 00:00 to 1 January 00:00 of the
// next:
//
//   - A campaign counts when it is in the area (danvan.ExportCampaign.InArea),
//     its period overlaps the year (InYear: an open-ended campaign overlaps
//     every year from its start), and it is not a draft, which was never
//     opened to pledges. Its unit then counts too. A campaign counts even
//     when nothing was pledged to it yet: it was registered for the year.
//   - Pledged is the pledges to those campaigns made during the year (their
//     creation time), less those cancelled by now, whenever cancelled: a
//     pledge made in December and cancelled in January no longer counts.
//     A pledge counts at its present quantity.
//   - Received is the ledger entries of those campaigns recorded during the
//     year, with their sign, gifts without a pledge included: a reversal
//     nets out the entry it reverses when both fall in the same year, and
//     lowers the year it is recorded in otherwise, as in a cash book.
//     Entries for a campaign that does not overlap the year (a late payment
//     to last year's campaign) are in that campaign's years, not this one.
//   - Goods are summed per item: targets whose labels differ only in case
//     or spacing count the same item.
func Annual(d danvan.ExportData, area danvan.Area, year int, loc *time.Location) AnnualReport {
	r := AnnualReport{Year: year, Area: area}
	from := time.Date(year, time.January, 1, 0, 0, 0, 0, loc)
	to := from.AddDate(1, 0, 0)
	during := func(at time.Time) bool { return !at.Before(from) && at.Before(to) }

	tree := danvan.NewAreaTree(d.Areas)
	sums := map[int64]*tally{} // by campaign id
	var counted []danvan.ExportCampaign
	for _, c := range d.Campaigns {
		c.CreatedAt = c.CreatedAt.In(loc)
		if c.Status == danvan.CampaignDraft || !c.InYear(year) || area.ID != 0 && !c.InArea(tree, area.ID) {
			continue
		}
		counted = append(counted, c)
		sums[c.ID] = &tally{}
	}
	labels := map[int64]string{}
	for _, tg := range d.Targets {
		labels[tg.ID] = tg.Label
	}
	for i := range d.Pledges {
		p := &d.Pledges[i]
		if s := sums[p.CampaignID]; s != nil && !p.Cancelled && during(p.CreatedAt) {
			s.add(p.Kind, labels[p.TargetID], p.Quantity, 0)
		}
	}
	for i := range d.Receipts {
		rc := &d.Receipts[i]
		if s := sums[rc.CampaignID]; s != nil && during(rc.RecordedAt) {
			s.add(rc.Kind, labels[rc.TargetID], 0, rc.Quantity)
		}
	}

	// Units in code order, campaigns in their unit's order then by code.
	slices.SortStableFunc(counted, func(a, b danvan.ExportCampaign) int {
		return cmp.Or(cmp.Compare(a.UnitCode, b.UnitCode), cmp.Compare(a.Code, b.Code))
	})
	total := &tally{}
	var unit *tally
	for _, c := range counted {
		s := sums[c.ID]
		if len(r.ByUnit) == 0 || r.ByUnit[len(r.ByUnit)-1].Code != c.UnitCode {
			if unit != nil {
				r.ByUnit[len(r.ByUnit)-1].Mobilised = unit.mobilised()
			}
			r.ByUnit = append(r.ByUnit, UnitYear{Code: c.UnitCode, Name: c.UnitName})
			unit = &tally{}
		}
		r.ByUnit[len(r.ByUnit)-1].Campaigns++
		unit.merge(s)
		total.merge(s)
		r.ByCampaign = append(r.ByCampaign, CampaignYear{Code: c.Code, Title: c.Title, UnitCode: c.UnitCode, Mobilised: s.mobilised()})
	}
	if unit != nil {
		r.ByUnit[len(r.ByUnit)-1].Mobilised = unit.mobilised()
	}
	r.Units, r.Campaigns, r.Total = len(r.ByUnit), len(counted), total.mobilised()
	return r
}

// tally adds up a Mobilised.
type tally struct {
	money, labour, land Amount
	goods               map[string]*ItemAmount // by itemKey
}

// itemKey folds the ways one item gets labelled on different campaigns.
func itemKey(label string) string {
	return strings.ToLower(strings.Join(strings.Fields(label), " "))
}

func (s *tally) add(k danvan.Kind, label string, pledged, received danvan.Quantity) {
	var a *Amount
	switch k {
	case danvan.KindMoney:
		a = &s.money
	case danvan.KindLabour:
		a = &s.labour
	case danvan.KindLand:
		a = &s.land
	case danvan.KindGoods:
		if s.goods == nil {
			s.goods = map[string]*ItemAmount{}
		}
		key := itemKey(label)
		g := s.goods[key]
		if g == nil {
			g = &ItemAmount{Item: strings.TrimSpace(label)}
			s.goods[key] = g
		}
		a = &g.Amount
	default:
		return
	}
	a.Pledged += pledged
	a.Received += received
}

func (s *tally) merge(o *tally) {
	s.add(danvan.KindMoney, "", o.money.Pledged, o.money.Received)
	s.add(danvan.KindLabour, "", o.labour.Pledged, o.labour.Received)
	s.add(danvan.KindLand, "", o.land.Pledged, o.land.Received)
	// Merging in key order keeps the label kept for an item the same
	// whatever the map's order.
	for _, key := range slices.Sorted(maps.Keys(o.goods)) {
		g := o.goods[key]
		s.add(danvan.KindGoods, g.Item, g.Pledged, g.Received)
	}
}

func (s *tally) mobilised() Mobilised {
	m := Mobilised{Money: s.money, Labour: s.labour, Land: s.land}
	for _, key := range slices.Sorted(maps.Keys(s.goods)) {
		if g := s.goods[key]; g.Amount != (Amount{}) {
			m.Goods = append(m.Goods, *g)
		}
	}
	return m
}

// title is the report's heading, without markup.
func (r AnnualReport) title(lang string) string {
	if r.Area.Name == "" {
		return t(lang, msgAnnualTitleNoArea, r.Year)
	}
	return t(lang, msgAnnualTitle, r.Year, r.Area.Name)
}

func (r AnnualReport) countLine(lang string) string {
	units, campaigns := msgUnitPlural, msgCampaignPlural
	if r.Units == 1 {
		units = msgUnitSingular
	}
	if r.Campaigns == 1 {
		campaigns = msgCampaignSingular
	}
	return t(lang, msgAnnualCount, r.Units, t(lang, units), r.Campaigns, t(lang, campaigns))
}

// kindLine is one kind (or goods item) of a Mobilised, for the chat.
type kindLine struct {
	name string // "Tiền", "Hiện vật"
	kind danvan.Kind
	item string
	Amount
}

// lines lists the kinds of m that are not empty, in the order of
// danvan.Kinds.
func (m Mobilised) lines(lang string) []kindLine {
	var ls []kindLine
	for _, l := range []kindLine{
		{kind: danvan.KindMoney, Amount: m.Money},
		{kind: danvan.KindLabour, Amount: m.Labour},
		{kind: danvan.KindLand, Amount: m.Land},
	} {
		if l.Amount != (Amount{}) {
			l.name = kindName(lang, l.kind)
			ls = append(ls, l)
		}
	}
	for _, g := range m.Goods {
		ls = append(ls, kindLine{name: kindName(lang, danvan.KindGoods), kind: danvan.KindGoods, item: g.Item, Amount: g.Amount})
	}
	return ls
}

func (l kindLine) format(lang string, q danvan.Quantity) string {
	return danvan.FormatQuantity(l.kind, q, l.item, lang)
}

// maxText bounds the report's message (see danvan.MaxText).
const maxText = danvan.MaxText

func textLen(s string) int { return len(utf16.Encode([]rune(s))) }

// AnnualText is the report as one chat message in danvan's HTML subset:
// the title, the count of units and campaigns, the totals by kind, then a
// line per unit. Names are escaped. What does not fit in danvan.MaxText
// characters is left out, with "… và N đơn vị khác" (or "loại khác" for
// the totals of a great many goods items) saying how much.
func AnnualText(r AnnualReport, lang string) string {
	var b strings.Builder
	b.WriteString("<b>" + html.EscapeString(r.title(lang)) + "</b>\n")
	b.WriteString(html.EscapeString(r.countLine(lang)))
	var totals []string
	for _, l := range r.Total.lines(lang) {
		totals = append(totals, "\n"+html.EscapeString(t(lang, msgAnnualTotal, l.name, l.format(lang, l.Pledged), l.format(lang, l.Received))))
	}
	if len(totals) == 0 {
		totals = []string{"\n" + t(lang, msgAnnualNothing)}
	}
	more := func(n int) string { return "\n" + t(lang, msgAnnualMore, n) }
	moreKinds := func(n int) string { return "\n" + t(lang, msgAnnualMoreKinds, n) }
	if len(r.ByUnit) == 0 {
		fit(&b, totals, moreKinds, 0)
		return b.String()
	}
	heading := "\n\n<b>" + t(lang, msgAnnualByUnit) + "</b>"
	// However many goods items there are, the units' heading and the
	// line saying they were all left out still fit.
	fit(&b, totals, moreKinds, textLen(heading)+textLen(more(len(r.ByUnit))))
	b.WriteString(heading)

	units := make([]string, len(r.ByUnit))
	for i, u := range r.ByUnit {
		var parts []string
		for _, l := range u.lines(lang) {
			parts = append(parts, t(lang, msgAnnualAmount, l.format(lang, l.Pledged), l.format(lang, l.Received)))
		}
		what := t(lang, msgAnnualUnitNothing)
		if len(parts) > 0 {
			what = strings.Join(parts, "; ")
		}
		campaigns := msgCampaignPlural
		if u.Campaigns == 1 {
			campaigns = msgCampaignSingular
		}
		units[i] = "\n" + t(lang, msgAnnualUnitLine, html.EscapeString(u.Name), u.Campaigns, t(lang, campaigns), html.EscapeString(what))
	}
	fit(&b, units, more, 0)
	return b.String()
}

// fit appends as many of lines to b as leave reserve characters of
// the message's limit, and then, if some did not fit, more(how many).
func fit(b *strings.Builder, lines []string, more func(int) string, reserve int) {
	n := textLen(b.String())
	for i, line := range lines {
		// Room for this line, and for saying that the ones after it were
		// left out unless it is the last.
		room := textLen(line)
		if i < len(lines)-1 {
			room += textLen(more(len(lines) - i - 1))
		}
		if n+room > maxText-reserve {
			b.WriteString(more(len(lines) - i))
			return
		}
		b.WriteString(line)
		n += textLen(line)
	}
}

// WriteAnnualXLSX writes the report as a workbook of one sheet: the
// title, the count, what the figures mean, then a table per unit and a
// table per campaign, each with a totals row. Each kind has a pledged and
// a received column (goods, one pair per item), as numbers in the
// export's formats.
func WriteAnnualXLSX(w io.Writer, r AnnualReport, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	sheet := t(lang, msgAnnualSheet)
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return fmt.Errorf("export: annual report sheet: %w", err)
	}
	a := &annualSheet{f: f, st: st, sheet: sheet, lang: lang, cols: annualColumns(r, lang)}
	a.text(1, r.title(lang), st.title)
	a.text(2, r.countLine(lang), 0)
	a.text(3, t(lang, msgAnnualMeaning), 0)

	row := 5
	a.text(row, t(lang, msgAnnualByUnit), st.bold)
	a.header(row+1, msgAnnualColUnitCode, msgAnnualColUnit, msgAnnualColCampaigns)
	row += 2
	for _, u := range r.ByUnit {
		a.line(row, []any{u.Code, u.Name, u.Campaigns}, u.Mobilised, 0)
		row++
	}
	a.line(row, []any{t(lang, msgAnnualTotalRow), nil, r.Campaigns}, r.Total, st.bold)

	row += 2
	a.text(row, t(lang, msgAnnualByCampaign), st.bold)
	a.header(row+1, msgAnnualColCampaignCode, msgAnnualColCampaign, msgAnnualColUnitCode)
	row += 2
	for _, c := range r.ByCampaign {
		a.line(row, []any{c.Code, c.Title, c.UnitCode}, c.Mobilised, 0)
		row++
	}
	a.line(row, []any{t(lang, msgAnnualTotalRow), nil, nil}, r.Total, st.bold)

	widths := []float64{14, 44, 12}
	for range a.cols {
		widths = append(widths, 18)
	}
	// Each width goes before those set earlier, and Excel wants them in
	// column order: last column first.
	for i := len(widths) - 1; i >= 0; i-- {
		a.width(i+1, widths[i])
	}
	if a.err != nil {
		return fmt.Errorf("export: write annual report: %w", a.err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("export: write annual report: %w", err)
	}
	return nil
}

// annualColumn is one numeric column of the annual tables.
type annualColumn struct {
	head     string
	kind     danvan.Kind
	item     string // for goods
	received bool
}

// annualColumns are a pledged and a received column for money, labour and
// land, and for each goods item anyone mobilised, so that every line of
// both tables has the same columns.
func annualColumns(r AnnualReport, lang string) []annualColumn {
	var cols []annualColumn
	pair := func(name, unit string, k danvan.Kind, item string) {
		cols = append(cols,
			annualColumn{head: t(lang, msgAnnualColPledged, name, unit), kind: k, item: item},
			annualColumn{head: t(lang, msgAnnualColReceived, name, unit), kind: k, item: item, received: true})
	}
	pair(kindName(lang, danvan.KindMoney), "₫", danvan.KindMoney, "")
	pair(kindName(lang, danvan.KindLabour), t(lang, msgUnitLabour), danvan.KindLabour, "")
	pair(kindName(lang, danvan.KindLand), t(lang, msgUnitLand), danvan.KindLand, "")
	for _, g := range r.Total.Goods {
		pair(kindName(lang, danvan.KindGoods), g.Item, danvan.KindGoods, g.Item)
	}
	return cols
}

func (c annualColumn) value(m Mobilised) danvan.Quantity {
	var a Amount
	switch c.kind {
	case danvan.KindMoney:
		a = m.Money
	case danvan.KindLabour:
		a = m.Labour
	case danvan.KindLand:
		a = m.Land
	case danvan.KindGoods:
		for _, g := range m.Goods {
			if itemKey(g.Item) == itemKey(c.item) {
				a = g.Amount
			}
		}
	}
	if c.received {
		return a.Received
	}
	return a.Pledged
}

// annualSheet writes the annual report's cells, keeping the first error.
type annualSheet struct {
	f     *excelize.File
	st    *styles
	sheet string
	lang  string
	cols  []annualColumn
	err   error
}

func (a *annualSheet) set(col, row int, v any, style int) {
	if a.err != nil || v == nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err == nil {
		err = a.f.SetCellValue(a.sheet, ref, v)
	}
	if err == nil && style != 0 {
		err = a.f.SetCellStyle(a.sheet, ref, ref, style)
	}
	a.err = err
}

func (a *annualSheet) text(row int, s string, style int) { a.set(1, row, s, style) }

func (a *annualSheet) header(row int, first ...msg) {
	for i, m := range first {
		a.set(i+1, row, t(a.lang, m), a.st.header)
	}
	for i, c := range a.cols {
		a.set(len(first)+1+i, row, c.head, a.st.header)
	}
}

// line writes a unit's or campaign's row: its first cells, then a number
// per column. A bold row (the totals) keeps the number formats.
func (a *annualSheet) line(row int, first []any, m Mobilised, bold int) {
	for i, v := range first {
		a.set(i+1, row, v, bold)
	}
	for i, c := range a.cols {
		col := len(first) + 1 + i
		a.set(col, row, number(c.kind, int64(c.value(m))), a.st.quantity[c.kind])
		if bold != 0 && a.err == nil {
			a.err = a.boldNumber(col, row, c.kind)
		}
	}
}

// boldNumber gives a totals cell a bold style with its kind's format
// (excelize hands back the same style for the same definition).
func (a *annualSheet) boldNumber(col, row int, k danvan.Kind) error {
	format := numberFormat(k)
	id, err := a.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: &format})
	if err != nil {
		return err
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	return a.f.SetCellStyle(a.sheet, ref, ref, id)
}

func (a *annualSheet) width(col int, w float64) {
	if a.err != nil {
		return
	}
	name, err := excelize.ColumnNumberToName(col)
	if err == nil {
		err = a.f.SetColWidth(a.sheet, name, name, w)
	}
	a.err = err
}
