package flows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/statement"
)

// Store is what conversations need from storage, inside the transaction
// that applies one event.
type Store interface {
	Now() time.Time
	EnsurePerson(ctx context.Context, telegramID int64, name, lang string) (danvan.Person, error)
	SetHomeArea(ctx context.Context, personID, areaID int64) error
	Zones(ctx context.Context) ([]danvan.Area, error)
	Area(ctx context.Context, id int64) (danvan.Area, error)
	AreaByCode(ctx context.Context, code string) (danvan.Area, error)
	OpenCampaigns(ctx context.Context, areaID int64) ([]danvan.Campaign, error)
	Campaign(ctx context.Context, id int64) (danvan.Campaign, error)
	CampaignByCode(ctx context.Context, code string) (danvan.Campaign, error)
	CreatePledge(ctx context.Context, p *danvan.Pledge) error
	PledgesOf(ctx context.Context, personID int64, limit int) ([]danvan.PledgeLine, error)
	Progress(ctx context.Context, campaignID int64) ([]danvan.Progress, error)
	LoadConversation(ctx context.Context, chatID, userID int64) ([]byte, error)
	SaveConversation(ctx context.Context, chatID, userID int64, state []byte) error
	// NextButtonSeq numbers a question's buttons; a number is never given
	// twice, so no older message's buttons can match a newer question.
	NextButtonSeq(ctx context.Context) (int64, error)
	Grants(ctx context.Context, personID int64) (danvan.Grants, error)
	// Audit writes one change to the audit trail (entity: pledge, receipt,
	// campaign, progress, role, claim, invitation).
	Audit(ctx context.Context, actorID int64, entity string, entityID, campaignID int64, action string, before, after any) error
	cadreStore
	statementStore
	exportStore
}

// Engine runs the conversations.
type Engine struct {
	Limits   danvan.Limits
	Location *time.Location // the ward's time zone, for "today"
	// BotUsername makes links to the bot (https://t.me/NAME?start=…).
	BotUsername string
	// StatementLayouts are bank statement layouts configured for this
	// ward, tried before the built-in ones.
	StatementLayouts []statement.Layout
}

// NewEngine returns an engine with the default limits in the given time zone.
func NewEngine(loc *time.Location) *Engine {
	return &Engine{Limits: danvan.DefaultLimits, Location: loc}
}

// stateVersion is bumped when State changes shape; an older saved state is
// dropped rather than misread.
const stateVersion = 1

// State is a conversation between turns.
type State struct {
	V int `json:"v"`
	// Seq numbers the latest message with buttons; a button carries it, so
	// a press on an older message, in this conversation or an earlier one,
	// is recognised and refused.
	Seq  int    `json:"seq"`
	Step string `json:"step,omitempty"`
	// The pledge being built.
	Campaign int64 `json:"campaign,omitempty"`
	Target   int64 `json:"target,omitempty"`
	Quantity int64 `json:"quantity,omitempty"`
	// Due is when the pledger means to pay (YYYY-MM-DD), once DueChosen;
	// "" with DueChosen: no date of their own.
	Due       string `json:"due,omitempty"`
	DueChosen bool   `json:"due_chosen,omitempty"`
	// Direct pledges (the one-line form) skip the confirmation.
	Direct bool `json:"direct,omitempty"`
	// Pledging continues once the zone is chosen.
	Pledging bool `json:"pledging,omitempty"`
	// Pledge is the pledge a cadre's conversation is about (a receipt, a
	// correction).
	Pledge int64 `json:"pledge,omitempty"`
	// Data holds what other conversations collect on the way (a
	// household's name, a reason, a role being granted), by name.
	Data map[string]string `json:"data,omitempty"`
}

// reset ends the conversation, keeping the sequence number so that its
// buttons stay stale.
func (s *State) reset() { *s = State{Seq: s.Seq} }

