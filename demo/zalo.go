package demo

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	zalolocal "github.com/danvan/danvan/bot/zalo/localapi"
)

// The Zalo columns. The local Zalo Bot API keeps its chats in memory only
// and, unlike the Telegram one, cannot be handed a chat's past: so the demo
// keeps every message of its Zalo chats in a table of its own, and a Zalo
// column shows what earlier runs kept followed by what this run's local
// API holds. Zalo has nothing to edit, delete or press, so a kept message
// never changes: it is written once. Like demo_chat_messages, the table is
// the demo's, not the product's schema.
const zaloSchema = `CREATE TABLE IF NOT EXISTS demo_zalo_messages (
	chat_id     text        NOT NULL,
	message_id  text        NOT NULL,
	position    integer     NOT NULL,
	from_bot    boolean     NOT NULL,
	from_id     text        NOT NULL,
	from_name   text        NOT NULL,
	kind        text        NOT NULL,
	text        text        NOT NULL,
	photo_url   text        NOT NULL,
	photo       bytea,
	sent_at     timestamptz NOT NULL,
	PRIMARY KEY (chat_id, message_id)
)`

// ZaloChats is the page's Zalo side: the local Zalo Bot API, and the
// Zalo chats as earlier runs of the demo left them.
type ZaloChats struct {
	api   *zalolocal.Server
	pool  *pgxpool.Pool // nil: nothing is kept
	log   *slog.Logger
	chats []string          // the Zalo personas' chats, each once
	names map[string]string // the person of each chat, by chat

	// kept is, by chat, what earlier runs said there. Restore fills it
	// before the page serves; it is only read after.
	kept map[string][]zalolocal.Message
	// written is the ids of the messages in the table. Only the recording
	// goroutine uses it once Record has started.
	written map[string]bool
}

// NewZaloChats is the Zalo side of a page that keeps nothing.
func NewZaloChats(api *zalolocal.Server) *ZaloChats {
	return &ZaloChats{api: api, log: slog.New(slog.DiscardHandler), kept: map[string][]zalolocal.Message{}, written: map[string]bool{}}
}

// OpenZaloHistory is the Zalo side of the page, kept in the demo's
// database: it makes sure the table exists.
func OpenZaloHistory(ctx context.Context, pool *pgxpool.Pool, api *zalolocal.Server, personas []Persona, log *slog.Logger) (*ZaloChats, error) {
	if _, err := pool.Exec(ctx, zaloSchema); err != nil {
		return nil, fmt.Errorf("demo: creating the Zalo chat history table: %w", err)
	}
	z := NewZaloChats(api)
	z.pool, z.log, z.names = pool, log, map[string]string{}
	for _, p := range personas {
		if p.OnZalo() && !slices.Contains(z.chats, p.ZaloChatID) {
			z.chats = append(z.chats, p.ZaloChatID)
			z.names[p.ZaloChatID] = p.ZaloUser.Name
		}
	}
	return z, nil
}

// API is the local Zalo Bot API.
func (z *ZaloChats) API() *zalolocal.Server { return z.api }

// Restore reads back what earlier runs kept of the Zalo chats, before the
// bot starts, and returns the ids of the chats that had messages. Each of
// those is made known to the new local API, as a chat the person wrote in,
// so that the bot may write to her before she writes again (a receipt's
// thanks, a reminder).
func (z *ZaloChats) Restore(ctx context.Context) (map[string]bool, error) {
	restored := map[string]bool{}
	for _, chat := range z.chats {
		msgs, err := z.load(ctx, chat)
		if err != nil {
			return nil, err
		}
		if len(msgs) == 0 {
			continue
		}
		z.kept[chat] = msgs
		for _, m := range msgs {
			z.written[m.ID] = true
		}
		z.api.OpenChat(zalolocal.Chat{ID: chat})
		restored[chat] = true
	}
	return restored, nil
}

