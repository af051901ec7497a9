//go:build !unix

package localpg

import (
	"context"
	"errors"
	"log/slog"
)

// The private server relies on Unix sockets, flock and switching users; on
// other systems danvan needs DATABASE_URL. This file keeps the API so that
// danvan still compiles there.

const Database = "danvan"

type Options struct {
	Dir    string
	Fast   bool
	Logger *slog.Logger
}

type Server struct{}

var errUnsupported = errors.New("a private PostgreSQL needs Linux or another Unix: set DATABASE_URL")

func Start(context.Context, Options) (*Server, error) { return nil, errUnsupported }
func (s *Server) URL(database string) string          { return "" }
func (s *Server) Dir() string                         { return "" }
func (s *Server) Owned() bool                         { return false }
func (s *Server) Stop() error                         { return nil }
func Running(string) (int, bool)                      { return 0, false }
