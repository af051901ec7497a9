package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/danvan/danvan"
	"github.com/jackc/pgx/v5"
)

// ExportData reads an export (Tx.ExportData) in a read-only transaction of
// its own that sees one snapshot of the database, so that the targets'
// totals, the pledges and the ledger agree with each other even while
// people pledge and pay: in an ordinary transaction each query sees what
// was committed when it started.
func (db *DB) ExportData(ctx context.Context, scope danvan.ExportScope, today time.Time) (danvan.ExportData, error) {
	var d danvan.ExportData
	err := pgx.BeginTxFunc(ctx, db.Pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		d, err = (&Tx{tx: tx, now: db.Now()}).ExportData(ctx, scope, today)
		return err
	})
	return d, err
}

// ExportData reads everything an export of scope needs (danvan.ExportData),
// with pledge statuses as of today and timestamps in today's location. A
// code in scope that names nothing gives danvan.ErrNotFound; a scope that
// selects no campaign gives data with no campaigns.
//
// The queries are few and set-based whatever the size: areas and units
// (small tables), the scope's campaigns, their targets' totals through the
// target indexes, then their pledges and their receipts, each in one query
// over the selected targets. Which campaigns are in an area or a year is
// decided in Go with danvan.ExportCampaign.InArea and InYear, so that the
// export and the annual report cannot disagree about it.
func (t *Tx) ExportData(ctx context.Context, scope danvan.ExportScope, today time.Time) (danvan.ExportData, error) {
	d := danvan.ExportData{Scope: scope, Today: today}
	loc := today.Location()

	areas, err := t.exportAreas(ctx)
	if err != nil {
		return d, err
	}
	var areaID int64
	if scope.Area != "" {
		a, ok := areaByCode(areas, scope.Area)
		if !ok {
			return d, fmt.Errorf("store: export: area %q: %w", scope.Area, danvan.ErrNotFound)
		}
		areaID = a.ID
	}
	var unitID, campaignID int64
	if scope.Unit != "" {
		if err := t.tx.QueryRow(ctx, `SELECT id FROM units WHERE upper(code) = upper($1)`, scope.Unit).Scan(&unitID); err != nil {
			return d, fmt.Errorf("store: export: unit %q: %w", scope.Unit, notFound(err))
		}
	}
	if scope.Campaign != "" {
		if err := t.tx.QueryRow(ctx, `SELECT id FROM campaigns WHERE upper(code) = upper($1)`, scope.Campaign).Scan(&campaignID); err != nil {
			return d, fmt.Errorf("store: export: campaign %q: %w", scope.Campaign, notFound(err))
		}
	}

	cs, err := t.exportCampaigns(ctx, campaignID, unitID, loc)
	if err != nil {
		return d, err
	}
	tree := danvan.NewAreaTree(areas)
	byID := make(map[int64]danvan.Area, len(areas))
	for _, a := range areas {
		byID[a.ID] = a
	}
	for _, c := range cs {
		if areaID != 0 && !c.InArea(tree, areaID) || scope.Year != 0 && !c.InYear(scope.Year) {
			continue
		}
		for _, a := range c.AreaIDs {
			c.ZoneCodes = append(c.ZoneCodes, byID[a].Code)
		}
		d.Campaigns = append(d.Campaigns, c)
	}

	if err := t.exportTargets(ctx, &d); err != nil {
		return d, err
	}
	zones, err := t.exportPledges(ctx, &d, byID, today)
	if err != nil {
		return d, err
	}
	if err := t.exportReceipts(ctx, &d, loc); err != nil {
		return d, err
	}

	// The areas and units the rows name, and every area above them.
	usedAreas := map[int64]bool{}
	unitIDs := []int64{}
	if unitID != 0 {
		unitIDs = append(unitIDs, unitID)
	}
	mark := func(id int64) {
		for depth := 0; id != 0 && !usedAreas[id] && depth <= len(areas); depth++ {
			usedAreas[id] = true
			id = tree[id]
		}
	}
	mark(areaID)
	for _, c := range d.Campaigns {
		mark(c.UnitAreaID)
		for _, a := range c.AreaIDs {
			mark(a)
		}
		unitIDs = append(unitIDs, c.UnitID)
	}
	for id := range zones {
		mark(id)
	}
	for _, a := range areas { // already by code
		if usedAreas[a.ID] {
			d.Areas = append(d.Areas, a)
		}
	}
	slices.Sort(unitIDs)
	unitIDs = slices.Compact(unitIDs)
	if d.Units, err = t.exportUnits(ctx, unitIDs); err != nil {
		return d, err
	}
	return d, nil
}

