package report_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/report"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, store.Migrate)) }

// The store's transaction is what the scheduler hands the report package.
var _ report.Store = (*store.Tx)(nil)

var ict = time.FixedZone("ICT", 7*3600)

// monday is a Monday at 08:00 in the ward, the default summary slot.
var monday = time.Date(2026, 11, 30, 8, 0, 0, 0, ict)

// fixture is a database with a ward, two zones and a unit, and helpers
// that write rows the way the bot's own flows leave them.
type fixture struct {
	tb      testing.TB
	ctx     context.Context
	db      *store.DB
	now     time.Time
	n       int
	ward    int64
	k1, k2  int64
	unit    int64
	teller  int64 // the person recording receipts and progress reports
	tickets int
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewDB(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(db.Close)
	f := &fixture{tb: tb, ctx: ctx, db: db, now: monday.Add(-7 * 24 * time.Hour)}
	db.Now = func() time.Time { return f.now }
	f.ward = f.id(`INSERT INTO areas (code, name) VALUES ('YG', 'Phường Yên Giang') RETURNING id`)
	f.k1 = f.id(`INSERT INTO areas (code, name, parent_id) VALUES ('YG-K1', 'Khu 1', $1) RETURNING id`, f.ward)
	f.k2 = f.id(`INSERT INTO areas (code, name, parent_id) VALUES ('YG-K2', 'Khu 2', $1) RETURNING id`, f.ward)
	f.unit = f.id(`INSERT INTO units (code, name, area_id) VALUES ('MTTQ-YG', 'MTTQ', $1) RETURNING id`, f.ward)
	f.teller = f.person("Trần Thị Hoa", f.k1)
	return f
}

func (f *fixture) exec(sql string, args ...any) {
	f.tb.Helper()
	if _, err := f.db.Pool.Exec(f.ctx, sql, args...); err != nil {
		f.tb.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) id(sql string, args ...any) int64 {
	f.tb.Helper()
	var id int64
	if err := f.db.Pool.QueryRow(f.ctx, sql, args...).Scan(&id); err != nil {
		f.tb.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (f *fixture) campaign(code, title string, zones ...int64) int64 {
	f.tb.Helper()
	c := f.id(`INSERT INTO campaigns (code, title, unit_id) VALUES ($1, $2, $3) RETURNING id`, code, title, f.unit)
	for _, z := range zones {
		f.exec(`INSERT INTO campaign_areas VALUES ($1, $2)`, c, z)
	}
	return c
}

func (f *fixture) target(campaign int64, kind danvan.Kind, label, unit string, goal danvan.Quantity) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO targets (campaign_id, position, kind, label, unit_label, goal)
		VALUES ($1, (SELECT count(*) + 1 FROM targets WHERE campaign_id = $1), $2, $3, $4, $5) RETURNING id`,
		campaign, kind, label, unit, goal)
}

// person is a resident with a phone; zone 0 for one who chose none.
func (f *fixture) person(name string, zone int64) int64 {
	f.tb.Helper()
	f.n++
	var z *int64
	if zone != 0 {
		z = &zone
	}
	// Their Telegram account, and its private chat, where the bot writes
	// to them.
	return f.id(`
		WITH c AS (INSERT INTO chats (channel, external_id, is_group) VALUES ('telegram', $1::bigint::text, false) RETURNING id),
		     p AS (INSERT INTO people (name, home_area_id, chat_id) SELECT $2, $3, id FROM c RETURNING id),
		     i AS (INSERT INTO identities (channel, external_id, person_id) SELECT 'telegram', $1::bigint::text, id FROM p)
		SELECT id FROM p`, 5000+f.n, name, z)
}

// household is a home without a phone, recorded by the teller as a head.
func (f *fixture) household(name string, zone int64) int64 {
	f.tb.Helper()
	return f.id(`INSERT INTO people (name, home_area_id, recorded_by) VALUES ($1, $2, $3) RETURNING id`, name, zone, f.teller)
}

func (f *fixture) pledge(person, target int64, q danvan.Quantity, public bool) int64 {
	f.tb.Helper()
	f.tickets++
	return f.id(`INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, public_name, created_at)
		SELECT $1, $2, campaign_id, id, $4, $5, $6 FROM targets WHERE id = $3 RETURNING id`,
		fmt.Sprintf("T%05d", f.tickets), person, target, q, public, f.now)
}

// receive records a receipt against a pledge (0 for a gift without one)
// and keeps the pledge's received total, as the receipts flow does.
func (f *fixture) receive(target, pledge int64, q danvan.Quantity) int64 {
	f.tb.Helper()
	var p *int64
	if pledge != 0 {
		p = &pledge
		f.exec(`UPDATE pledges SET received = received + $2 WHERE id = $1`, pledge, q)
	}
	return f.id(`INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method, recorded_by, recorded_at)
		SELECT $1, campaign_id, id, $3, 'cash', $4, $5 FROM targets WHERE id = $2 RETURNING id`, p, target, q, f.teller, f.now)
}

// group is a group chat following the campaigns, with the default schedule.
// It is a Telegram group the bot knew before chats were numbered on their
// own, so its internal id is its Telegram id.
func (f *fixture) group(chat int64, campaigns ...int64) {
	f.tb.Helper()
	f.exec(`INSERT INTO chats (id, channel, external_id, is_group) VALUES ($1::bigint, 'telegram', $1::bigint::text, true)`, chat)
	f.exec(`INSERT INTO groups (chat_id, title, created_at) VALUES ($1, 'Ban công tác', $2)`, chat, f.now)
	for _, c := range campaigns {
		f.exec(`INSERT INTO group_campaigns VALUES ($1, $2)`, chat, c)
	}
}

// summaries runs the weekly summary job for slot in one transaction, as the
// scheduler does, and returns what it would enqueue.
func (f *fixture) summaries(slot time.Time, force bool) []danvan.Outgoing {
	f.tb.Helper()
	f.now = slot
	var out []danvan.Outgoing
	err := f.db.InTx(f.ctx, func(tx *store.Tx) error {
		var err error
		out, err = report.WeeklySummaries(f.ctx, tx, slot, ict, force)
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

// texts are the summary texts sent to chat, in order.
func texts(out []danvan.Outgoing, chat int64) []string {
	var ts []string
	for _, o := range out {
		if o.ChatID == chat && o.Kind == danvan.OutSend {
			ts = append(ts, o.Text)
		}
	}
	return ts
}

func photos(out []danvan.Outgoing, chat int64) [][]byte {
	var ps [][]byte
	for _, o := range out {
		if o.ChatID == chat && o.Kind == danvan.OutPhoto {
			ps = append(ps, o.Photo)
		}
	}
	return ps
}

func mustContain(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("missing %q in:\n%s", w, text)
		}
	}
}

// twoCampaigns is a group following DIEUHOA (money, goods and a measure)
// and THIETBI (money), with pledges from three zones' worth of people.
type twoCampaigns struct {
	*fixture
	dieuhoa, thietbi         int64
	money, goods, yard, tMon int64
	minh                     int64
	minhPledge               int64
}

const committee = -1001234567890

func newTwoCampaigns(t *testing.T) *twoCampaigns {
	f := &twoCampaigns{fixture: newFixture(t)}
	f.dieuhoa = f.campaign("DIEUHOA", "Lắp điều hòa nhà văn hóa", f.k1, f.k2)
	f.money = f.target(f.dieuhoa, danvan.KindMoney, "", "", 10_000_000)
	f.goods = f.target(f.dieuhoa, danvan.KindGoods, "điều hòa", "chiếc", 16_000)
	f.yard = f.target(f.dieuhoa, danvan.KindMeasure, "sân lát", "m²", 1_200_000)
	f.thietbi = f.campaign("THIETBI", "Trang thiết bị nhà văn hóa", f.k1)
	f.tMon = f.target(f.thietbi, danvan.KindMoney, "", "", 5_000_000)
	f.group(committee, f.dieuhoa, f.thietbi)
	// Another group, summarised on Tuesdays.
	f.group(-1009, f.dieuhoa)
	f.exec(`UPDATE groups SET summary_weekday = 2 WHERE chat_id = -1009`)

	lan := f.person("Nguyễn Thị Lan", f.k1)
	f.minh = f.person("Lê Văn Minh", f.k2)
	hung := f.person("Phạm Hùng", 0)
	home := f.household("<b>&</b>", f.k1)

	p := f.pledge(lan, f.money, 3_000_000, true)
	f.receive(f.money, p, 2_000_000)
	f.minhPledge = f.pledge(f.minh, f.money, 1_500_000, false)
	f.receive(f.money, f.minhPledge, 1_500_000)
	f.pledge(home, f.money, 500_000, true)
	cancelled := f.pledge(hung, f.money, 1_000_000, true)
	f.exec(`UPDATE pledges SET cancelled_at = $2 WHERE id = $1`, cancelled, f.now)
	f.receive(f.money, 0, 250_000) // a gift without a pledge
	f.pledge(lan, f.goods, 2_000, true)
	f.exec(`INSERT INTO progress_reports (target_id, campaign_id, value, reported_by, reported_at)
		VALUES ($1, $2, 350000, $3, $4)`, f.yard, f.dieuhoa, f.teller, time.Date(2026, 11, 20, 10, 0, 0, 0, ict))
	p = f.pledge(f.minh, f.tMon, 1_000_000, false)
	f.receive(f.tMon, p, 1_000_000)
	return f
}

func TestWeeklySummaryOfTwoCampaigns(t *testing.T) {
	f := newTwoCampaigns(t)
	out := f.summaries(monday, false)

	ts := texts(out, committee)
	if len(ts) != 1 {
		t.Fatalf("texts to the committee: %d, want 1: %q", len(ts), ts)
	}
	if len(out) != 2 {
		t.Errorf("%d messages, want one text and one picture to the committee only", len(out))
	}
	for _, o := range out {
		if !o.Broadcast {
			t.Errorf("message %v is not a broadcast", o.Kind)
		}
	}
	text := ts[0]
	// DIEUHOA money: goal 10,000,000; pledged 3,000,000 + 1,500,000 +
	// 500,000 (the cancelled 1,000,000 left out); received 2,000,000 +
	// 1,500,000 + a 250,000 gift = 3,750,000, 37 %.
	mustContain(t, text,
		"📊 <b>Tổng kết tuần</b> · 30/11/2026",
		"<b>Lắp điều hòa nhà văn hóa</b> · mã <code>DIEUHOA</code>",
		"<b>Tiền</b>: đã nhận 3.750.000 ₫ / 10.000.000 ₫ (37%)\n▓▓▓░░░░░░░\nĐã đăng ký: 5.000.000 ₫ · 3 lượt",
		"<b>Hiện vật: điều hòa</b>: đã nhận 0 chiếc điều hòa / 16 chiếc điều hòa (0%)",
		"Đã đăng ký: 2 chiếc điều hòa · 1 lượt",
		"<b>Khối lượng: sân lát</b>: 350 m² / 1.200 m² (29%)",
		"Cập nhật 20/11/2026",
		"<b>Trang thiết bị nhà văn hóa</b> · mã <code>THIETBI</code>",
		"<b>Tiền</b>: đã nhận 1.000.000 ₫ / 5.000.000 ₫ (20%)\n▓▓░░░░░░░░\nĐã đăng ký: 1.000.000 ₫ · 1 lượt",
	)
	if strings.Contains(text, "Từ lần trước") {
		t.Errorf("a first summary has nothing to compare with:\n%s", text)
	}
	if i, j := strings.Index(text, "DIEUHOA"), strings.Index(text, "THIETBI"); i < 0 || j < i {
		t.Errorf("campaigns not in code order")
	}

	ps := photos(out, committee)
	if len(ps) != 1 {
		t.Fatalf("pictures: %d, want 1", len(ps))
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(ps[0]))
	if err != nil {
		t.Fatalf("the chart is not a PNG: %v", err)
	}
	if cfg.Width != 800 || cfg.Height != 500 {
		t.Errorf("chart is %d×%d px, want 800×500", cfg.Width, cfg.Height)
	}
	if o := out[len(out)-1]; o.Kind != danvan.OutPhoto || len([]rune(o.Text)) > 1024 || o.Text == "" {
		t.Errorf("the picture should come after the text with a short caption: %v %q", o.Kind, o.Text)
	}

	// On Tuesday at 08:00 only the other group is due.
	out = f.summaries(monday.Add(24*time.Hour), false)
	if len(texts(out, committee)) != 0 || len(texts(out, -1009)) != 1 {
		t.Errorf("Tuesday's summaries went to the wrong groups: %d to the committee, %d to the other", len(texts(out, committee)), len(texts(out, -1009)))
	}
	// At 09:00 nobody is.
	if out := f.summaries(monday.Add(time.Hour), false); len(out) != 0 {
		t.Errorf("%d messages at 09:00, want none", len(out))
	}
}

func TestWeeklySummaryPerZone(t *testing.T) {
	f := newTwoCampaigns(t)
	text := texts(f.summaries(monday, false), committee)[0]
	// Khu 1: Lan 3,000,000 (2,000,000 in) and the household 500,000;
	// Khu 2: Minh 1,500,000, all in. Phạm Hùng, who chose no zone, only
	// pledged what he cancelled.
	mustContain(t, text, "Theo khu:\n• Khu 1: đăng ký 3.500.000 ₫ · nhận 2.000.000 ₫\n• Khu 2: đăng ký 1.500.000 ₫ · nhận 1.500.000 ₫\n")
	if strings.Contains(text, "Chưa chọn khu") {
		t.Errorf("a cancelled pledge shows in the zones:\n%s", text)
	}
	f.pledge(f.person("Vũ Nam", 0), f.tMon, 200_000, false)
	text = texts(f.summaries(monday.Add(7*24*time.Hour), false), committee)[0]
	mustContain(t, text, "• Chưa chọn khu: đăng ký 200.000 ₫ · nhận 0 ₫")
}

func TestWeeklySummaryHonourBoard(t *testing.T) {
	f := newTwoCampaigns(t)
	text := texts(f.summaries(monday, false), committee)[0]
	// Lan and the household chose to be named; Minh did not, and Hùng's
	// public pledge was cancelled. The household's name is escaped.
	mustContain(t, text, "🏅 <b>Bảng vinh danh</b>\n• Nguyễn Thị Lan: 3.000.000 ₫, 2 chiếc điều hòa\n• &lt;b&gt;&amp;&lt;/b&gt;: 500.000 ₫")
	for _, hidden := range []string{"Lê Văn Minh", "Phạm Hùng", "<b>&</b>"} {
		if strings.Contains(text, hidden) {
			t.Errorf("%q is on the honour board:\n%s", hidden, text)
		}
	}
	// A campaign without an honour board names nobody.
	f.exec(`UPDATE campaigns SET honour_board = false WHERE id = $1`, f.dieuhoa)
	text = texts(f.summaries(monday.Add(7*24*time.Hour), false), committee)[0]
	if strings.Contains(text, "Nguyễn Thị Lan") || strings.Contains(text, "Bảng vinh danh") {
		t.Errorf("names shown without an honour board:\n%s", text)
	}
}

func TestWeeklySummaryChangeSinceLast(t *testing.T) {
	f := newTwoCampaigns(t)
	f.summaries(monday, false)

	// During the week: a new pledge of 2,000,000 with 700,000 received,
	// and a reversal of 500,000 of Minh's; 50 m² more yard paved.
	f.now = monday.Add(2 * 24 * time.Hour)
	p := f.pledge(f.person("Đỗ Thu", f.k2), f.money, 2_000_000, false)
	f.receive(f.money, p, 700_000)
	f.receive(f.money, f.minhPledge, -500_000)
	f.exec(`INSERT INTO progress_reports (target_id, campaign_id, value, reported_by, reported_at)
		VALUES ($1, $2, 400000, $3, $4)`, f.yard, f.dieuhoa, f.teller, f.now)

	text := texts(f.summaries(monday.Add(7*24*time.Hour), false), committee)[0]
	mustContain(t, text,
		"<b>Tiền</b>: đã nhận 3.950.000 ₫ / 10.000.000 ₫ (39%)",
		"Từ lần trước: đăng ký +2.000.000 ₫, đã nhận +200.000 ₫",
		"<b>Khối lượng: sân lát</b>: 400 m² / 1.200 m² (33%)",
		"Từ lần trước: +50 m²",
		// THIETBI did not move.
		"Đã đăng ký: 1.000.000 ₫ · 1 lượt\nTừ lần trước: đăng ký +0 ₫, đã nhận +0 ₫",
	)

	// A summary asked for on demand counts as the last one too.
	text = texts(f.summaries(monday.Add(7*24*time.Hour+3*time.Hour), true), committee)[0]
	mustContain(t, text, "Từ lần trước: đăng ký +0 ₫, đã nhận +0 ₫\nTheo khu:")
	if strings.Contains(text, "+2.000.000 ₫") {
		t.Errorf("the change was not reset by the last summary:\n%s", text)
	}
}

func TestWeeklySummarySplitsLongText(t *testing.T) {
	f := newFixture(t)
	var ids []int64
	for i := range 40 {
		c := f.campaign(fmt.Sprintf("MOHINH%02d", i), strings.Repeat("Mô hình dân vận khéo <số> ", 4)+fmt.Sprint(i), f.k1)
		tg := f.target(c, danvan.KindMoney, "", "", 100_000_000)
		f.pledge(f.person(fmt.Sprintf("Người %d", i), f.k1), tg, 1_000_000, true)
		ids = append(ids, c)
	}
	f.group(committee, ids...)
	out := f.summaries(monday, false)
	ts := texts(out, committee)
	if len(ts) < 3 {
		t.Fatalf("%d texts, want the summary split in several", len(ts))
	}
	all := strings.Join(ts, "\n")
	for i := range 40 {
		if n := strings.Count(all, fmt.Sprintf("<code>MOHINH%02d</code>", i)); n != 1 {
			t.Errorf("MOHINH%02d appears %d times across the texts", i, n)
		}
	}
	for i, s := range ts {
		if n := len(utf16.Encode([]rune(s))); n > 4096 {
			t.Errorf("text %d is %d long", i, n)
		}
		if strings.HasPrefix(s, "\n") || strings.HasSuffix(s, "\n") {
			t.Errorf("text %d starts or ends with a blank line", i)
		}
		// Split between lines, every tag is closed in the text that opens it.
		for _, tag := range []string{"b", "code"} {
			if o, c := strings.Count(s, "<"+tag+">"), strings.Count(s, "</"+tag+">"); o != c {
				t.Errorf("text %d opens <%s> %d times, closes it %d", i, tag, o, c)
			}
		}
	}
	if ps := photos(out, committee); len(ps) != 1 {
		t.Errorf("%d pictures, want one however long the text", len(ps))
	} else if cfg, err := png.DecodeConfig(bytes.NewReader(ps[0])); err != nil || cfg.Height <= 500 {
		t.Errorf("40 campaigns need a taller chart: %v %v", cfg, err)
	}
}

func TestWeeklySummaryClosedCampaignFinal(t *testing.T) {
	f := newTwoCampaigns(t)
	f.summaries(monday, false)
	f.now = monday.Add(3 * 24 * time.Hour)
	f.exec(`UPDATE campaigns SET status = 'closed', updated_at = $2 WHERE id = $1`, f.thietbi, f.now)

	text := texts(f.summaries(monday.Add(7*24*time.Hour), false), committee)[0]
	mustContain(t, text, "mã <code>THIETBI</code>\n🏁 Chiến dịch đã kết thúc. Đây là bản tổng kết cuối cùng.\n<b>Tiền</b>: đã nhận 1.000.000 ₫ / 5.000.000 ₫ (20%)")
	if strings.Count(text, "🏁") != 1 {
		t.Errorf("only THIETBI is final:\n%s", text)
	}

	for week := 2; week <= 3; week++ {
		out := f.summaries(monday.Add(time.Duration(week)*7*24*time.Hour), false)
		text = texts(out, committee)[0]
		if strings.Contains(text, "THIETBI") {
			t.Fatalf("week %d: the closed campaign is still summarised:\n%s", week, text)
		}
		mustContain(t, text, "DIEUHOA")
	}

	// A group whose only campaign has closed gets its final summary, then
	// nothing at all.
	f.exec(`UPDATE groups SET summary_weekday = 1 WHERE chat_id = -1009`)
	f.exec(`UPDATE campaigns SET status = 'closed' WHERE id = $1`, f.dieuhoa)
	out := f.summaries(monday.Add(4*7*24*time.Hour), false)
	if ts := texts(out, -1009); len(ts) != 1 || !strings.Contains(ts[0], "🏁") {
		t.Fatalf("final summary to the other group: %q", ts)
	}
	if out := f.summaries(monday.Add(5*7*24*time.Hour), false); len(out) != 0 {
		t.Errorf("%d messages after every campaign closed, want none", len(out))
	}
}

func TestWeeklySummarySkipsUnreachableAndInactiveGroups(t *testing.T) {
	f := newTwoCampaigns(t)
	f.exec(`UPDATE groups SET summary_weekday = 1`)
	f.exec(`INSERT INTO unreachable_chats (chat_id, reason) VALUES ($1, 'kicked')`, committee)
	out := f.summaries(monday, false)
	if len(texts(out, committee)) != 0 || len(texts(out, -1009)) != 1 {
		t.Errorf("unreachable group summarised, or the other one not: %d, %d", len(texts(out, committee)), len(texts(out, -1009)))
	}
	f.exec(`UPDATE groups SET active = false WHERE chat_id = -1009`)
	if out := f.summaries(monday.Add(7*24*time.Hour), true); len(out) != 0 {
		t.Errorf("%d messages to groups the bot left", len(out))
	}
}
