package report_test

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

var update = flag.Bool("update", false, "rewrite testdata/weekly_golden.txt")

// The weekly summaries of a ward with several campaigns, zones, honour
// boards (one longer than shown), reversals, cancelled pledges, gifts, a
// measured target, a campaign without a board and one that closes, to
// groups linked by campaign, by unit and by area and to followers in two
// languages, over three weeks, are exactly what they were when every figure
// was summed from the ledger: testdata/weekly_golden.txt was written by
// that code (before migration 015), texts whole and charts by their
// SHA-256.
func TestWeeklySummariesGolden(t *testing.T) {
	f := newFixture(t)
	k3 := f.id(`INSERT INTO areas (code, name, parent_id) VALUES ('YG-K3', 'Khu 3', $1) RETURNING id`, f.ward)
	zones := []int64{f.k1, f.k2, k3, 0}

	dieuhoa := f.campaign("DIEUHOA", "Điều hòa cho trường mầm non", f.k1, f.k2)
	dhMoney := f.target(dieuhoa, danvan.KindMoney, "", "", 180_000_000)
	dhGoods := f.target(dieuhoa, danvan.KindGoods, "xi măng", "bao", 200_000)
	thietbi := f.campaign("THIETBI", "Thiết bị nhà văn hóa", f.k2)
	tbMoney := f.target(thietbi, danvan.KindMoney, "", "", 50_000_000)
	duong := f.campaign("DUONG", "Đường ngõ 5", k3)
	dgMoney := f.target(duong, danvan.KindMoney, "", "", 300_000_000)
	dgLabour := f.target(duong, danvan.KindLabour, "", "", 100_000)
	dgMeasure := f.target(duong, danvan.KindMeasure, "mặt đường", "m", 500_000)
	kin := f.campaign("KIN", "Quỹ khuyến học", f.k1)
	f.exec(`UPDATE campaigns SET honour_board = false WHERE id = $1`, kin)
	kinMoney := f.target(kin, danvan.KindMoney, "", "", 20_000_000)
	den := f.campaign("DEN", "Đèn đường", f.k2)
	denMoney := f.target(den, danvan.KindMoney, "", "", 10_000_000)

	var people []int64
	for i := range 40 {
		people = append(people, f.person(fmt.Sprintf("Người dân số %d", i+1), zones[i%4]))
	}
	for i := range 4 {
		people = append(people, f.household(fmt.Sprintf("Nhà bà %d", i+1), zones[i%3]))
	}
	targets := []int64{dhMoney, dhGoods, tbMoney, dgMoney, dgLabour, kinMoney, denMoney, dhMoney, dgMoney}
	var pledges []int64
	week := func(n int) {
		for i := range 45 {
			p := people[(i*7+n*3)%len(people)]
			tg := targets[(i+n)%len(targets)]
			q := danvan.Quantity(100_000 * (1 + (i*n)%17))
			if tg == dhGoods || tg == dgLabour {
				q = danvan.Quantity(1000 * (1 + i%9))
			}
			id := f.pledge(p, tg, q, (i+n)%3 != 0)
			pledges = append(pledges, id)
			switch i % 5 {
			case 0:
				f.receive(tg, id, q)
			case 1:
				f.receive(tg, id, q/2)
			case 2:
				r := f.receive(tg, id, q)
				f.exec(`UPDATE pledges SET received = received - $2 WHERE id = $1`, id, q)
				f.exec(`INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method, recorded_by, recorded_at, reverses_id, reason)
					SELECT pledge_id, campaign_id, target_id, -quantity, method, recorded_by, $2, id, 'nhầm' FROM receipts WHERE id = $1`, r, f.now)
			}
		}
		if n == 1 { // more names than the board shows
			for i := range 36 {
				pledges = append(pledges, f.pledge(people[(i*5)%len(people)], tbMoney, 50_000, true))
			}
		}
		for i := n; i < len(pledges); i += 11 {
			f.exec(`UPDATE pledges SET cancelled_at = $2 WHERE id = $1 AND cancelled_at IS NULL`, pledges[i], f.now)
		}
		f.receive(denMoney, 0, danvan.Quantity(n)*1_500_000)
		f.receive(dgMoney, 0, 2_000_000)
		f.exec(`INSERT INTO progress_reports (target_id, campaign_id, value, note, reported_by, reported_at)
			VALUES ($1, $2, $3, '', $4, $5)`, dgMeasure, duong, n*120_000, f.teller, f.now)
	}

	f.group(-1001, dieuhoa, thietbi, duong, den)
	f.group(-1002, kin, thietbi)
	f.exec(`INSERT INTO chats (id, channel, external_id, is_group) VALUES (-1003, 'telegram', '-1003', true), (-1004, 'telegram', '-1004', true)`)
	f.exec(`INSERT INTO groups (chat_id, title, unit_id, created_at) VALUES (-1003, 'MTTQ', $1, $2)`, f.unit, f.now)
	f.exec(`INSERT INTO groups (chat_id, title, area_id, created_at) VALUES (-1004, 'Khu 2', $1, $2)`, f.k2, f.now)
	f.follow(people[3], dieuhoa, kin)
	f.exec(`UPDATE people SET lang = 'en' WHERE id = $1`, people[5])
	f.follow(people[5], duong, den, thietbi)

	var got strings.Builder
	for n := range 3 {
		f.now = monday.Add(time.Duration(n)*7*24*time.Hour - 48*time.Hour)
		week(n + 1)
		if n == 1 {
			f.exec(`UPDATE campaigns SET status = 'closed', updated_at = $2 WHERE id = $1`, den, f.now)
		}
		f.exec(`UPDATE people SET home_area_id = $2 WHERE id = $1`, people[n+7], zones[(n+1)%3])
		f.exec(`UPDATE people SET name = 'Đổi tên ' || id WHERE id = $1`, people[n+1])
		out := f.summaries(monday.Add(time.Duration(n)*7*24*time.Hour), false)
		for _, o := range out {
			fmt.Fprintf(&got, "== week %d: kind %v, chat %d, broadcast %v", n+1, o.Kind, o.ChatID, o.Broadcast)
			if len(o.Photo) > 0 {
				fmt.Fprintf(&got, ", photo %x", sha256.Sum256(o.Photo))
			}
			fmt.Fprintf(&got, "\n%s\n", o.Text)
		}
	}

	const path = "testdata/weekly_golden.txt"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("the summaries differ from %s; got:\n%s", path, got.String())
	}
	for _, w := range []string{"🏁", "<b>Bảng vinh danh</b>", "Since last time", "Từ lần trước", "Khu 3", "người khác", "Honour board"} {
		if !strings.Contains(got.String(), w) {
			t.Errorf("the fixture misses %q", w)
		}
	}
}
