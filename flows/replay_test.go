package flows_test

// Conversation replay tests, "goflow style": each script in
// testdata/replay/*.txt is a conversation written as plain text, replayed
// against a fresh ward (newWard: the example setup, the fixed clock); what
// the bot answered is written as a transcript and compared with the
// script's .golden file. A change that alters a single word a person
// reads shows as a diff of that file, to be accepted on purpose:
//
//	go test ./flows -run Replay            # compare
//	go test ./flows -run Replay -update    # rewrite the golden files
//
// Script format (also in testdata/replay/README.md), one thing per line:
//
//	# comment                    copied into the transcript, as are blank lines
//	@lan 300001 vi Lan           a person: handle, Telegram id, language
//	                             (vi, en, or what Telegram reports, e.g. en-US),
//	                             display name (the rest of the line)
//	@group -1001234567890        a group chat: handle and (negative) chat id
//	@wait 73h                    move the clock on (Go duration; 3d = 3 days)
//	@seed 7                      draw the random pledge codes from a fixed
//	                             stream (for what depends on the codes
//	                             themselves, such as their order); such a
//	                             script does not run in parallel
//	lan: /start z_YG-K1          lan types in her private chat (a command
//	                             when it starts with "/")
//	lan@group: /tongket DIEUHOA  lan types in the group
//	lan: [Tiền]                  lan presses the button whose label contains
//	                             "Tiền" (an exact label first) on the newest
//	                             message of her chat that has such a button
//	lan: [500.000 ₫] on 2        the same on message #2 of the transcript
//	lan: !data 5:q:1 on 2        a forged press: that button data on message
//	                             #2 (left out: the newest message with
//	                             buttons, else the newest); {seq} is the
//	                             sequence number of its first button
//	lan: !photo caption          a photo, with an optional caption
//	lan: !document PATH [as NAME]  a file, PATH relative to the repository's
//	                             root (cmd/danvan/testdata/saoke-vietcombank.csv);
//	                             in a .csv or .txt file the placeholders below
//	                             are replaced too
//	lan: !sticker                anything that is not text (a sticker)
//	lan@group: !added [TITLE]    lan adds the bot to the group; !removed
//	lan: !text TEXT              types TEXT as it is, even "[…]" or "!…"
//
// In typed text, names, button data, captions and sent CSV files, {P1} is
// the first pledge code created (P2 the second…), {I1} the first
// invitation token the bot gave, and {300*ab} is "ab" 300 times. The
// transcript shows the same values as P1, I1: the codes are random, the
// transcript is not.
//
// The transcript interleaves each line of the script with what followed,
// indented, chat by chat (the recipient's handle; "chat ID" for a chat no
// line declared):
//
//	  lan #3: TEXT                 a new message, numbered; later lines of
//	    | MORE TEXT                its text follow with "| "
//	    [label] [label]            a row of its buttons
//	  lan #4: [photo: CAPTION]     a picture (VietQR, chart)
//	  lan #5: [document NAME: CAPTION]  a file, then a summary of its content
//	                               (a workbook's sheets, a zip's CSV tables)
//	  lan (edits #3): TEXT         an edit: the message's new text and buttons
//	  (answer) TEXT                the notice answering a press (none: when
//	                               the answer is empty; "(no answer)" when
//	                               the press was never answered, "(2 answers
//	                               to one press)" when it was twice)
//	  lan (menu): /a /b …          the chat's command menu was set
//	  (nothing)                    the bot said and did nothing
//
// Texts are the HTML the bot sends, exactly.

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"mime"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/flows"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "TestReplay: rewrite the golden transcripts of testdata/replay")

const (
	replayDir = "testdata/replay"
	// repoRoot is where !document paths start: the tests run in flows/.
	repoRoot = ".."
)