// Steps of a conversation.
const (
	stepZone     = "zone"
	stepCampaign = "campaign"
	stepTarget   = "target"
	stepQuantity = "quantity"
	stepDue      = "due"
	stepConfirm  = "confirm"
	stepSummary  = "summary" // choosing a campaign to summarise
)

// turn is one event being handled: who, in which language, what state, and
// the replies so far.
type turn struct {
	ctx    context.Context
	e      *Engine
	st     Store
	ev     Event
	lang   string
	person danvan.Person
	state  State
	out    []danvan.Outgoing

	grantsLoaded bool
	grantsCache  danvan.Grants

	// err is the first failure of a step that has no error to return (a
	// question that could not be numbered); the event then fails whole.
	err error
}

// fail keeps the first error of the turn.
func (tr *turn) fail(err error) {
	if err != nil && tr.err == nil {
		tr.err = err
	}
}

// grants are the roles of the person acting, read once per event.
func (tr *turn) grants() (danvan.Grants, error) {
	if !tr.grantsLoaded {
		gs, err := tr.st.Grants(tr.ctx, tr.person.ID)
		if err != nil {
			return nil, err
		}
		tr.grantsCache, tr.grantsLoaded = gs, true
	}
	return tr.grantsCache, nil
}

// Handle applies one event and returns what the bot answers.
func (e *Engine) Handle(ctx context.Context, st Store, ev Event) ([]danvan.Outgoing, error) {
	if ev.Kind == EventJoined || ev.Kind == EventLeft {
		// Delivery follows membership (the intake marks the chat
		// reachable or not); a group is also recorded and greeted.
		tr := &turn{ctx: ctx, e: e, st: st, ev: ev, lang: lang(ev.Lang)}
		if err := tr.membership(); err != nil {
			return nil, err
		}
		return tr.out, nil
	}
	if ev.Group && ev.Kind != EventCommand && ev.Kind != EventButton {
		return nil, nil // people talk among themselves in groups
	}
	tr := &turn{ctx: ctx, e: e, st: st, ev: ev, lang: lang(ev.Lang)}
	var err error
	tr.person, err = st.EnsurePerson(ctx, ev.UserID, ev.UserName, tr.lang)
	if err != nil {
		return nil, err
	}
	raw, err := st.LoadConversation(ctx, ev.ChatID, ev.UserID)
	if err != nil {
		return nil, err
	}
	if raw != nil {
		// A state that does not decode, or of another version, is dropped:
		// the person starts over rather than being stuck.
		if json.Unmarshal(raw, &tr.state) != nil || tr.state.V != stateVersion {
			tr.state = State{}
		}
	}
	before, err := tr.encodeState()
	if err != nil {
		return nil, err
	}
	if err := tr.dispatch(); err != nil {
		return nil, err
	}
	if tr.err != nil {
		return nil, tr.err
	}
	after, err := tr.encodeState()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(before, after) {
		if err := tr.st.SaveConversation(tr.ctx, tr.ev.ChatID, tr.ev.UserID, after); err != nil {
			return nil, err
		}
	}
	return tr.out, nil
}

// encodeState is the state as saved: nil when no conversation is under way.
func (tr *turn) encodeState() ([]byte, error) {
	if tr.state.Step == "" {
		return nil, nil
	}
	tr.state.V = stateVersion
	raw, err := json.Marshal(tr.state)
	if err != nil {
		return nil, fmt.Errorf("flows: encode state: %w", err)
	}
	return raw, nil
}

func (tr *turn) dispatch() error {
	switch tr.ev.Kind {
	case EventCommand:
		return tr.command()
	case EventButton:
		return tr.button()
	case EventText:
		return tr.text()
	default:
		if d := tr.ev.Document; d != nil {
			// A photo sent "as a file" (uncompressed) where a photo is
			// asked for is that photo, not a statement.
			if f, ok := photoSteps[tr.state.Step]; ok && strings.HasPrefix(d.MIME, "image/") {
				return f(tr, d.FileID)
			}
			return tr.document()
		}
		if f, ok := photoSteps[tr.state.Step]; ok && tr.ev.PhotoID != "" {
			return f(tr, tr.ev.PhotoID)
		}
		if tr.state.Step != "" {
			tr.say(t(tr.lang, msgOnlyText) + tr.stepHint())
			return nil
		}
		tr.say(t(tr.lang, msgOnlyText) + t(tr.lang, msgNotUnderstood))
		return nil
	}
}