// exportAreas reads every area, by code: a town's tree is a few hundred
// rows at most, and having all of them lets the tree be walked in Go.
func (t *Tx) exportAreas(ctx context.Context) ([]danvan.Area, error) {
	rows, err := t.tx.Query(ctx, `SELECT `+areaColumns+` FROM areas ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("store: export: areas: %w", err)
	}
	as, err := pgx.CollectRows(rows, scanArea)
	if err != nil {
		return nil, fmt.Errorf("store: export: areas: %w", err)
	}
	return as, nil
}

func areaByCode(areas []danvan.Area, code string) (danvan.Area, bool) {
	for _, a := range areas {
		// Codes are ASCII, so folding case here matches upper() in SQL.
		if strings.EqualFold(a.Code, code) {
			return a, true
		}
	}
	return danvan.Area{}, false
}

// exportCampaigns reads the campaigns with id campaignID and of unit
// unitID (0: any), by code, with their unit.
func (t *Tx) exportCampaigns(ctx context.Context, campaignID, unitID int64, loc *time.Location) ([]danvan.ExportCampaign, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT `+campaignColumns+`, c.created_at, u.code, u.name, u.area_id
		FROM campaigns c JOIN units u ON u.id = c.unit_id
		WHERE ($1 = 0 OR c.id = $1) AND ($2 = 0 OR c.unit_id = $2)
		ORDER BY c.code`, campaignID, unitID)
	if err != nil {
		return nil, fmt.Errorf("store: export: campaigns: %w", err)
	}
	cs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.ExportCampaign, error) {
		var c danvan.ExportCampaign
		err := scanCampaignInto(r, &c.Campaign, &c.CreatedAt, &c.UnitCode, &c.UnitName, &c.UnitAreaID)
		c.CreatedAt = c.CreatedAt.In(loc)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: export: campaigns: %w", err)
	}
	return cs, nil
}

// exportTargets fills in the targets of d's campaigns with their totals.
func (t *Tx) exportTargets(ctx context.Context, d *danvan.ExportData) error {
	if len(d.Campaigns) == 0 {
		return nil
	}
	index := make(map[int64]int, len(d.Campaigns))
	ids := make([]int64, len(d.Campaigns))
	for i, c := range d.Campaigns {
		index[c.ID], ids[i] = i, c.ID
	}
	ps, err := t.SummaryProgress(ctx, ids)
	if err != nil {
		return fmt.Errorf("store: export: %w", err)
	}
	// SummaryProgress orders by campaign id; the export goes by code.
	slices.SortStableFunc(ps, func(a, b danvan.Progress) int {
		return index[a.Target.CampaignID] - index[b.Target.CampaignID]
	})
	for _, p := range ps {
		c := &d.Campaigns[index[p.Target.CampaignID]]
		c.Targets = append(c.Targets, p.Target)
		d.Targets = append(d.Targets, danvan.ExportTarget{Target: p.Target, CampaignCode: c.Code,
			Pledged: p.Pledged, Received: p.Received, Pledges: p.Pledges})
	}
	return nil
}

// targetIDs are the ids of d's targets, in d's order.
func targetIDs(d *danvan.ExportData) []int64 {
	ids := make([]int64, len(d.Targets))
	for i, tg := range d.Targets {
		ids[i] = tg.ID
	}
	return ids
}

// The pledge and receipt queries return their rows in no particular
// order, with the place of each row's target in d.Targets, and the rows
// are put in order here. Asking PostgreSQL for the order instead makes it
// sort a million wide rows on disk (with the default work_mem), which
// took longer than everything else together; here it is a sort of four
// bytes per row and one move of each row.

