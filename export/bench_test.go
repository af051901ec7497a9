package export_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/export"
)

// benchData is a ward's year in memory: three campaigns, n pledges spread
// over their money, labour and goods targets, and a receipt for one
// pledge in five.
func benchData(n int) danvan.ExportData {
	d := danvan.ExportData{Today: today}
	kinds := []danvan.Kind{danvan.KindMoney, danvan.KindLabour, danvan.KindGoods}
	for i, code := range []string{"DIEUHOA", "THIETBI", "SANNHA"} {
		c := danvan.ExportCampaign{Campaign: danvan.Campaign{ID: int64(i + 1), Code: code, Title: "Lắp điều hòa nhà văn hóa khu " + code,
			Starts: day(2026, 3, 1), Ends: day(2026, 12, 31), Status: danvan.CampaignActive},
			UnitCode: "MTTQ-YG", UnitName: "Ủy ban MTTQ phường Yên Giang", ZoneCodes: []string{"YG-K1", "YG-K2"}}
		for j, k := range kinds {
			tg := danvan.Target{ID: int64(10*i + j + 1), CampaignID: c.ID, Position: j + 1, Kind: k, Goal: 1_000_000_000}
			if k == danvan.KindGoods {
				tg.Label, tg.Unit = "điều hòa", "chiếc"
			}
			c.Targets = append(c.Targets, tg)
			d.Targets = append(d.Targets, danvan.ExportTarget{Target: tg, CampaignCode: code})
		}
		d.Campaigns = append(d.Campaigns, c)
	}
	for i := range n {
		tg := d.Targets[i%len(d.Targets)]
		q := danvan.Quantity(100_000 + i%50*10_000)
		if tg.Kind != danvan.KindMoney {
			q = danvan.Quantity(500 + i%8*500) // half days, whole goods and halves alike
		}
		p := danvan.ExportPledge{Pledge: danvan.Pledge{ID: int64(i + 1), Code: fmt.Sprintf("B%06X", i), PersonID: int64(i%10_000 + 1),
			CampaignID: tg.CampaignID, TargetID: tg.ID, Quantity: q, CreatedAt: today.Add(-time.Duration(i) * time.Minute)},
			CampaignCode: tg.CampaignCode, TargetPosition: tg.Position, Kind: tg.Kind,
			PledgerName: fmt.Sprintf("Nguyễn Thị Hộ %d", i%10_000), ZoneCode: fmt.Sprintf("YG-K%d", 1+i%6), Status: danvan.PledgePledged}
		if i%3 == 0 {
			p.Due = day(2026, 12, 15)
		}
		if i%5 == 0 {
			p.Received, p.Status = q, danvan.PledgeFulfilled
			d.Receipts = append(d.Receipts, danvan.ExportReceipt{Receipt: danvan.Receipt{ID: int64(len(d.Receipts) + 1), PledgeID: p.ID,
				CampaignID: p.CampaignID, TargetID: p.TargetID, Quantity: q, Method: danvan.DefaultMethod(tg.Kind), RecordedAt: p.CreatedAt.Add(time.Hour)},
				CampaignCode: p.CampaignCode, TargetPosition: p.TargetPosition, Kind: p.Kind, PledgeCode: p.Code, PledgerName: p.PledgerName,
				RecordedByName: "Trần Thị Hoa"})
		}
		d.Pledges = append(d.Pledges, p)
	}
	return d
}

// BenchmarkWriteXLSX writes the workbook of 100,000 pledges and 20,000
// receipts; rows/s counts the rows of every sheet.
func BenchmarkWriteXLSX(b *testing.B) {
	d := benchData(100_000)
	rows := len(d.Campaigns) + len(d.Targets) + len(d.Pledges) + len(d.Receipts)
	b.ReportAllocs()
	for b.Loop() {
		if err := export.WriteXLSX(io.Discard, d, "vi"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWriteCSVZip is the same data as four CSV files in a zip.
func BenchmarkWriteCSVZip(b *testing.B) {
	d := benchData(100_000)
	rows := len(d.Campaigns) + len(d.Targets) + len(d.Pledges) + len(d.Receipts)
	b.ReportAllocs()
	for b.Loop() {
		if err := export.WriteCSVZip(io.Discard, d, "vi"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
