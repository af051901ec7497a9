package store

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// isUniqueViolation reports whether err is PostgreSQL's unique_violation,
// optionally on the named constraint: the tests check that the schema,
// not only the code, refuses a second claim or reversal.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		return false
	}
	return constraint == "" || pgErr.ConstraintName == constraint
}

// PostgreSQL's own refusals, caused for real, are sorted into those a
// retry can cure and those it cannot.
func TestIsPermanent(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	raise := func(code string) string {
		return fmt.Sprintf(`DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '%s'; END $$`, code)
	}
	for _, tc := range []struct {
		name      string
		sql       string
		args      []any
		permanent bool
	}{
		{"NUL in text (22021)", `SELECT $1::text`, []any{"Lan\x00"}, true},
		{"bytes that are not UTF-8 (22021)", `SELECT $1::text`, []any{"Lan\xff"}, true},
		{"not a number (22P02)", `SELECT 'năm trăm'::bigint`, nil, true},
		{"out of range (22003)", `SELECT 9223372036854775807::bigint + 1`, nil, true},
		{"division by zero (22012)", `SELECT 1 / 0`, nil, true},
		{"check_violation (23514)", `INSERT INTO areas (code, name) VALUES ('X1', '')`, nil, true},
		{"not_null_violation (23502)", `INSERT INTO areas (code, name) VALUES ('X2', NULL)`, nil, true},
		{"program_limit_exceeded (54000)", raise("54000"), nil, true},
		{"unique_violation (23505)", `INSERT INTO areas (code, name) VALUES ('DUP', 'a'), ('DUP', 'b')`, nil, false},
		{"foreign_key_violation (23503)", `INSERT INTO areas (code, name, parent_id) VALUES ('X3', 'a', 999999)`, nil, false},
		{"serialization_failure (40001)", raise("40001"), nil, false},
		{"deadlock_detected (40P01)", raise("40P01"), nil, false},
		{"lock_not_available (55P03)", raise("55P03"), nil, false},
	} {
		_, err := db.Pool.Exec(ctx, tc.sql, tc.args...)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if got := IsPermanent(err); got != tc.permanent {
			t.Errorf("%s: IsPermanent(%v) = %v, want %v", tc.name, err, got, tc.permanent)
		}
		if got := IsPermanent(fmt.Errorf("store: doing something: %w", err)); got != tc.permanent {
			t.Errorf("%s, wrapped: IsPermanent = %v, want %v", tc.name, got, tc.permanent)
		}
	}
	for _, err := range []error{nil, context.Canceled, context.DeadlineExceeded, errors.New("connection reset by peer")} {
		if IsPermanent(err) {
			t.Errorf("IsPermanent(%v) = true, want false", err)
		}
	}
}
