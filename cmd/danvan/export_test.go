package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/xuri/excelize/v2"
)

// document waits for the next bot document whose name ends with suffix.
func (r *resident) document(suffix string) localapi.Message {
	r.w.t.Helper()
	for {
		m := r.expect("")
		if m.Kind == "document" && strings.HasSuffix(m.FileName, suffix) {
			return m
		}
	}
}

// sheetRows reads a sheet of a workbook's bytes.
func sheetRows(t *testing.T, data []byte, sheet string) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatalf("sheet %q: %v (sheets %v)", sheet, err, f.GetSheetList())
	}
	return rows
}

// column finds a header's column in a table's first row.
func column(t *testing.T, rows [][]string, header string) int {
	t.Helper()
	i := slices.Index(rows[0], header)
	if i < 0 {
		t.Fatalf("no column %q in %q", header, rows[0])
	}
	return i
}

// A cadre exports a campaign and gets the workbook and the CSV tables in the
// chat, with the pledges and receipts made in the chat; the annual report
// comes as a message and a workbook. Residents, other units' campaigns and
// other areas are refused; `danvan export` writes the same from the shell.
func TestExportInChatAndCommand(t *testing.T) {
	w := newWorld(t)
	w.rcPledger(300001, "Lan <b>&", "YG-K1", "/ungho DIEUHOA 500k")
	tuan, b := w.rcPledger(300002, "Tuấn", "YG-K3", "/ungho DIEUHOA 1tr5")
	hoa := w.rcStaff(100001, "Hoa")
	hoa.send("/xacnhan " + b + " 1tr")
	hoa.expect("Đã ghi nhận 1.000.000 ₫")
	tuan.expect("Đã nhận 1.000.000 ₫")
	cadre := w.rcStaff(100003, "Lan cán bộ")

	cadre.send("/xuat DIEUHOA")
	book := cadre.document(".xlsx")
	if book.FileName != "danvan-DIEUHOA.xlsx" || !strings.Contains(book.PlainCaption, "1 chiến dịch, 2 khoản ủng hộ, 1 lượt thu") {
		t.Errorf("workbook %q captioned %q", book.FileName, book.PlainCaption)
	}
	pledges := sheetRows(t, book.Document, "Khoản ủng hộ")
	if len(pledges) != 3 {
		t.Fatalf("%d pledge rows with the header, want 3: %q", len(pledges), pledges)
	}
	who, qty, got := column(t, pledges, "Người ủng hộ"), column(t, pledges, "Số lượng"), column(t, pledges, "Đã nhận")
	if pledges[1][who] != "Lan <b>&" || pledges[1][qty] != "500,000" || pledges[2][who] != "Tuấn" ||
		pledges[2][qty] != "1,500,000" || pledges[2][got] != "1,000,000" {
		t.Errorf("pledges sheet: %q", pledges)
	}
	receipts := sheetRows(t, book.Document, "Sổ thu")
	if len(receipts) != 2 || receipts[1][column(t, receipts, "Mã khoản")] != b {
		t.Errorf("receipts sheet: %q", receipts)
	}
	zipped := cadre.document("-csv.zip")
	zr, err := zip.NewReader(bytes.NewReader(zipped.Document), int64(len(zipped.Document)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if len(names) != 4 || !slices.Contains(names, "khoan-ung-ho.csv") {
		t.Errorf("the zip holds %q", names)
	}

	resident := w.resident(300009, "Minh", "vi")
	resident.send("/xuat DIEUHOA")
	resident.expect("Chỉ cán bộ, thủ quỹ hoặc quản trị viên xuất được số liệu")
	cadre.send("/xuat LANCAN")
	cadre.expect("có chiến dịch LANCAN của đơn vị khác")
	cadre.send("/xuat KHONGCO")
	cadre.expect("Không có chiến dịch, đơn vị hay địa bàn nào mã KHONGCO")
	cadre.send("/xuat DIEUHOA 1999")
	cadre.expect("Cách dùng")

	cadre.send("/baocaonam")
	report := cadre.expect("Báo cáo năm 2026 — Phường Yên Giang")
	// The ward's 2026 campaigns in the example: MTTQ-YG's DIEUHOA, THIETBI,
	// SANNHA, LED and THAMHOI, HPN-YG's DODAU, UBND-YG's CHUYENDOI. Money
	// pledged: 500.000 + 1.500.000; received 1.000.000.
	if !strings.Contains(report.PlainText, "3 đơn vị đăng ký 7 mô hình") ||
		!strings.Contains(report.PlainText, "đã đăng ký 2.000.000 ₫, đã nhận 1.000.000 ₫") {
		t.Errorf("annual report:\n%s", report.PlainText)
	}
	annual := cadre.document(".xlsx")
	if annual.FileName != "bao-cao-nam-2026-YG.xlsx" || len(sheetRows(t, annual.Document, "Báo cáo năm")) < 5 {
		t.Errorf("annual workbook %q", annual.FileName)
	}
	cadre.send("/baocaonam LH")
	cadre.expect("Bạn chỉ lấy được báo cáo năm của địa bàn đơn vị mình phụ trách")

	// The shell: a workbook, one CSV table, the annual report.
	dir := t.TempDir()
	ctx := context.Background()
	var out bytes.Buffer
	file := filepath.Join(dir, "d.xlsx")
	if err := run(ctx, []string{"export", "--campaign", "dieuhoa", "--out", file}, w.getenv, &out, w.logger()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if rows := sheetRows(t, data, "Khoản ủng hộ"); len(rows) != 3 || !strings.Contains(out.String(), "1 campaign, 3 targets, 2 pledges, 1 receipt") {
		t.Errorf("danvan export wrote %d pledge rows and said %q", len(rows), out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"export", "--unit", "MTTQ-YG", "--format", "csv", "--table", "pledges", "--lang", "en", "--out", "-"}, w.getenv, &out, w.logger()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "Pledge code" {
		t.Errorf("pledges CSV (%v): %q", err, rows)
	}
	out.Reset()
	if err := run(ctx, []string{"export", "--annual", "--area", "YG", "--year", "2026", "--out", filepath.Join(dir, "a.xlsx")}, w.getenv, &out, w.logger()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "đã đăng ký 2.000.000 ₫, đã nhận 1.000.000 ₫") {
		t.Errorf("danvan export --annual printed:\n%s", out.String())
	}
	for _, bad := range [][]string{
		{"export", "--format", "pdf"}, {"export", "--format", "csv"}, {"export", "--year", "99"},
		{"export", "--annual"}, {"export", "--campaign", "KHONGCO", "--out", filepath.Join(dir, "x.xlsx")}, {"export", "extra"},
	} {
		if err := run(ctx, bad, w.getenv, &out, w.logger()); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
