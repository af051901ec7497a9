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
// time the limits allow.
func BenchmarkBroadcast(b *testing.B) {
	const chats, perChat = 1000, 3
	for range b.N {
		b.StopTimer()
		bb := newBench(b, chats)
		ch, err := NewChannel(context.Background(), token, bb.api.Endpoint(), 10*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		bb.sender.Channel = ch
		var msgs []danvan.Outgoing
		for i := range perChat {
			for _, u := range bb.users {
				msgs = append(msgs, danvan.Outgoing{Kind: danvan.OutSend, ChatID: u.ID, Text: fmt.Sprintf("Tổng kết tuần, phần %d", i+1), Broadcast: true})
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
		st := bb.api.Stats()
		b.ReportMetric(elapsed.Seconds(), "s/broadcast")
		b.ReportMetric(least.Seconds(), "least-s")
		b.ReportMetric(elapsed.Seconds()/least.Seconds(), "ratio")
		b.ReportMetric(float64(st.TooMany), "429s")
		b.ReportMetric(float64(st.Accepted), "accepted")
	}
}
