package flows

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/export"
)

// Exports: cadres, treasurers and admins get the figures they report
// upward as files in the chat: a workbook and the same tables as CSV for a
// campaign, a unit or an area, and the annual report of an area. Files with
// pledgers' names go only to staff of the units whose campaigns they hold;
// the annual report, which names no one, to staff of units of the area.

// exportStore is what exports need from storage.
type exportStore interface {
	ExportData(ctx context.Context, scope danvan.ExportScope, today time.Time) (danvan.ExportData, error)
}

// maxExportFile bounds a file sent in the chat; a larger export is for
// `danvan export`, which writes it to disk. Telegram takes 50 MB from bots,
// and every byte also sits in the outbox until sent.
const maxExportFile = 20 << 20

func exportsConversation(c *conversation) {
	c.commands(
		&command{names: []string{"export", "xuat"}, private: (*turn).exportCommand},
		&command{names: []string{"annual", "baocaonam"}, private: (*turn).annualCommand},
	)
}

// exporter reports whether the person may ask for exports at all: a cadre,
// a treasurer or an admin.
func (tr *turn) exporter() (danvan.Grants, bool, error) {
	gs, err := tr.grants()
	if err != nil {
		return nil, false, err
	}
	if !gs.Admin() && len(gs.Units(danvan.RoleCadre)) == 0 && len(gs.Units(danvan.RoleTreasurer)) == 0 {
		tr.say(t(tr.lang, msgExNoRole))
		return gs, false, nil
	}
	return gs, true, nil
}

// staffUnits are the units the person is cadre or treasurer of.
func staffUnits(gs danvan.Grants) []int64 {
	return append(gs.Units(danvan.RoleCadre), gs.Units(danvan.RoleTreasurer)...)
}

// exportArgs reads "[CODE] [YEAR]" in either order.
func (tr *turn) exportArgs(args string, usage msg) (code string, year int, ok bool) {
	for _, w := range strings.Fields(args) {
		if n, err := strconv.Atoi(w); err == nil && len(w) == 4 {
			if n < 2000 || n > 2100 || year != 0 {
				tr.say(t(tr.lang, usage))
				return "", 0, false
			}
			year = n
			continue
		}
		if code != "" || len(w) > 16 {
			tr.say(t(tr.lang, usage))
			return "", 0, false
		}
		code = w
	}
	return code, year, true
}

// exportCommand is /export [CODE] [YEAR]: CODE names a campaign, a unit or
// an area, tried in that order; without it, the person's own unit.
func (tr *turn) exportCommand(args string) error {
	gs, ok, err := tr.exporter()
	if err != nil || !ok {
		return err
	}
	code, year, ok := tr.exportArgs(args, msgExUsage)
	if !ok {
		return nil
	}
	if code == "" && !gs.Admin() {
		u, err := tr.st.ScopeUnit(tr.ctx, staffUnits(gs)[0])
		if err != nil {
			return err
		}
		code = u.Code
	}
	d, found, err := tr.exportData(code, year)
	if err != nil {
		return err
	}
	if !found {
		tr.say(t(tr.lang, msgExUnknown, esc(code)) + t(tr.lang, msgExUsage))
		return nil
	}
	if !gs.Admin() {
		for _, c := range d.Campaigns {
			if !gs.CadreOf(c.UnitID) && !gs.TreasurerOf(c.UnitID) {
				tr.say(t(tr.lang, msgExOutside, esc(c.Code)))
				return nil
			}
		}
	}
	if len(d.Campaigns) == 0 {
		tr.say(t(tr.lang, msgExEmpty))
		return nil
	}
	name := "danvan"
	if code != "" {
		name += "-" + strings.ToUpper(code)
	}
	if year != 0 {
		name += "-" + strconv.Itoa(year)
	}
	var book, zip bytes.Buffer
	if err := export.WriteXLSX(&book, d, tr.lang); err != nil {
		return fmt.Errorf("flows: export %s: %w", name, err)
	}
	if err := export.WriteCSVZip(&zip, d, tr.lang); err != nil {
		return fmt.Errorf("flows: export %s: %w", name, err)
	}
	if book.Len() > maxExportFile {
		tr.say(t(tr.lang, msgExTooLarge, megabytes(int64(book.Len()))))
		return nil
	}
	caption := t(tr.lang, msgExCaption, len(d.Campaigns), len(d.Pledges), len(d.Receipts), d.Today.Format("02/01/2006"))
	tr.sendFile(name+".xlsx", book.Bytes(), caption)
	tr.sendFile(name+"-csv.zip", zip.Bytes(), t(tr.lang, msgExCSVCaption))
	return nil
}

// exportData reads the export of code (a campaign, else a unit, else an
// area; "" for everything) and year; found is false when code names none.
func (tr *turn) exportData(code string, year int) (danvan.ExportData, bool, error) {
	today := tr.today()
	scopes := []danvan.ExportScope{{Year: year}}
	if code != "" {
		scopes = []danvan.ExportScope{{Campaign: code, Year: year}, {Unit: code, Year: year}, {Area: code, Year: year}}
	}
	for _, s := range scopes {
		d, err := tr.st.ExportData(tr.ctx, s, today)
		if errors.Is(err, danvan.ErrNotFound) {
			continue
		}
		return d, err == nil, err
	}
	return danvan.ExportData{}, false, nil
}

func (tr *turn) sendFile(name string, data []byte, caption string) {
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutDocument, ChatID: tr.ev.ChatID,
		FileName: name, Document: data, Text: caption})
}

