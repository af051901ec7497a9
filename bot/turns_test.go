package bot

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// Requests of one chat that arrive while another holds the turn go in the
// order of their sequence numbers, whatever order they arrived in; another
// chat does not wait.
func TestTurnsOrderOverlappingRequests(t *testing.T) {
	var turns Turns
	release := turns.Take("chat", 10)

	var mu sync.Mutex
	var order []int64
	var wg sync.WaitGroup
	for i, seq := range []int64{14, 12, 13, 11} {
		wg.Go(func() {
			done := turns.Take("chat", seq)
			mu.Lock()
			order = append(order, seq)
			mu.Unlock()
			done()
		})
		// Let each one queue before the next arrives.
		waitQueued(t, &turns, "chat", i+1)
	}
	other := make(chan struct{})
	go func() { turns.Take("other", 1)(); close(other) }()
	select {
	case <-other:
	case <-time.After(5 * time.Second):
		t.Fatal("another chat waited for this chat's turn")
	}
	release()
	wg.Wait()
	if !slices.Equal(order, []int64{11, 12, 13, 14}) {
		t.Fatalf("applied in the order %v, want [11 12 13 14]", order)
	}
	if len(turns.chats) != 0 {
		t.Fatalf("%d chats left holding turns", len(turns.chats))
	}
}

func waitQueued(t *testing.T, turns *Turns, chat string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		turns.mu.Lock()
		q := turns.chats[chat]
		got := 0
		if q != nil {
			got = len(q.waiting)
		}
		turns.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d requests waiting, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}
