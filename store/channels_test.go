package store

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/setup"
	"github.com/danvan/danvan/store/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"
)

// migrateTo brings the schema of the database on conn to version v of the
// embedded migrations, as Migrate does to the latest.
func migrateTo(ctx context.Context, conn *pgx.Conn, v int32) error {
	m, err := migrate.NewMigrator(ctx, conn, "schema_version")
	if err != nil {
		return err
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	if err := m.LoadMigrations(sub); err != nil {
		return err
	}
	return m.MigrateTo(ctx, v)
}

// emptyDB gives a test a database without any schema: pgtest's copies come
// migrated to the latest version, so everything in them is dropped.
func emptyDB(t *testing.T) (url string, conn *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	url = pgtest.NewDB(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	if _, err := conn.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	return url, conn
}

// rowsOf is every row of a table as JSON, without the columns in drop,
// sorted: two dumps are equal when the rows are.
func rowsOf(t *testing.T, conn *pgx.Conn, table string, drop ...string) []string {
	t.Helper()
	if drop == nil {
		drop = []string{}
	}
	rows, _ := conn.Query(context.Background(), `SELECT (to_jsonb(x) - $1::text[])::text FROM `+table+` x ORDER BY 1`, drop)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("rows of %s: %v", table, err)
	}
	return out
}

// queryRows is the rows of query, each as its columns' text joined by
// spaces, in the query's order.
func queryRows(t *testing.T, conn *pgx.Conn, query string, args ...any) []string {
	t.Helper()
	rows, err := conn.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		vals, err := r.Values()
		if err != nil {
			return "", err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		return strings.Join(parts, " "), nil
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// sorted sorts s in Go's order, which does not depend on the database's
// collation, and returns it.
func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// A database of the Telegram-only days, migrated, keeps every row: people
// become identities and chats with the numbers they had, and everything
// that named a chat by its Telegram id names the same chat.
func TestMigrationKeepsTelegramData(t *testing.T) {
	ctx := context.Background()
	url, conn := emptyDB(t)
	if err := migrateTo(ctx, conn, 10); err != nil {
		t.Fatalf("migrate to version 10: %v", err)
	}
	if rows := queryRows(t, conn, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'people' AND column_name = 'telegram_id'`); rows[0] != "1" {
		t.Fatal("version 10 has no people.telegram_id: the test would not test the migration")
	}

	// The ward as version 10 kept it: Hoa heads Khu 1 and is an admin;
	// Lan, with a Telegram id past 2^32, pledged; Bình blocked the bot;
	// Nhà bà Tư has no phone and pledged through Hoa.
	const (
		hoa, lan, binh int64 = 100001, 7123456789, 200002
		group          int64 = -1001234567890
		stranger       int64 = 999 // wrote once, never became a person
	)
	old := `
	WITH ward AS (INSERT INTO areas (code, name) VALUES ('YG', 'Yên Giang') RETURNING id),
	     zone AS (INSERT INTO areas (code, name, parent_id) SELECT 'YG-K1', 'Khu 1', id FROM ward RETURNING id)
	INSERT INTO units (code, name, area_id) SELECT 'MTTQ-YG', 'MTTQ', id FROM ward;
	INSERT INTO people (telegram_id, name, lang, home_area_id, created_at, updated_at)
		SELECT 100001, 'Trần Thị Hoa', 'vi', id, '2025-01-02 03:04:05+07', '2025-02-03 04:05:06+07' FROM areas WHERE code = 'YG-K1';
	INSERT INTO people (telegram_id, name, lang, reminders_off, created_at) VALUES
		(7123456789, 'Nguyễn Thị Lan', 'en', true, '2025-03-04 05:06:07+07'),
		(200002, 'Lê Văn Bình', 'vi', false, '2025-04-05 06:07:08+07');
	INSERT INTO people (name, home_area_id, recorded_by)
		SELECT 'Nhà bà Tư', a.id, p.id FROM areas a, people p WHERE a.code = 'YG-K1' AND p.telegram_id = 100001;
	INSERT INTO roles (person_id, role, area_id, source) SELECT p.id, 'head', a.id, 'setup' FROM people p, areas a
		WHERE p.telegram_id = 100001 AND a.code = 'YG-K1';
	INSERT INTO roles (person_id, role, source) SELECT id, 'admin', 'env' FROM people WHERE telegram_id = 100001;
	INSERT INTO campaigns (code, title, unit_id, due_days) SELECT 'DIEUHOA', 'Điều hòa', id, 14 FROM units;
	INSERT INTO campaign_areas SELECT c.id, a.id FROM campaigns c, areas a WHERE a.code = 'YG-K1';
	INSERT INTO targets (campaign_id, position, kind, goal) SELECT id, 1, 'money', 180000000 FROM campaigns;
	INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, received, due)
		SELECT 'K7Q2', p.id, t.campaign_id, t.id, 2000000, 500000, '2026-12-10' FROM people p, targets t WHERE p.telegram_id = 7123456789;
	INSERT INTO pledges (code, person_id, campaign_id, target_id, quantity, recorded_by)
		SELECT 'H0U5', p.id, t.campaign_id, t.id, 300000, p.recorded_by FROM people p, targets t WHERE p.name = 'Nhà bà Tư';
	INSERT INTO pledge_reminders (pledge_id, sent, last_sent_at) SELECT id, 2, '2026-11-29 18:00+07' FROM pledges WHERE code = 'K7Q2';
	INSERT INTO receipts (pledge_id, campaign_id, target_id, quantity, method, recorded_by)
		SELECT pl.id, pl.campaign_id, pl.target_id, 500000, 'cash', h.id FROM pledges pl, people h WHERE pl.code = 'K7Q2' AND h.telegram_id = 100001;
	INSERT INTO groups (chat_id, title, unit_id, summary_weekday, summary_hour) SELECT -1001234567890, 'Ban vận động', id, 5, 19 FROM units;
	INSERT INTO group_campaigns SELECT -1001234567890, id FROM campaigns;
	INSERT INTO summary_snapshots (chat_id, target_id, pledged, received, sent_at) SELECT -1001234567890, id, 2300000, 500000, '2026-11-23 08:00+07' FROM targets;
	INSERT INTO outbox (chat_id, priority, payload, sent_at) VALUES
		(100001, 1, '{"kind": "send", "chat_id": 100001, "text": "digest", "broadcast": true}', '2026-11-29 18:00:01+07');
	INSERT INTO outbox (chat_id, priority, payload, attempts, last_error) VALUES
		(7123456789, 1, '{"kind": "send", "chat_id": 7123456789, "text": "reminder", "broadcast": true}', 1, 'timeout'),
		(-1001234567890, 0, '{"kind": "send", "chat_id": -1001234567890, "text": "summary"}', 0, '');
	INSERT INTO outbox (chat_id, payload, failed_at, last_error) VALUES
		(200002, '{"kind": "send", "chat_id": 200002, "text": "thanks"}', '2026-11-20 10:00+07', 'unreachable: blocked');
	INSERT INTO unreachable_chats (chat_id, reason, since) VALUES (200002, 'Forbidden: bot was blocked by the user', '2026-11-20 10:00+07');
	INSERT INTO conversations (chat_id, user_id, state, updated_at) VALUES
		(7123456789, 7123456789, '{"v": 1, "flow": "pledge"}', '2026-11-29 09:00+07'),
		(-1001234567890, 100001, '{"v": 1, "flow": "link"}', '2026-11-29 09:01+07'),
		(999, 999, '{"v": 1, "flow": "start"}', '2026-11-29 09:02+07');
	INSERT INTO processed_updates (update_id, processed_at) VALUES (5001, '2026-11-29 09:00+07'), (5002, '2026-11-29 09:01+07');
	`
	if _, err := conn.Exec(ctx, old); err != nil {
		t.Fatalf("filling version 10: %v", err)
	}

	// What must come through unchanged, read before the migration.
	same := map[string][]string{}
	for _, table := range []string{"areas", "units", "roles", "campaigns", "campaign_areas", "targets", "pledges",
		"pledge_reminders", "receipts", "groups", "group_campaigns", "summary_snapshots", "unreachable_chats"} {
		same[table] = rowsOf(t, conn, table)
	}
	outboxBefore := rowsOf(t, conn, "outbox")
	peopleBefore := rowsOf(t, conn, "people", "telegram_id")
	type person struct {
		id        int64
		telegram  *int64
		createdAt time.Time
	}
	rows, _ := conn.Query(ctx, `SELECT id, telegram_id, created_at FROM people ORDER BY id`)
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (person, error) {
		var p person
		err := r.Scan(&p.id, &p.telegram, &p.createdAt)
		return p, err
	})
	if err != nil || len(people) != 4 {
		t.Fatalf("people before: %v, %v", people, err)
	}
	personOf := map[int64]int64{} // Telegram id → person
	for _, p := range people {
		if p.telegram != nil {
			personOf[*p.telegram] = p.id
		}
	}
	// The conversation of the stranger, who has no person to belong to, is
	// the one row the migration drops (conversations now belong to
	// people); the others are kept with their person.
	wantConversations := []string{
		fmt.Sprintf("%d %d pledge", lan, personOf[lan]),
		fmt.Sprintf("%d %d link", group, personOf[hoa]),
	}
	slices.Sort(wantConversations)

	if err := Migrate(ctx, url); err != nil {
		t.Fatalf("migrate to the latest version: %v", err)
	}

	for table, before := range same {
		if after := rowsOf(t, conn, table); !slices.Equal(after, before) {
			t.Errorf("%s changed:\nbefore:\n%s\nafter:\n%s", table, strings.Join(before, "\n"), strings.Join(after, "\n"))
		}
	}
	if after := rowsOf(t, conn, "outbox", "parts_sent"); !slices.Equal(after, outboxBefore) {
		t.Errorf("outbox changed:\nbefore:\n%s\nafter:\n%s", strings.Join(outboxBefore, "\n"), strings.Join(after, "\n"))
	}
	if got := queryRows(t, conn, `SELECT count(*) FROM outbox WHERE parts_sent <> 0`); got[0] != "0" {
		t.Errorf("%s messages have parts sent, want none", got[0])
	}
	if after := rowsOf(t, conn, "people", "chat_id"); !slices.Equal(after, peopleBefore) {
		t.Errorf("people changed:\nbefore:\n%s\nafter:\n%s", strings.Join(peopleBefore, "\n"), strings.Join(after, "\n"))
	}

	// Each Telegram id is an identity of the same person, as old as the
	// person, and the person's private chat has the Telegram id's number.
	for _, p := range people {
		ids := queryRows(t, conn, `SELECT channel, external_id, created_at = $2 FROM identities WHERE person_id = $1`, p.id, p.createdAt)
		chat := queryRows(t, conn, `SELECT chat_id FROM people WHERE id = $1`, p.id)
		if p.telegram == nil {
			if len(ids) != 0 || chat[0] != "NULL" {
				t.Errorf("the household %d has identities %v and chat %v, want none", p.id, ids, chat)
			}
			continue
		}
		if want := fmt.Sprintf("telegram %d true", *p.telegram); len(ids) != 1 || ids[0] != want {
			t.Errorf("person %d has identities %v, want [%s]", p.id, ids, want)
		}
		if chat[0] != fmt.Sprint(*p.telegram) {
			t.Errorf("person %d's chat is %v, want %d", p.id, chat, *p.telegram)
		}
	}
	if got := queryRows(t, conn, `SELECT count(*) FROM identities`); got[0] != "3" {
		t.Errorf("%s identities, want 3", got[0])
	}
	// Every chat any table named is a Telegram chat with its number as
	// internal id; groups are those with negative numbers.
	wantChats := []string{}
	for _, id := range []int64{hoa, lan, binh, group, stranger} {
		wantChats = append(wantChats, fmt.Sprintf("%d telegram %d %v", id, id, id < 0))
	}
	slices.Sort(wantChats)
	if got := sorted(queryRows(t, conn, `SELECT id, channel, external_id, is_group FROM chats`)); !slices.Equal(got, wantChats) {
		t.Errorf("chats:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantChats, "\n"))
	}
	if got := sorted(queryRows(t, conn, `SELECT chat_id, person_id, state->>'flow' FROM conversations`)); !slices.Equal(got, wantConversations) {
		t.Errorf("conversations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantConversations, "\n"))
	}
	if got := queryRows(t, conn, `SELECT count(*) FROM conversations WHERE updated_at IN ('2026-11-29 09:00+07', '2026-11-29 09:01+07')`); got[0] != "2" {
		t.Errorf("%s conversations kept their time, want 2", got[0])
	}
	if got := queryRows(t, conn, `SELECT channel, key, processed_at = '2026-11-29 09:00+07' FROM processed_keys ORDER BY key`); !slices.Equal(got, []string{"telegram 5001 true", "telegram 5002 false"}) {
		t.Errorf("processed keys = %v, want Telegram's 5001 and 5002 with their times", got)
	}
	if got := queryRows(t, conn, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'processed_updates'`); got[0] != "0" {
		t.Error("processed_updates is still there")
	}

	// The store reads the migrated rows as its own.
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if last, err := db.LastUpdateID(ctx); err != nil || last != 5002 {
		t.Errorf("last update id = %d, %v; want 5002", last, err)
	}
	if applied, err := db.HandleUpdate(ctx, danvan.Telegram, "5002", func(*Tx) ([]danvan.Outgoing, error) { return nil, nil }); err != nil || applied {
		t.Errorf("update 5002 applied again after the migration (%v)", err)
	}
	msgs, err := db.NextOutgoing(ctx, danvan.Telegram, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, m := range msgs {
		heads = append(heads, fmt.Sprintf("%d %s %v %s", m.ChatID, m.Ref, m.Group, m.Text))
	}
	if want := []string{fmt.Sprintf("%d %d true summary", group, group), fmt.Sprintf("%d %d false reminder", lan, lan)}; !slices.Equal(heads, want) {
		t.Errorf("outbox heads = %v, want %v", heads, want)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, telegramUser(lan), "Lan", "en", 0)
		if err != nil {
			return err
		}
		if p.ID != personOf[lan] || p.ChatID != lan || p.Name != "Nguyễn Thị Lan" {
			t.Errorf("Telegram %d is now %+v, want person %d in chat %d, named as before", lan, p, personOf[lan], lan)
		}
		state, err := tx.LoadConversation(ctx, lan, p.ID)
		if err != nil {
			return err
		}
		var s struct{ Flow string }
		if err := json.Unmarshal(state, &s); err != nil || s.Flow != "pledge" {
			t.Errorf("Lan's conversation = %s (%v), want her pledge", state, err)
		}
		ls, _, err := tx.RoleLines(ctx, 10, 0)
		if err != nil {
			return err
		}
		if len(ls) != 2 || ls[0].Person.ID != personOf[hoa] || ls[0].Person.ChatID != hoa {
			t.Errorf("roles = %+v, want Hoa's two, with her chat %d", ls, hoa)
		}
		// Chats known from now on are numbered where no Telegram id
		// reaches.
		chat, err := tx.EnsureChat(ctx, danvan.Zalo, "e4ea2cd5189df1c3a88c", false)
		if err != nil {
			return err
		}
		if chat <= 1<<53 {
			t.Errorf("a new chat is numbered %d, within Telegram's ids", chat)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// notWritten reports whether the transaction has written nothing so far:
// PostgreSQL gives a transaction an id only when it writes or locks a row.
func notWritten(t *testing.T, ctx context.Context, tx *Tx) bool {
	t.Helper()
	var none bool
	if err := tx.tx.QueryRow(ctx, `SELECT pg_current_xact_id_if_assigned() IS NULL`).Scan(&none); err != nil {
		t.Fatal(err)
	}
	return none
}

// One identity is one person on every call, created once; another
// channel's account is another person until the setup file joins them.
func TestEnsurePersonAcrossChannels(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	zalo := danvan.Identity{Channel: danvan.Zalo, Ref: "e4ea2cd5189df1c3a88c"}
	in := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := db.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if err := db.Pool.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	var lan danvan.Person
	in(func(tx *Tx) (err error) {
		lan, err = tx.EnsurePerson(ctx, telegramUser(5001), "Lan", "vi", 0)
		return err
	})
	var lanChat int64
	in(func(tx *Tx) (err error) {
		lanChat, err = telegramChat(ctx, tx, 5001)
		return err
	})
	if lan.ID == 0 || lan.Name != "Lan" || lan.Lang != "vi" || lan.ChatID != lanChat || lanChat == 0 {
		t.Fatalf("first contact = %+v, want Lan in her private chat %d", lan, lanChat)
	}
	// Writing again, in a group or privately, finds her without writing.
	db.Now = func() time.Time { return time.Now().Add(time.Hour) }
	for _, private := range []int64{0, lanChat} {
		in(func(tx *Tx) error {
			p, err := tx.EnsurePerson(ctx, telegramUser(5001), "Lan", "vi", private)
			if err != nil {
				return err
			}
			if p != lan {
				t.Errorf("again (private chat %d) = %+v, want %+v", private, p, lan)
			}
			if !notWritten(t, ctx, tx) {
				t.Errorf("finding a known person (private chat %d) wrote to the database", private)
			}
			return nil
		})
	}
	if n := count(`SELECT count(*) FROM people`) + count(`SELECT count(*) FROM identities`) + count(`SELECT count(*) FROM chats`); n != 3 {
		t.Errorf("%d people, identities and chats in all, want one of each", n)
	}

	// A Zalo id, a string, is someone else, with a private chat of their
	// own on Zalo, numbered past Telegram's ids.
	var other danvan.Person
	in(func(tx *Tx) (err error) {
		other, err = tx.EnsurePerson(ctx, zalo, "Lan Nguyễn", "vi", 0)
		if err != nil {
			return err
		}
		ids, err := tx.Identities(ctx, other.ID)
		if err != nil {
			return err
		}
		if !slices.Equal(ids, []danvan.Identity{zalo}) {
			t.Errorf("the Zalo person's accounts = %v, want %v", ids, zalo)
		}
		return nil
	})
	if other.ID == lan.ID || other.Name != "Lan Nguyễn" || other.ChatID <= 1<<53 {
		t.Errorf("Zalo's %s = %+v, want another person with a new chat", zalo.Ref, other)
	}
	if n := count(`SELECT count(*) FROM chats WHERE id = $1 AND channel = 'zalo' AND external_id = $2 AND NOT is_group`, other.ChatID, zalo.Ref); n != 1 {
		t.Errorf("the Zalo person's chat %d is not Zalo's private chat %s", other.ChatID, zalo.Ref)
	}
	// The same digits on the two channels are two accounts.
	in(func(tx *Tx) error {
		p, err := tx.EnsurePerson(ctx, danvan.Identity{Channel: danvan.Zalo, Ref: "5001"}, "Lan Zalo", "vi", 0)
		if err == nil && p.ID == lan.ID {
			t.Errorf("Zalo's 5001 is Telegram's 5001's person")
		}
		return err
	})

	// Where the bot writes to someone on its own follows the private chat
	// they last wrote from; a message in a group leaves it, and so does a
	// change of language.
	var minh int64
	minhZalo := danvan.Identity{Channel: danvan.Zalo, Ref: "zalo-minh_01"}
	var minhTelegram, minhZaloChat int64
	in(func(tx *Tx) (err error) {
		if minh, _, _, err = tx.UpsertPerson(ctx, []danvan.Identity{telegramUser(5002), minhZalo}, "Minh"); err != nil {
			return err
		}
		if minhTelegram, err = telegramChat(ctx, tx, 5002); err != nil {
			return err
		}
		minhZaloChat, err = tx.EnsureChat(ctx, danvan.Zalo, minhZalo.Ref, false)
		return err
	})
	chatOf := func(id int64) int64 {
		t.Helper()
		var chat int64
		if err := db.Pool.QueryRow(ctx, `SELECT COALESCE(chat_id, 0) FROM people WHERE id = $1`, id).Scan(&chat); err != nil {
			t.Fatal(err)
		}
		return chat
	}
	if got := chatOf(minh); got != minhTelegram {
		t.Fatalf("Minh's chat from setup = %d, want his Telegram chat %d", got, minhTelegram)
	}
	for _, step := range []struct {
		id      danvan.Identity
		lang    string
		private int64
		want    int64
	}{
		{minhZalo, "vi", minhZaloChat, minhZaloChat},
		{telegramUser(5002), "vi", 0, minhZaloChat},
		{minhZalo, "en", 0, minhZaloChat},
		{telegramUser(5002), "en", minhTelegram, minhTelegram},
	} {
		in(func(tx *Tx) error {
			p, err := tx.EnsurePerson(ctx, step.id, "Minh", step.lang, step.private)
			if err != nil {
				return err
			}
			if p.ID != minh || p.ChatID != step.want || p.Lang != step.lang {
				t.Errorf("Minh writing from %v (private chat %d) = %+v, want person %d, chat %d, language %s", step.id, step.private, p, minh, step.want, step.lang)
			}
			return nil
		})
		if got := chatOf(minh); got != step.want {
			t.Errorf("after Minh wrote from %v (private chat %d), his chat is %d, want %d", step.id, step.private, got, step.want)
		}
	}

	// An admin from DANVAN_ADMINS is "#id" until they write; then they
	// are called what they go by. A name from the setup file is kept.
	var admins []danvan.RoleLine
	in(func(tx *Tx) (err error) {
		admins, _, err = tx.SyncEnvAdmins(ctx, []danvan.Identity{telegramUser(123), {Channel: danvan.Zalo, Ref: "adminzalo"}})
		if err != nil {
			return err
		}
		_, _, _, err = tx.UpsertPerson(ctx, []danvan.Identity{telegramUser(124)}, "Phạm Văn Đức")
		return err
	})
	if len(admins) != 2 || admins[0].Person.Name != "#123" || admins[1].Person.Name != "#zalo:adminzalo" {
		t.Fatalf("new admins = %+v, want #123 and #zalo:adminzalo", admins)
	}
	for _, c := range []struct {
		id         danvan.Identity
		person     int64
		name, want string
	}{
		{telegramUser(123), admins[0].Person.ID, "Hùng", "Hùng"},
		{telegramUser(123), admins[0].Person.ID, "Hùng Lê", "Hùng"},
		{danvan.Identity{Channel: danvan.Zalo, Ref: "adminzalo"}, admins[1].Person.ID, "Tâm", "Tâm"},
		{telegramUser(124), 0, "Đức", "Phạm Văn Đức"},
	} {
		in(func(tx *Tx) error {
			p, err := tx.EnsurePerson(ctx, c.id, c.name, "vi", 0)
			if err != nil {
				return err
			}
			if p.Name != c.want || c.person != 0 && p.ID != c.person {
				t.Errorf("%v writing as %q = %+v, want person %d named %q", c.id, c.name, p, c.person, c.want)
			}
			return nil
		})
		var name string
		if err := db.Pool.QueryRow(ctx, `SELECT p.name FROM people p JOIN identities i ON i.person_id = p.id
			WHERE i.channel = $1 AND i.external_id = $2`, c.id.Channel, c.id.Ref).Scan(&name); err != nil || name != c.want {
			t.Errorf("%v is stored as %q (%v), want %q", c.id, name, err, c.want)
		}
	}
}

// A chat the channel gave a new id keeps its internal id and what hangs on
// it; a new id the bot already knew takes over what waits and the group's
// links.
func TestRenameChat(t *testing.T) {
	db := openDB(t)
	c := seedCampaign(t, db)
	ctx := context.Background()
	in := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := db.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	var lan danvan.Person
	in(func(tx *Tx) (err error) {
		lan, err = tx.EnsurePerson(ctx, telegramUser(5001), "Lan", "vi", 0)
		return err
	})
	// group records a Telegram group following the campaign, summarised on
	// Fridays at 19:00, with a message waiting and one sent.
	group := func(ref int64) int64 {
		t.Helper()
		var chat int64
		in(func(tx *Tx) (err error) {
			if chat, err = telegramChat(ctx, tx, ref); err != nil {
				return err
			}
			if err := tx.RecordGroup(ctx, chat, "Nhóm cũ"); err != nil {
				return err
			}
			if _, err := tx.ToggleGroupCampaign(ctx, chat, c.ID); err != nil {
				return err
			}
			if err := tx.SetGroupSchedule(ctx, chat, 5, 19); err != nil {
				return err
			}
			return tx.Enqueue(ctx, send(chat, "sent"), send(chat, fmt.Sprint("waiting in ", ref)))
		})
		msgs, err := db.NextOutgoing(ctx, danvan.Telegram, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.ChatID == chat {
				if err := db.MarkSent(ctx, m.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		return chat
	}
	refOf := func(chat int64) []string {
		t.Helper()
		rows, _ := db.Pool.Query(ctx, `SELECT channel || ' ' || external_id FROM chats WHERE id = $1`, chat)
		refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return refs
	}
	head := func(chat int64) (danvan.OutboxMessage, bool) {
		t.Helper()
		msgs, err := db.NextOutgoing(ctx, danvan.Telegram, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.ChatID == chat {
				return m, true
			}
		}
		return danvan.OutboxMessage{}, false
	}
	checkGroup := func(what string, chat int64, title string) {
		t.Helper()
		in(func(tx *Tx) error {
			_, _, cs, found, err := tx.GroupLinks(ctx, chat)
			if err != nil || !found || !slices.Equal(cs, []int64{c.ID}) {
				t.Errorf("%s: campaigns %v (found %v, err %v), want %d", what, cs, found, err, c.ID)
			}
			if day, hour, err := tx.GroupSchedule(ctx, chat); err != nil || day != 5 || hour != 19 {
				t.Errorf("%s: schedule %d %d (%v), want Friday 19", what, day, hour, err)
			}
			return nil
		})
		var got string
		if err := db.Pool.QueryRow(ctx, `SELECT title FROM groups WHERE chat_id = $1`, chat).Scan(&got); err != nil || got != title {
			t.Errorf("%s: title %q (%v), want %q", what, got, err, title)
		}
	}

	// A new id nobody knew: the chat is renamed in place.
	chat := group(-100)
	in(func(tx *Tx) error { return tx.SaveConversation(ctx, chat, lan.ID, []byte(`{"flow": "link"}`)) })
	var renamed int64
	in(func(tx *Tx) (err error) {
		renamed, err = tx.RenameChat(ctx, danvan.Telegram, "-100", "-1001000")
		return err
	})
	if renamed != chat {
		t.Fatalf("renamed chat = %d, want %d, the same", renamed, chat)
	}
	if got := refOf(chat); !slices.Equal(got, []string{"telegram -1001000"}) {
		t.Errorf("chat %d is now %v, want Telegram's -1001000", chat, got)
	}
	checkGroup("renamed", chat, "Nhóm cũ")
	if m, ok := head(chat); !ok || m.Ref != "-1001000" || !m.Group || m.Text != "waiting in -100" {
		t.Errorf("the renamed chat's head = %+v (%v), want what waited, to -1001000", m, ok)
	}
	in(func(tx *Tx) error {
		state, err := tx.LoadConversation(ctx, chat, lan.ID)
		if err != nil || string(state) != `{"flow": "link"}` {
			t.Errorf("conversation in the renamed chat = %s (%v)", state, err)
		}
		again, err := telegramChat(ctx, tx, -1001000)
		if err == nil && again != chat {
			t.Errorf("Telegram's -1001000 is chat %d, want %d", again, chat)
		}
		return err
	})
	// Renaming what no longer exists, or another channel's chat of that
	// id, changes nothing.
	in(func(tx *Tx) error {
		for _, ch := range []danvan.Channel{danvan.Telegram, danvan.Zalo} {
			if got, err := tx.RenameChat(ctx, ch, "-100", "-1009999"); err != nil || got != 0 {
				t.Errorf("renaming %s's -100 again = %d, %v; want 0", ch, got, err)
			}
		}
		return nil
	})
	if got := refOf(chat); !slices.Equal(got, []string{"telegram -1001000"}) {
		t.Errorf("after renaming nothing, chat %d is %v", chat, got)
	}

	// A new id the bot already knew (it was told it was added there first):
	// the old chat's waiting message and links move there.
	old := group(-200)
	var known int64
	in(func(tx *Tx) (err error) {
		if known, err = telegramChat(ctx, tx, -1002000); err != nil {
			return err
		}
		return tx.RecordGroup(ctx, known, "")
	})
	in(func(tx *Tx) (err error) {
		renamed, err = tx.RenameChat(ctx, danvan.Telegram, "-200", "-1002000")
		return err
	})
	if renamed != known || known == old {
		t.Fatalf("merged chat = %d, want the known one, %d", renamed, known)
	}
	checkGroup("merged", known, "Nhóm cũ")
	in(func(tx *Tx) error {
		if _, _, _, found, err := tx.GroupLinks(ctx, old); err != nil || found {
			t.Errorf("the old chat is still a group (err %v)", err)
		}
		return nil
	})
	if m, ok := head(known); !ok || m.Ref != "-1002000" || m.Text != "waiting in -200" {
		t.Errorf("the known chat's head = %+v (%v), want what waited for the old one", m, ok)
	}
	if _, ok := head(old); ok {
		t.Error("something still waits for the old chat")
	}
	var pending, sent int
	if err := db.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE sent_at IS NULL AND (payload->>'chat_id')::bigint = chat_id),
		count(*) FILTER (WHERE sent_at IS NOT NULL) FROM outbox WHERE chat_id = $1`, known).Scan(&pending, &sent); err != nil || pending != 1 || sent != 0 {
		t.Errorf("the known chat has %d pending (addressed to it) and %d sent messages (%v), want 1 and 0", pending, sent, err)
	}
	if n := countRows(t, db, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND sent_at IS NOT NULL`, old); n != 1 {
		t.Errorf("the old chat's sent message: %d rows, want it kept where it was sent", n)
	}
}

// A person of the setup file may have a Telegram id, a Zalo id or both:
// one person with an identity each, written once.
func TestUpsertPersonWithZalo(t *testing.T) {
	db := openSetupDB(t)
	ctx := context.Background()
	const zalo = "e4ea2cd5189df1c3a88c"
	file := `areas:
  - {code: YG, name: Yên Giang}
people:
  - telegram_id: 100001
    zalo_id: ` + zalo + `
    name: Trần Thị Hoa
    roles:
      - {role: admin}
  - zalo_id: zalo-only_2
    name: Lê Văn Nam
  - telegram_id: 100003
    name: Phạm Minh
`
	r := setupMustApply(t, db, file)
	if r.People != (setup.Count{Created: 3}) || r.Roles != (setup.Count{Created: 1}) {
		t.Errorf("first report:\n%v", r)
	}
	accounts := func() map[string]int64 {
		t.Helper()
		rows, _ := db.Pool.Query(ctx, `SELECT channel || ':' || external_id, person_id FROM identities`)
		m := map[string]int64{}
		var key string
		var id int64
		if _, err := pgx.ForEachRow(rows, []any{&key, &id}, func() error { m[key] = id; return nil }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	acc := accounts()
	hoa := acc["telegram:100001"]
	if len(acc) != 4 || hoa == 0 || acc["zalo:"+zalo] != hoa || acc["zalo:zalo-only_2"] == 0 ||
		acc["zalo:zalo-only_2"] == hoa || acc["telegram:100003"] == 0 || acc["telegram:100003"] == acc["zalo:zalo-only_2"] {
		t.Fatalf("identities = %v, want Hoa's two, Nam's and Minh's", acc)
	}
	if n := setupCount(t, db, `SELECT count(*) FROM people`); n != 3 {
		t.Errorf("%d people, want 3", n)
	}
	// Each has a private chat on each of their channels, and the bot
	// writes to them on their own on the first: Telegram for Hoa.
	if n := setupCount(t, db, `SELECT count(*) FROM chats c JOIN identities i ON i.channel = c.channel AND i.external_id = c.external_id WHERE NOT c.is_group`); n != 4 {
		t.Errorf("%d private chats for the 4 accounts", n)
	}
	for account, person := range map[string]int64{"telegram:100001": hoa, "zalo:zalo-only_2": acc["zalo:zalo-only_2"], "telegram:100003": acc["telegram:100003"]} {
		if n := setupCount(t, db, `SELECT count(*) FROM people p JOIN chats c ON c.id = p.chat_id
			WHERE p.id = $1 AND c.channel || ':' || c.external_id = $2`, person, account); n != 1 {
			t.Errorf("person %d is not written to in %s's private chat", person, account)
		}
	}
	if err := db.InTx(ctx, func(tx *Tx) error {
		ids, err := tx.Identities(ctx, hoa)
		if err != nil {
			return err
		}
		if want := []danvan.Identity{telegramUser(100001), {Channel: danvan.Zalo, Ref: zalo}}; !slices.Equal(ids, want) {
			t.Errorf("Hoa's accounts = %v, want %v", ids, want)
		}
		gs, err := tx.Grants(ctx, hoa)
		if err != nil || len(gs) != 1 || gs[0].Role != danvan.RoleAdmin {
			t.Errorf("Hoa's roles = %v (%v), want admin", gs, err)
		}
		// Writing from either account, she is the same person.
		for _, id := range ids {
			p, err := tx.EnsurePerson(ctx, id, "Hoa", "vi", 0)
			if err != nil {
				return err
			}
			if p.ID != hoa || p.Name != "Trần Thị Hoa" {
				t.Errorf("%v = %+v, want Hoa (%d) as the file names her", id, p, hoa)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// The same file again writes nothing.
	before := setupDump(t, db)
	db.Now = func() time.Time { return setupToday.Add(time.Hour) }
	if r := setupMustApply(t, db, file); r.Changed() || r.People.Unchanged != 3 {
		t.Errorf("second run:\n%v", r)
	}
	if after := setupDump(t, db); after != before {
		t.Errorf("rows differ after the second run:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// Minh's Zalo account, added to the file, joins him.
	withZalo := setupReplace(t, file, "  - telegram_id: 100003\n", "  - telegram_id: 100003\n    zalo_id: minh-zalo\n")
	if r := setupMustApply(t, db, withZalo); r.People != (setup.Count{Updated: 1, Unchanged: 2}) {
		t.Errorf("adding Minh's Zalo id:\n%v", r)
	}
	if acc := accounts(); len(acc) != 5 || acc["zalo:minh-zalo"] != acc["telegram:100003"] {
		t.Errorf("identities = %v, want Minh's Zalo id his", acc)
	}
	if n := setupCount(t, db, `SELECT count(*) FROM people`); n != 3 {
		t.Errorf("%d people, want still 3", n)
	}

	// Two accounts that are two people already are not joined by the file:
	// Nam's Zalo account and Minh's Telegram one.
	before = setupDump(t, db)
	joined := setupReplace(t, withZalo, "  - zalo_id: zalo-only_2\n", "  - zalo_id: zalo-only_2\n    telegram_id: 100003\n")
	joined = setupReplace(t, joined, "  - telegram_id: 100003\n    zalo_id: minh-zalo\n", "  - zalo_id: minh-zalo\n")
	_, err := setupApply(t, db, joined)
	if err == nil || !strings.Contains(err.Error(), "two people already") || !strings.Contains(err.Error(), fmt.Sprintf("quang-yen.yaml:%d: ", setupLineOf(t, joined, "zalo_id: zalo-only_2"))) {
		t.Errorf("joining two people: err = %v", err)
	}
	if after := setupDump(t, db); after != before {
		t.Errorf("a refused file changed the database:\n%s", after)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		_, _, _, err := tx.UpsertPerson(ctx, []danvan.Identity{telegramUser(100001), {Channel: danvan.Zalo, Ref: "zalo-only_2"}}, "Hoa")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "two people already") {
		t.Errorf("UpsertPerson joining Hoa and Nam: err = %v", err)
	}
	if after := setupDump(t, db); after != before {
		t.Errorf("a refused UpsertPerson changed the database:\n%s", after)
	}
}
