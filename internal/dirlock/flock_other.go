//go:build !unix

package dirlock

import "os"

// tryLock cannot lock without flock; danvan's private PostgreSQL, the only
// user of these locks, needs a Unix system anyway.
func tryLock(*os.File) (bool, error) { return true, nil }
