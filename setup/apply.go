package setup

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
)

// Writer is what Apply needs from the database; *store.Tx implements it.
// Upserts match by code ignoring case (by Telegram id for people, by chat id
// for groups) and report whether they created the row or changed it; a row
// that already matches is left alone, so that applying a file twice changes
// nothing the second time.
type Writer interface {
	UpsertArea(ctx context.Context, a danvan.Area) (id int64, created, updated bool, err error)
	UpsertUnit(ctx context.Context, u danvan.Unit) (id int64, created, updated bool, err error)
	// UpsertPerson keeps the person's home zone and language.
	UpsertPerson(ctx context.Context, ids []danvan.Identity, name string) (id int64, created, updated bool, err error)
	// ReplaceSetupRoles makes grants the person's roles from setup; roles
	// given in the chat are kept.
	ReplaceSetupRoles(ctx context.Context, personID int64, grants []danvan.Grant) (added, removed int, err error)
	// PruneSetupRoles removes the roles from setup of everyone not in keep.
	PruneSetupRoles(ctx context.Context, keep []int64) (removed int, err error)
	// UpsertCampaign writes everything but the campaign's areas and targets.
	UpsertCampaign(ctx context.Context, c danvan.Campaign) (id int64, created, updated bool, err error)
	ReplaceCampaignAreas(ctx context.Context, campaignID int64, areaIDs []int64) (changed bool, err error)
	// TargetsInUse returns the targets of the campaign with this code that
	// pledges or receipts refer to; none when there is no such campaign.
	TargetsInUse(ctx context.Context, campaignCode string) ([]danvan.Target, error)
	// SetTargets matches targets with the stored ones by Position, and
	// refuses to remove or change the kind of one in use.
	SetTargets(ctx context.Context, campaignID int64, targets []danvan.Target) (created, updated, removed int, err error)
	// UpsertGroup replaces the group's campaign links; an empty title keeps
	// the one the bot learnt from the chat.
	UpsertGroup(ctx context.Context, ch danvan.Channel, ref string, title string, areaID, unitID int64, campaignIDs []int64) (created, updated bool, err error)
}

// Count is what happened to the things of one kind.
type Count struct {
	Created, Updated, Unchanged, Removed int
}

func (c *Count) add(created, updated bool) {
	switch {
	case created:
		c.Created++
	case updated:
		c.Updated++
	default:
		c.Unchanged++
	}
}

