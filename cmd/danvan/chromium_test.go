package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The browser test on a machine without Chromium: plain `go test` skips
// it with one line naming the package, CI=true fails the whole package at
// once, before any database is started. The test binary runs as a child
// with a PATH that has no chromium, then with one that has.
func TestBrowserTestWithoutChromium(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var without []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(dir, "chromium")); err != nil {
			without = append(without, dir)
		}
	}
	// A stand-in is enough to be found; only the check runs with it.
	fake := t.TempDir()
	if err := os.WriteFile(filepath.Join(fake, "chromium"), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	withFake := strings.Join(append([]string{fake}, without...), string(filepath.ListSeparator))
	child := func(path string, ci bool, run string) (string, int, time.Duration) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, exe, "-test.v", "-test.run="+run)
		for _, kv := range os.Environ() {
			k, _, _ := strings.Cut(kv, "=")
			if k != "PATH" && k != "CI" && k != childEnv {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "PATH="+path)
		if ci {
			cmd.Env = append(cmd.Env, "CI=true")
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatalf("running the test binary: %v", err)
		}
		return out.String(), code, time.Since(start)
	}
	noChromiumPath := strings.Join(without, string(filepath.ListSeparator))

	out, code, took := child(noChromiumPath, true, "^TestDemoInBrowser$")
	if code != 1 || strings.Contains(out, "=== RUN") || strings.TrimSpace(out) != noChromium || took > 20*time.Second {
		t.Errorf("CI=true without chromium: exit %d after %s, want 1 at once with the one line %q and no test run; output:\n%s",
			code, took.Round(time.Millisecond), noChromium, out)
	}

	out, code, _ = child(noChromiumPath, false, "^TestDemoInBrowser$")
	if code != 0 || !strings.Contains(out, "--- SKIP: TestDemoInBrowser") || strings.Count(out, noChromium) != 1 {
		t.Errorf("go test without chromium: exit %d, want 0 with TestDemoInBrowser skipped and saying %q once; output:\n%s", code, noChromium, out)
	}

	out, code, _ = child(withFake, true, "^$")
	if code != 0 || strings.Contains(out, noChromium) {
		t.Errorf("CI=true with chromium on PATH: exit %d, want 0 without %q; output:\n%s", code, noChromium, out)
	}
}
