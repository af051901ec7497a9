package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/jackc/pgx/v5"
)

// Fifty residents send twenty pledges each, all at once, by polling and by
// webhook: several transactions apply them at a time, yet each chat's
// pledges are recorded, and answered, in the order they were sent, and
// none is lost or applied twice.
func TestParallelIntakeKeepsEachChatsOrder(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			w := newBareWorld(t)
			// The local Bot API here measures Telegram's limits without
			// enforcing them; the sender's pacing has tests of its own.
			env := map[string]string{"DANVAN_INTAKE_WORKERS": "8", "DANVAN_RATE_GLOBAL": "1000"}
			if mode == "polling" {
				w.startServe(env)
			} else {
				addr := freeAddr(t)
				hookURL := "http://" + addr + "/telegram/webhook"
				env["DANVAN_HTTP_ADDR"], env["DANVAN_WEBHOOK_URL"], env["DANVAN_WEBHOOK_SECRET"] = addr, hookURL, hookSecret
				w.startServe(env)
				eventually(t, 20*time.Second, "the webhook set at the Bot API", func() (bool, string) {
					url, _ := w.api.Webhook()
					return url == hookURL, fmt.Sprintf("webhook %q", url)
				})
			}
			checkChatOrder(t, w)
		})
	}
}

const (
	orderChats   = 50
	orderPledges = 20
)

func checkChatOrder(t *testing.T, w *world) {
	people := make([]*resident, orderChats)
	for i := range people {
		people[i] = w.resident(int64(230000+i), "Người "+strconv.Itoa(i), "vi")
		people[i].send("/start z_YG-K1")
	}
	for _, r := range people {
		r.expect("Đã lưu")
	}

	// While the pledges go in, count the transactions open at once.
	busiest := watchOpenTransactions(t, w.dbURL)
	// Round by round, so that a poll's batch and the webhook's concurrent
	// deliveries hold many chats, each with several updates in hand.
	for k := 1; k <= orderPledges; k++ {
		for _, r := range people {
			r.send(fmt.Sprintf("/ungho DIEUHOA %dk", k*100))
		}
	}
	eventually(t, 2*time.Minute, "every pledge recorded", func() (bool, string) {
		n := w.query(`SELECT count(*) FROM pledges`)
		return n == orderChats*orderPledges, fmt.Sprintf("%d pledges", n)
	})
	if most := busiest(); most < 2 {
		t.Errorf("at most %d transaction open at once: the updates were applied one at a time", most)
	}

	conn, err := pgx.Connect(context.Background(), w.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, r := range people {
		// Pledge ids come from a sequence as each transaction inserts:
		// one chat's, taking turns, get them in the order applied.
		rows, err := conn.Query(context.Background(), `
			SELECT p.quantity FROM pledges p JOIN identities i ON i.person_id = p.person_id
			WHERE i.channel = 'telegram' AND i.external_id = $1 ORDER BY p.id`, strconv.FormatInt(r.user.ID, 10))
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		for k, q := range got {
			if want := int64(k+1) * 100_000; q != want {
				t.Fatalf("%s: pledges recorded in the order %v, want 100.000, 200.000, … 2.000.000", r.user.FirstName, got)
			}
		}
		if len(got) != orderPledges {
			t.Fatalf("%s: %d pledges recorded, want %d", r.user.FirstName, len(got), orderPledges)
		}
	}
	for _, r := range people {
		var replies []string
		eventually(t, time.Minute, r.user.FirstName+"'s replies", func() (bool, string) {
			replies = thanksIn(w.api.BotMessages(r.user.ID))
			return len(replies) >= orderPledges, fmt.Sprintf("%d replies", len(replies))
		})
		if len(replies) != orderPledges {
			t.Fatalf("%s got %d replies to %d pledges", r.user.FirstName, len(replies), orderPledges)
		}
		for k, text := range replies {
			if want := moneyText((k+1)*100_000) + " cho"; !strings.Contains(text, want) {
				t.Fatalf("%s: reply %d is %q, want one for %s", r.user.FirstName, k+1, text, want)
			}
		}
	}
}

// thanksIn is the thank-yous for pledges among msgs, in order.
func thanksIn(msgs []localapi.Message) []string {
	var out []string
	for _, m := range msgs {
		if strings.Contains(m.PlainText, "Đã ghi nhận") {
			out = append(out, m.PlainText)
		}
	}
	return out
}

// moneyText writes n đồng as the bot does: 2.000.000 ₫.
func moneyText(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String() + " ₫"
}

// watchOpenTransactions samples, until the test ends or the returned
// function is called, how many transactions are applying an update (each
// holds a lock on processed_keys from its first statement to its end), and
// returns the function that tells the most seen at once.
func watchOpenTransactions(t *testing.T, url string) func() int64 {
	ctx, cancel := context.WithCancel(context.Background())
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	var most atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer conn.Close(context.Background())
		for ctx.Err() == nil {
			var n int64
			if err := conn.QueryRow(ctx, `SELECT count(DISTINCT l.pid) FROM pg_locks l
				WHERE l.granted AND l.mode = 'RowExclusiveLock' AND l.relation = 'processed_keys'::regclass
				AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil {
				return
			}
			if n > most.Load() {
				most.Store(n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return func() int64 { stop(); return most.Load() }
}
