package danvan

import (
	"strings"
	"time"
)

// ExportScope selects the campaigns an export covers. Every filter given
// must hold (they combine with AND); an empty code or a zero year is no
// filter. Codes are matched ignoring case, like everywhere else.
type ExportScope struct {
	Campaign string // a campaign's code
	Unit     string // a unit's code: the campaigns it runs
	// Area is an area's code: the campaigns of units in that area or below
	// it, and the campaigns covering a zone at or below it. A ward's
	// campaigns are thus in the ward; a campaign covering the whole ward is
	// not "in" one of its zones, since it names no zone.
	Area string
	Year int // a calendar year: the campaigns whose period overlaps it (see ExportCampaign.InYear)
}

// ExportData is everything an export writes, as plain rows, so that the
// writers (CSV, XLSX, the annual report) need no database. Quantities are
// in the stored unit of their target's Kind (Kind.Scale). Timestamps are
// in the location of Today, the ward's time zone; calendar dates (a
// campaign's start and end, a pledge's due date) are midnight UTC of that
// date, as the store reads them.
type ExportData struct {
	Scope ExportScope
	// Today is the day pledge statuses are given as of (overdue depends on
	// it), in the ward's time zone.
	Today time.Time

	// Areas are the areas the rows refer to (units' areas, zones covered,
	// pledgers' zones, the scope's area) and every area above them, by
	// code, so that NewAreaTree can walk up from any of them.
	Areas []Area
	Units []Unit // the units of the campaigns (and the scope's unit), by code

	Campaigns []ExportCampaign // by code
	Targets   []ExportTarget   // by campaign code, then position
	Pledges   []ExportPledge   // by campaign code, target position, then as made
	Receipts  []ExportReceipt  // by campaign code, then in ledger order
}

// ExportCampaign is a campaign with what a reader of an export needs to
// place it without looking anything up.
type ExportCampaign struct {
	Campaign            // with its Targets
	UnitCode   string   // the unit of Campaign.UnitID…
	UnitName   string   // …its name…
	UnitAreaID int64    // …and its area
	ZoneCodes  []string // the codes of Campaign.AreaIDs, in the same order
	CreatedAt  time.Time
}

// InYear reports whether the campaign runs during calendar year y: its
// period from Starts to Ends, both included, overlaps the year. An
// open-ended campaign overlaps every year from its start. A campaign
// without a start date starts on the day it was created (in CreatedAt's
// location), since that is when it could first take pledges.
func (c ExportCampaign) InYear(y int) bool {
	start := c.Starts
	if start.IsZero() {
		start = c.CreatedAt
	}
	if !start.IsZero() && start.Year() > y {
		return false
	}
	return c.Ends.IsZero() || c.Ends.Year() >= y
}

// InArea reports whether the campaign is in area id, as ExportScope.Area
// says: its unit is in the area or below it, or it covers a zone at or
// below it.
func (c ExportCampaign) InArea(tree AreaTree, id int64) bool {
	if tree.Within(c.UnitAreaID, id) {
		return true
	}
	for _, a := range c.AreaIDs {
		if tree.Within(a, id) {
			return true
		}
	}
	return false
}

// ExportTarget is a campaign's target with its totals.
type ExportTarget struct {
	Target
	CampaignCode string
	Pledged      Quantity // pledges not cancelled
	Received     Quantity // the ledger's sum: receipts against pledges, gifts, reversals
	Pledges      int      // how many pledges are not cancelled
}

// Percent is received over goal in whole percent, rounded down, as the
// weekly summary shows it.
func (t ExportTarget) Percent() int64 {
	return Progress{Target: t.Target, Pledged: t.Pledged, Received: t.Received, Pledges: t.Pledges}.Percent()
}

// ExportPledge is a pledge with its pledger and status.
type ExportPledge struct {
	Pledge
	CampaignCode   string
	TargetPosition int
	Kind           Kind   // the target's, which Quantity and Received are in
	PledgerName    string // the person, or the household a head recorded
	ZoneCode       string // the pledger's home zone; "" when none was chosen
	RecordedByName string // the head who recorded it for a household; "" when the pledger did
	Status         PledgeStatus
	CancelledAt    time.Time // zero unless cancelled
	CancelReason   string    // the reason a cadre gave; "" otherwise
}

// ExportReceipt is an entry of the ledger with what it refers to.
type ExportReceipt struct {
	Receipt
	CampaignCode   string
	TargetPosition int
	Kind           Kind   // the target's, which Quantity is in
	PledgeCode     string // "" for a gift without a pledge
	PledgerName    string // who pledged; "" for a gift (see DonorName)
	RecordedByName string
}

// Giver is who the entry came from: the pledger, or the donor of a gift.
func (r ExportReceipt) Giver() string {
	if r.PledgeID != 0 {
		return r.PledgerName
	}
	return r.DonorName
}

// Outstanding is what is still to come on a pledge that is not cancelled;
// never negative (more can be received than pledged).
func (p ExportPledge) Outstanding() Quantity {
	if p.Cancelled || p.Received >= p.Quantity {
		return 0
	}
	return p.Quantity - p.Received
}

// AreaTree knows each area's parent, to tell whether one area lies within
// another.
type AreaTree map[int64]int64

// NewAreaTree indexes areas by id.
func NewAreaTree(areas []Area) AreaTree {
	t := make(AreaTree, len(areas))
	for _, a := range areas {
		t[a.ID] = a.ParentID
	}
	return t
}

// Within reports whether area id is ancestor or lies below it. An area the
// tree does not know is within nothing but itself.
func (t AreaTree) Within(id, ancestor int64) bool {
	// The depth bound guards against a cycle, which the schema does not
	// forbid.
	for depth := 0; id != 0 && depth <= len(t); depth++ {
		if id == ancestor {
			return true
		}
		id = t[id]
	}
	return false
}

// FormatPlain writes q of kind k for machines and spreadsheets: digits, a
// '.' before the decimals when there are any, no grouping and no unit
// ("1500000", "2.5", "-12.3"). Exact: no floating point on the way.
func FormatPlain(k Kind, q Quantity) string {
	// formatNumber groups thousands with the byte it is given; a comma
	// cannot be in what it writes otherwise, so it is taken out again.
	return strings.ReplaceAll(formatNumber(int64(q), exponent(k), ',', '.'), ",", "")
}
