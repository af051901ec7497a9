package statement

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Many banks' internet banking offers the statement as an Excel workbook
// first, and a treasurer sends what the bank gave. A workbook's first sheet
// is turned into the CSV text the layouts read, so one reader serves both:
// dates stored as date cells are written DD/MM/YYYY (a workbook's own
// display format may be the US one), numbers as plain digits, text as is.

// xlsxText is the active sheet of an XLSX workbook as CSV text.
func xlsxText(data []byte) (string, error) {
	// A workbook is a zip: bound what it may unpack to, so a small file
	// cannot make the bot unpack gigabytes.
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return "", &NotCSVError{Kind: "xlsx"}
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return "", ErrEmpty
	}
	sheet := sheets[0]
	if i := f.GetActiveSheetIndex(); i >= 0 && i < len(sheets) {
		sheet = sheets[i]
	}
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return "", &NotCSVError{Kind: "xlsx"}
	}
	dates := map[int]bool{} // style id → shows a date
	var b strings.Builder
	w := csv.NewWriter(&b)
	for r, row := range rows {
		out := make([]string, len(row))
		for c, v := range row {
			out[c] = strings.TrimSpace(v)
			n, err := strconv.ParseFloat(out[c], 64)
			if err != nil || out[c] == "" {
				continue
			}
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				continue
			}
			// Text that reads as a number ("500.000") is text: only a
			// numeric cell holds a number, or a date, in its raw value.
			if typ, err := f.GetCellType(sheet, cell); err != nil || typ == excelize.CellTypeSharedString ||
				typ == excelize.CellTypeInlineString || typ == excelize.CellTypeBool || typ == excelize.CellTypeError {
				continue
			}
			style, err := f.GetCellStyle(sheet, cell)
			if err != nil {
				continue
			}
			isDate, known := dates[style]
			if !known {
				isDate = dateStyle(f, style)
				dates[style] = isDate
			}
			out[c] = numberText(n, isDate)
		}
		if err := w.Write(out); err != nil {
			return "", fmt.Errorf("statement: xlsx: %w", err)
		}
	}
	w.Flush()
	switch {
	case b.Len() > MaxSize:
		return "", ErrTooLarge
	case strings.Trim(b.String(), ",\r\n ") == "":
		return "", ErrEmpty
	}
	return b.String(), nil
}

// numberText writes a numeric cell: a date cell as the date (and time, if
// it has one), anything else in plain digits, never in exponent form.
func numberText(n float64, isDate bool) string {
	if isDate {
		if t, err := excelize.ExcelDateToTime(n, false); err == nil {
			if n == math.Trunc(n) {
				return t.Format("02/01/2006")
			}
			return t.Format("02/01/2006 15:04:05")
		}
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// dateStyle reports whether a cell style shows its number as a date:
// Excel's built-in date and time formats, or a custom format made of day,
// month or year codes with no digit placeholders.
func dateStyle(f *excelize.File, id int) bool {
	st, err := f.GetStyle(id)
	if err != nil || st == nil {
		return false
	}
	if st.CustomNumFmt != nil {
		return customDate(*st.CustomNumFmt)
	}
	switch n := st.NumFmt; {
	case n >= 14 && n <= 22, n >= 27 && n <= 36, n >= 45 && n <= 47, n >= 50 && n <= 58:
		return true
	}
	return false
}

func customDate(format string) bool {
	// Quoted text and [colour]/[locale] sections say nothing of the type.
	var plain strings.Builder
	quoted, bracket := false, false
	for _, r := range strings.ToLower(format) {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == '[':
			bracket = true
		case r == ']':
			bracket = false
		case !bracket:
			plain.WriteRune(r)
		}
	}
	p := plain.String()
	return strings.ContainsAny(p, "dy") || strings.Contains(p, "m") && !strings.ContainsAny(p, "0#?")
}
