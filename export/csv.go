package export

import (
	"archive/zip"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
)

// bom starts every CSV file: without it, Excel on a Vietnamese Windows
// reads UTF-8 as the local code page and garbles every diacritic.
const bom = "\uFEFF"

// WriteCSV writes one table of d as CSV: UTF-8 with a byte order mark,
// comma separated, quoted as RFC 4180 says (CRLF line ends), a header row
// in lang, then the same columns as the workbook's sheet. Quantities are
// plain digits with '.' before any decimals ("1500000", "2.5"), dates
// YYYY-MM-DD, times YYYY-MM-DD HH:MM in the ward's time zone.
//
// A text that a spreadsheet would take for a formula (it starts with =, +,
// -, @, a tab or a carriage return: a name someone typed in the chat, say)
// is written with a leading apostrophe, so that opening the file runs
// nothing. Numbers are not text and are written as they are.
func WriteCSV(w io.Writer, tb Table, d danvan.ExportData, lang string) error {
	l, ok := layouts[tb]
	if !ok {
		return fmt.Errorf("export: write CSV: unknown table %v", tb)
	}
	if _, err := io.WriteString(w, bom); err != nil {
		return fmt.Errorf("export: write %s CSV: %w", tb, err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(l.headers(lang)); err != nil {
		return fmt.Errorf("export: write %s CSV: %w", tb, err)
	}
	rec := make([]string, len(l.heads))
	err := l.rows(&d, newEnv(&d, lang), func(row []cell) error {
		for i, c := range row {
			rec[i] = csvValue(c)
		}
		return cw.Write(rec)
	})
	if err == nil {
		cw.Flush()
		err = cw.Error()
	}
	if err != nil {
		return fmt.Errorf("export: write %s CSV: %w", tb, err)
	}
	return nil
}

func csvValue(c cell) string {
	switch c.typ {
	case cellText:
		if c.text != "" && strings.ContainsRune("=+-@\t\r", rune(c.text[0])) {
			return "'" + c.text
		}
		return c.text
	case cellInt:
		return strconv.FormatInt(c.n, 10)
	case cellQuantity:
		return danvan.FormatPlain(c.kind, danvan.Quantity(c.n))
	case cellDate:
		return c.at.Format("2006-01-02")
	case cellMoment:
		return c.at.Format("2006-01-02 15:04")
	}
	return ""
}

// WriteCSVZip writes the four tables of d as CSV files (WriteCSV) in one
// zip archive, named in lang (chien-dich.csv, muc-tieu.csv,
// khoan-ung-ho.csv, so-thu.csv; campaigns.csv… in English), so that the
// chat can send them as a single document.
func WriteCSVZip(w io.Writer, d danvan.ExportData, lang string) error {
	zw := zip.NewWriter(w)
	for _, tb := range Tables {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: tb.FileName(lang), Method: zip.Deflate, Modified: d.Today})
		if err != nil {
			return fmt.Errorf("export: zip %s: %w", tb, err)
		}
		if err := WriteCSV(fw, tb, d, lang); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("export: zip: %w", err)
	}
	return nil
}
