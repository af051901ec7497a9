package danvan

import (
	"errors"
	"time"
)

// Area is a place in the administrative tree: a ward or commune, or one of
// its zones (khu, thôn).
type Area struct {
	ID       int64
	Code     string // short ASCII, e.g. "YG", "YG-K1"
	Name     string
	ParentID int64 // 0 for a top-level area
}

// Unit is an organisation that runs campaigns (the ward's Fatherland Front,
// Women's Union…).
type Unit struct {
	ID     int64
	Code   string
	Name   string
	AreaID int64
}

// Person is someone the bot knows: someone who wrote to it on one channel
// or more, or a household without a phone recorded by a head.
type Person struct {
	ID int64
	// ChatID is the private chat the bot writes to them in on its own (a
	// thank-you, a reminder): the one they last wrote from; 0 for a
	// household without a phone.
	ChatID     int64
	Name       string
	Lang       string // "vi" or "en"
	HomeAreaID int64  // 0 until the person chose a zone
}

// Role is what a person may do, within a scope.
type Role string

const (
	RoleResident  Role = "resident"
	RoleHead      Role = "head"      // scope: a zone
	RoleTreasurer Role = "treasurer" // scope: a unit
	RoleCadre     Role = "cadre"     // scope: a unit
	RoleAdmin     Role = "admin"     // scope: everything
)

// Valid reports whether r is a role that can be granted.
func (r Role) Valid() bool {
	switch r {
	case RoleHead, RoleTreasurer, RoleCadre, RoleAdmin:
		return true
	}
	return false
}

// Grant is one role a person holds, with its scope.
type Grant struct {
	Role   Role
	AreaID int64 // for heads
	UnitID int64 // for treasurers and cadres
}

// CampaignStatus is where a campaign is in its life.
type CampaignStatus string

const (
	CampaignDraft  CampaignStatus = "draft"
	CampaignActive CampaignStatus = "active"
	CampaignClosed CampaignStatus = "closed"
)

// BankAccount is where transfers for a campaign go (NAPAS bank BIN).
type BankAccount struct {
	BIN     string
	Account string
	Name    string
}

// Campaign is a "model" (mô hình) a unit runs, with one or more targets.
type Campaign struct {
	ID          int64
	Code        string // ASCII, 2–16 chars, e.g. "DIEUHOA"
	Title       string
	Description string
	UnitID      int64
	AreaIDs     []int64 // zones covered
	Starts      time.Time
	Ends        time.Time // zero when open-ended
	Status      CampaignStatus
	Bank        *BankAccount
	HonourBoard bool
	// DueDays is how long a pledge made without a date has to be paid;
	// 0: until the campaign ends.
	DueDays int
	Targets []Target
}

// Target is one goal of a campaign.
type Target struct {
	ID         int64
	CampaignID int64
	Position   int
	Kind       Kind
	Label      string // the item for goods ("điều hòa"), the name for measures ("sân lát")
	Unit       string // the unit label of a measure ("m²", "hộ")
	Goal       Quantity
}

// PledgeStatus follows what has been received against a pledge.
type PledgeStatus string

const (
	PledgePledged   PledgeStatus = "pledged"
	PledgePartial   PledgeStatus = "partial"
	PledgeFulfilled PledgeStatus = "fulfilled"
	PledgeCancelled PledgeStatus = "cancelled"
	PledgeOverdue   PledgeStatus = "overdue"
)

// Pledge is a promise to give towards one target.
type Pledge struct {
	ID         int64
	Code       string // 4–8 uppercase letters or digits, shown as #CODE
	PersonID   int64
	CampaignID int64
	TargetID   int64
	Quantity   Quantity
	Received   Quantity // sum of the receipts against it
	Due        time.Time
	PublicName bool
	Cancelled  bool
	RecordedBy int64 // a head who recorded it for a household; 0 for self
	CreatedAt  time.Time
}

// Status derives the pledge's status from what was received and the date
// today in the ward's time zone.
func (p Pledge) Status(today time.Time) PledgeStatus {
	switch {
	case p.Cancelled:
		return PledgeCancelled
	case p.Received >= p.Quantity:
		return PledgeFulfilled
	case !p.Due.IsZero() && dateOf(today).After(dateOf(p.Due)):
		return PledgeOverdue
	case p.Received > 0:
		return PledgePartial
	}
	return PledgePledged
}

func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Progress is a campaign target's totals.
type Progress struct {
	Target   Target
	Pledged  Quantity // open and fulfilled pledges, cancelled ones excluded
	Received Quantity
	Pledges  int
}

// Percent is received over goal, in whole percent, rounded down; 0 without a goal.
func (p Progress) Percent() int64 {
	if p.Target.Goal <= 0 {
		return 0
	}
	return int64(p.Received) * 100 / int64(p.Target.Goal)
}

// ErrNotFound is what the store returns for a row that does not exist, so
// that the chat layer can tell "no such code" from a failure.
var ErrNotFound = errors.New("not found")

// PledgeLine is a pledge with what it is for, as listed to its pledger.
type PledgeLine struct {
	Pledge        Pledge
	CampaignCode  string
	CampaignTitle string
	Target        Target
}

// OpenOn reports whether the campaign takes pledges on the given day: it is
// active and has not ended.
func (c Campaign) OpenOn(today time.Time) bool {
	if c.Status != CampaignActive {
		return false
	}
	return c.Ends.IsZero() || !dateOf(today).After(dateOf(c.Ends))
}

// ReceiptMethod is how something was received.
type ReceiptMethod string

const (
	MethodCash     ReceiptMethod = "cash"
	MethodTransfer ReceiptMethod = "transfer"
	MethodInKind   ReceiptMethod = "in_kind"
	MethodLabour   ReceiptMethod = "labour" // labour done
)

// DefaultMethod is how a target's kind is usually received.
func DefaultMethod(k Kind) ReceiptMethod {
	switch k {
	case KindMoney:
		return MethodCash
	case KindLabour:
		return MethodLabour
	}
	return MethodInKind
}

// Receipt is an entry of the append-only ledger of what was received:
// against a pledge, or a gift without one. A correction is a new entry with
// the opposite quantity that names the entry it reverses.
type Receipt struct {
	ID          int64
	PledgeID    int64 // 0 for a direct gift
	CampaignID  int64
	TargetID    int64
	Quantity    Quantity // negative for a reversal
	Method      ReceiptMethod
	RecordedBy  int64
	RecordedAt  time.Time
	PhotoFileID string
	ReversesID  int64
	Reason      string
	DonorName   string // for a direct gift
}

// AuditEntry is one change in the audit trail: who, when, what before and
// after (as JSON objects, absent for a creation or a removal).
type AuditEntry struct {
	ID         int64
	At         time.Time
	ActorID    int64
	ActorName  string
	Entity     string // pledge, receipt, campaign, progress, role, claim, invitation
	EntityID   int64
	CampaignID int64
	Action     string // e.g. created, changed, cancelled, reversed
	Before     []byte
	After      []byte
}

// ProgressReport is a value reported on a measure or percent target: the
// new total, a note, an optional photo, who and when.
type ProgressReport struct {
	ID           int64
	TargetID     int64
	CampaignID   int64
	Value        Quantity // the new total, in the target kind's stored unit
	Note         string
	PhotoFileID  string
	ReportedBy   int64
	ReporterName string
	ReportedAt   time.Time
}
