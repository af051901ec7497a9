// Package export writes the figures a cadre or treasurer hands the
// committee: the campaigns, targets, pledges and receipts of a scope as one
// XLSX workbook or as CSV files (one per table, or the four in a zip), and
// the annual report of an area, as a workbook and as a chat message.
//
// It works on danvan.ExportData, which the store reads; nothing here
// touches the database. The XLSX and CSV writers share one description of
// each table (its columns and how a row fills them), so the two formats
// cannot drift apart.
package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/internal/catalog"
)

// Table is one of the four tables of an export.
type Table int

const (
	TableCampaigns Table = iota + 1
	TableTargets
	TablePledges
	TableReceipts
)

// Tables lists every table in the order of the workbook's sheets.
var Tables = []Table{TableCampaigns, TableTargets, TablePledges, TableReceipts}

var tableNames = map[Table]string{
	TableCampaigns: "campaigns",
	TableTargets:   "targets",
	TablePledges:   "pledges",
	TableReceipts:  "receipts",
}

// String is the table's name on the command line: campaigns, targets,
// pledges, receipts.
func (tb Table) String() string {
	if s, ok := tableNames[tb]; ok {
		return s
	}
	return fmt.Sprintf("Table(%d)", int(tb))
}

// ParseTable reads a table's name as String writes it, ignoring case.
func ParseTable(s string) (Table, error) {
	for _, tb := range Tables {
		if strings.EqualFold(s, tb.String()) {
			return tb, nil
		}
	}
	return 0, fmt.Errorf("export: unknown table %q (want campaigns, targets, pledges or receipts)", s)
}

// FileName is the table's CSV file name (ASCII).
func (tb Table) FileName(lang string) string { return t(lang, layoutOf(tb).file) }

// cellType is what a cell holds, which decides how each format writes it.
type cellType uint8

const (
	cellEmpty    cellType = iota
	cellText              // text
	cellInt               // a count, a number that is not a quantity
	cellQuantity          // n in the stored unit of kind
	cellDate              // a calendar date
	cellMoment            // a date and time, in its location
)

type cell struct {
	typ  cellType
	text string
	n    int64
	kind danvan.Kind
	at   time.Time
}

func text(s string) cell   { return cell{typ: cellText, text: s} }
func integer(n int64) cell { return cell{typ: cellInt, n: n} }
func empty() cell          { return cell{} }

func quantity(k danvan.Kind, q danvan.Quantity) cell {
	return cell{typ: cellQuantity, n: int64(q), kind: k}
}

// date is a calendar date; the zero time is no date.
func date(d time.Time) cell {
	if d.IsZero() {
		return empty()
	}
	return cell{typ: cellDate, at: d}
}

// moment is an instant, written in its location (the ward's: the store
// reads them so); the zero time is none.
func moment(at time.Time) cell {
	if at.IsZero() {
		return empty()
	}
	return cell{typ: cellMoment, at: at}
}

// env is what filling a row needs besides the row.
type env struct {
	lang    string
	targets map[int64]*danvan.ExportTarget
}

func newEnv(d *danvan.ExportData, lang string) *env {
	x := &env{lang: lang, targets: make(map[int64]*danvan.ExportTarget, len(d.Targets))}
	for i := range d.Targets {
		x.targets[d.Targets[i].ID] = &d.Targets[i]
	}
	return x
}

// target is the target with id, or an empty one of kind k for a row whose
// target is not in the data (which the store never produces).
func (x *env) target(id int64, k danvan.Kind) danvan.Target {
	if tg, ok := x.targets[id]; ok {
		return tg.Target
	}
	return danvan.Target{ID: id, Kind: k}
}

// column is one column of a table whose rows are Rs.
type column[R any] struct {
	head  msg
	width float64 // in characters, for the workbook
	value func(x *env, r *R) cell
}

// layout is a table as the writers see it, whatever its row type.
type layout struct {
	sheet, file msg
	heads       []msg
	widths      []float64
	// rows calls emit with each row in turn; the slice is reused between
	// calls, so that a million rows cost no more than one.
	rows func(d *danvan.ExportData, x *env, emit func([]cell) error) error
}

func makeLayout[R any](sheet, file msg, cols []column[R], rows func(d *danvan.ExportData) []R) layout {
	l := layout{sheet: sheet, file: file}
	for _, c := range cols {
		l.heads = append(l.heads, c.head)
		l.widths = append(l.widths, c.width)
	}
	l.rows = func(d *danvan.ExportData, x *env, emit func([]cell) error) error {
		row := make([]cell, len(cols))
		rs := rows(d)
		for i := range rs {
			for j, c := range cols {
				row[j] = c.value(x, &rs[i])
			}
			if err := emit(row); err != nil {
				return err
			}
		}
		return nil
	}
	return l
}