// say sends a message to the event's chat.
func (tr *turn) say(text string, buttons ...[]danvan.Button) {
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: tr.ev.ChatID, Text: text, Buttons: buttons})
}

// ask sends a question with buttons and makes older buttons stale.
func (tr *turn) ask(step, text string, buttons func(seq int) [][]danvan.Button) {
	if !tr.renumber(step) {
		return
	}
	tr.say(text, buttons(tr.state.Seq)...)
}

// renumber moves the conversation to step with a new number for the
// question's buttons, so that every earlier button is stale; false when
// no number could be had (the turn has failed).
func (tr *turn) renumber(step string) bool {
	seq, err := tr.st.NextButtonSeq(tr.ctx)
	if err != nil {
		tr.fail(err)
		return false
	}
	tr.state.Seq = int(seq)
	tr.state.Step = step
	return true
}

// answer acknowledges the pressed button, with an optional notice.
func (tr *turn) answer(notice string) {
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutAnswer, ChatID: tr.ev.ChatID, CallbackID: tr.ev.CallbackID, Text: notice})
}

// settle replaces the pressed message's buttons by the choice made (plain
// text), so the chat reads as a record and the buttons cannot be pressed
// again.
func (tr *turn) settle(question, choice string) {
	tr.conclude(question, t(tr.lang, msgChosen, esc(choice)))
}

// maxSettledText bounds the pressed message's text kept when it is
// settled, well under the 4,096 characters a message may have once the
// outcome is added (the text is HTML, longer than what the chat shows).
const maxSettledText = 3800

// conclude takes the buttons off the pressed message and adds outcome (in
// the message's HTML) under what the message said. question stands in for
// the message's text when the platform did not give it. A photo's caption
// is left as it is: the outcome follows in the replies.
func (tr *turn) conclude(question, outcome string) {
	if tr.ev.MessageMedia {
		return
	}
	text := tr.ev.MessageText
	if text == "" || utf8.RuneCountInString(text) > maxSettledText {
		text = question
	}
	if text != "" {
		text += "\n"
	}
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutEdit, ChatID: tr.ev.ChatID, MessageID: tr.ev.MessageID,
		Text: text + outcome})
}

// grid lays buttons out in rows of perRow, short enough for a phone.
func grid(bs []danvan.Button, perRow int) [][]danvan.Button {
	var rows [][]danvan.Button
	for len(bs) > 0 {
		n := min(perRow, len(bs))
		rows = append(rows, bs[:n:n])
		bs = bs[n:]
	}
	return rows
}

// buttonData builds a button's data: the state's sequence number, an action
// and an argument, well under Telegram's 64 bytes.
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

// command is a chat command: its names (the English one first, then the
// Vietnamese alias) and what it does in private chats and, if anything, in
// groups.
type command struct {
	names   []string
	private func(tr *turn, args string) error
	group   func(tr *turn, args string) error // nil: private chats only
}

// commands holds every command by each of its names; each file of this
// package registers its own from init.
var commands = map[string]*command{}

