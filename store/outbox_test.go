package store

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/store/pgtest"
)

func enqueue(t *testing.T, db *DB, msgs ...danvan.Outgoing) {
	t.Helper()
	ctx := context.Background()
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.Enqueue(ctx, msgs...) }); err != nil {
		t.Fatal(err)
	}
}

func heads(t *testing.T, db *DB, skip ...int64) []string {
	t.Helper()
	msgs, err := db.NextOutgoing(context.Background(), danvan.Telegram, 100, skip)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, m := range msgs {
		s = append(s, m.Text)
	}
	return s
}

func send(chat int64, text string) danvan.Outgoing {
	return danvan.Outgoing{Kind: danvan.OutSend, ChatID: chat, Text: text}
}

// Replies to people chatting now go before a broadcast queued earlier, and
// chats the sender holds back are left out.
func TestOutboxRepliesBeforeBroadcastsAndSkips(t *testing.T) {
	db := openDB(t)
	chat := telegramChats(t, db, 10, 11, 12)
	b1, b2 := send(chat[10], "summary 10"), send(chat[11], "summary 11")
	b1.Broadcast, b2.Broadcast = true, true
	enqueue(t, db, b1, b2)
	enqueue(t, db, send(chat[12], "reply 12"))
	if got := heads(t, db); len(got) != 3 || got[0] != "reply 12" {
		t.Fatalf("heads = %v, want the reply first", got)
	}
	if got := heads(t, db, chat[12], chat[10]); len(got) != 1 || got[0] != "summary 11" {
		t.Fatalf("heads skipping 12 and 10 = %v, want [summary 11]", got)
	}
	// Each message comes with the channel's id for its chat; another
	// channel's sender gets none of them.
	msgs, err := db.NextOutgoing(context.Background(), danvan.Telegram, 1, nil)
	if err != nil || len(msgs) != 1 || msgs[0].Ref != "12" || msgs[0].Group || msgs[0].ChatID != chat[12] || msgs[0].PartsSent != 0 {
		t.Fatalf("first head = %+v, %v; want chat 12's reply, to Telegram chat \"12\", not a group", msgs, err)
	}
	if msgs, err := db.NextOutgoing(context.Background(), danvan.Zalo, 100, nil); err != nil || len(msgs) != 0 {
		t.Fatalf("Zalo's heads = %+v, %v; want none", msgs, err)
	}
}

// A chat that blocked the bot gets nothing: what waits is kept as failed,
// and what comes later is flagged, until the person writes again.
func TestUnreachableChat(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	chat := telegramChats(t, db, 20, 21)
	enqueue(t, db, send(chat[20], "a"), send(chat[20], "b"), send(chat[21], "c"))
	if err := db.MarkUnreachable(ctx, chat[20], "Forbidden: bot was blocked by the user"); err != nil {
		t.Fatal(err)
	}
	if got := heads(t, db); len(got) != 1 || got[0] != "c" {
		t.Fatalf("heads = %v, want only chat 21's", got)
	}
	failed, err := db.FailedMessages(ctx, 10)
	if err != nil || len(failed) != 2 {
		t.Fatalf("failed = %v, %v; want chat 20's two messages", failed, err)
	}
	enqueue(t, db, send(chat[20], "later"))
	msgs, err := db.NextOutgoing(ctx, danvan.Telegram, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var flagged bool
	for _, m := range msgs {
		if m.ChatID == chat[20] {
			flagged = m.Unreachable
		}
	}
	if !flagged {
		t.Fatal("a new message to the unreachable chat is not flagged")
	}
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.MarkReachable(ctx, chat[20]) }); err != nil {
		t.Fatal(err)
	}
	msgs, _ = db.NextOutgoing(ctx, danvan.Telegram, 10, nil)
	for _, m := range msgs {
		if m.ChatID == chat[20] && m.Unreachable {
			t.Fatal("still unreachable after the person wrote again")
		}
	}
}

// A group that became a supergroup keeps what waits for it: the chat keeps
// its internal id and is now written to under its new Telegram id.
func TestRenameChatKeepsWhatWaits(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	chat := telegramChats(t, db, -5)[-5]
	enqueue(t, db, send(chat, "x"), send(chat, "y"))
	if err := db.RenameChat(ctx, danvan.Telegram, "-5", "-1005"); err != nil {
		t.Fatal(err)
	}
	msgs, err := db.NextOutgoing(ctx, danvan.Telegram, 10, nil)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("heads = %v, %v", msgs, err)
	}
	if m := msgs[0]; m.ChatID != chat || m.Ref != "-1005" || !m.Group || m.Text != "x" {
		t.Fatalf("head = chat %d (Telegram %q, group %v) %q, want chat %d (Telegram \"-1005\", group) \"x\"", m.ChatID, m.Ref, m.Group, m.Text, chat)
	}
}

// A message sent in parts remembers how many went, so that a retry goes on
// from the next one.
func TestPartsSentAreKept(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	chat := telegramChats(t, db, 30)[30]
	enqueue(t, db, send(chat, "long"))
	msgs, err := db.NextOutgoing(ctx, danvan.Telegram, 10, nil)
	if err != nil || len(msgs) != 1 || msgs[0].PartsSent != 0 {
		t.Fatalf("heads = %+v, %v; want one message with no part sent", msgs, err)
	}
	if err := db.MarkPartSent(ctx, msgs[0].ID, 2); err != nil {
		t.Fatal(err)
	}
	if err := db.RetryLater(ctx, msgs[0].ID, 0, "timeout"); err != nil {
		t.Fatal(err)
	}
	msgs, err = db.NextOutgoing(ctx, danvan.Telegram, 10, nil)
	if err != nil || len(msgs) != 1 || msgs[0].PartsSent != 2 || msgs[0].Attempts != 1 {
		t.Fatalf("after two parts and a retry: %+v, %v; want 2 parts sent, 1 attempt", msgs, err)
	}
}

// One process at a time holds a lead; when it lets go, another takes it.
func TestLeadIsExclusive(t *testing.T) {
	url := pgtest.NewDB(t)
	open := func() *DB {
		d, err := Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		return d
	}
	a, b := open(), open()
	var holding atomic.Int32
	lead := func(ctx context.Context, d *DB, started chan<- struct{}) {
		d.Lead(ctx, "test", 50*time.Millisecond, func(ctx context.Context) error {
			if holding.Add(1) > 1 {
				t.Error("two processes hold the lead at once")
			}
			defer holding.Add(-1)
			close(started)
			<-ctx.Done()
			return nil
		})
	}
	ctxA, stopA := context.WithCancel(context.Background())
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	aStarted, bStarted := make(chan struct{}), make(chan struct{})
	go lead(ctxA, a, aStarted)
	<-aStarted
	go lead(ctxB, b, bStarted)
	select {
	case <-bStarted:
		t.Fatal("b took the lead while a held it")
	case <-time.After(300 * time.Millisecond):
	}
	stopA()
	select {
	case <-bStarted:
	case <-time.After(5 * time.Second):
		t.Fatal("b did not take the lead after a let go")
	}
}
