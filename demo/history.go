package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

// The Telegram chats live in the local Bot API's memory, as Telegram keeps them on
// its side; the bot's database has no copy. So that a demo started again
// on its kept data shows what was said before (and its buttons still
// work), the demo keeps every message of the page's chats in a table of
// its own in the demo's database. It is the demo's, not the product's
// schema: created here, never migrated, gone with `demo --fresh`.
const historySchema = `CREATE TABLE IF NOT EXISTS demo_chat_messages (
	chat_id     bigint      NOT NULL,
	message_id  bigint      NOT NULL,
	from_bot    boolean     NOT NULL,
	from_user   jsonb       NOT NULL,
	kind        text        NOT NULL,
	text        text        NOT NULL,
	parse_mode  text        NOT NULL,
	caption     text        NOT NULL,
	buttons     jsonb,
	file_id     text        NOT NULL,
	file_name   text        NOT NULL,
	file        bytea,
	reply_to    bigint      NOT NULL,
	edits       integer     NOT NULL,
	sent_at     timestamptz NOT NULL,
	edited_at   timestamptz,
	PRIMARY KEY (chat_id, message_id)
)`

// History keeps the page's chats in the demo's database.
type History struct {
	pool     *pgxpool.Pool
	api      *localapi.Server
	personas []Persona
	log      *slog.Logger

	// written is each kept message's edit count as last written, so that
	// the final sweep writes only what the stream of changes missed.
	// Only the recording goroutine uses it once Record has started.
	written map[msgKey]int
}

type msgKey struct{ chat, id int64 }

// OpenHistory makes sure the table exists.
func OpenHistory(ctx context.Context, pool *pgxpool.Pool, api *localapi.Server, personas []Persona, log *slog.Logger) (*History, error) {
	if _, err := pool.Exec(ctx, historySchema); err != nil {
		return nil, fmt.Errorf("demo: creating the chat history table: %w", err)
	}
	return &History{pool: pool, api: api, personas: personas, log: log, written: map[msgKey]int{}}, nil
}

// chats are the page's Telegram chats, each once: two personas may share
// one. The Zalo chats are ZaloChats's.
func (h *History) chats() []Persona {
	var out []Persona
	seen := map[int64]bool{}
	for _, p := range h.personas {
		if !p.OnZalo() && !seen[p.ChatID] {
			seen[p.ChatID] = true
			out = append(out, p)
		}
	}
	return out
}

// Restore puts the kept messages of every page chat back into the local
// Bot API, before the bot starts. It returns the ids of the chats that had
// messages.
func (h *History) Restore(ctx context.Context) (map[int64]bool, error) {
	restored := map[int64]bool{}
	for _, p := range h.chats() {
		msgs, err := h.load(ctx, p.ChatID)
		if err != nil {
			return nil, err
		}
		if len(msgs) == 0 {
			continue
		}
		chat := localapi.Chat{ID: p.User.ID, Type: "private"}
		if p.Group {
			chat = p.Chat
		}
		if err := h.api.Restore(chat, p.User, msgs); err != nil {
			return nil, fmt.Errorf("demo: restoring the chat of %s: %w", p.Key, err)
		}
		for _, m := range msgs {
			h.written[msgKey{p.ChatID, m.ID}] = m.Edited
		}
		restored[p.ChatID] = true
	}
	return restored, nil
}

