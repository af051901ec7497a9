package telegram

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/internal/logbuf"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, store.Migrate)) }

const token = "777:sender-test-token"

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// bench is a sender under test: its own database, the local Bot API with
// Telegram's limits on, and residents who have written to the bot.
type bench struct {
	t      testing.TB
	db     *store.DB
	api    *localapi.Server
	sender *bot.Sender
	users  []localapi.User
}

func newBench(t testing.TB, residents int) *bench {
	t.Helper()
	db, err := store.Open(context.Background(), pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	db.Log = quiet
	api, err := localapi.New(token, localapi.WithRateLimits(localapi.DefaultRateLimits()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	b := &bench{t: t, db: db, api: api}
	for i := range residents {
		u := localapi.User{ID: int64(500000 + i), FirstName: "Cư dân " + strconv.Itoa(i), LanguageCode: "vi"}
		api.SendText(u, "/start") // a bot may only write to people who wrote first
		b.users = append(b.users, u)
	}
	ch, err := NewChannel(context.Background(), token, api.Endpoint(), 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	b.sender = &bot.Sender{Channel: ch, Outbox: db, Log: quiet, Limits: DefaultLimits(), LeadInterval: 100 * time.Millisecond}
	return b
}

func (b *bench) enqueue(msgs ...danvan.Outgoing) {
	b.t.Helper()
	ctx := context.Background()
	err := b.db.InTx(ctx, func(tx *store.Tx) error {
		// The tests name chats by their Telegram ids.
		for i := range msgs {
			id, err := tx.EnsureChat(ctx, danvan.Telegram, strconv.FormatInt(msgs[i].ChatID, 10), msgs[i].ChatID < 0)
			if err != nil {
				return err
			}
			msgs[i].ChatID = id
		}
		return tx.Enqueue(ctx, msgs...)
	})
	if err != nil {
		b.t.Fatal(err)
	}
}

// run starts the sender and returns a function that stops it.
func (b *bench) run() func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.sender.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

// waitDrained waits until nothing is left to send.
func (b *bench) waitDrained(within time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		s, err := b.db.OutboxStats(context.Background())
		if err != nil {
			b.t.Fatal(err)
		}
		if s.Pending == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	st := b.api.Stats()
	b.t.Fatalf("the outbox was not drained within %s (the Bot API answered %d 429s, %d sends during retry_after)", within, st.TooMany, st.Violations)
}

func text(chat int64, i int) string { return fmt.Sprintf("tin %d cho %d", i, chat) }

// A storm of 429s, 5xx pages that are not JSON, and requests that hang:
// every message arrives exactly once, in order within its chat, and the
// bot never sends to a chat during Telegram's retry_after.
func TestSenderThroughFaults(t *testing.T) {
	b := newBench(t, 5)
	const perChat = 6
	for i := range perChat {
		for _, u := range b.users {
			b.enqueue(danvan.Outgoing{Kind: danvan.OutSend, ChatID: u.ID, Text: text(u.ID, i)})
		}
	}
	b.api.InjectFaults("sendMessage", localapi.FaultTooManyRequests(1), 6)
	b.api.InjectFaults("sendMessage", localapi.FaultBadGateway(), 4)
	b.api.InjectFaults("sendMessage", localapi.FaultHang(), 2)
	var logs logbuf.Buffer
	b.sender.Log = slog.New(slog.NewTextHandler(&logs, nil))
	stop := b.run()
	b.waitDrained(60 * time.Second)
	stop()
	if !strings.Contains(logs.String(), "sending failed, will retry") {
		t.Errorf("no retry was logged:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the bot token appears in the logs:\n%s", logs.String())
	}

	for _, u := range b.users {
		var got []string
		for _, m := range b.api.BotMessages(u.ID) {
			got = append(got, m.PlainText)
		}
		var want []string
		for i := range perChat {
			want = append(want, text(u.ID, i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("chat %d received %q, want %q", u.ID, got, want)
		}
	}
	st := b.api.Stats()
	if st.Violations != 0 || st.OverLimit != 0 {
		t.Errorf("the sender broke Telegram's rules: %d sends during a retry_after, %d over the limits", st.Violations, st.OverLimit)
	}
	if st.TooMany < 6 {
		t.Errorf("only %d 429s were answered; the injected storm did not happen", st.TooMany)
	}
}

// A person who blocked the bot is not written to again, and what waited
// for them is kept as failed; once they write again, messages flow.
func TestSenderStopsAtBlockedUser(t *testing.T) {
	b := newBench(t, 2)
	blocked, other := b.users[0], b.users[1]
	b.api.Block(blocked)
	b.enqueue(
		danvan.Outgoing{Kind: danvan.OutSend, ChatID: blocked.ID, Text: "một"},
		danvan.Outgoing{Kind: danvan.OutSend, ChatID: blocked.ID, Text: "hai"},
		danvan.Outgoing{Kind: danvan.OutSend, ChatID: other.ID, Text: "ba"},
	)
	stop := b.run()
	defer func() { stop() }()
	b.waitDrained(10 * time.Second)
	b.enqueue(danvan.Outgoing{Kind: danvan.OutSend, ChatID: blocked.ID, Text: "bốn"})
	b.waitDrained(10 * time.Second)

	attempts := 0
	for _, c := range b.api.Calls() {
		if c.Method == "sendMessage" && c.Params["chat_id"] == strconv.FormatInt(blocked.ID, 10) {
			attempts++
		}
	}
	if attempts != 1 {
		t.Errorf("%d attempts to write to the person who blocked the bot, want 1", attempts)
	}
	failed, err := b.db.FailedMessages(context.Background(), 10)
	if err != nil || len(failed) != 3 {
		t.Errorf("failed messages = %d (%v), want the 3 to the blocked person", len(failed), err)
	}
	if got := b.api.BotMessages(other.ID); len(got) != 1 {
		t.Errorf("the other person got %d messages, want 1", len(got))
	}

	// The person unblocks the bot and writes: they are reachable again.
	b.api.Unblock(blocked)
	ctx := context.Background()
	err = b.db.InTx(ctx, func(tx *store.Tx) error {
		chat, err := tx.EnsureChat(ctx, danvan.Telegram, strconv.FormatInt(blocked.ID, 10), false)
		if err != nil {
			return err
		}
		return tx.MarkReachable(ctx, chat)
	})
	if err != nil {
		t.Fatal(err)
	}
	b.enqueue(danvan.Outgoing{Kind: danvan.OutSend, ChatID: blocked.ID, Text: "năm"})
	b.waitDrained(10 * time.Second)
	if got := b.api.BotMessages(blocked.ID); len(got) != 1 || got[0].PlainText != "năm" {
		t.Errorf("after writing again the person got %v, want [năm]", got)
	}
}

// A burst of replies to many chats, a few each, as after a meeting: every
// message arrives once, in order within its chat, and Telegram's limits
// hold without a single 429, while the sender reads on from the outbox as
// fast as it sends.
func TestSenderReplyBurstKeepsLimits(t *testing.T) {
	b := newBench(t, 60)
	const perChat = 2
	for _, u := range b.users {
		var msgs []danvan.Outgoing
		for i := range perChat {
			msgs = append(msgs, danvan.Outgoing{Kind: danvan.OutSend, ChatID: u.ID, Text: text(u.ID, i)})
		}
		b.enqueue(msgs...)
	}
	defer b.run()()
	b.waitDrained(60 * time.Second)
	for _, u := range b.users {
		var got []string
		for _, m := range b.api.BotMessages(u.ID) {
			got = append(got, m.PlainText)
		}
		if want := []string{text(u.ID, 0), text(u.ID, 1)}; !slices.Equal(got, want) {
			t.Errorf("chat %d received %q, want %q", u.ID, got, want)
		}
	}
	st := b.api.Stats()
	if st.TooMany != 0 || st.Violations != 0 || st.MaxGlobal > st.Limits.Global {
		t.Errorf("the sender broke Telegram's limits: %d 429s, %d sends during a retry_after, %d messages in one second", st.TooMany, st.Violations, st.MaxGlobal)
	}
}

// A reply to someone chatting now overtakes a broadcast already queued.
func TestSenderRepliesBeforeBroadcast(t *testing.T) {
	b := newBench(t, 61)
	for _, u := range b.users[1:] {
		b.enqueue(danvan.Outgoing{Kind: danvan.OutSend, ChatID: u.ID, Text: "tổng kết tuần", Broadcast: true})
	}
	defer b.run()()
	time.Sleep(300 * time.Millisecond) // the broadcast is under way
	asker := b.users[0]
	b.enqueue(danvan.Outgoing{Kind: danvan.OutSend, ChatID: asker.ID, Text: "trả lời"})
	b.waitDrained(30 * time.Second)

	reply := b.api.BotMessages(asker.ID)
	if len(reply) != 1 {
		t.Fatalf("the asker got %d messages, want 1", len(reply))
	}
	later := 0
	for _, u := range b.users[1:] {
		if m := b.api.BotMessages(u.ID); len(m) == 1 && m[0].Date.After(reply[0].Date) {
			later++
		}
	}
	// At 30 messages a second the broadcast takes two seconds; the reply
	// was queued 0.3 s in, so most of the broadcast must come after it.
	if later < 30 {
		t.Errorf("only %d of 60 broadcast messages were sent after the reply: the reply waited behind the broadcast", later)
	}
}

// A message Telegram refuses for good is kept as failed with Telegram's
// description, and the chat's next message goes out after it.
func TestSenderKeepsRefusedMessageAndGoesOn(t *testing.T) {
	b := newBench(t, 1)
	u := b.users[0]
	b.enqueue(
		danvan.Outgoing{Kind: danvan.OutSend, ChatID: u.ID, Text: "a < b"}, // not valid HTML
		danvan.Outgoing{Kind: danvan.OutSend, ChatID: u.ID, Text: "tiếp theo"},
	)
	defer b.run()()
	b.waitDrained(10 * time.Second)
	failed, err := b.db.FailedMessages(context.Background(), 10)
	if err != nil || len(failed) != 1 {
		t.Fatalf("failed messages = %v, %v; want the invalid one", failed, err)
	}
	if !strings.Contains(failed[0].Reason, "can't parse entities") {
		t.Errorf("failed reason = %q, want Telegram's description", failed[0].Reason)
	}
	if got := b.api.BotMessages(u.ID); len(got) != 1 || got[0].PlainText != "tiếp theo" {
		t.Errorf("the chat received %v, want the next message", got)
	}
}

// A chart goes out as a photo with its caption.
func TestSenderSendsPhoto(t *testing.T) {
	b := newBench(t, 1)
	u := b.users[0]
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	var pic bytes.Buffer
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	b.enqueue(danvan.Outgoing{Kind: danvan.OutPhoto, ChatID: u.ID, Text: "<b>Biểu đồ</b> tuần", Photo: pic.Bytes()})
	defer b.run()()
	b.waitDrained(10 * time.Second)
	got := b.api.BotMessages(u.ID)
	if len(got) != 1 || got[0].Kind != "photo" || !bytes.Equal(got[0].Photo, pic.Bytes()) || got[0].PlainCaption != "Biểu đồ tuần" {
		t.Fatalf("the chat received %+v, want the picture with its caption", got)
	}
}