// TestReplay runs every script of testdata/replay, each on its own ward,
// and compares its transcript with the golden file.
func TestReplay(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join(replayDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(scripts) == 0 {
		t.Fatalf("no scripts in %s", replayDir)
	}
	// A golden file whose script was removed or renamed would be kept
	// forever, claiming something nothing checks.
	goldens, err := filepath.Glob(filepath.Join(replayDir, "*.golden"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range goldens {
		if _, err := os.Stat(strings.TrimSuffix(g, ".golden") + ".txt"); err != nil {
			t.Errorf("%s has no script %s.txt: remove it", g, strings.TrimSuffix(filepath.Base(g), ".golden"))
		}
	}
	for _, path := range scripts {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			script, err := parseScript(filepath.Base(path), string(src))
			if err != nil {
				t.Fatal(err)
			}
			if script.seeded {
				// The randomness is the whole process's: such a script
				// runs alone, before the parallel ones are let go.
				cryptotest.SetGlobalRandom(t, script.seed)
			} else {
				// Each script has its own database; the harness keeps
				// no state between wards.
				t.Parallel()
			}
			got, err := newReplay(newWard(t), script).run()
			if err != nil {
				// What came before the mistake helps to mend the script.
				t.Fatalf("%v\nthe transcript up to there ends:\n%s", err, tail(got, 30))
			}
			golden := strings.TrimSuffix(path, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("%s is missing: run `go test ./flows -run Replay -update` to write it, then read it", golden)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("the transcript of %s differs from %s (-golden +now); if the change is meant, run `go test ./flows -run Replay -update` and read the diff:\n%s",
					filepath.Base(path), golden, lineDiff(string(want), got))
			}
		})
	}
}

// A script's mistakes are reported by file and line before anything runs;
// a press that finds no button and a code that was never captured, when
// they happen.
func TestReplayReportsScriptMistakes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ src, want string }{
		{"@lan 300001 vi Lan\nlan said hello", "bad.txt:2: "},
		{"@lan 300001 vi Lan\nhoa: /start", "bad.txt:2: hoa is not declared"},
		{"@lan 300001 vi Lan\n@lan 300002 vi Cúc", "bad.txt:2: lan is declared twice"},
		{"@lan 300001 vi Lan\nlan@group: /tongket", "bad.txt:2: group is not declared"},
		{"@lan 300001 vi Lan\nlan: [Tiền] on two", "bad.txt:2: "},
		{"@lan 300001 vi Lan\nlan: !fax", "bad.txt:2: unknown directive !fax"},
		{"@lan 300001 vi Lan\nlan: !document nowhere.csv", "bad.txt:2: !document nowhere.csv"},
		{"@lan 300001 xx-long-language Lan", "bad.txt:1: "},
		{"@wait soon", "bad.txt:1: "},
		{"@seed x", "bad.txt:1: want @seed N"},
		{"@waiter 300001 vi Bồi bàn\nwaiter: /start", ""},
	} {
		_, err := parseScript("bad.txt", c.src)
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v, want no error", c.src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one containing %q", c.src, err, c.want)
		}
	}
	w := newWard(t)
	for _, c := range []struct{ src, want string }{
		{"@lan 300001 vi Lan\nlan: /start\nlan: [Khu 99]", `bad.txt:3: lan: no button "Khu 99"`},
		{"@lan 300001 vi Lan\nlan: /start\nlan: [Khu 1] on 999", "bad.txt:3: lan: no message #999 in lan's chat"},
		{"@lan 300001 vi Lan\n\nlan: /xacnhan {P7}", "bad.txt:3: {P7} was never captured"},
		{"@lan 300001 vi Lan\nlan: /start {Q1}", "bad.txt:2: unknown placeholder {Q1}"},
	} {
		s, err := parseScript("bad.txt", c.src)
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		if _, err := newReplay(w, s).run(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.src, err, c.want)
		}
	}
}

// lineKind is what a script line does.
type lineKind int

const (
	lineNote     lineKind = iota // a comment or a blank line
	linePerson                   // @handle ID LANG NAME
	lineGroup                    // @handle -ID
	lineWait                     // @wait DURATION
	lineText                     // handle: text
	linePress                    // handle: [label] [on N]
	lineData                     // handle: !data DATA [on N]
	linePhoto                    // handle: !photo [caption]
	lineDocument                 // handle: !document PATH [as NAME]
	lineOther                    // handle: !sticker
	lineAdded                    // handle: !added [TITLE]
	lineRemoved                  // handle: !removed
)

// scriptLine is one line of a script, parsed.
type scriptLine struct {
	n    int    // 1-based
	src  string // as written
	kind lineKind

	handle string // the person declared, or acting
	group  string // the group acted in ("" for the private chat)
	id     int64  // a declared person's or group's id
	lang   string
	name   string        // a person's name, a document's name, a group's title
	arg    string        // text, label, data, caption, path
	on     int64         // the message pressed; 0: the newest that fits
	wait   time.Duration // for @wait
}

