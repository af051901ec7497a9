package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/vietqr"
	"github.com/xuri/excelize/v2"
)

// expectEdit waits until the bot's message id in the chat reads want.
func (r *resident) expectEdit(id int64, want string) localapi.Message {
	r.w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := r.w.api.WaitFor(ctx, r.user.ID, func(m localapi.Message) bool {
		return m.ID == id && strings.Contains(m.PlainText, want)
	})
	if err != nil {
		r.w.t.Fatalf("%s: message %d never read %q", r.user.FirstName, id, want)
	}
	return m
}

// pledgeWithCode pledges as a new resident and gives the pledge the code a
// committed statement's memos name (codes are random otherwise).
func (w *world) pledgeWithCode(id int64, name, pledge, code string) *resident {
	w.t.Helper()
	r, got := w.rcPledger(id, name, "YG-K1", pledge)
	if n := w.query(`WITH u AS (UPDATE pledges SET code = $1 WHERE code = $2 RETURNING 1) SELECT count(*) FROM u`, code, got); n != 1 {
		w.t.Fatalf("recoding pledge %s as %s changed %d rows", got, code, n)
	}
	return r
}

// The treasurer sends the Vietcombank statement of DIEUHOA's account: the
// matched transfer is recorded on confirmation and its pledger thanked,
// the others are asked about one by one (a different amount, no code, two
// codes) and each is settled by a button; the same statement sent again
// changes nothing, and neither do old buttons, other people, or bad files.
func TestReconcileStatementInChat(t *testing.T) {
	w := newWorld(t)
	lan := w.pledgeWithCode(300001, "Lan", "/ungho DIEUHOA 500k", "K7Q2")
	w.pledgeWithCode(300002, "Tuấn", "/ungho DIEUHOA 1tr", "M4XP")
	w.pledgeWithCode(300003, "Mai", "/ungho THIETBI 300k", "H8RT")
	hoa := w.rcStaff(100001, "Hoa")
	file, err := os.ReadFile("testdata/saoke-vietcombank.csv")
	if err != nil {
		t.Fatal(err)
	}

	w.api.SendDocument(hoa.user, "saoke-vietcombank.csv", file, "")
	report := hoa.expect("Sao kê Vietcombank")
	for _, m := range w.api.BotMessages(hoa.user.ID) {
		if strings.Contains(m.PlainText, "không phải tài khoản") {
			t.Error("the statement of DIEUHOA's own account was taken for another account's")
		}
	}
	for _, want := range []string{
		"(saoke-vietcombank.csv): 6 giao dịch",
		"Khớp mã khoản ủng hộ: 1 khoản, 500.000 ₫",
		"Số tiền khác số đã đăng ký: 1 khoản, 600.000 ₫",
		"Không có mã khoản ủng hộ: 2 khoản, 300.000 ₫",
		"Có nhiều mã khoản ủng hộ: 1 khoản, 300.000 ₫",
		"Tiền chuyển đi (bỏ qua): 1 khoản, 15.000 ₫",
		"1 dòng không đọc được", "dòng 12: dòng hỏng",
		"Chưa ghi nhận gì",
	} {
		if !strings.Contains(report.PlainText, want) {
			t.Errorf("the report lacks %q:\n%s", want, report.PlainText)
		}
	}
	differs := hoa.expect("Dòng 8")
	unmatched := hoa.expect("Dòng 9")
	ambiguous := hoa.expect("Dòng 10")
	unmatched2 := hoa.expect("Dòng 13")
	if !strings.Contains(differs.PlainText, "Mã #M4XP (DIEUHOA): đăng ký 1.000.000 ₫, đã nhận 0 ₫, còn 1.000.000 ₫") ||
		!strings.Contains(ambiguous.PlainText, "#H8RT, #K7Q2") {
		t.Errorf("line messages:\n%s\n%s", differs.PlainText, ambiguous.PlainText)
	}
	if n := w.query(`SELECT count(*) FROM receipts`); n != 0 {
		t.Fatalf("%d receipts before the treasurer confirmed", n)
	}

	// Another unit's treasurer cannot act on Hoa's statement, even with
	// its button's data forged into her own chat.
	mai := w.rcStaff(100005, "Mai")
	help := w.api.BotMessages(mai.user.ID)
	w.api.PressButton(mai.user, mai.user.ID, help[len(help)-1].ID, report.Buttons[0][0].Data)
	mai.expect("Sao kê này do thủ quỹ khác gửi")

	hoa.press(report, "Ghi nhận 1 khoản khớp")
	hoa.expectEdit(report.ID, "đã ghi nhận 1 khoản chuyển khoản, tổng 500.000 ₫")
	lan.expect("Đã nhận 500.000 ₫ cho khoản #K7Q2")

	hoa.press(differs, "Ghi nhận 600.000 ₫ cho #M4XP")
	hoa.expectEdit(differs.ID, "Đã ghi nhận 600.000 ₫ cho #M4XP (chuyển khoản)")

	hoa.press(unmatched, "Ghi là ủng hộ trực tiếp")
	hoa.press(hoa.expect("là ủng hộ trực tiếp cho chiến dịch nào"), "DIEUHOA")
	hoa.expect("Đã ghi nhận 200.000 ₫")

	hoa.press(ambiguous, "Gán cho một khoản ủng hộ")
	hoa.expect("Gõ mã")
	hoa.send("KHONG0")
	hoa.expect("Gõ mã khoản ủng hộ")
	hoa.send("#h8rt")
	hoa.expect("Đã ghi nhận 300.000 ₫ cho #H8RT (chuyển khoản)")

	hoa.press(unmatched2, "Bỏ qua")
	hoa.expectEdit(unmatched2.ID, "Đã bỏ qua giao dịch này")

	check := func(when string) {
		t.Helper()
		if n := w.query(`SELECT count(*) FROM receipts WHERE method = 'transfer'`); n != 4 {
			t.Errorf("%s: %d transfer receipts, want 4", when, n)
		}
		// 500k (K7Q2) + 600k (M4XP) + 200k (gift) on DIEUHOA, 300k on THIETBI.
		if n := w.query(`SELECT sum(r.quantity) FROM receipts r JOIN campaigns c ON c.id = r.campaign_id WHERE c.code = 'DIEUHOA'`); n != 1_300_000 {
			t.Errorf("%s: DIEUHOA received %d, want 1300000", when, n)
		}
		if n := w.query(`SELECT count(*) FROM bank_transactions`); n != 5 {
			t.Errorf("%s: %d bank transactions handled, want 5", when, n)
		}
	}
	check("after handling every line")

	// The same statement again: everything was handled.
	w.api.SendDocument(hoa.user, "saoke-vietcombank.csv", file, "")
	again := hoa.expect("Sao kê Vietcombank")
	if !strings.Contains(again.PlainText, "Đã xử lý trước đây: 5 khoản, 1.700.000 ₫") || len(again.Buttons) != 0 ||
		strings.Contains(again.PlainText, "Khớp mã") {
		t.Errorf("the statement sent again:\n%s (buttons %v)", again.PlainText, again.Buttons)
	}
	// Old buttons: the confirmation and a line's.
	hoa.press(report, "Ghi nhận 1 khoản khớp")
	hoa.expect("đã được ghi nhận rồi")
	w.api.PressButton(hoa.user, differs.ChatID, differs.ID, "0:sd:"+strings.Split(differs.Buttons[0][0].Data, ":")[2])
	hoa.expect("Giao dịch ở dòng 8 đã được xử lý rồi")
	check("after the statement and the buttons again")

	// A resident's file, and files that are no statement.
	w.api.SendDocument(lan.user, "saoke.csv", file, "")
	lan.expect("Tôi chỉ đọc tệp sao kê ngân hàng do thủ quỹ gửi")
	w.api.SendDocument(hoa.user, "saoke.xlsx", []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00"+strings.Repeat("x", 200)), "")
	hoa.expect("Tôi không đọc được tệp này như một sao kê")
	w.api.SendDocument(hoa.user, "saoke.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), "")
	hoa.expect("Đây là tệp Excel đời cũ (.xls)")
	// The same statement downloaded as a workbook: every transfer in it
	// was handled already.
	w.api.SendDocument(hoa.user, "saoke.xlsx", workbookOf(t, file), "")
	if book := hoa.expect("Sao kê Vietcombank (saoke.xlsx): 6 giao dịch"); !strings.Contains(book.PlainText, "Đã xử lý trước đây: 5 khoản, 1.700.000 ₫") || len(book.Buttons) != 0 {
		t.Errorf("the statement as a workbook:\n%s", book.PlainText)
	}
	w.api.SendDocument(hoa.user, "list.csv", []byte("Họ tên,Số điện thoại\nAn,0912345678\n"), "")
	hoa.expect("Tôi không nhận ra mẫu sao kê này")
	w.api.SendDocument(hoa.user, "big.csv", bytes.Repeat([]byte("1,2,3\n"), 50<<20/6), "")
	hoa.expect("Tệp quá lớn (50.0 MB)")
	// A transfer in dollars and a payment out: listed, nothing to record.
	w.api.SendDocument(hoa.user, "usd.csv", []byte("Ngày,Mã giao dịch,Nội dung,Số tiền,Loại tiền\n"+
		"2026-11-25,GD003,JOHN SMITH donation M4XP,100.00,USD\n2026-11-26,GD004,Mua nuoc uong,-200.000,VND\n"), "")
	usd := hoa.expect("Sao kê ngân hàng (usd.csv): 1 giao dịch")
	// A statement naming an account no campaign of the unit has is read,
	// with a warning.
	w.api.SendDocument(hoa.user, "khac.csv", []byte("Số tài khoản: 999988887777\nNgày,Nội dung,Số tiền\n2026-11-25,UNG HO,100000\n"), "")
	hoa.expect("Sao kê này của tài khoản 999988887777, không phải tài khoản của chiến dịch nào")
	if !strings.Contains(usd.PlainText, "dòng 2: ngoại tệ, không ghi nhận") || !strings.Contains(usd.PlainText, "Tiền chuyển đi (bỏ qua): 1 khoản, 200.000 ₫") ||
		len(usd.Buttons) != 0 {
		t.Errorf("a statement with dollars:\n%s", usd.PlainText)
	}
	if n := w.query(`SELECT count(*) FROM statements`); n != 5 {
		t.Errorf("%d statements kept, want 5 (bad files keep nothing)", n)
	}
	check("after the bad files")
}

// `danvan reconcile --apply` reads a BIDV statement as the treasurer: the
// transfer matching what is open is recorded; a second transfer for a
// pledge already paid is left for the treasurer to decide, in the chat.
func TestReconcileCommand(t *testing.T) {
	w := newWorld(t)
	w.pledgeWithCode(300002, "Tuấn", "/ungho DIEUHOA 400k", "M4XP")
	lan := w.pledgeWithCode(300001, "Lan", "/ungho DIEUHOA 500k", "K7Q2")
	hoa := w.rcStaff(100001, "Hoa")
	hoa.send("/xacnhan K7Q2")
	hoa.expect("Đã ghi nhận 500.000 ₫ cho khoản #K7Q2")
	lan.expect("Đã nhận 500.000 ₫")

	var out bytes.Buffer
	args := []string{"reconcile", "--as", "100001", "--apply", "testdata/saoke-bidv.csv"}
	if err := run(context.Background(), args, w.getenv, &out, w.logger()); err != nil {
		t.Fatalf("reconcile: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"Sao kê BIDV (saoke-bidv.csv): 2 giao dịch",
		"Khớp mã khoản ủng hộ: 1 khoản, 400.000 ₫",
		"Số tiền khác số đã đăng ký: 1 khoản, 500.000 ₫",
		"Mã #K7Q2 (DIEUHOA): đăng ký 500.000 ₫, đã nhận 500.000 ₫, còn 0 ₫",
		"đã ghi nhận 1 khoản chuyển khoản, tổng 400.000 ₫",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("reconcile printed no %q:\n%s", want, out.String())
		}
	}
	if n := w.query(`SELECT received FROM pledges WHERE code = 'M4XP'`); n != 400_000 {
		t.Errorf("M4XP received %d, want 400000", n)
	}
	if n := w.query(`SELECT received FROM pledges WHERE code = 'K7Q2'`); n != 500_000 {
		t.Errorf("K7Q2 received %d, want 500000 (the second transfer waits for the treasurer)", n)
	}
	// The report reaches the treasurer's chat with its buttons.
	line := hoa.expect("Dòng 6")
	hoa.press(line, "Bỏ qua")
	hoa.expectEdit(line.ID, "Đã bỏ qua giao dịch này")

	// Bad arguments say what is wrong.
	for _, bad := range [][]string{{"reconcile"}, {"reconcile", "--as", "x", "f.csv"}, {"reconcile", "a.csv", "b.csv"}} {
		if err := run(context.Background(), bad, w.getenv, &out, w.logger()); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// photo waits for the next bot picture in the resident's chat whose
// caption contains want.
func (r *resident) photo(want string) localapi.Message {
	r.w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	after := r.seen
	m, err := r.w.api.WaitFor(ctx, r.user.ID, func(m localapi.Message) bool {
		return m.Kind == "photo" && strings.Contains(m.PlainCaption, want) && m.ID > 0 && r.index(m) >= after
	})
	if err != nil {
		r.w.t.Fatalf("%s: no picture captioned %q", r.user.FirstName, want)
	}
	r.seen = r.index(m) + 1
	return m
}

// index is the place of a bot message in the chat, as expect counts.
func (r *resident) index(m localapi.Message) int {
	for i, b := range r.w.api.BotMessages(r.user.ID) {
		if b.ID == m.ID {
			return i
		}
	}
	return -1
}

// A money pledge to a campaign with a bank account is answered with the
// VietQR code of exactly that transfer; /mypledges offers the code again
// for what is still open; a campaign without an account gives none, and
// nobody gets another person's code.
func TestVietQROnPledges(t *testing.T) {
	w := newWorld(t)
	lan, code := w.rcPledger(300001, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	bank := danvan.BankAccount{BIN: "970436", Account: "0011001234567"}
	want, _, err := vietqr.ForPledge(bank, "DIEUHOA", code, 500_000)
	if err != nil {
		t.Fatal(err)
	}
	qr := lan.photo("Quét mã VietQR")
	if !bytes.Equal(qr.Photo, want) || !strings.Contains(qr.PlainCaption, "DIEUHOA "+code) {
		t.Errorf("the pledge's code is not the transfer of 500.000 ₫ with memo DIEUHOA %s: %q", code, qr.PlainCaption)
	}
	lan.send("/ungho SANNHA 300k") // no bank account
	lan.expect("Đã ghi nhận khoản ủng hộ #")

	hoa := w.rcStaff(100001, "Hoa")
	hoa.send("/xacnhan " + code + " 200k")
	hoa.expect("Đã ghi nhận 200.000 ₫")
	lan.send("/cuatoi")
	list := lan.expect("Các khoản ủng hộ của bạn")
	if len(list.Buttons) != 1 || len(list.Buttons[0]) != 1 {
		t.Fatalf("buttons under /cuatoi: %v, want one code (DIEUHOA only)", list.Buttons)
	}
	lan.press(list, "Mã QR #"+code)
	again := lan.photo("chuyển 300.000 ₫")
	if want, _, _ := vietqr.ForPledge(bank, "DIEUHOA", code, 300_000); !bytes.Equal(again.Photo, want) {
		t.Error("the code under /cuatoi is not for the 300.000 ₫ still open")
	}

	// Another resident forging the button gets nothing.
	minh := w.resident(300002, "Minh", "vi")
	minh.send("/start z_YG-K3")
	start := minh.expect("Đã lưu")
	_, press := w.api.PressButton(minh.user, minh.user.ID, start.ID, list.Buttons[0][0].Data)
	waitAnswer(t, w.api, press, "Nút này đã cũ")
	minh.send("/chiendich") // its reply comes after anything the press sent
	minh.expect("Lắp điều hòa")
	for _, m := range w.api.BotMessages(minh.user.ID) {
		if m.Kind == "photo" {
			t.Error("a forged press sent someone else's transfer code")
		}
	}
}

// A bank whose export the built-in layouts do not know is described in the
// file DANVAN_STATEMENT_LAYOUTS names, and its statements reconcile; a
// layouts file with a mistake stops danvan with the file and the line.
func TestStatementLayoutsFromConfig(t *testing.T) {
	w := newWorld(t)
	w.pledgeWithCode(300002, "Tuấn", "/ungho DIEUHOA 400k", "M4XP")
	w.rcStaff(100001, "Hoa")
	dir := t.TempDir()
	layouts := filepath.Join(dir, "layouts.yaml")
	if err := os.WriteFile(layouts, []byte(`layouts:
  - name: quytindung
    bank: Quỹ tín dụng Yên Giang
    columns:
      date: [Ngày]
      credit: [Tiền vào]
      memo: [Ghi chú]
    date_formats: [DD.MM.YYYY]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "qtd.csv")
	if err := os.WriteFile(file, []byte("Ngày;Tiền vào;Ghi chú\n25.11.2026;400.000;TUAN DIEUHOA M4XP\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "DANVAN_STATEMENT_LAYOUTS" {
			return layouts
		}
		return w.getenv(k)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"reconcile", "--as", "100001", "--apply", file}, getenv, &out, w.logger()); err != nil {
		t.Fatalf("reconcile: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "Sao kê Quỹ tín dụng Yên Giang (qtd.csv): 1 giao dịch") ||
		!strings.Contains(out.String(), "đã ghi nhận 1 khoản chuyển khoản, tổng 400.000 ₫") {
		t.Errorf("reconcile with a configured layout printed:\n%s", out.String())
	}
	if n := w.query(`SELECT received FROM pledges WHERE code = 'M4XP'`); n != 400_000 {
		t.Errorf("M4XP received %d, want 400000", n)
	}

	if err := os.WriteFile(layouts, []byte("layouts:\n  - name: x\n    colums: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run(context.Background(), []string{"reconcile", "--as", "100001", file}, getenv, &out, w.logger())
	if err == nil || !strings.Contains(err.Error(), layouts) || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("a bad layouts file: %v", err)
	}
}

// workbookOf writes a CSV statement's cells into a workbook, as a bank's
// "export to Excel" would (text cells).
func workbookOf(t *testing.T, csvData []byte) []byte {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(csvData))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = v
		}
		if err := f.SetSheetRow(f.GetSheetName(0), cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