func (z *ZaloChats) load(ctx context.Context, chat string) ([]zalolocal.Message, error) {
	rows, err := z.pool.Query(ctx, `
		SELECT message_id, from_bot, from_id, from_name, kind, text, photo_url, photo, sent_at
		FROM demo_zalo_messages WHERE chat_id = $1 ORDER BY position`, chat)
	if err != nil {
		return nil, fmt.Errorf("demo: reading the history of Zalo chat %s: %w", chat, err)
	}
	msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (zalolocal.Message, error) {
		m := zalolocal.Message{ChatID: chat}
		err := row.Scan(&m.ID, &m.FromBot, &m.From.ID, &m.From.Name, &m.Kind, &m.Text, &m.PhotoURL, &m.Photo, &m.Date)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("demo: reading the history of Zalo chat %s: %w", chat, err)
	}
	return msgs, nil
}

// Messages is a Zalo chat as the page shows it: what earlier runs kept,
// then what this run's local API holds.
func (z *ZaloChats) Messages(chat string) []zalolocal.Message {
	return append(slices.Clone(z.kept[chat]), z.api.Messages(chat)...)
}

// Record writes each new message of the Zalo chats as it comes, until stop
// is called; stop then writes whatever the stream of changes missed and
// waits until all is written. Call it after the bot has stopped.
func (z *ZaloChats) Record() (stop func()) {
	events, unsubscribe := z.api.Subscribe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			if (ev.Kind == zalolocal.EventUpdate || ev.Kind == zalolocal.EventMessage) && slices.Contains(z.chats, ev.ChatID) {
				z.sweep(ev.ChatID)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			unsubscribe()
			<-done
			for _, chat := range z.chats {
				z.sweep(chat)
			}
		})
	}
}

// sweep writes the messages of a chat not written yet, each at its place
// in the column. A failure is logged, not fatal: the next sweep tries again.
func (z *ZaloChats) sweep(chat string) {
	if z.pool == nil {
		return
	}
	offset := len(z.kept[chat])
	for i, m := range z.api.Messages(chat) {
		if z.written[m.ID] {
			continue
		}
		if err := z.insert(offset+i, m); err != nil {
			z.log.Warn("demo: keeping a Zalo chat message failed", "chat", chat, "message", m.ID, "err", err)
			return
		}
		z.written[m.ID] = true
	}
}

func (z *ZaloChats) insert(position int, m zalolocal.Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := z.pool.Exec(ctx, `
		INSERT INTO demo_zalo_messages (chat_id, message_id, position, from_bot, from_id, from_name, kind, text, photo_url, photo, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (chat_id, message_id) DO NOTHING`,
		m.ChatID, m.ID, position, m.FromBot, m.From.ID, m.From.Name, m.Kind, m.Text, m.PhotoURL, m.Photo, m.Date)
	if err != nil {
		return fmt.Errorf("demo: keeping Zalo message %s of chat %s: %w", m.ID, m.ChatID, err)
	}
	return nil
}

// ZaloMessages is a Zalo persona's chat as the page shows it. Zalo's text
// is plain: it is escaped whole. A message's id on the page is its place
// in the column, from 1, which a restart keeps.
func ZaloMessages(z *ZaloChats, p Persona) []ChatMessage {
	out := []ChatMessage{}
	if z == nil {
		return out
	}
	for i, m := range z.Messages(p.ZaloChatID) {
		cm := ChatMessage{ID: int64(i + 1), FromBot: m.FromBot, Mine: !m.FromBot && m.From.ID == p.ZaloUser.ID,
			From: m.From.Name, Time: m.Date.Format(time.RFC3339)}
		text := m.Text
		switch m.Kind {
		case "sticker":
			text = "🙂 (sticker)"
		case "unsupported":
			text = "…"
		}
		cm.Text, cm.HTML = text, EscapeText(text)
		if m.Kind == "image" && len(m.Photo) > 0 {
			cm.Photo = "/api/zalo/photo/" + url.PathEscape(p.Key) + "/" + url.PathEscape(m.ID)
		}
		out = append(out, cm)
	}
	return out
}

// message is the message of a Zalo persona's chat a path names.
func (z *ZaloChats) message(p Persona, id string) (zalolocal.Message, bool) {
	if z == nil || !p.OnZalo() {
		return zalolocal.Message{}, false
	}
	msgs := z.Messages(p.ZaloChatID)
	i := slices.IndexFunc(msgs, func(m zalolocal.Message) bool { return m.ID == id })
	if i < 0 {
		return zalolocal.Message{}, false
	}
	return msgs[i], true
}