// inOrder puts rows in the order of their keys (each row's key is at the
// same index), and rows of equal key by id: the order they were made in.
func inOrder[R any](rows []R, keys []int32, id func(*R) int64) {
	perm := make([]int32, len(rows))
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortFunc(perm, func(a, b int32) int {
		if keys[a] != keys[b] {
			return int(keys[a]) - int(keys[b])
		}
		return cmp.Compare(id(&rows[a]), id(&rows[b]))
	})
	// Apply the permutation in place, one cycle at a time, so that the
	// rows are not copied into a second slice as large as the first.
	for i := range perm {
		if perm[i] < 0 {
			continue
		}
		tmp := rows[i]
		j := i
		for {
			k := int(perm[j])
			perm[j] = -1
			if k == i {
				rows[j] = tmp
				break
			}
			rows[j] = rows[k]
			j = k
		}
	}
}

// exportPledges reads the pledges of d's targets, cancelled ones included,
// and returns the pledgers' zones it met.
func (t *Tx) exportPledges(ctx context.Context, d *danvan.ExportData, areas map[int64]danvan.Area, today time.Time) (map[int64]bool, error) {
	zones := map[int64]bool{}
	if len(d.Targets) == 0 {
		return zones, nil
	}
	places := make([]int32, len(d.Targets))
	for i := range places {
		places[i] = int32(i)
	}
	// One pass over the pledges table: a hash join with the few selected
	// targets. The partial index on target_id leaves out cancelled pledges,
	// which an export must show, and a sequential scan is what reading a
	// large share of the table costs anyway.
	rows, err := t.tx.Query(ctx, `
		SELECT s.n, p.id, p.code, p.person_id, p.quantity, p.received, COALESCE(p.due, c.ends), p.public_name,
			p.cancelled_at, p.cancel_reason, COALESCE(p.recorded_by, 0), p.created_at,
			pe.name, COALESCE(pe.home_area_id, 0), COALESCE(rb.name, '')
		FROM unnest($1::bigint[], $2::int[]) AS s(target_id, n)
		JOIN pledges p ON p.target_id = s.target_id
		JOIN campaigns c ON c.id = p.campaign_id
		JOIN people pe ON pe.id = p.person_id
		LEFT JOIN people rb ON rb.id = p.recorded_by`, targetIDs(d), places)
	if err != nil {
		return nil, fmt.Errorf("store: export: pledges: %w", err)
	}
	defer rows.Close()
	loc := today.Location()
	// The targets' counts leave out only the cancelled pledges: sizing
	// the slice from them saves copying a million rows over and over as
	// it grows.
	n := 0
	for _, tg := range d.Targets {
		n += tg.Pledges
	}
	d.Pledges = make([]danvan.ExportPledge, 0, n+n/16)
	keys := make([]int32, 0, cap(d.Pledges))
	// Heads record many households' pledges: one copy of each head's name.
	recorders := map[string]string{}
	// The row's variables live outside the loop: pointers to them go to
	// Scan, which would otherwise put six fresh ones on the heap per row.
	var (
		i              int32
		p              danvan.ExportPledge
		due, cancelled *time.Time
		zone           int64
		recorder       string
	)
	dest := []any{&i, &p.ID, &p.Code, &p.PersonID, &p.Quantity, &p.Received, &due, &p.PublicName,
		&cancelled, &p.CancelReason, &p.RecordedBy, &p.CreatedAt,
		&p.PledgerName, &zone, &recorder}
	for rows.Next() {
		p, due, cancelled = danvan.ExportPledge{}, nil, nil
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("store: export: pledges: %w", err)
		}
		tg := &d.Targets[i]
		p.CampaignID, p.TargetID, p.CampaignCode, p.TargetPosition, p.Kind = tg.CampaignID, tg.ID, tg.CampaignCode, tg.Position, tg.Kind
		if due != nil {
			p.Due = *due
		}
		if cancelled != nil {
			p.Cancelled, p.CancelledAt = true, cancelled.In(loc)
		}
		p.CreatedAt = p.CreatedAt.In(loc)
		if zone != 0 {
			p.ZoneCode = areas[zone].Code
			zones[zone] = true
		}
		if recorder != "" {
			if s, ok := recorders[recorder]; ok {
				recorder = s
			} else {
				recorders[recorder] = recorder
			}
			p.RecordedByName = recorder
		}
		p.Status = p.Pledge.Status(today)
		d.Pledges = append(d.Pledges, p)
		keys = append(keys, i)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: export: pledges: %w", err)
	}
	// By campaign and target position (the order of d.Targets), then as
	// made.
	inOrder(d.Pledges, keys, func(p *danvan.ExportPledge) int64 { return p.ID })
	return zones, nil
}

