package export

import (
	"fmt"
	"io"
	"strconv"

	"github.com/danvan/danvan"
	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes d as one workbook with a sheet per table (Tables, named
// in lang: Vietnamese unless "en"): a bold, frozen header row, then one row
// per campaign, target, pledge or receipt. Quantities are numbers, not
// text, so that the committee can sum and filter them: money as whole đồng
// shown "#,##0", labour days and land with one decimal, goods whole,
// measures and indicators with two; dates and times are date cells shown
// dd/mm/yyyy (hh:mm).
//
// Sheets are streamed: rows go to a temporary file past a few megabytes
// instead of staying in memory, so a million pledges cost the workbook's
// compressed size, not gigabytes. A table longer than a sheet allows
// (1,048,575 rows under the header) goes on in a second sheet, "Khoản ủng
// hộ (2)".
func WriteXLSX(w io.Writer, d danvan.ExportData, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDocProps(&excelize.DocProperties{Creator: "danvan", Language: docLanguage(lang)}); err != nil {
		return fmt.Errorf("export: workbook properties: %w", err)
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	x := newEnv(&d, lang)
	for i, tb := range Tables {
		s := &sheetWriter{f: f, st: st, l: layoutOf(tb), lang: lang, first: i == 0}
		if err := s.write(&d, x); err != nil {
			return fmt.Errorf("export: write %s sheet: %w", tb, err)
		}
	}
	// The first sheet is the active one already. (SetActiveSheet would
	// parse every streamed sheet back into memory to mark it.)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("export: write workbook: %w", err)
	}
	return nil
}

func docLanguage(lang string) string {
	if lang == "en" {
		return "en-US"
	}
	return "vi-VN"
}

// styles are a workbook's cell styles, made once.
type styles struct {
	header, bold, title int
	date, moment        int
	quantity            map[danvan.Kind]int
}

// numberFormat is how a kind's quantities are shown. The codes are
// Excel's, independent of locale: Excel and LibreOffice show the groups
// and the decimal mark the Vietnamese way (1.500.000; 2,5) on a
// Vietnamese system.
func numberFormat(k danvan.Kind) string {
	switch k {
	case danvan.KindLabour, danvan.KindLand:
		return "#,##0.0"
	case danvan.KindMeasure, danvan.KindPercent:
		return "#,##0.00"
	}
	return "#,##0"
}

func newStyles(f *excelize.File) (*styles, error) {
	st := &styles{quantity: map[danvan.Kind]int{}}
	custom := func(format string) (int, error) {
		return f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	}
	var err error
	if st.header, err = f.NewStyle(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
	}); err != nil {
		return nil, fmt.Errorf("export: header style: %w", err)
	}
	if st.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, fmt.Errorf("export: bold style: %w", err)
	}
	if st.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}); err != nil {
		return nil, fmt.Errorf("export: title style: %w", err)
	}
	if st.date, err = custom("dd/mm/yyyy"); err != nil {
		return nil, fmt.Errorf("export: date style: %w", err)
	}
	if st.moment, err = custom("dd/mm/yyyy hh:mm"); err != nil {
		return nil, fmt.Errorf("export: time style: %w", err)
	}
	for _, k := range danvan.Kinds {
		if st.quantity[k], err = custom(numberFormat(k)); err != nil {
			return nil, fmt.Errorf("export: %s style: %w", k, err)
		}
	}
	return st, nil
}

// number is q of kind k as a spreadsheet number: an integer when it is
// whole, which is exact, and otherwise the nearest float64, which holds
// the few decimals a kind allows exactly enough for any spreadsheet to
// show them as typed.
func number(k danvan.Kind, q int64) any {
	scale := k.Scale()
	if q%scale == 0 {
		return q / scale
	}
	return float64(q) / float64(scale)
}

// value turns a cell into what the stream writer takes.
func (st *styles) value(c cell) any {
	switch c.typ {
	case cellText:
		if c.text == "" {
			return nil
		}
		return c.text
	case cellInt:
		return c.n
	case cellQuantity:
		style, ok := st.quantity[c.kind]
		if !ok {
			style = st.quantity[danvan.KindMeasure]
		}
		return excelize.Cell{StyleID: style, Value: number(c.kind, c.n)}
	case cellDate:
		// A date reads as midnight UTC: its wall clock is the date.
		return excelize.Cell{StyleID: st.date, Value: c.at}
	case cellMoment:
		// The stream writer keeps the wall clock of the time's location,
		// which is the ward's.
		return excelize.Cell{StyleID: st.moment, Value: c.at}
	}
	return nil
}

// sheetWriter streams one table into one sheet, or more when it is too
// long for one.
type sheetWriter struct {
	f     *excelize.File
	st    *styles
	l     layout
	lang  string
	first bool // the table takes the workbook's first sheet

	part int
	sw   *excelize.StreamWriter
	row  int
	vals []any
}

func (s *sheetWriter) write(d *danvan.ExportData, x *env) error {
	if err := s.start(); err != nil {
		return err
	}
	if err := s.l.rows(d, x, s.add); err != nil {
		return err
	}
	return s.sw.Flush()
}

// start opens the next sheet of the table and writes its header.
func (s *sheetWriter) start() error {
	s.part++
	name := t(s.lang, s.l.sheet)
	if s.part > 1 {
		name = fmt.Sprintf("%s (%d)", name, s.part)
	}
	if s.first && s.part == 1 {
		if err := s.f.SetSheetName(s.f.GetSheetName(0), name); err != nil {
			return err
		}
	} else if _, err := s.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := s.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	s.sw, s.row = sw, 1
	// Widths and panes go before the first row: the stream writer writes
	// them at the top of the sheet. It puts each column's width before
	// those set earlier, and Excel wants them in column order: last
	// column first.
	for i := len(s.l.widths) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, s.l.widths[i]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader()); err != nil {
		return err
	}
	heads := s.l.headers(s.lang)
	s.vals = make([]any, len(heads))
	for i, h := range heads {
		s.vals[i] = excelize.Cell{StyleID: s.st.header, Value: h}
	}
	return sw.SetRow("A1", s.vals)
}

func frozenHeader() *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
}

// sheetRows is the most rows a sheet holds, header included: Excel's
// limit (a variable so that a test can reach it without a million rows).
var sheetRows = excelize.TotalRows

func (s *sheetWriter) add(row []cell) error {
	if s.row == sheetRows {
		if err := s.sw.Flush(); err != nil {
			return err
		}
		if err := s.start(); err != nil {
			return err
		}
	}
	s.row++
	for i, c := range row {
		s.vals[i] = s.st.value(c)
	}
	return s.sw.SetRow("A"+strconv.Itoa(s.row), s.vals)
}
