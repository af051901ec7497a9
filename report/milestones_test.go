package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/report"
	"github.com/danvan/danvan/store"
)

func (f *fixture) milestones() []danvan.Outgoing {
	f.tb.Helper()
	var out []danvan.Outgoing
	err := f.db.InTx(f.ctx, func(tx *store.Tx) error {
		var err error
		out, err = report.Milestones(f.ctx, tx, f.now, ict)
		if err != nil {
			return err
		}
		return tx.Enqueue(f.ctx, out...)
	})
	if err != nil {
		f.tb.Fatal(err)
	}
	return out
}

func TestMilestoneFiresOnce(t *testing.T) {
	f := newFixture(t)
	c := f.campaign("LEDKHU1", "Màn hình LED <khu 1>", f.k1)
	money := f.target(c, danvan.KindMoney, "", "", 1_000_000)
	labour := f.target(c, danvan.KindLabour, "", "", 10_000)
	f.group(committee, c)
	f.group(-1002) // follows nothing
	f.group(-1003, c)
	f.exec(`INSERT INTO unreachable_chats (chat_id, reason) VALUES (-1003, 'kicked')`)
	p := f.pledge(f.person("Lan", f.k1), money, 1_000_000, false)

	step := func(what string, q danvan.Quantity, wantNotices int) []danvan.Outgoing {
		t.Helper()
		f.now = f.now.Add(time.Hour)
		if q != 0 {
			f.receive(money, p, q)
		}
		out := f.milestones()
		if len(out) != wantNotices {
			t.Fatalf("%s: %d notices, want %d: %v", what, len(out), wantNotices, out)
		}
		return out
	}
	step("nothing received", 0, 0)
	step("49 %", 490_000, 0)
	out := step("50 %", 10_000, 1)
	if o := out[0]; o.ChatID != committee || !o.Broadcast || o.Kind != danvan.OutSend {
		t.Errorf("notice %+v: want a broadcast to the committee", o)
	}
	mustContain(t, out[0].Text, "<b>Màn hình LED &lt;khu 1&gt;</b> (<code>LEDKHU1</code>) đã nhận được hơn một nửa mục tiêu: 500.000 ₫ / 1.000.000 ₫ (50%)")
	step("again, unchanged", 0, 0)
	// A correction dips under half, and it is passed again.
	step("corrected to 30 %", -200_000, 0)
	step("55 % again", 250_000, 0)
	// Labour done counts for nothing: milestones are about money.
	f.receive(labour, 0, 10_000)
	out = step("100 %", 450_000, 1)
	mustContain(t, out[0].Text, "🏆", "đã đạt mục tiêu: 1.000.000 ₫ / 1.000.000 ₫ (100%)")
	step("dips and passes 100 % again", -1, 0)
	step("back at 100 %", 1, 0)
}

func TestMilestonesBothAtOnce(t *testing.T) {
	f := newFixture(t)
	c := f.campaign("DIEUHOA", "Điều hòa", f.k1)
	money := f.target(c, danvan.KindMoney, "", "", 2_000_000)
	f.group(committee, c)
	f.receive(money, 0, 2_500_000) // a large gift: past both marks at once
	out := f.milestones()
	if len(out) != 1 || !strings.Contains(out[0].Text, "đã đạt mục tiêu") {
		t.Fatalf("want one notice of the goal reached, got %v", out)
	}
	if out := f.milestones(); len(out) != 0 {
		t.Errorf("half the goal announced after the whole: %v", out)
	}
	// A closed campaign's corrections announce nothing.
	c2 := f.campaign("CU", "Cũ", f.k1)
	old := f.target(c2, danvan.KindMoney, "", "", 1_000_000)
	f.exec(`INSERT INTO group_campaigns VALUES ($1, $2)`, committee, c2)
	f.exec(`UPDATE campaigns SET status = 'closed' WHERE id = $1`, c2)
	f.receive(old, 0, 1_000_000)
	if out := f.milestones(); len(out) != 0 {
		t.Errorf("milestone of a closed campaign: %v", out)
	}
}
