package flows_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/examples"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/setup"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

// These tests drive the conversations as chats do: a person sends a
// command, text or a button press, the engine answers inside the
// transaction that applies the update (a real PostgreSQL loaded with the
// example setup), and the answers land in the chats as a messenger shows
// them: new messages get ids, edits replace a message's text and buttons.

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, store.Migrate)) }

// The store's transaction is what the engine is handed.
var _ flows.Store = (*store.Tx)(nil)

var ict = time.FixedZone("ICT", 7*3600)

// ward is the example setup with the conversations running over it.
type ward struct {
	t      *testing.T
	ctx    context.Context
	db     *store.DB
	engine *flows.Engine
	now    time.Time
	update int64
	msgID  int64
	chats  map[int64][]*message // what each chat shows, oldest first
}

// message is a bot message as its chat shows it.
type message struct {
	ID      int64
	Chat    int64
	Kind    danvan.OutKind // send, photo or document
	Text    string         // the HTML the bot sent, after any edit
	Buttons [][]danvan.Button
	Edited  bool
}

func newWard(t *testing.T) *ward {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	engine, err := flows.New(flows.Config{Location: ict, StartLink: func(payload string) string { return "https://t.me/danvan_test_bot?start=" + payload }})
	if err != nil {
		t.Fatal(err)
	}
	w := &ward{t: t, ctx: ctx, db: db, engine: engine,
		// Every example campaign is open on this day.
		now:   time.Date(2026, 11, 29, 9, 0, 0, 0, ict),
		chats: map[int64][]*message{}}
	db.Now = func() time.Time { return w.now }
	f, err := setup.Parse("quang-yen.yaml", examples.QuangYen)
	if err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.LockSetup(ctx); err != nil {
			return err
		}
		_, err := setup.Apply(ctx, tx, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// handle applies one event as intake does and shows the replies in their
// chats; it returns the notice answering a button press.
func (w *ward) handle(ev flows.Event) (notice string) {
	w.t.Helper()
	w.update++
	w.now = w.now.Add(time.Second)
	var out []danvan.Outgoing
	_, err := w.db.HandleUpdate(w.ctx, danvan.Telegram, strconv.FormatInt(w.update, 10), func(tx *store.Tx) ([]danvan.Outgoing, error) {
		var err error
		// As intake does: the chat's internal id, from its Telegram id.
		if ev.ChatID, err = tx.EnsureChat(w.ctx, ev.Channel, ev.ChatRef, ev.Group); err != nil {
			return nil, err
		}
		out, err = w.engine.Handle(w.ctx, tx, ev)
		return out, err
	})
	if err != nil {
		w.t.Fatalf("handling %+v: %v", ev, err)
	}
	for _, o := range out {
		o.ChatID = w.external(o.ChatID)
		switch o.Kind {
		case danvan.OutSend, danvan.OutPhoto, danvan.OutDocument:
			w.msgID++
			w.chats[o.ChatID] = append(w.chats[o.ChatID], &message{ID: w.msgID, Chat: o.ChatID, Kind: o.Kind, Text: o.Text, Buttons: o.Buttons})
		case danvan.OutEdit:
			m := w.message(o.ChatID, o.MessageID)
			if m == nil || m.Kind != danvan.OutSend {
				// Telegram refuses to edit the text of a message that is
				// not there or has none: the outbox would keep it failed.
				w.t.Errorf("edit of message %d in chat %d, which has no text to edit", o.MessageID, o.ChatID)
				continue
			}
			m.Text, m.Buttons, m.Edited = o.Text, o.Buttons, true
		case danvan.OutAnswer:
			notice = o.Text
		}
	}
	return notice
}

// external is the harness's number of a chat, its Telegram id, from the
// chat's internal id.
func (w *ward) external(chatID int64) int64 {
	w.t.Helper()
	var ch, ref string
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT channel, external_id FROM chats WHERE id = $1`, chatID).Scan(&ch, &ref); err != nil {
		w.t.Fatalf("chat %d: %v", chatID, err)
	}
	if ch == string(danvan.Zalo) {
		return chatID // see zaloPerson
	}
	n, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		w.t.Fatalf("chat %d: Telegram id %q: %v", chatID, ref, err)
	}
	return n
}

// saveState puts a conversation's saved state in place, for the person
// and the chat the harness numbers by their Telegram ids.
func (w *ward) saveState(chat, who int64, state []byte) {
	w.t.Helper()
	tag, err := w.db.Pool.Exec(w.ctx, `
		WITH c AS (INSERT INTO chats (channel, external_id, is_group) VALUES ('telegram', $1::text, $1::text::bigint < 0)
			ON CONFLICT (channel, external_id) DO UPDATE SET is_group = chats.is_group RETURNING id)
		INSERT INTO conversations (chat_id, person_id, state)
		SELECT c.id, i.person_id, $3 FROM c, identities i WHERE i.channel = 'telegram' AND i.external_id = $2::text
		ON CONFLICT (chat_id, person_id) DO UPDATE SET state = EXCLUDED.state`, strconv.FormatInt(chat, 10), strconv.FormatInt(who, 10), state)
	if err != nil || tag.RowsAffected() != 1 {
		w.t.Fatalf("saving a state for %d in chat %d: %v (%d rows)", who, chat, err, tag.RowsAffected())
	}
}

func (w *ward) message(chat, id int64) *message {
	for _, m := range w.chats[chat] {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// person is someone writing to the bot, in private unless in a group.
type person struct {
	w    *ward
	id   int64
	name string
	lang string
	seen int    // messages of the private chat already read
	zalo string // their Zalo id, for a zaloPerson
}

func (w *ward) person(id int64, name string) *person {
	return &person{w: w, id: id, name: name, lang: "vi"}
}

// event is what the person's messenger would report, in chat.
func (p *person) event(chat int64, kind flows.EventKind) flows.Event {
	if p.zalo != "" { // a zaloPerson writes in their private chat only
		return flows.Event{Kind: kind, Channel: danvan.Zalo, ChatRef: p.zalo, UserRef: p.zalo, UserName: p.name, Lang: p.lang}
	}
	return flows.Event{Kind: kind, Channel: danvan.Telegram, ChatRef: strconv.FormatInt(chat, 10), Group: chat < 0,
		UserRef: strconv.FormatInt(p.id, 10), UserName: p.name, Lang: p.lang}
}

// send types text in the private chat: a command when it starts with "/".
func (p *person) send(text string) { p.sendIn(p.id, text) }

func (p *person) sendIn(chat int64, text string) {
	p.w.t.Helper()
	ev := p.event(chat, flows.EventText)
	ev.Text = text
	if cmd, ok := strings.CutPrefix(text, "/"); ok {
		ev.Kind = flows.EventCommand
		name, args, _ := strings.Cut(cmd, " ")
		ev.Command, ev.Text = strings.ToLower(name), strings.TrimSpace(args)
	}
	p.w.handle(ev)
}

// press presses the button of m whose data names action (and whose label
// contains label, when given) and returns the notice answering it.
func (p *person) press(m *message, action, label string) string {
	p.w.t.Helper()
	for _, row := range m.Buttons {
		for _, b := range row {
			if strings.Contains(b.Data, ":"+action+":") && strings.Contains(b.Text, label) {
				return p.pressData(m, b.Data)
			}
		}
	}
	p.w.t.Fatalf("%s: no %q button %q on %q (buttons %v)", p.name, action, label, m.Text, m.Buttons)
	return ""
}

// pressData presses a button with the given data on m, as a messenger
// would send it (or a forger would).
func (p *person) pressData(m *message, data string) string {
	p.w.t.Helper()
	ev := p.event(m.Chat, flows.EventButton)
	ev.Data, ev.CallbackID, ev.MessageID = data, fmt.Sprint("cb", p.w.update), m.ID
	ev.MessageText, ev.MessageMedia = m.Text, m.Kind != danvan.OutSend
	return p.w.handle(ev)
}

// expect returns the next message of the private chat containing want.
func (p *person) expect(want string) *message {
	p.w.t.Helper()
	msgs := p.w.chats[p.id]
	for i := p.seen; i < len(msgs); i++ {
		if strings.Contains(msgs[i].Text, want) {
			p.seen = i + 1
			return msgs[i]
		}
	}
	var got []string
	for _, m := range msgs[min(p.seen, len(msgs)):] {
		got = append(got, shorten(m.Text))
	}
	p.w.t.Fatalf("%s: no message containing %q; new messages: %q", p.name, want, got)
	return nil
}

// find is the newest message of the private chat containing want, however
// old.
func (p *person) find(want string) *message {
	p.w.t.Helper()
	msgs := p.w.chats[p.id]
	for i := len(msgs) - 1; i >= 0; i-- {
		if strings.Contains(msgs[i].Text, want) {
			return msgs[i]
		}
	}
	p.w.t.Fatalf("%s: no message containing %q", p.name, want)
	return nil
}

// last is the newest message of the private chat.
func (p *person) last() *message {
	p.w.t.Helper()
	msgs := p.w.chats[p.id]
	if len(msgs) == 0 {
		p.w.t.Fatalf("%s: no messages", p.name)
	}
	p.seen = len(msgs)
	return msgs[len(msgs)-1]
}

// query reads one value.
func (w *ward) query(sql string, args ...any) int64 {
	w.t.Helper()
	var n int64
	if err := w.db.Pool.QueryRow(w.ctx, sql, args...).Scan(&n); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// snapshot fingerprints every table of the ward's data; conversations and
// the tables that make delivery exactly-once are left out, as they change
// with every update.
func (w *ward) snapshot() map[string]string {
	w.t.Helper()
	rows, err := w.db.Pool.Query(w.ctx, `
		SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
		  AND table_name NOT IN ('conversations', 'processed_keys', 'chats', 'outbox', 'schema_version')`)
	if err != nil {
		w.t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			w.t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	snap := map[string]string{}
	for _, tbl := range tables {
		var sum string
		err := w.db.Pool.QueryRow(w.ctx, fmt.Sprintf(`SELECT coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM %q x`, tbl)).Scan(&sum)
		if err != nil {
			w.t.Fatal(err)
		}
		snap[tbl] = sum
	}
	return snap
}

// changedSince names the tables whose content differs from before.
func (w *ward) changedSince(before map[string]string) []string {
	w.t.Helper()
	var changed []string
	for tbl, sum := range w.snapshot() {
		if before[tbl] != sum {
			changed = append(changed, tbl)
		}
	}
	slices.Sort(changed)
	return changed
}

// shorten keeps a message short enough to read in a failure.
func shorten(s string) string {
	if r := []rune(s); len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// zaloPerson is someone writing to the bot from Zalo, in their private
// chat, whose id (a string) is ref. The harness knows a Zalo chat by its
// internal id, which is past every Telegram id the tests use: it is the
// person's id here, so that send, press and expect work as on Telegram.
// Zalo reports no language: the bot speaks Vietnamese.
func (w *ward) zaloPerson(ref, name string) *person {
	w.t.Helper()
	var chat int64
	err := w.db.InTx(w.ctx, func(tx *store.Tx) (err error) {
		chat, err = tx.EnsureChat(w.ctx, danvan.Zalo, ref, false)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return &person{w: w, id: chat, name: name, zalo: ref}
}
