package scheduler

import "context"

// CatchUp is what Run does at start, once: prepare from the store's
// history, then run what was missed. The tests call it to restart the
// scheduler at a chosen time without Run's loop.
func (s *Scheduler[T]) CatchUp(ctx context.Context) error {
	now := s.Now()
	if err := s.prepare(ctx, now); err != nil {
		return err
	}
	return s.Tick(ctx, now)
}