// exportReceipts reads the ledger of d's targets, through the receipts'
// target index.
func (t *Tx) exportReceipts(ctx context.Context, d *danvan.ExportData, loc *time.Location) error {
	if len(d.Targets) == 0 {
		return nil
	}
	ids := targetIDs(d)
	index := make(map[int64]int32, len(d.Campaigns))
	for i, c := range d.Campaigns {
		index[c.ID] = int32(i)
	}
	places := make([]int32, len(d.Targets))
	for i := range places {
		places[i] = int32(i)
	}
	// Counting first, through the same index, saves copying a long ledger
	// over and over as the slice grows.
	var n int
	if err := t.tx.QueryRow(ctx, `SELECT count(*) FROM receipts WHERE target_id = ANY($1)`, ids).Scan(&n); err != nil {
		return fmt.Errorf("store: export: count receipts: %w", err)
	}
	d.Receipts = make([]danvan.ExportReceipt, 0, n)
	keys := make([]int32, 0, n)
	rows, err := t.tx.Query(ctx, `
		SELECT s.n, r.id, COALESCE(r.pledge_id, 0), r.quantity, r.method, COALESCE(r.recorded_by, 0),
			r.recorded_at, COALESCE(r.photo_file_id, ''), COALESCE(r.reverses_id, 0), r.reason, r.donor_name,
			COALESCE(p.code, ''), COALESCE(pe.name, ''), COALESCE(rb.name, '')
		FROM unnest($1::bigint[], $2::int[]) AS s(target_id, n)
		JOIN receipts r ON r.target_id = s.target_id
		LEFT JOIN pledges p ON p.id = r.pledge_id
		LEFT JOIN people pe ON pe.id = p.person_id
		LEFT JOIN people rb ON rb.id = r.recorded_by`, ids, places)
	if err != nil {
		return fmt.Errorf("store: export: receipts: %w", err)
	}
	defer rows.Close()
	recorders := map[string]string{}
	var (
		i        int32
		r        danvan.ExportReceipt
		recorder string
	)
	dest := []any{&i, &r.ID, &r.PledgeID, &r.Quantity, &r.Method, &r.RecordedBy,
		&r.RecordedAt, &r.PhotoFileID, &r.ReversesID, &r.Reason, &r.DonorName,
		&r.PledgeCode, &r.PledgerName, &recorder}
	for rows.Next() {
		r = danvan.ExportReceipt{}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: export: receipts: %w", err)
		}
		tg := &d.Targets[i]
		r.CampaignID, r.TargetID, r.CampaignCode, r.TargetPosition, r.Kind = tg.CampaignID, tg.ID, tg.CampaignCode, tg.Position, tg.Kind
		r.RecordedAt = r.RecordedAt.In(loc)
		if s, ok := recorders[recorder]; ok {
			recorder = s
		} else {
			recorders[recorder] = recorder
		}
		r.RecordedByName = recorder
		d.Receipts = append(d.Receipts, r)
		keys = append(keys, index[tg.CampaignID])
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export: receipts: %w", err)
	}
	// By campaign, then in ledger order across its targets.
	inOrder(d.Receipts, keys, func(r *danvan.ExportReceipt) int64 { return r.ID })
	return nil
}

// exportUnits reads the units with ids, by code.
func (t *Tx) exportUnits(ctx context.Context, ids []int64) ([]danvan.Unit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := t.tx.Query(ctx, `SELECT id, code, name, area_id FROM units WHERE id = ANY($1) ORDER BY code`, ids)
	if err != nil {
		return nil, fmt.Errorf("store: export: units: %w", err)
	}
	us, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (danvan.Unit, error) {
		var u danvan.Unit
		err := r.Scan(&u.ID, &u.Code, &u.Name, &u.AreaID)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: export: units: %w", err)
	}
	return us, nil
}
