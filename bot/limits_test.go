package bot

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// However long calls take and however unevenly, a channel that counts
// each message at any moment between the start of its call and the end of
// its answer never counts more than the window's n in one span.
func TestWindowHoldsWhateverTheJitter(t *testing.T) {
	w := newWindow(10)
	w.span = 100 * time.Millisecond // 10 in any 100 ms, to keep the test short
	var (
		mu      sync.Mutex
		counted []time.Time
		wg      sync.WaitGroup
		ctx     = context.Background()
	)
	for i := range 120 {
		if err := w.acquire(ctx); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Latency from nothing to 30 ms, counted by the channel
			// anywhere within it: the jitter a margin would have to cover.
			latency := time.Duration(rand.Int64N(int64(30 * time.Millisecond)))
			at := time.Duration(rand.Int64N(int64(latency) + 1))
			time.Sleep(at)
			mu.Lock()
			counted = append(counted, time.Now())
			mu.Unlock()
			time.Sleep(latency - at)
			end := time.Now()
			if i%17 == 0 {
				// No answer seen: counted as ending a span later.
				end = end.Add(w.span)
			}
			w.done(end)
		}()
	}
	wg.Wait()
	slices.SortFunc(counted, time.Time.Compare)
	for i := w.n; i < len(counted); i++ {
		if d := counted[i].Sub(counted[i-w.n]); d <= w.span {
			t.Fatalf("messages %d to %d were counted within %s, more than %d in a span of %s", i-w.n, i, d, w.n, w.span)
		}
	}
	if w.inFlight != 0 {
		t.Errorf("%d places still taken after every call ended", w.inFlight)
	}
}

// The window is a whole number of messages in a span of the given rate.
func TestWindowSpan(t *testing.T) {
	for _, c := range []struct {
		perSecond float64
		n         int
		span      time.Duration
	}{
		{30, 30, time.Second},
		{12.5, 12, 960 * time.Millisecond},
		{0.5, 1, 2 * time.Second},
	} {
		w := newWindow(c.perSecond)
		if w.n != c.n || w.span != c.span {
			t.Errorf("newWindow(%v) = %d in %s, want %d in %s", c.perSecond, w.n, w.span, c.n, c.span)
		}
	}
}

// A caller waiting for a place gives up when its context ends.
func TestWindowAcquireEnds(t *testing.T) {
	w := newWindow(1)
	if err := w.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := w.acquire(ctx); err == nil {
		t.Error("a second place was given while the only one was in flight")
	}
}
