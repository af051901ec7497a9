// Package setup reads the setup file of `danvan setup FILE.yaml` (areas,
// units, people with roles, campaigns with targets, groups) and applies it to
// the database through a narrow Writer.
//
// The file is self-contained: it describes the whole setup, so every code it
// uses (an area of a unit, a unit of a campaign, a campaign of a group…) must
// be defined in the same file; a reference to something that exists only in
// the database is an error. Running it again after an edit updates in place:
// things are matched by code (areas, units, campaigns), Telegram id (people),
// chat id (groups) and position (a campaign's targets). Nothing is deleted
// except what the file alone owns: the roles it granted (people no longer
// listed lose their setup roles too; roles given in the chat are kept), the
// zones of its campaigns, the campaign links of its groups, and targets
// dropped from the end of a campaign's list, which is refused while they
// have pledges.
//
// docs/setup-file.md describes the format key by key, for operators.
package setup

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/danvan/danvan"
)

// File is a parsed and checked setup file. Every reference in it resolves to
// something defined in it.
type File struct {
	Name      string // as given to Parse; prefixes every error
	Areas     []Area // parents before their children
	Units     []Unit
	People    []Person
	Campaigns []Campaign
	Groups    []Group
}

// Area is a ward, commune or zone.
type Area struct {
	Code   string
	Name   string
	Parent string // the code of the enclosing area; "" at the top
	Line   int
}

// Unit is an organisation that runs campaigns.
type Unit struct {
	Code string
	Name string
	Area string
	Line int
}

// Person is someone with roles, known by their Telegram id, their Zalo id,
// or both.
type Person struct {
	TelegramID int64  // 0: none
	ZaloID     string // "": none
	Name       string
	Roles      []Role
	Line       int
}

// Identities are the person's accounts, Telegram's first.
func (p Person) Identities() []danvan.Identity {
	var ids []danvan.Identity
	if p.TelegramID != 0 {
		ids = append(ids, danvan.Identity{Channel: danvan.Telegram, Ref: strconv.FormatInt(p.TelegramID, 10)})
	}
	if p.ZaloID != "" {
		ids = append(ids, danvan.Identity{Channel: danvan.Zalo, Ref: p.ZaloID})
	}
	return ids
}

// Accounts names the person's accounts, as "telegram 100001, zalo abc".
func (p Person) Accounts() string {
	var names []string
	for _, id := range p.Identities() {
		names = append(names, string(id.Channel)+" "+id.Ref)
	}
	return strings.Join(names, ", ")
}

// Role is one grant: a head of an area, a treasurer or cadre of a unit, or an
// admin.
type Role struct {
	Role danvan.Role
	Area string
	Unit string
	Line int
}

// Campaign is a model (mô hình) with its targets.
type Campaign struct {
	Code        string
	Title       string
	Description string
	Unit        string
	Areas       []string
	Starts      time.Time // zero when not given
	Ends        time.Time // zero when open-ended
	Status      danvan.CampaignStatus
	Bank        *danvan.BankAccount
	HonourBoard bool
	DueDays     int      // 0: pledges without a date are due when it ends
	Targets     []Target // matched with the stored ones by position
	Line        int
	// TargetsLine is where the targets list starts: the line blamed when a
	// stored target that is no longer listed cannot be removed.
	TargetsLine int
}

// Target is one goal of a campaign.
type Target struct {
	Kind  danvan.Kind
	Goal  danvan.Quantity // in the kind's stored unit (see danvan.Kind.Scale)
	Label string          // the item for goods
	Unit  string          // the unit label of a measure
	Line  int
}

// Group is a chat the bot is in and what it follows.
type Group struct {
	ChatID    int64
	Title     string
	Area      string
	Unit      string
	Campaigns []string
	Line      int
}

// Error is one problem in a setup file.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line <= 0 { // a YAML error that names no line
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Errors is every problem found in a file, by line, so that one run shows
// the operator all there is to fix.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}
