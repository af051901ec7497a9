package bot

import (
	"slices"
	"sync"
)

// Turns makes the webhook requests of one chat take turns: one at a time,
// and of those waiting the one with the lowest sequence number (the
// update id) first. A channel may post a chat's updates over several
// connections at once, and they may arrive out of order; requests that
// overlap are thus applied in the order of their ids, as polling would
// apply them. Requests of different chats do not wait for each other.
type Turns struct {
	mu    sync.Mutex
	chats map[string]*turnQueue
}

// turnQueue is one chat's: a request holds the turn, others wait sorted
// by sequence number.
type turnQueue struct{ waiting []*turn }

type turn struct {
	seq   int64
	ready chan struct{}
}

// Take waits for chat's turn and returns the function that hands it on.
func (t *Turns) Take(chat string, seq int64) (release func()) {
	t.mu.Lock()
	if t.chats == nil {
		t.chats = map[string]*turnQueue{}
	}
	q, busy := t.chats[chat]
	if !busy {
		t.chats[chat] = &turnQueue{}
		t.mu.Unlock()
		return func() { t.release(chat) }
	}
	me := &turn{seq: seq, ready: make(chan struct{})}
	i, _ := slices.BinarySearchFunc(q.waiting, seq, func(w *turn, s int64) int {
		if w.seq <= s { // equal ones keep their arrival order
			return -1
		}
		return 1
	})
	q.waiting = slices.Insert(q.waiting, i, me)
	t.mu.Unlock()
	<-me.ready
	return func() { t.release(chat) }
}

func (t *Turns) release(chat string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	q := t.chats[chat]
	if len(q.waiting) == 0 {
		delete(t.chats, chat)
		return
	}
	next := q.waiting[0]
	q.waiting = q.waiting[1:]
	close(next.ready)
}
