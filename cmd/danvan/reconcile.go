package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/statement"
	"github.com/danvan/danvan/store"
)

// reconcileArgs are `danvan reconcile [--as TELEGRAM_ID|zalo:ID] [--apply] FILE`.
type reconcileArgs struct {
	As    danvan.Identity
	Apply bool
	File  string
}

func parseReconcileArgs(args []string, admins []danvan.Identity) (reconcileArgs, error) {
	var a reconcileArgs
	fs := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Func("as", "", func(s string) (err error) {
		a.As, err = parseIdentity(s)
		return err
	})
	fs.BoolVar(&a.Apply, "apply", false, "")
	if err := fs.Parse(args); err != nil {
		return a, fmt.Errorf("reconcile: %v: %w", err, errUsage)
	}
	if fs.NArg() != 1 {
		return a, fmt.Errorf("reconcile needs one statement FILE: %w", errUsage)
	}
	a.File = fs.Arg(0)
	if a.As.Ref == "" && len(admins) > 0 {
		a.As = admins[0]
	}
	if a.As.Ref == "" {
		return a, errors.New("reconcile: say whose statement it is with --as TELEGRAM_ID or --as zalo:ID (a treasurer or an admin), or set DANVAN_ADMINS")
	}
	return a, nil
}

// Reconcile reads a bank statement as the treasurer a.As would by sending
// it to the bot: the same report is printed here and queued to their chat,
// with its buttons, so the unmatched lines can be handled there. With
// Apply it also presses "record the matched transfers".
func (m *Main) Reconcile(ctx context.Context, a reconcileArgs, stdout io.Writer) error {
	f, err := os.Open(a.File)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	doc := &flows.Document{Name: filepath.Base(a.File), Size: info.Size()}
	if info.Size() > statement.MaxSize {
		doc.TooLarge = true
	} else if doc.Data, err = io.ReadAll(f); err != nil {
		return err
	}
	engine, err := m.engine("")
	if err != nil {
		return err
	}
	ev := flows.Event{Kind: flows.EventOther, Channel: a.As.Channel, ChatRef: a.As.Ref, UserRef: a.As.Ref, Lang: "vi", Document: doc}
	out, err := m.handleLocally(ctx, engine, ev)
	if err != nil {
		return err
	}
	printPlain(stdout, out)
	if !a.Apply {
		return nil
	}
	for _, o := range out {
		for _, row := range o.Buttons {
			for _, b := range row {
				if strings.HasPrefix(b.Data, "0:sa:") {
					press := ev
					press.Kind, press.Document, press.Data = flows.EventButton, nil, b.Data
					done, err := m.handleLocally(ctx, engine, press)
					if err != nil {
						return err
					}
					printPlain(stdout, done)
					return nil
				}
			}
		}
	}
	fmt.Fprintln(stdout, "\nnothing to apply: no transfer matches a pledge")
	return nil
}

// handleLocally applies an event that did not come from the chat in one
// transaction, queues what it says to the chat (a press from here has no
// button message to edit nor press to answer, so those are returned only),
// and returns everything it said.
func (m *Main) handleLocally(ctx context.Context, engine *flows.Engine, ev flows.Event) ([]danvan.Outgoing, error) {
	var out []danvan.Outgoing
	err := m.DB.InTx(ctx, func(tx *store.Tx) error {
		// The person's private chat: on both channels it has their id.
		var err error
		if ev.ChatID, err = tx.EnsureChat(ctx, ev.Channel, ev.ChatRef, false); err != nil {
			return err
		}
		out, err = engine.Handle(ctx, tx, ev)
		if err != nil {
			return err
		}
		var send []danvan.Outgoing
		for _, o := range out {
			if o.Kind == danvan.OutSend || o.Kind == danvan.OutPhoto || o.Kind == danvan.OutDocument {
				send = append(send, o)
			}
		}
		return tx.Enqueue(ctx, send...)
	})
	return out, err
}

var tags = regexp.MustCompile(`<[^>]*>`)

// printPlain prints the bot's messages in the chat as plain text.
func printPlain(w io.Writer, out []danvan.Outgoing) {
	for _, o := range out {
		if o.Text == "" || o.Kind == danvan.OutAnswer {
			continue
		}
		fmt.Fprintln(w, html.UnescapeString(tags.ReplaceAllString(o.Text, "")))
		for _, row := range o.Buttons {
			var labels []string
			for _, b := range row {
				labels = append(labels, "["+b.Text+"]")
			}
			fmt.Fprintln(w, "  "+strings.Join(labels, " "))
		}
		fmt.Fprintln(w)
	}
}