func (l layout) headers(lang string) []string {
	hs := make([]string, len(l.heads))
	for i, h := range l.heads {
		hs[i] = t(lang, h)
	}
	return hs
}

var layouts = map[Table]layout{
	TableCampaigns: makeLayout(msgSheetCampaigns, msgFileCampaigns, campaignColumns,
		func(d *danvan.ExportData) []danvan.ExportCampaign { return d.Campaigns }),
	TableTargets: makeLayout(msgSheetTargets, msgFileTargets, targetColumns,
		func(d *danvan.ExportData) []danvan.ExportTarget { return d.Targets }),
	TablePledges: makeLayout(msgSheetPledges, msgFilePledges, pledgeColumns,
		func(d *danvan.ExportData) []danvan.ExportPledge { return d.Pledges }),
	TableReceipts: makeLayout(msgSheetReceipts, msgFileReceipts, receiptColumns,
		func(d *danvan.ExportData) []danvan.ExportReceipt { return d.Receipts }),
}

func layoutOf(tb Table) layout {
	l, ok := layouts[tb]
	if !ok {
		panic(fmt.Sprintf("export: no layout for %v", tb))
	}
	return l
}

func bank(c *danvan.ExportCampaign) danvan.BankAccount {
	if c.Bank == nil {
		return danvan.BankAccount{}
	}
	return *c.Bank
}

var campaignColumns = []column[danvan.ExportCampaign]{
	{msgColCampaignCode, 14, func(x *env, c *danvan.ExportCampaign) cell { return text(c.Code) }},
	{msgColTitle, 48, func(x *env, c *danvan.ExportCampaign) cell { return text(c.Title) }},
	{msgColUnitCode, 12, func(x *env, c *danvan.ExportCampaign) cell { return text(c.UnitCode) }},
	{msgColUnit, 36, func(x *env, c *danvan.ExportCampaign) cell { return text(c.UnitName) }},
	{msgColZones, 24, func(x *env, c *danvan.ExportCampaign) cell { return text(strings.Join(c.ZoneCodes, ", ")) }},
	{msgColStarts, 12, func(x *env, c *danvan.ExportCampaign) cell { return date(c.Starts) }},
	{msgColEnds, 12, func(x *env, c *danvan.ExportCampaign) cell { return date(c.Ends) }},
	{msgColCampaignStatus, 14, func(x *env, c *danvan.ExportCampaign) cell {
		return text(named(x.lang, campaignStatusMessages, c.Status))
	}},
	{msgColBankBIN, 10, func(x *env, c *danvan.ExportCampaign) cell { return text(bank(c).BIN) }},
	// Account numbers are text: leading zeros are part of them.
	{msgColBankAccount, 18, func(x *env, c *danvan.ExportCampaign) cell { return text(bank(c).Account) }},
	{msgColBankName, 28, func(x *env, c *danvan.ExportCampaign) cell { return text(bank(c).Name) }},
	{msgColHonourBoard, 10, func(x *env, c *danvan.ExportCampaign) cell { return text(yesNo(x.lang, c.HonourBoard)) }},
	{msgColDescription, 60, func(x *env, c *danvan.ExportCampaign) cell { return text(c.Description) }},
}

// pledgeable reports whether the target's totals mean anything: measured
// targets are reported, not pledged, and their zeros would mislead.
func pledgeable(tg *danvan.ExportTarget) bool { return tg.Kind.Pledgeable() }

var targetColumns = []column[danvan.ExportTarget]{
	{msgColCampaignCode, 14, func(x *env, tg *danvan.ExportTarget) cell { return text(tg.CampaignCode) }},
	{msgColPosition, 8, func(x *env, tg *danvan.ExportTarget) cell { return integer(int64(tg.Position)) }},
	{msgColKind, 12, func(x *env, tg *danvan.ExportTarget) cell { return text(kindName(x.lang, tg.Kind)) }},
	{msgColLabel, 28, func(x *env, tg *danvan.ExportTarget) cell { return text(tg.Label) }},
	{msgColUnitLabel, 12, func(x *env, tg *danvan.ExportTarget) cell { return text(unitOf(x.lang, tg.Target)) }},
	{msgColGoal, 16, func(x *env, tg *danvan.ExportTarget) cell { return quantity(tg.Kind, tg.Goal) }},
	{msgColPledged, 16, func(x *env, tg *danvan.ExportTarget) cell {
		if !pledgeable(tg) {
			return empty()
		}
		return quantity(tg.Kind, tg.Pledged)
	}},
	{msgColPledgeCount, 10, func(x *env, tg *danvan.ExportTarget) cell {
		if !pledgeable(tg) {
			return empty()
		}
		return integer(int64(tg.Pledges))
	}},
	{msgColReceived, 16, func(x *env, tg *danvan.ExportTarget) cell {
		if !pledgeable(tg) {
			return empty()
		}
		return quantity(tg.Kind, tg.Received)
	}},
	{msgColPercent, 8, func(x *env, tg *danvan.ExportTarget) cell {
		if !pledgeable(tg) {
			return empty()
		}
		return integer(tg.Percent())
	}},
}

