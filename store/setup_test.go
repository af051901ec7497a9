package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/setup"
	"github.com/danvan/danvan/store/pgtest"
)

var _ setup.Writer = (*Tx)(nil)

// setupToday is when the example is shown; every campaign in it must be open.
var setupToday = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

func openSetupDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(context.Background(), pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	db.Now = func() time.Time { return setupToday }
	return db
}

func setupExample(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../examples/quang-yen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// setupApply does what `danvan setup` does: parse, then apply in one
// transaction.
func setupApply(t *testing.T, db *DB, text string) (setup.Report, error) {
	t.Helper()
	f, err := setup.Parse("quang-yen.yaml", []byte(text))
	if err != nil {
		return setup.Report{}, err
	}
	var r setup.Report
	err = db.InTx(context.Background(), func(tx *Tx) error {
		r, err = setup.Apply(context.Background(), tx, f)
		return err
	})
	return r, err
}

func setupMustApply(t *testing.T, db *DB, text string) setup.Report {
	t.Helper()
	r, err := setupApply(t, db, text)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return r
}

// dump is every row setup writes, with ids and timestamps, so that "nothing
// changed" means no row was rewritten either.
func setupDump(t *testing.T, db *DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"areas", "units", "chats", "people", "identities", "roles", "campaigns", "campaign_areas",
		"targets", "groups", "group_campaigns", "pledges"} {
		var rows string
		err := db.Pool.QueryRow(context.Background(),
			`SELECT COALESCE(string_agg(to_jsonb(x)::text, E'\n' ORDER BY to_jsonb(x)::text), '') FROM `+table+` x`).Scan(&rows)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		fmt.Fprintf(&b, "== %s\n%s\n", table, rows)
	}
	return b.String()
}

