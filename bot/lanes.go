package bot

import "sync"

// Lanes runs work on at most a fixed number of goroutines at once, the work
// of one lane (one chat) one piece at a time, in the order it was added.
// Updates of different chats are thus applied by concurrent transactions
// while a chat's updates keep their order: a conversation's next step never
// runs before the step it follows has committed.
type Lanes struct {
	slots chan struct{}
	wg    sync.WaitGroup

	mu sync.Mutex
	// queued holds the work waiting in each lane that has a goroutine;
	// a lane is in the map exactly while its goroutine runs.
	queued map[string][]func()
}

// NewLanes makes Lanes that run at most workers pieces of work at once
// (at least one).
func NewLanes(workers int) *Lanes {
	return &Lanes{slots: make(chan struct{}, max(workers, 1)), queued: map[string][]func(){}}
}

// Add queues fn in lane, after the work already queued there. It does not
// wait for fn to run.
func (l *Lanes) Add(lane string, fn func()) {
	l.mu.Lock()
	q, running := l.queued[lane]
	l.queued[lane] = append(q, fn)
	l.mu.Unlock()
	if !running {
		l.wg.Add(1)
		go l.run(lane)
	}
}

// run works through one lane until it is empty. Waiting for a slot happens
// with no lock held; the goroutine leaves the map only when it has found
// the lane empty, so work added meanwhile is never stranded.
func (l *Lanes) run(lane string) {
	defer l.wg.Done()
	for {
		l.mu.Lock()
		q := l.queued[lane]
		if len(q) == 0 {
			delete(l.queued, lane)
			l.mu.Unlock()
			return
		}
		fn := q[0]
		q[0] = nil
		l.queued[lane] = q[1:]
		l.mu.Unlock()

		l.slots <- struct{}{}
		fn()
		<-l.slots
	}
}

// Wait returns once every piece of work added so far has run.
func (l *Lanes) Wait() { l.wg.Wait() }
