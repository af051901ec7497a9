package danvan

import (
	"testing"
	"time"
)

func TestExportFormatPlain(t *testing.T) {
	for _, c := range []struct {
		k    Kind
		q    Quantity
		want string
	}{
		{KindMoney, 1_500_000, "1500000"},
		{KindMoney, -1_000_000, "-1000000"},
		{KindMoney, 0, "0"},
		{KindLabour, 2_500, "2.5"},
		{KindLabour, 3_000, "3"},
		{KindLabour, 1_234_500, "1234.5"},
		{KindLand, 12_300, "12.3"},
		{KindLand, -500, "-0.5"},
		{KindGoods, 16_000, "16"},
		{KindMeasure, 1_200_250, "1200.25"},
		{KindPercent, 96_000, "96"},
	} {
		if got := FormatPlain(c.k, c.q); got != c.want {
			t.Errorf("FormatPlain(%s, %d) = %q, want %q", c.k, c.q, got, c.want)
		}
	}
}

func TestExportCampaignInYear(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	ict := time.FixedZone("ICT", 7*3600)
	for _, c := range []struct {
		name string
		c    ExportCampaign
		year int
		want bool
	}{
		{"inside", ExportCampaign{Campaign: Campaign{Starts: day(2026, 3, 1), Ends: day(2026, 12, 31)}}, 2026, true},
		{"before", ExportCampaign{Campaign: Campaign{Starts: day(2026, 3, 1), Ends: day(2026, 12, 31)}}, 2025, false},
		{"after", ExportCampaign{Campaign: Campaign{Starts: day(2026, 3, 1), Ends: day(2026, 12, 31)}}, 2027, false},
		{"spans, first year", ExportCampaign{Campaign: Campaign{Starts: day(2026, 4, 1), Ends: day(2027, 6, 30)}}, 2026, true},
		{"spans, second year", ExportCampaign{Campaign: Campaign{Starts: day(2026, 4, 1), Ends: day(2027, 6, 30)}}, 2027, true},
		{"ends on 1 January", ExportCampaign{Campaign: Campaign{Starts: day(2026, 4, 1), Ends: day(2027, 1, 1)}}, 2027, true},
		{"open-ended, later year", ExportCampaign{Campaign: Campaign{Starts: day(2026, 4, 1)}}, 2031, true},
		{"open-ended, earlier year", ExportCampaign{Campaign: Campaign{Starts: day(2026, 4, 1)}}, 2025, false},
		// Created at 20:00 on 31 December UTC, which is already 2027 in the ward.
		{"no start: created", ExportCampaign{CreatedAt: time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC).In(ict)}, 2026, false},
		{"no start: created, same year", ExportCampaign{CreatedAt: time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC).In(ict)}, 2027, true},
		{"no start, ends", ExportCampaign{Campaign: Campaign{Ends: day(2026, 6, 30)}, CreatedAt: day(2025, 5, 1)}, 2025, true},
		{"no dates at all", ExportCampaign{}, 1990, true},
	} {
		if got := c.c.InYear(c.year); got != c.want {
			t.Errorf("%s: InYear(%d) = %v, want %v", c.name, c.year, got, c.want)
		}
	}
}

func TestExportCampaignInArea(t *testing.T) {
	// 1 YG ─ 2 YG-K1, 3 YG-K6; 4 LH ─ 5 LH-T1
	tree := NewAreaTree([]Area{{ID: 1}, {ID: 2, ParentID: 1}, {ID: 3, ParentID: 1}, {ID: 4}, {ID: 5, ParentID: 4}})
	wardUnit := ExportCampaign{UnitAreaID: 1, Campaign: Campaign{AreaIDs: []int64{1}}}
	zoneCampaign := ExportCampaign{UnitAreaID: 1, Campaign: Campaign{AreaIDs: []int64{2}}}
	village := ExportCampaign{UnitAreaID: 4, Campaign: Campaign{AreaIDs: []int64{5}}}
	for _, c := range []struct {
		name string
		c    ExportCampaign
		area int64
		want bool
	}{
		{"ward campaign in its ward", wardUnit, 1, true},
		{"ward-wide campaign is not in a zone", wardUnit, 3, false},
		{"zone campaign in its zone", zoneCampaign, 2, true},
		{"zone campaign in its ward", zoneCampaign, 1, true},
		{"zone campaign not in another zone", zoneCampaign, 3, false},
		{"village campaign not in the ward", village, 1, false},
		{"village campaign in its commune", village, 4, true},
	} {
		if got := c.c.InArea(tree, c.area); got != c.want {
			t.Errorf("%s: InArea(%d) = %v, want %v", c.name, c.area, got, c.want)
		}
	}
	// A cycle, which the schema does not forbid, ends the walk.
	loop := NewAreaTree([]Area{{ID: 1, ParentID: 2}, {ID: 2, ParentID: 1}})
	if loop.Within(1, 3) {
		t.Error("Within found 3 above a cycle of 1 and 2")
	}
}

func TestExportPledgeOutstanding(t *testing.T) {
	for _, c := range []struct {
		p    Pledge
		want Quantity
	}{
		{Pledge{Quantity: 500_000, Received: 200_000}, 300_000},
		{Pledge{Quantity: 500_000, Received: 600_000}, 0},
		{Pledge{Quantity: 500_000, Cancelled: true}, 0},
	} {
		if got := (ExportPledge{Pledge: c.p}).Outstanding(); got != c.want {
			t.Errorf("Outstanding of %+v = %d, want %d", c.p, got, c.want)
		}
	}
}