func setupCount(t *testing.T, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// setupLineOf is the 1-based line of the first line of text containing s.
func setupLineOf(t *testing.T, text, s string) int {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not in the file", s)
	return 0
}

func setupReplace(t *testing.T, text, old, new string) string {
	t.Helper()
	if strings.Count(text, old) != 1 {
		t.Fatalf("%q occurs %d times in the file, want once", old, strings.Count(text, old))
	}
	return strings.Replace(text, old, new, 1)
}

func TestSetupExample(t *testing.T) {
	db := openSetupDB(t)
	example := setupExample(t)
	r := setupMustApply(t, db, example)
	want := setup.Report{
		Areas: setup.Count{Created: 9}, Units: setup.Count{Created: 5}, People: setup.Count{Created: 9},
		Roles: setup.Count{Created: 13}, Campaigns: setup.Count{Created: 9}, Targets: setup.Count{Created: 19},
		Groups: setup.Count{Created: 1},
	}
	if r != want {
		t.Errorf("first report:\n%v\nwant:\n%v", r, want)
	}
	for table, n := range map[string]int{"areas": 9, "units": 5, "people": 9, "identities": 9, "chats": 10, "roles": 13, "campaigns": 9,
		"campaign_areas": 20, "targets": 19, "groups": 1, "group_campaigns": 2} {
		if got := setupCount(t, db, `SELECT count(*) FROM `+table); got != n {
			t.Errorf("%d rows in %s, want %d", got, table, n)
		}
	}

	err := db.InTx(context.Background(), func(tx *Tx) error {
		open, err := tx.OpenCampaigns(context.Background(), 0)
		if err != nil {
			return err
		}
		if len(open) != 9 {
			t.Errorf("%d campaigns open on %s, want all 9", len(open), setupToday.Format(time.DateOnly))
		}
		k1, err := tx.AreaByCode(context.Background(), "YG-K1")
		if err != nil {
			return err
		}
		yg, err := tx.AreaByCode(context.Background(), "YG")
		if err != nil {
			return err
		}
		if k1.ParentID != yg.ID || yg.ParentID != 0 {
			t.Errorf("YG-K1 parent %d, YG id %d parent %d", k1.ParentID, yg.ID, yg.ParentID)
		}
		c, err := tx.CampaignByCode(context.Background(), "DIEUHOA")
		if err != nil {
			return err
		}
		if c.Title != "Lắp điều hòa nhà văn hóa khu 1–4" || len(c.AreaIDs) != 4 || c.Bank == nil ||
			c.Bank.BIN != "970436" || c.Bank.Account != "0011001234567" || !c.HonourBoard || c.Status != danvan.CampaignActive {
			t.Errorf("DIEUHOA = %+v", c)
		}
		wantTargets := []danvan.Target{
			{Position: 1, Kind: danvan.KindMoney, Goal: 180_000_000},
			{Position: 2, Kind: danvan.KindGoods, Label: "điều hòa", Unit: "chiếc", Goal: 16_000},
			{Position: 3, Kind: danvan.KindLabour, Label: "lắp đặt", Goal: 40_000},
		}
		for i, tg := range c.Targets {
			tg.ID, tg.CampaignID = 0, 0
			if i >= len(wantTargets) || tg != wantTargets[i] {
				t.Errorf("DIEUHOA target %d = %+v", i+1, tg)
			}
		}
		var hoa int64
		if err := tx.tx.QueryRow(context.Background(), `SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = '100001'`).Scan(&hoa); err != nil {
			return err
		}
		gs, err := tx.Grants(context.Background(), hoa)
		if err != nil {
			return err
		}
		if len(gs) != 2 || gs[0].Role != danvan.RoleHead || gs[0].AreaID != k1.ID || gs[1].Role != danvan.RoleTreasurer {
			t.Errorf("grants of 100001 = %+v", gs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := setupCount(t, db, `SELECT count(*) FROM campaigns WHERE code = 'THAMHOI' AND NOT honour_board`); n != 1 {
		t.Errorf("THAMHOI honour board not off")
	}
	if n := setupCount(t, db, `SELECT count(*) FROM group_campaigns gc JOIN campaigns c ON c.id = gc.campaign_id
		JOIN chats ch ON ch.id = gc.chat_id
		WHERE ch.channel = 'telegram' AND ch.external_id = '-1001234567890' AND ch.is_group AND c.code IN ('DIEUHOA', 'THIETBI')`); n != 2 {
		t.Errorf("group linked to %d of DIEUHOA, THIETBI", n)
	}
	// Each person is known by their Telegram id, and the bot writes to
	// them on their own in the private chat of that id.
	if n := setupCount(t, db, `SELECT count(*) FROM people p JOIN identities i ON i.person_id = p.id
		JOIN chats ch ON ch.id = p.chat_id
		WHERE i.channel = 'telegram' AND ch.channel = 'telegram' AND ch.external_id = i.external_id AND NOT ch.is_group`); n != 9 {
		t.Errorf("%d people have their Telegram id's private chat, want 9", n)
	}
}

func TestSetupTwiceChangesNothing(t *testing.T) {
	db := openSetupDB(t)
	example := setupExample(t)
	setupMustApply(t, db, example)
	before := setupDump(t, db)
	db.Now = func() time.Time { return setupToday.Add(time.Hour) } // a rewrite would show in updated_at
	r := setupMustApply(t, db, example)
	if r.Changed() {
		t.Errorf("second run changed something:\n%v", r)
	}
	if r.Areas.Unchanged != 9 || r.Roles.Unchanged != 13 || r.Targets.Unchanged != 19 || r.Groups.Unchanged != 1 {
		t.Errorf("second report:\n%v", r)
	}
	if !strings.Contains(r.String(), "nothing changed") {
		t.Errorf("report text does not say nothing changed:\n%v", r)
	}
	if after := setupDump(t, db); after != before {
		t.Errorf("rows differ after the second run:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestSetupEditUpdatesInPlace(t *testing.T) {
	db := openSetupDB(t)
	example := setupExample(t)
	setupMustApply(t, db, example)
	var targetID, areaID, hanhID int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT t.id FROM targets t JOIN campaigns c ON c.id = t.campaign_id WHERE c.code = 'DIEUHOA' AND t.position = 1`).Scan(&targetID); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(context.Background(), `SELECT id FROM areas WHERE code = 'YG-K2'`).Scan(&areaID); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool.QueryRow(context.Background(), `SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id = '100009'`).Scan(&hanhID); err != nil {
		t.Fatal(err)
	}
	// A role given in the chat survives the file, which does not list it.
	if _, err := db.Pool.Exec(context.Background(), `INSERT INTO roles (person_id, role, unit_id, source)
		SELECT i.person_id, 'cadre', u.id, 'chat' FROM identities i, units u
		WHERE i.channel = 'telegram' AND i.external_id = '100002' AND u.code = 'DTN-YG'`); err != nil {
		t.Fatal(err)
	}

	edited := setupReplace(t, example, "{kind: money, goal: 180000000}", "{kind: money, goal: 200000000}")
	edited = setupReplace(t, edited, "{code: YG-K2, name: Khu 2}", "{code: YG-K2, name: Khu 2 (Yên Giang)}")
	edited = setupReplace(t, edited, "      - {role: head, area: YG-K1}\n      - {role: treasurer, unit: MTTQ-YG}\n",
		"      - {role: head, area: YG-K1}\n")
	edited = setupReplace(t, edited, `  - telegram_id: 100009
    name: Ngô Thị Hạnh
    roles:
      - {role: head, area: YG-K6}
      - {role: cadre, unit: DTN-YG}
`, "")
	edited = setupReplace(t, edited, "      - {kind: money, goal: 200000000}\n\n  - code: SANNHA",
		"      - {kind: money, goal: 200000000}\n      - {kind: goods, item: ti vi, goal: 5}\n\n  - code: SANNHA")
	edited = setupReplace(t, edited, "campaigns: [DIEUHOA, THIETBI]", "campaigns: [DIEUHOA, THIETBI, LED]")

	r := setupMustApply(t, db, edited)
	want := setup.Report{
		Areas: setup.Count{Updated: 1, Unchanged: 8}, Units: setup.Count{Unchanged: 5}, People: setup.Count{Unchanged: 8},
		Roles:     setup.Count{Removed: 3, Unchanged: 10},
		Campaigns: setup.Count{Unchanged: 9}, Targets: setup.Count{Created: 1, Updated: 1, Unchanged: 18},
		Groups: setup.Count{Updated: 1},
	}
	if r != want {
		t.Errorf("report:\n%v\nwant:\n%v", r, want)
	}
	var goal int64
	if err := db.Pool.QueryRow(context.Background(), `SELECT goal FROM targets WHERE id = $1`, targetID).Scan(&goal); err != nil {
		t.Fatalf("DIEUHOA's money target is not the same row any more: %v", err)
	}
	if goal != 200_000_000 {
		t.Errorf("goal = %d, want 200000000", goal)
	}
	if n := setupCount(t, db, `SELECT count(*) FROM areas WHERE id = $1 AND name = 'Khu 2 (Yên Giang)'`, areaID); n != 1 {
		t.Errorf("YG-K2 not renamed in place")
	}
	if n := setupCount(t, db, `SELECT count(*) FROM roles r JOIN identities i ON i.person_id = r.person_id WHERE i.channel = 'telegram' AND i.external_id = '100001'`); n != 1 {
		t.Errorf("100001 has %d roles, want 1 (head)", n)
	}
	if n := setupCount(t, db, `SELECT count(*) FROM roles WHERE person_id = $1`, hanhID); n != 0 {
		t.Errorf("100009, no longer listed, keeps %d roles", n)
	}
	if n := setupCount(t, db, `SELECT count(*) FROM people WHERE id = $1`, hanhID); n != 1 {
		t.Errorf("100009 was deleted; people are kept, only their roles go")
	}
	if n := setupCount(t, db, `SELECT count(*) FROM roles r JOIN identities i ON i.person_id = r.person_id
		WHERE i.channel = 'telegram' AND i.external_id = '100002' AND r.source = 'chat'`); n != 1 {
		t.Errorf("the role given in the chat was removed")
	}
	if n := setupCount(t, db, `SELECT count(*) FROM group_campaigns gc JOIN chats ch ON ch.id = gc.chat_id
		WHERE ch.channel = 'telegram' AND ch.external_id = '-1001234567890'`); n != 3 {
		t.Errorf("group has %d campaigns, want 3", n)
	}

	// And the edited file is now stable too.
	before := setupDump(t, db)
	if r := setupMustApply(t, db, edited); r.Changed() {
		t.Errorf("re-running the edited file changed something:\n%v", r)
	}
	if setupDump(t, db) != before {
		t.Errorf("rows differ after re-running the edited file")
	}
}

// failOnGroup fails late in Apply, after everything but groups was written,
// as a database error there would.
type failOnGroup struct{ *Tx }

func (failOnGroup) UpsertGroup(context.Context, danvan.Channel, string, string, int64, int64, []int64) (bool, bool, error) {
	return false, false, errors.New("injected failure")
}

func TestSetupBadFileChangesNothing(t *testing.T) {
	db := openSetupDB(t)
	example := setupExample(t)
	setupMustApply(t, db, example)
	before := setupDump(t, db)

	// Valid edits early in the file, then a problem at its end: Parse
	// refuses the whole file.
	edited := setupReplace(t, example, "{code: YG-K2, name: Khu 2}", "{code: YG-K2, name: Khu Hai}")
	edited = setupReplace(t, edited, "{kind: money, goal: 180000000}", "{kind: money, goal: 190000000}")
	bad := setupReplace(t, edited, "campaigns: [DIEUHOA, THIETBI]", "campaigns: [DIEUHOA, THIETBI, NOSUCH]")
	_, err := setupApply(t, db, bad)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("quang-yen.yaml:%d: ", setupLineOf(t, bad, "NOSUCH"))) ||
		!strings.Contains(err.Error(), `unknown campaign "NOSUCH"`) {
		t.Errorf("err = %v", err)
	}
	if after := setupDump(t, db); after != before {
		t.Errorf("a file Parse refused changed the database:\n%s", after)
	}

	// A failure inside Apply, after it wrote areas, people, campaigns:
	// the transaction rolls all of it back.
	f, err := setup.Parse("quang-yen.yaml", []byte(edited))
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(context.Background(), func(tx *Tx) error {
		_, err := setup.Apply(context.Background(), failOnGroup{tx}, f)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "injected failure") ||
		!strings.Contains(err.Error(), fmt.Sprintf("quang-yen.yaml:%d: group -1001234567890", setupLineOf(t, edited, "chat_id: -1001234567890"))) {
		t.Errorf("err = %v", err)
	}
	if after := setupDump(t, db); after != before {
		t.Errorf("a failed Apply left changes behind:\n%s", after)
	}
}

func TestSetupTargetWithPledgeIsKept(t *testing.T) {
	db := openSetupDB(t)
	example := setupExample(t)
	setupMustApply(t, db, example)
	ctx := context.Background()
	// A pledge of 2 labour days to DIEUHOA's third target.
	if _, err := db.Pool.Exec(ctx, `
		WITH ch AS (INSERT INTO chats (channel, external_id, is_group) VALUES ('telegram', '200001', false) RETURNING id),
		     p AS (INSERT INTO people (name, chat_id) SELECT 'Cư dân', id FROM ch RETURNING id),
		     i AS (INSERT INTO identities (channel, external_id, person_id) SELECT 'telegram', '200001', id FROM p),
		     t AS (SELECT t.id, t.campaign_id FROM targets t JOIN campaigns c ON c.id = t.campaign_id
		           WHERE c.code = 'DIEUHOA' AND t.position = 3)
		INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity)
		SELECT 'K7Q2', p.id, t.campaign_id, t.id, 2000 FROM p, t`); err != nil {
		t.Fatal(err)
	}
	before := setupDump(t, db)

	labour := "      - {kind: labour, label: lắp đặt, goal: 40}\n"
	removed := setupReplace(t, example, labour, "")
	_, err := setupApply(t, db, removed)
	// The removed target has no line of its own; the campaign's targets key
	// is blamed.
	wantLine := setupLineOf(t, removed, "{kind: goods, item: điều hòa") - 2
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("quang-yen.yaml:%d: campaign DIEUHOA: target 3 (labour: lắp đặt) has pledges or receipts, so it cannot be removed", wantLine)) {
		t.Errorf("removing a pledged target: err = %v", err)
	}
	if after := setupDump(t, db); after != before {
		t.Errorf("a refused file changed the database:\n%s", after)
	}

	rekinded := setupReplace(t, example, labour, "      - {kind: land, goal: 40}\n")
	_, err = setupApply(t, db, rekinded)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("quang-yen.yaml:%d: campaign DIEUHOA: target 3 (labour: lắp đặt) has pledges or receipts and cannot become land", setupLineOf(t, rekinded, "{kind: land, goal: 40}"))) {
		t.Errorf("changing a pledged target's kind: err = %v", err)
	}
	if after := setupDump(t, db); after != before {
		t.Errorf("a refused file changed the database:\n%s", after)
	}

	// Its goal may change, and the pledge keeps pointing at it.
	regoaled := setupReplace(t, example, labour, "      - {kind: labour, label: lắp đặt, goal: 60.5}\n")
	r := setupMustApply(t, db, regoaled)
	if r.Targets.Updated != 1 {
		t.Errorf("report:\n%v", r)
	}
	if n := setupCount(t, db, `SELECT count(*) FROM pledges p JOIN targets t ON t.id = p.target_id WHERE p.code = 'K7Q2' AND t.goal = 60500 AND t.position = 3`); n != 1 {
		t.Errorf("the pledge does not point at the updated target")
	}

	// The store refuses too, should a caller skip Apply's check.
	err = db.InTx(ctx, func(tx *Tx) error {
		c, err := tx.CampaignByCode(ctx, "DIEUHOA")
		if err != nil {
			return err
		}
		_, _, _, err = tx.SetTargets(ctx, c.ID, c.Targets[:2])
		return err
	})
	if !errors.Is(err, ErrTargetInUse) {
		t.Errorf("SetTargets removing a pledged target: err = %v, want ErrTargetInUse", err)
	}
}

// Codes are matched ignoring case, as AreaByCode and CampaignByCode look
// them up: a file that changes only the case of a code updates the row.
func TestSetupCodeCase(t *testing.T) {
	db := openSetupDB(t)
	file := `areas:
  - {code: yg, name: Yên Giang}
units:
  - {code: mttq-yg, name: MTTQ, area: yg}
campaigns:
  - {code: DIEUHOA, title: Điều hòa, unit: mttq-yg, areas: [yg], targets: [{kind: money, goal: 1000}]}
`
	setupMustApply(t, db, file)
	r := setupMustApply(t, db, strings.NewReplacer("yg", "YG", "mttq", "MTTQ").Replace(file))
	if r.Areas.Updated != 1 || r.Units.Updated != 1 || r.Areas.Created+r.Units.Created != 0 {
		t.Errorf("report:\n%v", r)
	}
	if n := setupCount(t, db, `SELECT count(*) FROM areas WHERE code = 'YG'`) + setupCount(t, db, `SELECT count(*) FROM units WHERE code = 'MTTQ-YG'`); n != 2 {
		t.Errorf("codes not updated to the new case")
	}
}
