package store

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// IsPermanent reports whether err is a refusal PostgreSQL will repeat for
// the same statement and values, so that handling the same update again
// cannot help:
//
//   - class 22, data exception: a value it cannot take (a NUL or bytes
//     that are not UTF-8 in text, a number out of range, a string too long);
//   - 23502 not_null_violation and 23514 check_violation: the rules of the
//     schema on a row's own values, which the update's input decided;
//   - class 54, program limit exceeded: a value too large for an index row.
//
// Serialization failures, deadlocks, unique and foreign key violations and
// anything that is not PostgreSQL's answer (a lost connection, a timeout)
// depend on what else is happening, and a retry can cure them.
func IsPermanent(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	code := pgErr.Code
	return strings.HasPrefix(code, "22") || strings.HasPrefix(code, "54") || code == "23502" || code == "23514"
}

// IsConflict reports whether err is PostgreSQL rolling a transaction back
// because of another one running at the same time, so that running it again
// will most likely succeed: 40001 serialization_failure, 40P01
// deadlock_detected, and 23505 unique_violation (two transactions inserting
// the same new person or chat).
func IsConflict(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "40001", "40P01", "23505":
		return true
	}
	return false
}