// annualCommand is /annual [AREA] [YEAR]: the figures a ward reports
// upward for a year, as a message and a workbook. Without AREA, the area
// of the person's unit; without YEAR, this year.
func (tr *turn) annualCommand(args string) error {
	gs, ok, err := tr.exporter()
	if err != nil || !ok {
		return err
	}
	code, year, ok := tr.exportArgs(args, msgAnUsage)
	if !ok {
		return nil
	}
	if year == 0 {
		year = tr.today().Year()
	}
	var area danvan.Area
	var home danvan.Area // the area of the person's first unit
	if units := staffUnits(gs); len(units) > 0 {
		u, err := tr.st.ScopeUnit(tr.ctx, units[0])
		if err != nil {
			return err
		}
		if home, err = tr.st.Area(tr.ctx, u.AreaID); err != nil {
			return err
		}
	}
	switch {
	case code != "":
		area, err = tr.st.AreaByCode(tr.ctx, code)
		if errors.Is(err, danvan.ErrNotFound) {
			tr.say(t(tr.lang, msgAnUnknownArea, esc(code)) + t(tr.lang, msgAnUsage))
			return nil
		}
		if err != nil {
			return err
		}
	case home.ID != 0:
		area = home
	default:
		tr.say(t(tr.lang, msgAnUsage))
		return nil
	}
	d, err := tr.st.ExportData(tr.ctx, danvan.ExportScope{Area: area.Code, Year: year}, tr.today())
	if err != nil {
		return err
	}
	if !gs.Admin() && !tr.reportsFor(gs, d, area) {
		tr.say(t(tr.lang, msgAnOutside, esc(area.Name)))
		return nil
	}
	r := export.Annual(d, area, year, tr.e.loc)
	var book bytes.Buffer
	if err := export.WriteAnnualXLSX(&book, r, tr.lang); err != nil {
		return fmt.Errorf("flows: annual report %s %d: %w", area.Code, year, err)
	}
	tr.say(export.AnnualText(r, tr.lang))
	tr.sendFile(fmt.Sprintf("bao-cao-nam-%d-%s.xlsx", year, area.Code), book.Bytes(), t(tr.lang, msgAnCaption, year, esc(area.Name)))
	return nil
}

// reportsFor reports whether a cadre or treasurer may have an area's annual
// report: one of their units sits in the area or above it (a ward's Front
// reports its ward and its zones).
func (tr *turn) reportsFor(gs danvan.Grants, d danvan.ExportData, area danvan.Area) bool {
	tree := danvan.NewAreaTree(d.Areas)
	for _, id := range staffUnits(gs) {
		u, err := tr.st.ScopeUnit(tr.ctx, id)
		if err != nil {
			continue
		}
		if tree.Within(area.ID, u.AreaID) {
			return true
		}
	}
	return false
}

var (
	msgExNoRole = msg{
		"Chỉ cán bộ, thủ quỹ hoặc quản trị viên xuất được số liệu.",
		"Only cadres, treasurers and admins can export figures.",
	}
	msgExUsage = msg{
		"\nCách dùng: <code>/xuat</code> (đơn vị của bạn), <code>/xuat DIEUHOA</code> (một chiến dịch), <code>/xuat MTTQ-YG 2026</code> (một đơn vị, một năm) hoặc <code>/xuat YG</code> (một địa bàn).",
		"\nUsage: <code>/export</code> (your unit), <code>/export DIEUHOA</code> (a campaign), <code>/export MTTQ-YG 2026</code> (a unit, a year) or <code>/export YG</code> (an area).",
	}
	msgExUnknown = msg{
		"Không có chiến dịch, đơn vị hay địa bàn nào mã <b>%s</b>.",
		"No campaign, unit or area has the code <b>%s</b>.",
	}
	msgExOutside = msg{
		"Số liệu này có chiến dịch %s của đơn vị khác; bạn chỉ xuất được chiến dịch của đơn vị mình.",
		"These figures include campaign %s of another unit; you can export your own unit's campaigns only.",
	}
	msgExEmpty    = msg{"Không có chiến dịch nào trong phạm vi này.", "No campaign in that scope."}
	msgExTooLarge = msg{
		"Tệp xuất quá lớn để gửi qua chat (%s MB). Hãy xuất theo từng chiến dịch hoặc từng năm, hoặc nhờ quản trị viên chạy <code>danvan export</code>.",
		"The export is too large to send in the chat (%s MB). Export one campaign or one year at a time, or ask an admin to run <code>danvan export</code>.",
	}
	msgExCaption = msg{
		"📊 %d chiến dịch, %d khoản ủng hộ, %d lượt thu — số liệu đến ngày %s.",
		"📊 Campaigns: %d, pledges: %d, receipts: %d — figures as of %s.",
	}
	msgExCSVCaption = msg{"Các bảng trên dạng CSV (UTF-8).", "The same tables as CSV (UTF-8)."}
	msgAnUsage      = msg{
		"\nCách dùng: <code>/baocaonam</code> (địa bàn của đơn vị bạn, năm nay) hoặc <code>/baocaonam YG 2026</code>.",
		"\nUsage: <code>/annual</code> (your unit's area, this year) or <code>/annual YG 2026</code>.",
	}
	msgAnUnknownArea = msg{"Không có địa bàn nào mã <b>%s</b>.", "No area has the code <b>%s</b>."}
	msgAnOutside     = msg{
		"Bạn chỉ lấy được báo cáo năm của địa bàn đơn vị mình phụ trách, không phải %s.",
		"You can have the annual report of your own unit's area only, not %s.",
	}
	msgAnCaption = msg{"📑 Báo cáo năm %d — %s", "📑 Annual report %d — %s"}
)
