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
	msgs, err := db.NextOutgoing(context.Background(), 100, skip)
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
	b1, b2 := send(10, "summary 10"), send(11, "summary 11")
	b1.Broadcast, b2.Broadcast = true, true
	enqueue(t, db, b1, b2)
	enqueue(t, db, send(12, "reply 12"))
	if got := heads(t, db); len(got) != 3 || got[0] != "reply 12" {
		t.Fatalf("heads = %v, want the reply first", got)
	}
	if got := heads(t, db, 12, 10); len(got) != 1 || got[0] != "summary 11" {
		t.Fatalf("heads skipping 12 and 10 = %v, want [summary 11]", got)
	}
}

// A chat that blocked the bot gets nothing: what waits is kept as failed,
// and what comes later is flagged, until the person writes again.
func TestUnreachableChat(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	enqueue(t, db, send(20, "a"), send(20, "b"), send(21, "c"))
	if err := db.MarkUnreachable(ctx, 20, "Forbidden: bot was blocked by the user"); err != nil {
		t.Fatal(err)
	}
	if got := heads(t, db); len(got) != 1 || got[0] != "c" {
		t.Fatalf("heads = %v, want only chat 21's", got)
	}
	failed, err := db.FailedMessages(ctx, 10)
	if err != nil || len(failed) != 2 {
		t.Fatalf("failed = %v, %v; want chat 20's two messages", failed, err)
	}
	enqueue(t, db, send(20, "later"))
	msgs, err := db.NextOutgoing(ctx, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	var flagged bool
	for _, m := range msgs {
		if m.ChatID == 20 {
			flagged = m.Unreachable
		}
	}
	if !flagged {
		t.Fatal("a new message to the unreachable chat is not flagged")
	}
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.MarkReachable(ctx, 20) }); err != nil {
		t.Fatal(err)
	}
	msgs, _ = db.NextOutgoing(ctx, 10, nil)
	for _, m := range msgs {
		if m.ChatID == 20 && m.Unreachable {
			t.Fatal("still unreachable after the person wrote again")
		}
	}
}

// A group that became a supergroup keeps what waits for it.
func TestMoveChat(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	enqueue(t, db, send(-5, "x"), send(-5, "y"))
	if err := db.MoveChat(ctx, -5, -1005); err != nil {
		t.Fatal(err)
	}
	msgs, err := db.NextOutgoing(ctx, 10, nil)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("heads = %v, %v", msgs, err)
	}
	if msgs[0].ChatID != -1005 || msgs[0].Text != "x" {
		t.Fatalf("head = chat %d %q, want chat -1005 \"x\"", msgs[0].ChatID, msgs[0].Text)
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
