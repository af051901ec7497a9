package telegram

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

// BenchmarkBroadcast sends 3,000 messages to 1,000 chats (three each, as a
// weekly summary with its reminders would) through the local Bot API with
// Telegram's limits enforced, and compares the time taken with the least
// time the limits allow and the rate reached with the overall limit.
func BenchmarkBroadcast(b *testing.B) {
	benchmarkDrain(b, 1000, 3, true, "Tổng kết tuần, phần %d")
}

// BenchmarkReplyBurst sends 1,200 replies to 600 chats (two each, as after
// a meeting, when everybody pledges at once and each gets a reply and a
// payment code) through the local Bot API with Telegram's limits enforced.
// Every chat has little to send, so the overall rate is kept up only if
// the sender takes new chats as fast as the limit allows.
func BenchmarkReplyBurst(b *testing.B) {
	benchmarkDrain(b, 600, 2, false, "Cảm ơn, phần %d")
}

// benchmarkDrain queues perChat messages to each of chats private chats
// at once, lets the sender drain them and reports:
//
//   - rate/global: messages per second the Bot API accepted between its
//     first and its last, divided by its overall limit (30 a second): the
//     sender's steady rate, which is to be at least 0.95;
//   - wall-rate/global: the same over the whole run, from the sender's
//     start (taking the lead, the first read) until the outbox is empty;
//   - ratio: the time taken over the least time the limits allow;
//   - 429s: Too Many Requests answered, which must stay 0;
//   - max/s: the most messages accepted in any one-second window.
func benchmarkDrain(b *testing.B, chats, perChat int, broadcast bool, format string) {
	for range b.N {
		b.StopTimer()
		bb := newBench(b, chats)
		ch, err := NewChannel(context.Background(), token, bb.api.Endpoint(), 10*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		bb.sender.Channel = ch
		var msgs []danvan.Outgoing
		if broadcast {
			// A broadcast is queued part by part: every chat's first
			// part, then every chat's second…
			for i := range perChat {
				for _, u := range bb.users {
					msgs = append(msgs, danvan.Outgoing{Kind: danvan.OutSend, ChatID: u.ID, Text: fmt.Sprintf(format, i+1), Broadcast: true})
				}
			}
		} else {
			// Replies are queued chat by chat, each update's together.
			for _, u := range bb.users {
				for i := range perChat {
					msgs = append(msgs, danvan.Outgoing{Kind: danvan.OutSend, ChatID: u.ID, Text: fmt.Sprintf(format, i+1)})
				}
			}
		}
		bb.enqueue(msgs...)
		limits := bb.api.Stats().Limits
		b.StartTimer()
		start := time.Now()
		stop := bb.run()
		bb.waitDrained(time.Hour)
		elapsed := time.Since(start)
		b.StopTimer()
		stop()

		// Overall, Telegram allows Global messages in any window of
		// GlobalWindow; per chat a burst, then one per window.
		total := chats * perChat
		least := time.Duration(float64(total-limits.Global) / float64(limits.Global) * float64(limits.GlobalWindow))
		if perChat > limits.PrivateBurst {
			least = max(least, time.Duration(perChat-limits.PrivateBurst)*limits.PrivateWindow)
		}
		global := float64(limits.Global) / limits.GlobalWindow.Seconds()
		var first, last time.Time
		accepted := 0
		for _, c := range bb.api.Calls() {
			if c.Method != "sendMessage" || c.Status != 200 {
				continue
			}
			if accepted == 0 {
				first = c.At
			}
			last = c.At
			accepted++
		}
		st := bb.api.Stats()
		if accepted > 1 {
			b.ReportMetric(float64(accepted-1)/last.Sub(first).Seconds()/global, "rate/global")
		}
		b.ReportMetric(float64(accepted)/elapsed.Seconds()/global, "wall-rate/global")
		b.ReportMetric(elapsed.Seconds(), "s/drain")
		b.ReportMetric(least.Seconds(), "least-s")
		b.ReportMetric(elapsed.Seconds()/least.Seconds(), "ratio")
		b.ReportMetric(float64(st.TooMany), "429s")
		b.ReportMetric(float64(st.MaxGlobal), "max/s")
		b.ReportMetric(float64(st.Accepted), "accepted")
	}
}
