package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/export"
)

// exportArgs are `danvan export`'s flags.
type exportArgs struct {
	Scope  danvan.ExportScope
	Format string // xlsx, csv (one table) or zip (every table as CSV)
	Table  export.Table
	Annual bool
	Lang   string
	Out    string // "-": standard output
}

func parseExportArgs(args []string) (exportArgs, error) {
	a := exportArgs{Format: "xlsx", Lang: "vi"}
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.Scope.Campaign, "campaign", "", "")
	fs.StringVar(&a.Scope.Unit, "unit", "", "")
	fs.StringVar(&a.Scope.Area, "area", "", "")
	fs.IntVar(&a.Scope.Year, "year", 0, "")
	fs.StringVar(&a.Format, "format", a.Format, "")
	table := fs.String("table", "", "")
	fs.BoolVar(&a.Annual, "annual", false, "")
	fs.StringVar(&a.Lang, "lang", a.Lang, "")
	fs.StringVar(&a.Out, "out", "", "")
	if err := fs.Parse(args); err != nil {
		return a, fmt.Errorf("export: %v: %w", err, errUsage)
	}
	if fs.NArg() != 0 {
		return a, fmt.Errorf("export takes flags only, not %q: %w", fs.Arg(0), errUsage)
	}
	if a.Scope.Year != 0 && (a.Scope.Year < 2000 || a.Scope.Year > 2100) {
		return a, fmt.Errorf("export: --year %d is not a year", a.Scope.Year)
	}
	if a.Lang != "vi" && a.Lang != "en" {
		return a, fmt.Errorf("export: --lang is vi or en")
	}
	switch a.Format {
	case "xlsx", "zip":
		if *table != "" {
			return a, fmt.Errorf("export: --table goes with --format csv")
		}
	case "csv":
		t, err := export.ParseTable(*table)
		if err != nil {
			return a, fmt.Errorf("export: --format csv needs --table campaigns, targets, pledges or receipts")
		}
		a.Table = t
	default:
		return a, fmt.Errorf("export: --format is xlsx, csv or zip")
	}
	if a.Annual {
		if a.Scope.Area == "" || a.Scope.Campaign != "" || a.Scope.Unit != "" || a.Format != "xlsx" {
			return a, fmt.Errorf("export: --annual takes --area CODE and --year (default this year), in xlsx")
		}
	}
	return a, nil
}

// Export writes campaigns, targets, pledges and receipts of a scope, or
// an area's annual report, to a file (or standard output with --out -).
func (m *Main) Export(ctx context.Context, a exportArgs, stdout io.Writer) error {
	today := now().In(m.Config.Location)
	if a.Annual && a.Scope.Year == 0 {
		a.Scope.Year = today.Year()
	}
	d, err := m.DB.ExportData(ctx, a.Scope, today)
	if errors.Is(err, danvan.ErrNotFound) {
		return fmt.Errorf("export: %w: check the codes of --campaign, --unit and --area", err)
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	var summary string
	switch {
	case a.Annual:
		var area danvan.Area
		for _, ar := range d.Areas {
			if strings.EqualFold(ar.Code, a.Scope.Area) {
				area = ar
			}
		}
		r := export.Annual(d, area, a.Scope.Year, m.Config.Location)
		err = export.WriteAnnualXLSX(&buf, r, a.Lang)
		summary = html.UnescapeString(tags.ReplaceAllString(export.AnnualText(r, a.Lang), ""))
	case a.Format == "xlsx":
		err = export.WriteXLSX(&buf, d, a.Lang)
	case a.Format == "zip":
		err = export.WriteCSVZip(&buf, d, a.Lang)
	default:
		err = export.WriteCSV(&buf, a.Table, d, a.Lang)
	}
	if err != nil {
		return err
	}
	out := a.Out
	if out == "" {
		out = exportFileName(a)
	}
	if out == "-" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if summary != "" {
		fmt.Fprintln(stdout, summary)
	}
	fmt.Fprintf(stdout, "wrote %s: %s, %s, %s, %s (as of %s)\n", out,
		count(len(d.Campaigns), "campaign"), count(len(d.Targets), "target"), count(len(d.Pledges), "pledge"),
		count(len(d.Receipts), "receipt"), today.Format("2006-01-02"))
	return nil
}

// exportFileName names an export after what it holds.
func exportFileName(a exportArgs) string {
	parts := []string{"danvan"}
	if a.Annual {
		parts = append(parts, "annual")
	}
	for _, c := range []string{a.Scope.Campaign, a.Scope.Unit, a.Scope.Area} {
		if c != "" {
			parts = append(parts, strings.ToUpper(c))
		}
	}
	if a.Scope.Year != 0 {
		parts = append(parts, fmt.Sprint(a.Scope.Year))
	}
	name := strings.Join(parts, "-")
	switch a.Format {
	case "csv":
		return name + "-" + a.Table.String() + ".csv"
	case "zip":
		return name + "-csv.zip"
	}
	return name + ".xlsx"
}

// count writes n things in English: "1 campaign", "2 campaigns".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