func (c Count) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{c.Created, "created"}, {c.Updated, "updated"}, {c.Removed, "removed"}, {c.Unchanged, "unchanged"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// Report says what Apply did, for the operator.
type Report struct {
	Areas, Units, People, Roles, Campaigns, Targets, Groups Count
}

// Changed reports whether Apply wrote anything.
func (r Report) Changed() bool {
	for _, c := range r.counts() {
		if c.Count.Created+c.Count.Updated+c.Count.Removed > 0 {
			return true
		}
	}
	return false
}

func (r Report) counts() []struct {
	What  string
	Count Count
} {
	return []struct {
		What  string
		Count Count
	}{
		{"areas", r.Areas}, {"units", r.Units}, {"people", r.People}, {"roles", r.Roles},
		{"campaigns", r.Campaigns}, {"targets", r.Targets}, {"groups", r.Groups},
	}
}

// String is one line per kind, e.g. "campaigns: 1 updated, 8 unchanged".
func (r Report) String() string {
	var b strings.Builder
	for _, c := range r.counts() {
		fmt.Fprintf(&b, "%-10s %s\n", c.What+":", c.Count)
	}
	if !r.Changed() {
		b.WriteString("nothing changed\n")
	}
	return b.String()
}

// Apply writes f through w. It stops at the first failure without undoing
// what it wrote: call it inside a transaction and roll back on error, so
// that a bad file changes nothing. Targets that would lose their pledges are
// all reported, with lines, before anything is written.
func Apply(ctx context.Context, w Writer, f *File) (Report, error) {
	var r Report
	if err := checkTargets(ctx, w, f); err != nil {
		return r, err
	}
	fail := func(line int, what string, err error) error {
		return fmt.Errorf("setup: %s:%d: %s: %w", f.Name, line, what, err)
	}

	areas := map[string]int64{}
	for _, a := range f.Areas {
		id, created, updated, err := w.UpsertArea(ctx, danvan.Area{Code: a.Code, Name: a.Name, ParentID: areas[a.Parent]})
		if err != nil {
			return r, fail(a.Line, "area "+a.Code, err)
		}
		areas[a.Code] = id
		r.Areas.add(created, updated)
	}

	units := map[string]int64{}
	for _, u := range f.Units {
		id, created, updated, err := w.UpsertUnit(ctx, danvan.Unit{Code: u.Code, Name: u.Name, AreaID: areas[u.Area]})
		if err != nil {
			return r, fail(u.Line, "unit "+u.Code, err)
		}
		units[u.Code] = id
		r.Units.add(created, updated)
	}

	keep := make([]int64, 0, len(f.People))
	for _, p := range f.People {
		what := "person " + p.Name + " (" + p.Accounts() + ")"
		id, created, updated, err := w.UpsertPerson(ctx, p.Identities(), p.Name)
		if err != nil {
			return r, fail(p.Line, what, err)
		}
		r.People.add(created, updated)
		keep = append(keep, id)
		grants := make([]danvan.Grant, len(p.Roles))
		for i, g := range p.Roles {
			grants[i] = danvan.Grant{Role: g.Role, AreaID: areas[g.Area], UnitID: units[g.Unit]}
		}
		added, removed, err := w.ReplaceSetupRoles(ctx, id, grants)
		if err != nil {
			return r, fail(p.Line, what+": roles", err)
		}
		r.Roles.Created += added
		r.Roles.Removed += removed
		r.Roles.Unchanged += len(grants) - added
	}
	// People dropped from the file must not keep authority they got from it.
	removed, err := w.PruneSetupRoles(ctx, keep)
	if err != nil {
		return r, fmt.Errorf("setup: %s: roles of people no longer listed: %w", f.Name, err)
	}
	r.Roles.Removed += removed

	campaigns := map[string]int64{}
	for _, c := range f.Campaigns {
		what := "campaign " + c.Code
		id, created, updated, err := w.UpsertCampaign(ctx, danvan.Campaign{
			Code: c.Code, Title: c.Title, Description: c.Description, UnitID: units[c.Unit],
			Starts: c.Starts, Ends: c.Ends, Status: c.Status, Bank: c.Bank, HonourBoard: c.HonourBoard, DueDays: c.DueDays,
		})
		if err != nil {
			return r, fail(c.Line, what, err)
		}
		campaigns[c.Code] = id
		ids := make([]int64, len(c.Areas))
		for i, a := range c.Areas {
			ids[i] = areas[a]
		}
		areasChanged, err := w.ReplaceCampaignAreas(ctx, id, ids)
		if err != nil {
			return r, fail(c.Line, what+": areas", err)
		}
		r.Campaigns.add(created, updated || areasChanged)
		targets := make([]danvan.Target, len(c.Targets))
		for i, t := range c.Targets {
			targets[i] = danvan.Target{CampaignID: id, Position: i + 1, Kind: t.Kind, Label: t.Label, Unit: t.Unit, Goal: t.Goal}
		}
		tc, tu, tr, err := w.SetTargets(ctx, id, targets)
		if err != nil {
			return r, fail(c.TargetsLine, what+": targets", err)
		}
		r.Targets.Created += tc
		r.Targets.Updated += tu
		r.Targets.Removed += tr
		r.Targets.Unchanged += len(targets) - tc - tu
	}

	for _, g := range f.Groups {
		ids := make([]int64, len(g.Campaigns))
		for i, c := range g.Campaigns {
			ids[i] = campaigns[c]
		}
		created, updated, err := w.UpsertGroup(ctx, danvan.Telegram, strconv.FormatInt(g.ChatID, 10), g.Title, areas[g.Area], units[g.Unit], ids)
		if err != nil {
			return r, fail(g.Line, fmt.Sprintf("group %d", g.ChatID), err)
		}
		r.Groups.add(created, updated)
	}
	return r, nil
}

// checkTargets refuses, for every campaign at once, to drop a target that
// pledges or receipts refer to, or to change its kind: their quantities
// would lose their meaning. A goal, label or unit may change.
func checkTargets(ctx context.Context, w Writer, f *File) error {
	var errs Errors
	for _, c := range f.Campaigns {
		used, err := w.TargetsInUse(ctx, c.Code)
		if err != nil {
			return fmt.Errorf("setup: %s:%d: campaign %s: %w", f.Name, c.Line, c.Code, err)
		}
		for _, u := range used {
			i := u.Position - 1
			desc := describe(u)
			switch {
			case i >= len(c.Targets):
				errs = append(errs, &Error{File: f.Name, Line: c.TargetsLine, Msg: fmt.Sprintf(
					"campaign %s: target %d (%s) has pledges or receipts, so it cannot be removed; keep it in the list, in place",
					c.Code, u.Position, desc)})
			case c.Targets[i].Kind != u.Kind:
				errs = append(errs, &Error{File: f.Name, Line: c.Targets[i].Line, Msg: fmt.Sprintf(
					"campaign %s: target %d (%s) has pledges or receipts and cannot become %s; targets are matched by position, so add new ones at the end",
					c.Code, u.Position, desc, c.Targets[i].Kind)})
			}
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool { return errs[i].Line < errs[j].Line })
		return errs
	}
	return nil
}

func describe(t danvan.Target) string {
	if t.Label != "" {
		return fmt.Sprintf("%s: %s", t.Kind, t.Label)
	}
	return string(t.Kind)
}