type script struct {
	file  string
	lines []scriptLine
	// seeded scripts draw their pledge codes from a fixed random stream
	// (@seed N), for what depends on the codes themselves.
	seeded bool
	seed   uint64
}

var (
	handlePat   = `[a-z][a-z0-9_]*`
	personRe    = regexp.MustCompile(`^@(` + handlePat + `)\s+([1-9][0-9]*)\s+([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\s+(\S.*)$`)
	groupRe     = regexp.MustCompile(`^@(` + handlePat + `)\s+(-[1-9][0-9]*)(?:\s+(.*))?$`)
	waitRe      = regexp.MustCompile(`^@wait\s+([0-9]+d|[0-9][0-9a-z.]*)$`)
	actRe       = regexp.MustCompile(`^(` + handlePat + `)(?:@(` + handlePat + `))?:(?: (.*))?$`)
	pressRe     = regexp.MustCompile(`^\[(.+)\](?:\s+on\s+#?([0-9]+))?$`)
	dataRe      = regexp.MustCompile(`^!data\s+(\S+)(?:\s+on\s+#?([0-9]+))?$`)
	documentRe  = regexp.MustCompile(`^!document\s+(\S+)(?:\s+as\s+(\S.*))?$`)
	directiveRe = regexp.MustCompile(`^!([a-z]+)(?:\s+(.*))?$`)
)

// parseScript reads a script, reporting its first mistake by file and line.
func parseScript(file, src string) (*script, error) {
	s := &script{file: file}
	people, groups, ids := map[string]bool{}, map[string]bool{}, map[int64]string{}
	for i, text := range strings.Split(strings.TrimSuffix(src, "\n"), "\n") {
		l := scriptLine{n: i + 1, src: strings.TrimRight(text, " \t\r")}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("%s:%d: %s (line %q)", file, l.n, fmt.Sprintf(format, args...), l.src)
		}
		declare := func(handle string, id int64) error {
			if handle == "wait" || handle == "seed" {
				return fail("@%s is not a handle", handle)
			}
			if people[handle] || groups[handle] {
				return fail("%s is declared twice", handle)
			}
			if other, dup := ids[id]; dup {
				return fail("%d is %s already", id, other)
			}
			ids[id] = handle
			return nil
		}
		line := strings.TrimSpace(l.src)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			l.kind = lineNote
		case keyword(line, "@seed"):
			n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(line, "@seed")), 10, 64)
			if err != nil {
				return nil, fail("want @seed N, a whole number")
			}
			if s.seeded {
				return nil, fail("@seed is given twice")
			}
			l.kind, s.seeded, s.seed = lineNote, true, n
		case keyword(line, "@wait"):
			m := waitRe.FindStringSubmatch(line)
			if m == nil {
				return nil, fail("want @wait DURATION, e.g. @wait 73h or @wait 3d")
			}
			l.kind = lineWait
			if days, ok := strings.CutSuffix(m[1], "d"); ok {
				n, _ := strconv.Atoi(days)
				l.wait = time.Duration(n) * 24 * time.Hour
			} else {
				d, err := time.ParseDuration(m[1])
				if err != nil || d <= 0 {
					return nil, fail("want a positive duration, e.g. 73h or 3d")
				}
				l.wait = d
			}
		case strings.HasPrefix(line, "@"):
			if m := personRe.FindStringSubmatch(line); m != nil {
				id, err := strconv.ParseInt(m[2], 10, 64)
				if err != nil {
					return nil, fail("bad Telegram id: %v", err)
				}
				if err := declare(m[1], id); err != nil {
					return nil, err
				}
				people[m[1]] = true
				l.kind, l.handle, l.id, l.lang, l.name = linePerson, m[1], id, m[3], m[4]
			} else if m := groupRe.FindStringSubmatch(line); m != nil {
				id, err := strconv.ParseInt(m[2], 10, 64)
				if err != nil {
					return nil, fail("bad chat id: %v", err)
				}
				if err := declare(m[1], id); err != nil {
					return nil, err
				}
				groups[m[1]] = true
				l.kind, l.handle, l.id, l.name = lineGroup, m[1], id, m[3]
			} else {
				return nil, fail("want @HANDLE ID LANG NAME (a person) or @HANDLE -ID (a group)")
			}
		default:
			m := actRe.FindStringSubmatch(l.src)
			if m == nil {
				return nil, fail("want HANDLE: TEXT, HANDLE: [LABEL], HANDLE: !DIRECTIVE, @DECLARATION or # comment")
			}
			l.handle, l.group, l.arg = m[1], m[2], m[3]
			if !people[l.handle] {
				if groups[l.handle] {
					return nil, fail("%s is a group: write PERSON@%s: …", l.handle, l.handle)
				}
				return nil, fail("%s is not declared: add @%s ID LANG NAME above", l.handle, l.handle)
			}
			if l.group != "" && !groups[l.group] {
				return nil, fail("%s is not declared as a group: add @%s -ID above", l.group, l.group)
			}
			if err := parseAction(&l); err != nil {
				return nil, fail("%v", err)
			}
		}
		s.lines = append(s.lines, l)
	}
	return s, nil
}

