package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With DATABASE_URL unset, danvan starts its own PostgreSQL under
// DANVAN_DATA_DIR, creates and migrates a fresh database, stops the server
// on exit, and finds the same data on the next run.
func TestPrivatePostgres(t *testing.T) {
	dir, err := os.MkdirTemp("", "danvan-private-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Running as root, PostgreSQL runs as an unprivileged user who must be
	// able to reach the folder.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "DANVAN_DATA_DIR" {
			return filepath.Join(dir, "data")
		}
		return ""
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()

	var out bytes.Buffer
	if err := run(ctx, []string{"migrate"}, getenv, &out, log); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if !strings.Contains(out.String(), "up to date") {
		t.Fatalf("migrate printed %q", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "pg", "data", "PG_VERSION")); err != nil {
		t.Fatalf("no cluster under DANVAN_DATA_DIR/pg: %v", err)
	}

	out.Reset()
	if err := run(ctx, []string{"setup", "../../examples/quang-yen.yaml"}, getenv, &out, log); err != nil {
		t.Fatalf("setup: %v", err)
	}
	if !strings.Contains(out.String(), "created") {
		t.Fatalf("the first setup created nothing: %q", out.String())
	}
	out.Reset()
	// A second run reuses the data folder: everything is already there.
	if err := run(ctx, []string{"setup", "../../examples/quang-yen.yaml"}, getenv, &out, log); err != nil {
		t.Fatalf("setup again: %v", err)
	}
	if !strings.Contains(out.String(), "nothing changed") {
		t.Fatalf("the second setup changed things (%q): the data did not survive the restart", out.String())
	}
}
