package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lead runs fn while this process holds the named lead among every process
// using the database, such as the one sender that drains the outbox. It
// waits for the lead, checking every interval, and takes it back after
// losing it. The lead is a session advisory lock on a connection of its
// own, so it ends the moment the holder dies or its connection breaks; fn's
// context ends when the connection stops answering. Lead returns when ctx
// ends.
func (db *DB) Lead(ctx context.Context, name string, interval time.Duration, fn func(context.Context) error) error {
	for ctx.Err() == nil {
		held, err := db.holdLead(ctx, name, interval, fn)
		if err != nil && ctx.Err() == nil {
			db.Log.Warn("lead lost or not reachable", "lead", name, "err", err)
		}
		if held || ctx.Err() != nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(interval):
		}
	}
	return nil
}

// holdLead tries once to take the lead and, if it did, runs fn until fn
// returns or the lock's connection fails.
func (db *DB) holdLead(ctx context.Context, name string, interval time.Duration, fn func(context.Context) error) (bool, error) {
	conn, err := pgx.ConnectConfig(ctx, db.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, fmt.Errorf("store: lead %s: connect: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext('danvan lead'), hashtext($1))`, name).Scan(&got); err != nil {
		return false, fmt.Errorf("store: lead %s: %w", name, err)
	}
	if !got {
		return false, nil
	}
	db.Log.Info("took the lead", "lead", name)
	leadCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	lost := make(chan error, 1)
	watching := make(chan struct{})
	go func() {
		defer close(watching)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-leadCtx.Done():
				return
			case <-tick.C:
			}
			pctx, pcancel := context.WithTimeout(leadCtx, max(interval, time.Second))
			err := conn.Ping(pctx)
			pcancel()
			if err != nil && leadCtx.Err() == nil {
				lost <- fmt.Errorf("store: lead %s: %w", name, err)
				cancel()
				return
			}
		}
	}()
	err = fn(leadCtx)
	cancel()
	<-watching // the connection is used by one goroutine at a time
	select {
	case lerr := <-lost:
		return true, lerr
	default:
	}
	// Closing the connection releases the lock.
	return true, err
}
