package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
)

// A conversation is wired by one function of its file, listed once in
// conversations below: it names the commands that start it, the buttons
// its questions carry, and the steps that take typed text or a photo. The
// engine is built from that list, and building it fails, naming both
// conversations, when two of them claim the same command, alias, button
// action or step; nothing is registered behind the reader's back.
func conversations() []struct {
	name string
	wire func(*conversation)
} {
	return []struct {
		name string
		wire func(*conversation)
	}{
		{"resident", residentConversation},
		{"views", viewsConversation},
		{"reminders", remindersConversation},
		{"receipts", receiptsConversation},
		{"claims", claimsConversation},
		{"household", householdConversation},
		{"mypledge", myPledgeConversation},
		{"campaign", campaignConversation},
		{"progress", progressConversation},
		{"history", historyConversation},
		{"invite", inviteConversation},
		{"roles", rolesConversation},
		{"groups", groupsConversation},
		{"follow", followConversation},
		{"statements", statementsConversation},
		{"exports", exportsConversation},
		{"account", accountConversation},
	}
}

// conversation is what one conversation brings to the engine.
type conversation struct {
	cmds    []*command
	acts    map[string]action
	globals map[string]func(tr *turn, arg int64) error
	texts   map[string]func(tr *turn, text string) error
	photos  map[string]func(tr *turn, photoID string) error
	dups    []string // names claimed twice within the conversation
}

// command is a chat command: its names (the English one first, then the
// Vietnamese alias) and what it does in private chats and, if anything, in
// groups.
type command struct {
	names   []string
	private func(tr *turn, args string) error
	group   func(tr *turn, args string) error // nil: private chats only
}

// action is what a conversation's button does, and where it may be
// pressed: only while the conversation is at one of steps (the questions
// that carry the button), and only in a group when group is set, in a
// private chat otherwise. So neither an old message nor forged data can
// reach an action from another conversation or another kind of chat.
type action struct {
	run   func(tr *turn, arg int64) error
	steps []string // nil: at any step (cancelling)
	group bool
}

// on is an action pressed in private chats at the given steps.
func on(run func(tr *turn, arg int64) error, steps ...string) action {
	return action{run: run, steps: steps}
}

// allows reports whether the action may be pressed in the turn's chat at
// the conversation's step.
func (a action) allows(tr *turn) bool {
	if a.group != tr.ev.Group {
		return false
	}
	return a.steps == nil || slices.Contains(a.steps, tr.state.Step)
}

func (c *conversation) commands(cs ...*command) { c.cmds = append(c.cmds, cs...) }

func (c *conversation) actions(as map[string]action) {
	for name, a := range as {
		add(&c.acts, &c.dups, "button action", name, a)
	}
}

// globalActions are the buttons of messages the conversation sends into
// someone else's chat (a claim to decide, say), whose own conversation
// knows nothing of them: they carry no sequence number, and each re-checks
// everything against the database.
func (c *conversation) globalActions(as map[string]func(tr *turn, arg int64) error) {
	for name, a := range as {
		add(&c.globals, &c.dups, "button action", name, a)
	}
}

func (c *conversation) textStep(step string, f func(tr *turn, text string) error) {
	add(&c.texts, &c.dups, "text step", step, f)
}

func (c *conversation) photoStep(step string, f func(tr *turn, photoID string) error) {
	add(&c.photos, &c.dups, "photo step", step, f)
}

// add puts v in *m under name, noting in dups a name given twice.
func add[V any](m *map[string]V, dups *[]string, what, name string, v V) {
	if *m == nil {
		*m = map[string]V{}
	}
	if _, dup := (*m)[name]; dup {
		*dups = append(*dups, what+" "+name)
	}
	(*m)[name] = v
}

// wiring is every conversation's part, by name, as the engine dispatches.
type wiring struct {
	commands map[string]*command
	actions  map[string]action
	globals  map[string]func(tr *turn, arg int64) error
	texts    map[string]func(tr *turn, text string) error
	photos   map[string]func(tr *turn, photoID string) error
}

// wire builds the engine's tables from the conversations, refusing any name
// two of them claim.
func wire(list []struct {
	name string
	wire func(*conversation)
}) (wiring, error) {
	w := wiring{
		commands: map[string]*command{},
		actions:  map[string]action{},
		globals:  map[string]func(tr *turn, arg int64) error{},
		texts:    map[string]func(tr *turn, text string) error{},
		photos:   map[string]func(tr *turn, photoID string) error{},
	}
	owner := map[string]string{} // "what name" → the conversation that claimed it
	var problems []string
	claim := func(what, by string) {
		if first, dup := owner[what]; dup {
			problems = append(problems, fmt.Sprintf("%s is claimed by %s and %s", what, first, by))
			return
		}
		owner[what] = by
	}
	for _, it := range list {
		var c conversation
		it.wire(&c)
		for _, d := range c.dups {
			problems = append(problems, fmt.Sprintf("%s is claimed twice by %s", d, it.name))
		}
		for _, cmd := range c.cmds {
			for _, n := range cmd.names {
				claim("command /"+n, it.name)
				w.commands[n] = cmd
			}
		}
		// Conversation and global buttons share the name space of the
		// buttons' data.
		for name, a := range c.acts {
			claim("button action "+name, it.name)
			w.actions[name] = a
		}
		for name, a := range c.globals {
			claim("button action "+name, it.name)
			w.globals[name] = a
		}
		for step, f := range c.texts {
			claim("text step "+step, it.name)
			w.texts[step] = f
		}
		for step, f := range c.photos {
			claim("photo step "+step, it.name)
			w.photos[step] = f
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return w, fmt.Errorf("flows: %s", strings.Join(problems, "; "))
	}
	return w, nil
}

// buttonData builds a button's data: the question's sequence number, an
// action and an argument, well under Telegram's 64 bytes.
func buttonData(seq int, action string, arg int64) string {
	return strconv.Itoa(seq) + ":" + action + ":" + strconv.FormatInt(arg, 10)
}

func parseButtonData(s string) (seq int, action string, arg int64, ok bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, "", 0, false
	}
	seq, err1 := strconv.Atoi(parts[0])
	arg, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || parts[1] == "" {
		return 0, "", 0, false
	}
	return seq, parts[1], arg, true
}

// globalButton is a button for a global action.
func globalButton(text, action string, arg int64) danvan.Button {
	return danvan.Button{Text: text, Data: buttonData(0, action, arg)}
}
