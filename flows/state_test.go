package flows_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/internal/logbuf"
)

// A conversation saved by an older version of the bot starts over with a
// sentence saying so, and its old buttons stay stale; one that does not
// decode is reported in the log, never silently emptied.
func TestOldAndBrokenStates(t *testing.T) {
	w := newWard(t)
	logs := &logbuf.Buffer{}
	engine, err := flows.New(flows.Config{Location: ict, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	w.engine = engine
	lan := w.person(300001, "Lan")
	lan.send("/start z_YG-K1")
	save := func(state string) {
		t.Helper()
		w.saveState(lan.id, lan.id, []byte(state))
	}

	// Version 1 kept the pledge's campaign and target at the top: the amount
	// typed now is not taken for a pledge nobody can see any more.
	save(`{"v":1,"seq":7,"step":"quantity","campaign":1,"target":1,"pledging":true}`)
	lan.send("500k")
	if got := lan.last().Text; !strings.Contains(got, "Bot vừa được cập nhật") {
		t.Errorf("after an old state: %q", got)
	}
	if n := w.query(`SELECT count(*) FROM conversations WHERE state->>'v' = '1'`); n != 0 {
		t.Errorf("the old state is still saved")
	}
	old := &message{ID: 1, Chat: lan.id, Kind: "send", Text: "?"}
	if n := lan.pressData(old, "7:q:500000"); !strings.Contains(n, expired) {
		t.Errorf("the old state's button was answered %q", n)
	}
	if n := w.query(`SELECT count(*) FROM pledges`); n != 0 {
		t.Fatalf("%d pledges from an old state", n)
	}

	// A state that does not decode.
	save(`{"v":2,"seq":"nine","step":"quantity","pledge":{"campaign":1}}`)
	lan.send("500k")
	if got := lan.last().Text; !strings.Contains(got, "Bot vừa được cập nhật") {
		t.Errorf("after a broken state: %q", got)
	}
	if l := logs.String(); strings.Count(l, "does not decode") != 1 || !strings.Contains(l, "nine") {
		t.Errorf("the broken state was not reported: %q", l)
	}
	// A command starts afresh without the sentence.
	save(`{"v":1,"seq":8,"step":"quantity"}`)
	lan.send("/ungho DIEUHOA 500k")
	if got := lan.last().Text; strings.Contains(got, "Bot vừa được cập nhật") {
		t.Errorf("a command after an old state: %q", got)
	}
	if n := w.query(`SELECT count(*) FROM pledges`); n != 1 {
		t.Fatalf("%d pledges, want the one-line pledge", n)
	}
}