func (h *History) load(ctx context.Context, chatID int64) ([]localapi.Message, error) {
	rows, err := h.pool.Query(ctx, `
		SELECT message_id, from_bot, from_user, kind, text, parse_mode, caption, buttons,
		       file_id, file_name, file, reply_to, edits, sent_at, edited_at
		FROM demo_chat_messages WHERE chat_id = $1 ORDER BY message_id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("demo: reading the history of chat %d: %w", chatID, err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (localapi.Message, error) {
		m := localapi.Message{ChatID: chatID}
		var from, buttons []byte
		var file []byte
		var edited *time.Time
		if err := row.Scan(&m.ID, &m.FromBot, &from, &m.Kind, &m.Text, &m.ParseMode, &m.Caption, &buttons,
			&m.FileID, &m.FileName, &file, &m.ReplyTo, &m.Edited, &m.Date, &edited); err != nil {
			return m, err
		}
		if err := json.Unmarshal(from, &m.From); err != nil {
			return m, fmt.Errorf("message %d: from_user: %w", m.ID, err)
		}
		if buttons != nil {
			if err := json.Unmarshal(buttons, &m.Buttons); err != nil {
				return m, fmt.Errorf("message %d: buttons: %w", m.ID, err)
			}
		}
		switch m.Kind {
		case "photo":
			m.Photo = file
		case "document":
			m.Document = file
		}
		if edited != nil {
			m.EditDate = *edited
		}
		return m, nil
	})
	if err != nil {
		return nil, fmt.Errorf("demo: reading the history of chat %d: %w", chatID, err)
	}
	return msgs, nil
}

// Record writes every change of the page's chats as it happens, until stop
// is called; stop then writes whatever the stream of changes missed (it
// drops events when far behind) and waits until all is written. Call it
// after the bot has stopped.
func (h *History) Record() (stop func()) {
	events, unsubscribe := h.api.Subscribe()
	kept := map[int64]bool{}
	for _, p := range h.chats() {
		kept[p.ChatID] = true
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			if !kept[ev.ChatID] {
				continue
			}
			switch ev.Kind {
			case localapi.EventMessage, localapi.EventEdit:
				if m, ok := h.api.Message(ev.ChatID, ev.MessageID); ok {
					h.save(m)
				}
			case localapi.EventDelete:
				h.remove(ev.ChatID, ev.MessageID)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			unsubscribe()
			<-done
			h.sweep()
		})
	}
}

// sweep writes what differs from the table: messages never written or
// edited since, and removes the ones deleted.
func (h *History) sweep() {
	present := map[msgKey]bool{}
	for _, p := range h.chats() {
		for _, m := range h.api.Messages(p.ChatID) {
			k := msgKey{m.ChatID, m.ID}
			present[k] = true
			if edits, ok := h.written[k]; !ok || edits != m.Edited {
				h.save(m)
			}
		}
	}
	for k := range h.written {
		if !present[k] {
			h.remove(k.chat, k.id)
		}
	}
}

// save writes one message. A failure is logged, not fatal: the demo goes
// on, and the sweep at the end tries again.
func (h *History) save(m localapi.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := h.upsert(ctx, m)
	if err != nil {
		h.log.Warn("demo: keeping a chat message failed", "chat", m.ChatID, "message", m.ID, "err", err)
		return
	}
	h.written[msgKey{m.ChatID, m.ID}] = m.Edited
}

func (h *History) upsert(ctx context.Context, m localapi.Message) error {
	from, err := json.Marshal(m.From)
	if err != nil {
		return err
	}
	var buttons []byte
	if len(m.Buttons) > 0 {
		if buttons, err = json.Marshal(m.Buttons); err != nil {
			return err
		}
	}
	file := m.Photo
	if m.Kind == "document" {
		file = m.Document
	}
	var edited *time.Time
	if !m.EditDate.IsZero() {
		edited = &m.EditDate
	}
	_, err = h.pool.Exec(ctx, `
		INSERT INTO demo_chat_messages (chat_id, message_id, from_bot, from_user, kind, text, parse_mode, caption,
			buttons, file_id, file_name, file, reply_to, edits, sent_at, edited_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
		ON CONFLICT (chat_id, message_id) DO UPDATE SET
			from_bot = EXCLUDED.from_bot, from_user = EXCLUDED.from_user, kind = EXCLUDED.kind,
			text = EXCLUDED.text, parse_mode = EXCLUDED.parse_mode, caption = EXCLUDED.caption,
			buttons = EXCLUDED.buttons, file_id = EXCLUDED.file_id, file_name = EXCLUDED.file_name,
			file = EXCLUDED.file, reply_to = EXCLUDED.reply_to, edits = EXCLUDED.edits,
			sent_at = EXCLUDED.sent_at, edited_at = EXCLUDED.edited_at`,
		m.ChatID, m.ID, m.FromBot, from, m.Kind, m.Text, m.ParseMode, m.Caption,
		buttons, m.FileID, m.FileName, file, m.ReplyTo, m.Edited, m.Date, edited)
	if err != nil {
		return fmt.Errorf("demo: keeping message %d of chat %d: %w", m.ID, m.ChatID, err)
	}
	return nil
}

func (h *History) remove(chatID, id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := h.pool.Exec(ctx, `DELETE FROM demo_chat_messages WHERE chat_id = $1 AND message_id = $2`, chatID, id)
	if err != nil {
		h.log.Warn("demo: forgetting a deleted chat message failed", "chat", chatID, "message", id, "err", err)
		return
	}
	delete(h.written, msgKey{chatID, id})
}
