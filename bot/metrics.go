package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are what intake and delivery count on one channel, in
// Prometheus's terms.
type Metrics struct {
	Updates         *prometheus.CounterVec // by kind and outcome
	HandleSeconds   prometheus.Histogram
	Sends           *prometheus.CounterVec // by result
	Throttled       prometheus.Counter     // 429s received
	SendLatency     prometheus.Histogram
	WebhookRequests *prometheus.CounterVec // by status code
}

// NewMetrics makes the metrics of a channel, labelled with its name, and
// registers them with reg (nil: nowhere, for tests that do not read them).
func NewMetrics(reg prometheus.Registerer, channel string) *Metrics {
	if reg != nil {
		reg = prometheus.WrapRegistererWith(prometheus.Labels{"channel": channel}, reg)
	}
	m := &Metrics{
		Updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "danvan_updates_total",
			Help: "Updates received, by kind (message, button, other) and outcome (applied, repeat, ignored, failed, gave_up).",
		}, []string{"kind", "outcome"}),
		HandleSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "danvan_update_handling_seconds",
			Help:    "Time to apply one update in its transaction.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
		Sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "danvan_sends_total",
			Help: "Channel calls made from the outbox, by result (sent, throttled, retry, failed, unreachable).",
		}, []string{"result"}),
		Throttled: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "danvan_throttled_total",
			Help: "Too Many Requests answers received from the channel.",
		}),
		SendLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "danvan_send_seconds",
			Help:    "Time of one channel call made from the outbox.",
			Buckets: prometheus.DefBuckets,
		}),
		WebhookRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "danvan_webhook_requests_total",
			Help: "Webhook deliveries answered, by HTTP status.",
		}, []string{"status"}),
	}
	if reg != nil {
		reg.MustRegister(m.Updates, m.HandleSeconds, m.Sends, m.Throttled, m.SendLatency, m.WebhookRequests)
	}
	return m
}

// applied counts an update applied (or found applied before) in took.
func (m *Metrics) applied(kind string, applied bool, took time.Duration) {
	m.HandleSeconds.Observe(took.Seconds())
	outcome := "applied"
	if !applied {
		outcome = "repeat"
	}
	m.Updates.WithLabelValues(kind, outcome).Inc()
}