// keyword reports whether line starts with the word kw (so that a handle
// such as @waiter is not taken for @wait).
func keyword(line, kw string) bool {
	rest, ok := strings.CutPrefix(line, kw)
	return ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t')
}

// parseAction reads what a person does, from l.arg.
func parseAction(l *scriptLine) error {
	arg := l.arg
	atoi := func(s string) int64 {
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	switch {
	case arg == "":
		return errors.New("nothing to type: write a text, [LABEL] or a !directive")
	case strings.HasPrefix(arg, "["):
		m := pressRe.FindStringSubmatch(arg)
		if m == nil {
			return errors.New("want [LABEL] or [LABEL] on N")
		}
		l.kind, l.arg, l.on = linePress, m[1], atoi(m[2])
	case strings.HasPrefix(arg, "!"):
		m := directiveRe.FindStringSubmatch(arg)
		if m == nil {
			return errors.New("want !directive, e.g. !photo")
		}
		switch rest := m[2]; m[1] {
		case "text":
			if rest == "" {
				return errors.New("!text needs the text to type")
			}
			l.kind, l.arg = lineText, rest
		case "data":
			d := dataRe.FindStringSubmatch(arg)
			if d == nil {
				return errors.New("want !data DATA or !data DATA on N")
			}
			l.kind, l.arg, l.on = lineData, d[1], atoi(d[2])
		case "photo":
			l.kind, l.arg = linePhoto, rest
		case "document":
			d := documentRe.FindStringSubmatch(arg)
			if d == nil {
				return errors.New("want !document PATH or !document PATH as NAME")
			}
			if _, err := os.Stat(filepath.Join(repoRoot, d[1])); err != nil {
				return fmt.Errorf("!document %s: %w (paths start at the repository's root)", d[1], err)
			}
			l.kind, l.arg, l.name = lineDocument, d[1], d[2]
			if l.name == "" {
				l.name = filepath.Base(d[1])
			}
		case "sticker":
			l.kind = lineOther
		case "added":
			l.kind, l.name = lineAdded, rest
		case "removed":
			l.kind = lineRemoved
		default:
			return fmt.Errorf("unknown directive !%s (known: !text, !data, !photo, !document, !sticker, !added, !removed)", m[1])
		}
	default:
		l.kind = lineText
	}
	return nil
}

// replay is one script being run on a ward.
type replay struct {
	w      *ward
	s      *script
	people map[string]*person
	groups map[string]int64
	names  map[int64]string // chat id → handle

	codes  []string // pledge codes, in the order they were created: P1 first
	tokens []string // invitation tokens, in the order the bot gave them: I1 first
	outbox int64    // the last outbox row shown

	out strings.Builder
}

func newReplay(w *ward, s *script) *replay {
	return &replay{w: w, s: s, people: map[string]*person{}, groups: map[string]int64{}, names: map[int64]string{}}
}

// run plays the script and returns its transcript; an error names the
// script's line, and comes with the transcript up to that line.
func (r *replay) run() (transcript string, err error) {
	// The harness stops the test on an engine error (t.Fatalf) without
	// knowing which line of which script it was running.
	current := 0
	defer func() {
		if r.w.t.Failed() && err == nil && current > 0 {
			r.w.t.Logf("%s:%d: the harness failed while replaying this line", r.s.file, current)
		}
	}()
	if err := r.w.db.Pool.QueryRow(r.w.ctx, `SELECT coalesce(max(id), 0) FROM outbox`).Scan(&r.outbox); err != nil {
		return "", fmt.Errorf("reading the outbox: %w", err)
	}
	for _, l := range r.s.lines {
		current = l.n
		if err := r.step(l); err != nil {
			return r.out.String(), fmt.Errorf("%s:%d: %w (line %q)", r.s.file, l.n, err, l.src)
		}
	}
	return r.out.String(), nil
}

// step plays one line and writes it and what followed to the transcript.
func (r *replay) step(l scriptLine) error {
	switch l.kind {
	case lineNote:
		r.printf("%s\n", l.src)
		return nil
	case linePerson:
		name, err := r.expand(l.name) // a long name is written {150*A}
		if err != nil {
			return err
		}
		p := r.w.person(l.id, name)
		p.lang = l.lang
		r.people[l.handle], r.names[l.id] = p, l.handle
		r.printf("%s\n", l.src)
		return nil
	case lineGroup:
		r.groups[l.handle], r.names[l.id] = l.id, l.handle
		r.printf("%s\n", l.src)
		return nil
	case lineWait:
		r.w.now = r.w.now.Add(l.wait)
		r.printf("%s\n", l.src)
		return nil
	}

	p := r.people[l.handle]
	chat := p.id
	if l.group != "" {
		chat = r.groups[l.group]
	}
	arg, err := r.expand(l.arg)
	if err != nil {
		return err
	}
	var ev flows.Event
	echo := l.src
	switch l.kind {
	case lineText:
		ev = p.event(chat, flows.EventText)
		ev.Text = arg
		if cmd, ok := strings.CutPrefix(arg, "/"); ok {
			name, args, _ := strings.Cut(cmd, " ")
			// The intake drops "@bot" from a command addressed to this
			// bot, and drops a command addressed to another.
			name, bot, at := strings.Cut(name, "@")
			if at && !strings.EqualFold(bot, "danvan_test_bot") {
				r.printf("%s\n  (for another bot: not delivered)\n", echo)
				return nil
			}
			ev.Kind, ev.Command, ev.Text = flows.EventCommand, strings.ToLower(name), strings.TrimSpace(args)
		}
	case linePress, lineData:
		m, data, err := r.target(p, chat, l, arg)
		if err != nil {
			return err
		}
		if l.on == 0 {
			echo += fmt.Sprintf("  (on #%d)", m.ID)
		}
		return r.press(echo, p, m, data)
	case linePhoto:
		ev = p.event(chat, flows.EventOther)
		ev.PhotoID, ev.Text = fmt.Sprintf("photo-%s-%d", r.s.file, l.n), arg
	case lineDocument:
		data, err := os.ReadFile(filepath.Join(repoRoot, l.arg))
		if err != nil {
			return err
		}
		if ext := strings.ToLower(filepath.Ext(l.arg)); ext == ".csv" || ext == ".txt" {
			// A statement names the pledges of this very script: its
			// memos carry {P1}, as the typed lines do.
			text, err := r.expand(string(data))
			if err != nil {
				return fmt.Errorf("in %s: %w", l.arg, err)
			}
			data = []byte(text)
		}
		ev = p.event(chat, flows.EventOther)
		ev.Document = &flows.Document{FileID: fmt.Sprintf("file-%s-%d", r.s.file, l.n), Name: l.name,
			MIME: mimeOf(l.name), Size: int64(len(data)), Data: data}
	case lineOther:
		ev = p.event(chat, flows.EventOther)
	case lineAdded, lineRemoved:
		ev = p.event(chat, flows.EventJoined)
		if l.kind == lineRemoved {
			ev.Kind = flows.EventLeft
		}
		ev.Title = l.name
	}
	r.printf("%s\n", echo)
	first := r.w.msgID
	r.w.handle(ev)
	return r.show(first, false)
}

// press presses data on m and shows what followed.
func (r *replay) press(echo string, p *person, m *message, data string) error {
	r.printf("%s\n", echo)
	first := r.w.msgID
	p.pressData(m, data)
	return r.show(first, true)
}

// target finds the message a press is on, and the data it sends.
func (r *replay) target(p *person, chat int64, l scriptLine, arg string) (*message, string, error) {
	who := r.names[chat]
	msgs := r.w.chats[chat]
	if l.on != 0 {
		m := r.w.message(chat, l.on)
		if m == nil {
			return nil, "", fmt.Errorf("%s: no message #%d in %s's chat", r.names[p.id], l.on, who)
		}
		msgs = []*message{m}
	}
	if l.kind == lineData {
		if len(msgs) == 0 {
			return nil, "", fmt.Errorf("%s: no message in %s's chat", r.names[p.id], who)
		}
		// A forged press may come on any message; one with buttons is the
		// likelier, and keeps {seq} meaningful.
		m := msgs[len(msgs)-1]
		for i := len(msgs) - 1; i >= 0; i-- {
			if len(msgs[i].Buttons) > 0 {
				m = msgs[i]
				break
			}
		}
		return m, strings.ReplaceAll(arg, "{seq}", firstSeq(m)), nil
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if b, ok := buttonLabelled(msgs[i], arg, l.arg, r.mask); ok {
			return msgs[i], b.Data, nil
		}
	}
	var seen []string
	for _, m := range msgs {
		if len(m.Buttons) > 0 {
			seen = append(seen, fmt.Sprintf("#%d %s", m.ID, r.mask(buttonLabels(m))))
		}
	}
	return nil, "", fmt.Errorf("%s: no button %q in %s's chat (buttons: %s)", r.names[p.id], arg, who, strings.Join(seen, "; "))
}

// buttonLabelled is m's button labelled label, else the first whose label
// contains it. A label is compared as the chat shows it (label, the
// placeholders expanded) and as the transcript does (written, against the
// label masked: "#P1").
func buttonLabelled(m *message, label, written string, mask func(string) string) (danvan.Button, bool) {
	var found *danvan.Button
	for _, row := range m.Buttons {
		for i := range row {
			shown := mask(row[i].Text)
			if row[i].Text == label || shown == written {
				return row[i], true
			}
			if found == nil && (strings.Contains(row[i].Text, label) || strings.Contains(shown, written)) {
				found = &row[i]
			}
		}
	}
	if found == nil {
		return danvan.Button{}, false
	}
	return *found, true
}

// firstSeq is the sequence number in the data of m's first button.
func firstSeq(m *message) string {
	if len(m.Buttons) == 0 || len(m.Buttons[0]) == 0 {
		return "0"
	}
	seq, _, _ := strings.Cut(m.Buttons[0][0].Data, ":")
	return seq
}

var (
	placeholderRe = regexp.MustCompile(`\{([A-Za-z]+)([0-9]+)\}`)
	repeatRe      = regexp.MustCompile(`\{([0-9]+)\*([^{}]+)\}`)
)

// expand replaces the placeholders of typed text by their values.
func (r *replay) expand(s string) (string, error) {
	var err error
	s = repeatRe.ReplaceAllStringFunc(s, func(m string) string {
		parts := repeatRe.FindStringSubmatch(m)
		n, _ := strconv.Atoi(parts[1])
		if n > 100_000 {
			err = fmt.Errorf("%s: at most 100000 times", m)
			return m
		}
		return strings.Repeat(parts[2], n)
	})
	s = placeholderRe.ReplaceAllStringFunc(s, func(m string) string {
		parts := placeholderRe.FindStringSubmatch(m)
		n, _ := strconv.Atoi(parts[2])
		var values []string
		switch parts[1] {
		case "P":
			values = r.codes
		case "I":
			values = r.tokens
		default:
			if err == nil {
				err = fmt.Errorf("unknown placeholder %s: {P1} is the first pledge code, {I1} the first invitation token", m)
			}
			return m
		}
		if n < 1 || n > len(values) {
			if err == nil {
				err = fmt.Errorf("%s was never captured (%d captured so far)", m, len(values))
			}
			return m
		}
		return values[n-1]
	})
	return s, err
}

var tokenRe = regexp.MustCompile(`i_([A-Za-z0-9_-]{32})`)

// capture learns the random values that appeared with the last event: new
// pledge codes (from the database, in the order they were created) and
// invitation tokens (from what the bot said).
func (r *replay) capture(outs []danvan.Outgoing) error {
	rows, err := r.w.db.Pool.Query(r.w.ctx, `SELECT code FROM pledges ORDER BY id OFFSET $1`, len(r.codes))
	if err != nil {
		return fmt.Errorf("reading pledge codes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return fmt.Errorf("reading pledge codes: %w", err)
		}
		r.codes = append(r.codes, code)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading pledge codes: %w", err)
	}
	for _, o := range outs {
		for _, m := range tokenRe.FindAllStringSubmatch(o.Text, -1) {
			if !slices.Contains(r.tokens, m[1]) {
				r.tokens = append(r.tokens, m[1])
			}
		}
	}
	return nil
}

// mask replaces the random values in s by their names.
func (r *replay) mask(s string) string {
	for i, tok := range r.tokens {
		s = strings.ReplaceAll(s, tok, "I"+strconv.Itoa(i+1))
	}
	if len(r.codes) == 0 {
		return s
	}
	// A code is replaced only as a whole word: a code is four letters and
	// digits, which could be part of a longer word.
	names := make(map[string]string, len(r.codes))
	for i, c := range r.codes {
		names[c] = "P" + strconv.Itoa(i+1)
	}
	return wordRe.ReplaceAllStringFunc(s, func(w string) string {
		if n, ok := names[w]; ok {
			return n
		}
		return w
	})
}

var wordRe = regexp.MustCompile(`[A-Za-z0-9]+`)

// show writes what the last event made the bot do, read back from the
// outbox in the order production would send it; first is the harness's
// last message id before the event.
func (r *replay) show(first int64, pressed bool) error {
	rows, err := r.w.db.Pool.Query(r.w.ctx, `SELECT id, payload FROM outbox WHERE id > $1 ORDER BY id`, r.outbox)
	if err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	var outs []danvan.Outgoing
	for rows.Next() {
		var raw []byte
		var o danvan.Outgoing
		if err := rows.Scan(&r.outbox, &raw); err != nil {
			rows.Close()
			return fmt.Errorf("reading the outbox: %w", err)
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			rows.Close()
			return fmt.Errorf("decoding outbox row %d: %w", r.outbox, err)
		}
		outs = append(outs, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading the outbox: %w", err)
	}
	if err := r.capture(outs); err != nil {
		return err
	}
	if len(outs) == 0 {
		r.printf("  (nothing)\n")
		return nil
	}
	id, answers := first, 0
	for _, o := range outs {
		who := r.chatName(r.w.external(o.ChatID))
		switch o.Kind {
		case danvan.OutSend:
			id++
			r.message(fmt.Sprintf("%s #%d: ", who, id), o.Text, o.Buttons)
		case danvan.OutPhoto:
			id++
			r.message(fmt.Sprintf("%s #%d: ", who, id), "[photo: "+o.Text+"]", o.Buttons)
		case danvan.OutDocument:
			id++
			r.message(fmt.Sprintf("%s #%d: ", who, id), "[document "+o.FileName+": "+o.Text+"]", o.Buttons)
			for _, line := range summarise(o.FileName, o.Document) {
				r.printf("    %s\n", r.mask(line))
			}
		case danvan.OutEdit:
			r.message(fmt.Sprintf("%s (edits #%d): ", who, o.MessageID), o.Text, o.Buttons)
		case danvan.OutAnswer:
			answers++
			if o.Text != "" {
				r.printf("  (answer) %s\n", r.mask(o.Text))
			}
		case danvan.OutCommands:
			var names []string
			for _, c := range o.Commands {
				names = append(names, "/"+c.Command)
			}
			r.printf("  %s (menu): %s\n", who, strings.Join(names, " "))
		default:
			r.printf("  %s: unknown output %q\n", who, o.Kind)
		}
	}
	if pressed && answers == 0 {
		r.printf("  (no answer)\n")
	}
	if answers > 1 {
		r.printf("  (%d answers to one press)\n", answers)
	}
	if id != r.w.msgID {
		return fmt.Errorf("the outbox shows %d new messages, the chats %d", id-first, r.w.msgID-first)
	}
	return nil
}

// message writes a message's text after head, then its buttons.
func (r *replay) message(head, text string, buttons [][]danvan.Button) {
	lines := strings.Split(r.mask(text), "\n")
	r.printf("  %s\n", strings.TrimSuffix(head+lines[0], " "))
	for _, l := range lines[1:] {
		if l == "" {
			r.printf("    |\n") // no trailing space in the file
			continue
		}
		r.printf("    | %s\n", l)
	}
	for _, row := range buttons {
		var labels []string
		for _, b := range row {
			labels = append(labels, "["+r.mask(b.Text)+"]")
		}
		r.printf("    %s\n", strings.Join(labels, " "))
	}
}

func (r *replay) chatName(chat int64) string {
	if n, ok := r.names[chat]; ok {
		return n
	}
	return "chat " + strconv.FormatInt(chat, 10)
}

func (r *replay) printf(format string, args ...any) { fmt.Fprintf(&r.out, format, args...) }

// mimeOf is the type a messenger reports for a file name.
func mimeOf(name string) string {
	if t := mime.TypeByExtension(filepath.Ext(name)); t != "" {
		return t
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return "text/csv"
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "application/octet-stream"
}

// maxShownRows bounds the rows of a CSV table shown in a transcript.
const maxShownRows = 20

// summarise describes a file the bot sent: a workbook's sheets, each with
// its number of rows and its header; a zip's CSV files, with their rows.
func summarise(name string, data []byte) []string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return []string{"unreadable workbook: " + err.Error()}
		}
		defer f.Close()
		var lines []string
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				lines = append(lines, fmt.Sprintf("sheet %q: unreadable: %v", sheet, err))
				continue
			}
			head := ""
			if len(rows) > 0 {
				head = ": " + strings.Join(rows[0], " | ")
			}
			lines = append(lines, fmt.Sprintf("sheet %q, %d rows%s", sheet, len(rows), head))
		}
		return lines
	case ".zip":
		z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return []string{"unreadable zip: " + err.Error()}
		}
		var lines []string
		for _, f := range z.File {
			rc, err := f.Open()
			if err != nil {
				lines = append(lines, f.Name+": unreadable: "+err.Error())
				continue
			}
			var b bytes.Buffer
			_, err = b.ReadFrom(rc)
			rc.Close()
			if err != nil {
				lines = append(lines, f.Name+": unreadable: "+err.Error())
				continue
			}
			text := b.String()
			head := fmt.Sprintf("%s, %d lines", f.Name, strings.Count(text, "\n"))
			if rest, bom := strings.CutPrefix(text, "\uFEFF"); bom {
				// Excel needs the BOM to read the diacritics.
				head, text = head+", UTF-8 with BOM", rest
			}
			lines = append(lines, head+":")
			// The tables are short here, and what they say is part of
			// the claim: shown whole, up to a bound.
			rows := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
			for i, row := range rows {
				if i == maxShownRows {
					lines = append(lines, fmt.Sprintf("  … %d more", len(rows)-i))
					break
				}
				lines = append(lines, "  "+strings.TrimSuffix(row, "\r"))
			}
		}
		return lines
	}
	return []string{fmt.Sprintf("%d bytes", len(data))}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// The diff of a failed comparison points at the lines that changed.
