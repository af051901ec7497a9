package flows

import (
	"context"
	"time"

	"github.com/danvan/danvan"
)

// cadreStore is what the cadres' conversations need from storage, beyond
// what residents' need (Store). Each conversation adds its methods in its
// own section.
type cadreStore interface {
	// Receipts, claims, gifts and households.

	// LockPledge reads a pledge by id (or, when id is 0, by code) with its
	// pledger, and locks it until the transaction ends.
	LockPledge(ctx context.Context, id int64, code string) (danvan.Pledge, danvan.Person, error)
	// OpenPledgesFor lists open pledges of people of zones or to campaigns
	// of units (all: every one), newest first, with their pledgers.
	OpenPledgesFor(ctx context.Context, zones, units []int64, all bool, limit int) ([]danvan.PledgeLine, []danvan.Person, error)
	AddReceipt(ctx context.Context, r *danvan.Receipt) error
	ReceiptsOf(ctx context.Context, pledgeID int64) ([]danvan.Receipt, error)
	// Receipt reads a ledger entry and the entry that reversed it (0: none).
	Receipt(ctx context.Context, id int64) (danvan.Receipt, int64, error)
	AddReceiptPhoto(ctx context.Context, receiptID int64, fileID string, by int64) error
	Recorders(ctx context.Context, unitID, zoneID int64) ([]danvan.Person, error)
	CreateClaim(ctx context.Context, pledgeID int64, q danvan.Quantity, by int64) (int64, error)
	PendingClaim(ctx context.Context, pledgeID int64) (int64, error)
	LockClaim(ctx context.Context, id int64) (pledgeID int64, q danvan.Quantity, status string, err error)
	DecideClaim(ctx context.Context, id int64, status string, by, receiptID int64) error
	CreateHousehold(ctx context.Context, name string, zoneID, headID int64) (danvan.Person, error)

	// Invitations, roles and history.
	ScopeUnits(ctx context.Context) ([]danvan.Unit, error)
	ScopeUnit(ctx context.Context, id int64) (danvan.Unit, error)
	CreateInvitation(ctx context.Context, tokenHash string, g danvan.Grant, createdBy int64, expiresAt time.Time) (int64, error)
	LockInvitation(ctx context.Context, tokenHash string) (danvan.Invitation, error)
	MarkInvitationUsed(ctx context.Context, id, personID int64) error
	GrantRole(ctx context.Context, personID int64, g danvan.Grant, source string) (roleID int64, added bool, err error)
	RoleLines(ctx context.Context, limit, offset int) ([]danvan.RoleLine, int, error)
	RoleLine(ctx context.Context, id int64) (danvan.RoleLine, error)
	RemoveRole(ctx context.Context, id int64) error
	History(ctx context.Context, campaignID int64, limit, offset int) ([]danvan.AuditEntry, int, error)

	// Campaigns and progress.
	CampaignUnits(ctx context.Context) ([]danvan.Unit, error)
	// CreateCampaign reports false, storing nothing, when the code is taken.
	CreateCampaign(ctx context.Context, c *danvan.Campaign) (bool, error)
	UpdateCampaign(ctx context.Context, c danvan.Campaign) error
	SetTargetGoal(ctx context.Context, targetID int64, goal danvan.Quantity) error
	AddProgressReport(ctx context.Context, r *danvan.ProgressReport) error
	// ProgressReports are newest first: the first is the latest value.
	ProgressReports(ctx context.Context, targetID int64, limit int) ([]danvan.ProgressReport, error)
	// PledgeToChange locks the pledge until the event's transaction ends.
	PledgeToChange(ctx context.Context, code string) (danvan.PledgeLine, error)
	UpdatePledgeTerms(ctx context.Context, p danvan.Pledge, reason string) error

	// Groups and reminders.

	// RecordGroup records that the bot is (again) in a group, keeping its
	// links; an empty title keeps the stored one.
	RecordGroup(ctx context.Context, chatID int64, title string) error
	// DeactivateGroup records that the bot was removed from a group.
	DeactivateGroup(ctx context.Context, chatID int64) error
	// GroupLinks reads (and locks) what a group is linked to; found is
	// false for a chat never recorded as a group.
	GroupLinks(ctx context.Context, chatID int64) (areaID, unitID int64, campaignIDs []int64, found bool, err error)
	SetGroupArea(ctx context.Context, chatID, areaID int64) error
	SetGroupUnit(ctx context.Context, chatID, unitID int64) error
	// ToggleGroupCampaign links or unlinks a campaign and reports whether
	// it is linked now.
	ToggleGroupCampaign(ctx context.Context, chatID, campaignID int64) (bool, error)
	// LinkableCampaigns are the campaigns not closed of units (all: of
	// every unit), by code, without targets.
	LinkableCampaigns(ctx context.Context, units []int64, all bool) ([]danvan.Campaign, error)
	// LinkableAreas are the areas of units and their zones (all: every
	// area).
	LinkableAreas(ctx context.Context, units []int64, all bool) ([]danvan.Area, error)
	// GroupSchedule is the weekly summary's ISO weekday (1 Monday … 7) and
	// hour.
	GroupSchedule(ctx context.Context, chatID int64) (weekday, hour int, err error)
	SetGroupSchedule(ctx context.Context, chatID int64, weekday, hour int) error
	SetRemindersOff(ctx context.Context, personID int64, off bool) error
	RemindersOff(ctx context.Context, personID int64) (bool, error)
}
