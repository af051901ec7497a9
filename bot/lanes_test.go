package bot

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Work added to many lanes runs in each lane's order, never more than the
// workers at once, and lanes do run side by side.
func TestLanesKeepOrderAndBound(t *testing.T) {
	const workers, lanes, each = 4, 30, 40
	l := NewLanes(workers)
	var running, most atomic.Int64
	var mu sync.Mutex
	got := map[string][]int{}
	rng := rand.New(rand.NewPCG(1, 2))
	next := make([]int, lanes)
	for added := 0; added < lanes*each; {
		i := rng.IntN(lanes)
		if next[i] == each {
			continue
		}
		lane, k := fmt.Sprint("chat", i), next[i]
		next[i]++
		added++
		l.Add(lane, func() {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Duration(rand.IntN(3)) * 100 * time.Microsecond)
			mu.Lock()
			got[lane] = append(got[lane], k)
			mu.Unlock()
			running.Add(-1)
		})
	}
	l.Wait()
	for i := range lanes {
		lane := fmt.Sprint("chat", i)
		if len(got[lane]) != each {
			t.Fatalf("%s ran %d pieces, want %d", lane, len(got[lane]), each)
		}
		for k, v := range got[lane] {
			if v != k {
				t.Fatalf("%s ran in the order %v", lane, got[lane])
			}
		}
	}
	if m := most.Load(); m > workers || m < 2 {
		t.Errorf("at most %d pieces ran at once, want 2 to %d", m, workers)
	}
}

// Work added to a lane while its last piece runs is not stranded.
func TestLanesAddWhileRunning(t *testing.T) {
	l := NewLanes(1)
	var n atomic.Int64
	var add func(depth int)
	add = func(depth int) {
		l.Add("chat", func() {
			n.Add(1)
			if depth < 100 {
				add(depth + 1)
			}
		})
	}
	add(1)
	l.Wait()
	if n.Load() != 100 {
		t.Fatalf("%d pieces ran, want 100", n.Load())
	}
}