func TestReplayLineDiff(t *testing.T) {
	want := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
	got := "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n"
	diff := lineDiff(want, got)
	if !strings.HasPrefix(diff, "@@ golden line 3\n  c\n  d\n- e\n+ E\n  f\n  g\n") {
		t.Errorf("the diff of a changed line:\n%s", diff)
	}
	if !strings.Contains(diff, "@@ golden line 9\n  i\n  j\n+ k\n") {
		t.Errorf("the diff of an added line:\n%s", diff)
	}
	if strings.Contains(diff, "  b\n") {
		t.Errorf("the diff shows a line far from any change:\n%s", diff)
	}
	if lineDiff(want, want) != "" {
		t.Errorf("equal texts have a diff: %q", lineDiff(want, want))
	}
}

// lineDiff shows how got differs from want, line by line (a longest common
// subsequence; transcripts are short), with a little context.
func lineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		sign byte
		text string
		line int // in want, for context
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, op{' ', a[i], i + 1})
			i++
			j++
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			// What went comes before what came, as diff shows it.
			ops = append(ops, op{'-', a[i], i + 1})
			i++
		default:
			ops = append(ops, op{'+', b[j], i + 1})
			j++
		}
	}
	const context, most = 2, 60
	var out strings.Builder
	shown, last := 0, -1
	for k, o := range ops {
		near := false
		for d := max(0, k-context); d <= min(len(ops)-1, k+context); d++ {
			if ops[d].sign != ' ' {
				near = true
				break
			}
		}
		if !near {
			continue
		}
		if shown == most {
			out.WriteString("…\n")
			break
		}
		if shown == 0 || last != k-1 {
			fmt.Fprintf(&out, "@@ golden line %d\n", o.line)
		}
		fmt.Fprintf(&out, "%c %s\n", o.sign, o.text)
		shown, last = shown+1, k
	}
	return out.String()
}