var pledgeColumns = []column[danvan.ExportPledge]{
	{msgColPledgeCode, 10, func(x *env, p *danvan.ExportPledge) cell { return text(p.Code) }},
	{msgColCampaignCode, 14, func(x *env, p *danvan.ExportPledge) cell { return text(p.CampaignCode) }},
	{msgColTarget, 22, func(x *env, p *danvan.ExportPledge) cell {
		return text(targetName(x.lang, x.target(p.TargetID, p.Kind)))
	}},
	{msgColPledger, 28, func(x *env, p *danvan.ExportPledge) cell { return text(p.PledgerName) }},
	{msgColZone, 10, func(x *env, p *danvan.ExportPledge) cell { return text(p.ZoneCode) }},
	{msgColQuantity, 14, func(x *env, p *danvan.ExportPledge) cell { return quantity(p.Kind, p.Quantity) }},
	{msgColReceived, 14, func(x *env, p *danvan.ExportPledge) cell { return quantity(p.Kind, p.Received) }},
	{msgColOutstanding, 14, func(x *env, p *danvan.ExportPledge) cell { return quantity(p.Kind, p.Outstanding()) }},
	{msgColUnitLabel, 12, func(x *env, p *danvan.ExportPledge) cell {
		return text(unitOf(x.lang, x.target(p.TargetID, p.Kind)))
	}},
	{msgColStatus, 16, func(x *env, p *danvan.ExportPledge) cell { return text(catalog.StatusName(x.lang, p.Status)) }},
	{msgColDue, 12, func(x *env, p *danvan.ExportPledge) cell { return date(p.Due) }},
	{msgColPledgedAt, 17, func(x *env, p *danvan.ExportPledge) cell { return moment(p.CreatedAt) }},
	{msgColRecordedFor, 24, func(x *env, p *danvan.ExportPledge) cell { return text(p.RecordedByName) }},
	{msgColPublicName, 10, func(x *env, p *danvan.ExportPledge) cell { return text(yesNo(x.lang, p.PublicName)) }},
	{msgColCancelledAt, 17, func(x *env, p *danvan.ExportPledge) cell { return moment(p.CancelledAt) }},
	{msgColCancelReason, 24, func(x *env, p *danvan.ExportPledge) cell { return text(p.CancelReason) }},
}

var receiptColumns = []column[danvan.ExportReceipt]{
	{msgColReceiptNo, 10, func(x *env, r *danvan.ExportReceipt) cell { return integer(r.ID) }},
	{msgColRecordedAt, 17, func(x *env, r *danvan.ExportReceipt) cell { return moment(r.RecordedAt) }},
	{msgColCampaignCode, 14, func(x *env, r *danvan.ExportReceipt) cell { return text(r.CampaignCode) }},
	{msgColTarget, 22, func(x *env, r *danvan.ExportReceipt) cell {
		return text(targetName(x.lang, x.target(r.TargetID, r.Kind)))
	}},
	{msgColPledgeCode, 10, func(x *env, r *danvan.ExportReceipt) cell { return text(r.PledgeCode) }},
	{msgColGiver, 28, func(x *env, r *danvan.ExportReceipt) cell { return text(r.Giver()) }},
	{msgColQuantity, 14, func(x *env, r *danvan.ExportReceipt) cell { return quantity(r.Kind, r.Quantity) }},
	{msgColUnitLabel, 12, func(x *env, r *danvan.ExportReceipt) cell {
		return text(unitOf(x.lang, x.target(r.TargetID, r.Kind)))
	}},
	{msgColMethod, 14, func(x *env, r *danvan.ExportReceipt) cell { return text(named(x.lang, methodMessages, r.Method)) }},
	{msgColRecordedBy, 24, func(x *env, r *danvan.ExportReceipt) cell { return text(r.RecordedByName) }},
	{msgColReverses, 10, func(x *env, r *danvan.ExportReceipt) cell {
		if r.ReversesID == 0 {
			return empty()
		}
		return integer(r.ReversesID)
	}},
	{msgColReason, 28, func(x *env, r *danvan.ExportReceipt) cell { return text(r.Reason) }},
}
