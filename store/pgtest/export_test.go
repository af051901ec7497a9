package pgtest

import (
	"context"

	"github.com/danvan/danvan/store/localpg"
)

// FailStart makes Run's server start fail with err, to check that Run then
// reports it and fails instead of running the tests.
func FailStart(err error) {
	startServer = func(context.Context, localpg.Options) (*localpg.Server, error) { return nil, err }
}