func registerCommands(cs ...*command) {
	for _, c := range cs {
		for _, n := range c.names {
			if _, dup := commands[n]; dup {
				panic("flows: command /" + n + " registered twice")
			}
			commands[n] = c
		}
	}
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

// actions are what buttons do, by the action name in their data; each file
// registers its own from init.
var actions = map[string]action{}

func registerActions(as map[string]action) {
	for name, a := range as {
		if _, dup := actions[name]; dup {
			panic("flows: button action " + name + " registered twice")
		}
		actions[name] = a
	}
}

func init() {
	helpInGroup := func(tr *turn, _ string) error { tr.say(t(tr.lang, msgHelpGroup)); return nil }
	registerCommands(
		&command{names: []string{"start"}, private: (*turn).start, group: helpInGroup},
		&command{names: []string{"help", "huongdan"}, private: (*turn).help, group: helpInGroup},
		&command{names: []string{"campaigns", "chiendich"}, private: func(tr *turn, _ string) error { return tr.campaigns() }},
		&command{names: []string{"pledge", "ungho"}, private: (*turn).pledgeCommand},
		&command{names: []string{"mypledges", "cuatoi"}, private: func(tr *turn, _ string) error { return tr.myPledges() }},
		&command{names: []string{"summary", "tongket"}, private: (*turn).summary, group: (*turn).summary},
		&command{names: []string{"cancel", "huy"}, private: (*turn).cancel},
	)
	registerActions(map[string]action{
		"z": on((*turn).chooseZone, stepZone),
		"c": on((*turn).chooseCampaign, stepCampaign),
		"t": on((*turn).chooseTarget, stepTarget),
		"q": on((*turn).chooseQuantity, stepQuantity),
		"d": on((*turn).chooseDue, stepDue),
		"y": on(func(tr *turn, target int64) error { return tr.confirm(target, true) }, stepConfirm),
		"a": on(func(tr *turn, target int64) error { return tr.confirm(target, false) }, stepConfirm),
		// Cancelling is offered at many steps of every private
		// conversation.
		"x": {run: cancelButton},
		"s": on(func(tr *turn, id int64) error {
			tr.state.Step = ""
			return tr.summaryOf(id)
		}, stepSummary),
	})
}

func (tr *turn) command() error {
	c, known := commands[tr.ev.Command]
	if !known {
		tr.say(t(tr.lang, msgUnknownCommand, esc(truncate(tr.ev.Command, 32))))
		return nil
	}
	args := strings.TrimSpace(tr.ev.Text)
	if tr.ev.Group {
		if c.group == nil {
			tr.say(t(tr.lang, msgPrivateOnly))
			return nil
		}
		return c.group(tr, args)
	}
	if c.names[0] != "cancel" {
		// Any other command leaves the conversation in progress.
		tr.state.reset()
	}
	return c.private(tr, args)
}

// help lists what the person can do: everyone's commands, then those of
// each role they hold.
func (tr *turn) help(string) error {
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	invite := msgHelpInvite
	if gs.Admin() {
		invite = msgHelpInviteAny
	}
	sections := []struct {
		holds  bool
		header msg
		lines  []msg
	}{
		{len(gs.Zones()) > 0, msgHelpHead, []msg{msgHelpConfirm, msgHelpHousehold, msgHelpGift, msgHelpClaims}},
		{len(gs.Units(danvan.RoleTreasurer)) > 0, msgHelpTreasurer,
			[]msg{msgHelpConfirm, msgHelpCorrect, msgHelpGift, msgHelpClaims, msgHelpStatement, msgHelpExport, msgHelpAnnual}},
		{len(gs.Units(danvan.RoleCadre)) > 0 || gs.Admin(), msgHelpCadre,
			[]msg{msgHelpNewCampaign, msgHelpEditCampaign, msgHelpProgress, msgHelpEditPledge, msgHelpHistory, invite, msgHelpExport, msgHelpAnnual, msgHelpGroupLinks}},
		{gs.Admin(), msgHelpAdmin, []msg{msgHelpRoles}},
	}
	// A command shows once, under the first role that has it: a head who
	// is also a treasurer reads /xacnhan once.
	text := t(tr.lang, msgHelp) + t(tr.lang, msgHelpResidentMore)
	shown := map[msg]bool{}
	for _, s := range sections {
		if !s.holds {
			continue
		}
		var lines string
		for _, l := range s.lines {
			if !shown[l] {
				shown[l] = true
				lines += t(tr.lang, l)
			}
		}
		if lines != "" {
			text += t(tr.lang, s.header) + lines
		}
	}
	tr.say(text)
	if gs.Staff() {
		tr.menu(tr.ev.ChatID, tr.lang, gs)
	}
	return nil
}

// cancelButton ends the conversation from its question's "Cancel" button.
func cancelButton(tr *turn, _ int64) error {
	tr.settle(t(tr.lang, msgCancelled), t(tr.lang, msgCancelButton))
	tr.state.reset()
	return nil
}

func (tr *turn) cancel(string) error {
	if tr.state.Step == "" {
		tr.say(t(tr.lang, msgNothingToCancel))
		return nil
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgCancelled))
	return nil
}

