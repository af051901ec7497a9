// Package store keeps danvan's data in PostgreSQL through pgx: one file per
// aggregate, plain SQL, schema migrations embedded in the binary.
package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/danvan/danvan"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the database, shared by every goroutine of the process.
type DB struct {
	Pool *pgxpool.Pool
	// Now is the clock; tests replace it. Each transaction reads it once so
	// that everything it writes carries the same time.
	Now func() time.Time
	Log *slog.Logger
}

// Open connects to the database at url. It does not migrate.
func Open(ctx context.Context, url string) (*DB, error) { return OpenWith(ctx, url, Options{}) }

// OpenTraced is Open with every query told to tracer (nil: none), for
// measuring what an update costs.
func OpenTraced(ctx context.Context, url string, tracer pgx.QueryTracer) (*DB, error) {
	return OpenWith(ctx, url, Options{Tracer: tracer})
}

// Options tune the connection pool.
type Options struct {
	// MaxConns bounds the connections (0: pool_max_conns in the URL, else
	// pgx's default of the larger of 4 and the number of cores).
	MaxConns int
	// Tracer is told every query (nil: none).
	Tracer pgx.QueryTracer
}

// OpenWith is Open with the pool tuned.
func OpenWith(ctx context.Context, url string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database URL: %w", err)
	}
	cfg.ConnConfig.Tracer = o.Tracer
	if o.MaxConns > 0 {
		cfg.MaxConns = int32(o.MaxConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	return &DB{Pool: pool, Now: time.Now, Log: slog.Default()}, nil
}

// Close releases every connection.
func (db *DB) Close() { db.Pool.Close() }

// Migrate brings the schema of the database at url up to date. Two processes
// migrating at once are serialised by an advisory lock, so either may start
// first.
func Migrate(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("store: migrate: connect: %w", err)
	}
	defer conn.Close(ctx)
	m, err := migrate.NewMigrator(ctx, conn, "schema_version")
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	if err := m.LoadMigrations(sub); err != nil {
		return fmt.Errorf("store: migrate: load: %w", err)
	}
	if err := m.Migrate(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// Tx is one transaction, with the time it started.
type Tx struct {
	tx  pgx.Tx
	now time.Time
}

// Now is the transaction's time: one instant for everything it writes.
func (t *Tx) Now() time.Time { return t.now }

// InTx runs fn in a transaction and commits when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(*Tx) error) error {
	return pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		return fn(&Tx{tx: tx, now: db.Now()})
	})
}

// HandleUpdate applies one incoming update exactly once: in a single
// transaction it records the update's key on its channel (what a
// re-delivery repeats), runs fn, and writes the messages fn
// returns to the outbox. It reports false, doing nothing, when that key was
// already applied. docs/promises.md says what rests on it.
func (db *DB) HandleUpdate(ctx context.Context, ch danvan.Channel, key string, fn func(*Tx) ([]danvan.Outgoing, error)) (applied bool, err error) {
	// Updates of different chats run at once, so two transactions may
	// meet: two people confirming the same pledge, a person writing in a
	// group and in private. PostgreSQL then rolls one back (a deadlock, a
	// row both inserted); it is run again at once, reading what the other
	// committed.
	for attempt := 1; ; attempt++ {
		applied, err = db.handleUpdateOnce(ctx, ch, key, fn)
		if err == nil || !IsConflict(err) || attempt == conflictAttempts {
			return applied, err
		}
		// A little jitter, so that the two do not meet again in step.
		time.Sleep(time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond)
	}
}

// conflictAttempts bounds the runs of an update that meets other
// transactions; past it the error goes to the caller, which retries with
// a backoff or gives up.
const conflictAttempts = 5

func (db *DB) handleUpdateOnce(ctx context.Context, ch danvan.Channel, key string, fn func(*Tx) ([]danvan.Outgoing, error)) (applied bool, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		tag, err := tx.tx.Exec(ctx, `INSERT INTO processed_keys (channel, key, processed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, ch, key, tx.now)
		if err != nil {
			return fmt.Errorf("store: record %s update %s: %w", ch, key, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		out, err := fn(tx)
		if err != nil {
			return err
		}
		if err := tx.Enqueue(ctx, out...); err != nil {
			return err
		}
		applied = true
		return nil
	})
	return applied, err
}
