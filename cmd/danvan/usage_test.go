package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// A command line that does not say what to do is answered with what is
// missing, not "unknown command", and with the usage.
func TestUsageErrorsSayWhatIsMissing(t *testing.T) {
	noEnv := func(string) string { return "" }
	for args, want := range map[string]string{
		"setup":           "setup needs the setup file, e.g. danvan setup examples/quang-yen.yaml",
		"frobnicate":      `unknown command "frobnicate"`,
		"outbox":          "outbox takes one word, failed",
		"serve extra arg": "serve takes no arguments",
	} {
		err := run(context.Background(), strings.Fields(args), noEnv, io.Discard, slog.New(slog.DiscardHandler))
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), want) {
			t.Errorf("danvan %s: %v, want %q and the usage", args, err, want)
		}
		if strings.Contains(err.Error(), "unknown command") && args != "frobnicate" {
			t.Errorf("danvan %s: %v", args, err)
		}
	}
}