// textSteps are the steps that take typed text, by step name, and
// photoSteps those that take a photo; each file registers its own.
var textSteps, photoSteps = map[string]func(tr *turn, text string) error{}, map[string]func(tr *turn, photoID string) error{}

func registerTextStep(step string, f func(tr *turn, text string) error) {
	if _, dup := textSteps[step]; dup {
		panic("flows: text step " + step + " registered twice")
	}
	textSteps[step] = f
}

func registerPhotoStep(step string, f func(tr *turn, photoID string) error) {
	if _, dup := photoSteps[step]; dup {
		panic("flows: photo step " + step + " registered twice")
	}
	photoSteps[step] = f
}

func init() {
	registerTextStep(stepQuantity, (*turn).typedQuantity)
	registerTextStep(stepDue, (*turn).typedDue)
}

func (tr *turn) text() error {
	if f, ok := textSteps[tr.state.Step]; ok {
		return f(tr, tr.ev.Text)
	}
	switch tr.state.Step {
	case "":
		tr.say(t(tr.lang, msgNotUnderstood))
	default:
		tr.say(t(tr.lang, msgUseButtons))
	}
	return nil
}

// stepHint repeats what the current step expects.
func (tr *turn) stepHint() string {
	switch tr.state.Step {
	case stepQuantity:
		return t(tr.lang, msgQtyNeedUnit)
	case stepDue:
		return t(tr.lang, msgKBadDate)
	}
	return t(tr.lang, msgUseButtons)
}

// globalActions are buttons sent into someone else's chat (a claim to
// decide, say), whose conversation knows nothing of them: they carry no
// sequence number, and each re-checks everything against the database.
var globalActions = map[string]func(tr *turn, arg int64) error{}

func registerGlobalActions(as map[string]func(tr *turn, arg int64) error) {
	for name, a := range as {
		if _, dup := actions[name]; dup {
			panic("flows: button action " + name + " registered twice")
		}
		if _, dup := globalActions[name]; dup {
			panic("flows: button action " + name + " registered twice")
		}
		globalActions[name] = a
	}
}

// globalButton is a button for a global action.
func globalButton(text, action string, arg int64) danvan.Button {
	return danvan.Button{Text: text, Data: buttonData(0, action, arg)}
}

func (tr *turn) button() error {
	seq, name, arg, ok := parseButtonData(tr.ev.Data)
	if a, global := globalActions[name]; ok && global && seq == 0 {
		if tr.ev.Group {
			// Notices with such buttons go to private chats only.
			tr.answer(t(tr.lang, msgButtonExpired))
			return nil
		}
		tr.answer("")
		return a(tr, arg)
	}
	if !ok || seq != tr.state.Seq || tr.state.Step == "" {
		tr.answer(t(tr.lang, msgButtonExpired))
		return nil
	}
	a, known := actions[name]
	if !known || !a.allows(tr) {
		// The right number with an action that its question does not
		// offer can only be forged.
		tr.answer(t(tr.lang, msgButtonExpired))
		return nil
	}
	tr.answer("")
	return a.run(tr, arg)
}

// truncate shortens s to at most n runes, for echoing input back.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// today is the date in the ward's time zone.
func (tr *turn) today() time.Time {
	return tr.st.Now().In(tr.e.Location)
}
