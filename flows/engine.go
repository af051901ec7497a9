package flows

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
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
	// EnsurePerson returns the person behind an identity, creating them on
	// first contact; privateChat, when not 0, is where they now write from.
	EnsurePerson(ctx context.Context, id danvan.Identity, name, lang string, privateChat int64) (danvan.Person, error)
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
	LoadConversation(ctx context.Context, chatID, personID int64) ([]byte, error)
	SaveConversation(ctx context.Context, chatID, personID int64, state []byte) error
	// NextButtonSeq numbers a question's buttons; a number is never given
	// twice, so no older message's buttons can match a newer question.
	NextButtonSeq(ctx context.Context) (int64, error)
	Grants(ctx context.Context, personID int64) (danvan.Grants, error)
	// Audit writes one change to the audit trail (entity: pledge, receipt,
	// campaign, progress, role, claim, invitation, statement, group,
	// follow, person).
	Audit(ctx context.Context, actorID int64, entity string, entityID, campaignID int64, action string, before, after any) error
	cadreStore
	followStore
	statementStore
	exportStore
	accountStore
}

// Config is what an engine is made for: a ward and its bot.
type Config struct {
	Location *time.Location // the ward's time zone, for "today"
	// StartLink makes a link that opens a chat with the bot at payload (a
	// campaign's QR poster, an invitation), "" when no channel has such
	// links; nil: none.
	StartLink func(payload string) string
	// StatementLayouts are bank statement layouts configured for this
	// ward, tried before the built-in ones.
	StatementLayouts []statement.Layout
	// Limits bound the quantities people type; zero: the product's.
	Limits danvan.Limits
	// Log hears of saved conversations that could not be read; nil: none.
	Log *slog.Logger
}

// Engine runs the conversations. It holds nothing that changes: every
// turn's state comes from and goes to the Store.
type Engine struct {
	limits  danvan.Limits
	loc     *time.Location
	link    func(payload string) string
	layouts []statement.Layout
	log     *slog.Logger
	wiring
}

// New builds the engine from every conversation of the bot; it fails when
// two conversations claim the same name.
func New(cfg Config) (*Engine, error) {
	w, err := wire(conversations())
	if err != nil {
		return nil, err
	}
	e := &Engine{limits: cfg.Limits, loc: cfg.Location, link: cfg.StartLink,
		layouts: slices.Clone(cfg.StatementLayouts), log: cfg.Log, wiring: w}
	if e.limits.Max == nil && e.limits.MaxMoney == 0 && e.limits.MinMoney == 0 {
		e.limits = danvan.DefaultLimits()
	}
	if e.loc == nil {
		e.loc = time.UTC
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	return e, nil
}

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

	// pledging is the campaign a pledge of this turn is made to, read
	// once: finding it by code and checking the chosen target would
	// otherwise read it twice.
	pledging *danvan.Campaign

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

// startLink is a link to the bot at payload, "" without one.
func (e *Engine) startLink(payload string) string {
	if e.link == nil {
		return ""
	}
	return e.link(payload)
}

// Handle applies one event and returns what the bot answers. The event's
// ChatID is the chat's internal id: the caller resolves it.
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
	private := ev.ChatID
	if ev.Group {
		private = 0
	}
	// A channel that does not say the person's language (Zalo) leaves the
	// one they have, from another channel or from before.
	told := tr.lang
	if ev.Lang == "" {
		told = ""
	}
	tr.person, err = st.EnsurePerson(ctx, danvan.Identity{Channel: ev.Channel, Ref: ev.UserRef}, ev.UserName, told, private)
	if err != nil {
		return nil, err
	}
	if told == "" {
		tr.lang = lang(tr.person.Lang)
	}
	raw, err := st.LoadConversation(ctx, ev.ChatID, tr.person.ID)
	if err != nil {
		return nil, err
	}
	var restarted bool
	tr.state, restarted = tr.loadState(raw)
	before, err := tr.encodeState()
	if err != nil {
		return nil, err
	}
	// What was typed for a stopped conversation is not taken for anything
	// else, and its saved state is replaced whatever happens next.
	if !restarted || tr.ev.Kind == EventCommand || tr.ev.Kind == EventButton {
		if err := tr.dispatch(); err != nil {
			return nil, err
		}
	}
	if tr.err != nil {
		return nil, tr.err
	}
	after, err := tr.encodeState()
	if err != nil {
		return nil, err
	}
	if restarted || !bytes.Equal(before, after) {
		if err := tr.st.SaveConversation(tr.ctx, tr.ev.ChatID, tr.person.ID, after); err != nil {
			return nil, err
		}
	}
	for i := range tr.out {
		// What is said in the person's chat is in their language; a
		// channel adding words of its own says them in it too.
		if tr.out[i].ChatID == ev.ChatID && tr.out[i].Lang == "" {
			tr.out[i].Lang = tr.lang
		}
	}
	return tr.out, nil
}

// IsCommand reports whether name (lower case, without "/") is one of the
// bot's commands, in either language: a channel where commands are typed
// without the slash tells them from text with it.
func (e *Engine) IsCommand(name string) bool {
	_, ok := e.commands[name]
	return ok
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
			if f, ok := tr.e.photos[tr.state.Step]; ok && strings.HasPrefix(d.MIME, "image/") {
				return f(tr, d.FileID)
			}
			return tr.document()
		}
		if f, ok := tr.e.photos[tr.state.Step]; ok && tr.ev.PhotoID != "" {
			return f(tr, tr.ev.PhotoID)
		}
		if tr.ev.NoFiles {
			// A treasurer's statement, most likely: say where it goes.
			text := t(tr.lang, msgNoFilesHere)
			if tr.state.Step != "" {
				text += tr.stepHint()
			}
			tr.say(text)
			return nil
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
// settled, under danvan.MaxText once the outcome is added.
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

func (tr *turn) command() error {
	c, known := tr.e.commands[tr.ev.Command]
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

func (tr *turn) text() error {
	if f, ok := tr.e.texts[tr.state.Step]; ok {
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
	if _, typed := tr.e.texts[tr.state.Step]; typed {
		// The question above takes typed text (and perhaps a button).
		return t(tr.lang, msgTypeAnswer)
	}
	if tr.ev.Channel == danvan.Zalo {
		// Lists there are typed back: there is nothing to press.
		return t(tr.lang, msgUseList)
	}
	return t(tr.lang, msgUseButtons)
}

func (tr *turn) button() error {
	seq, name, arg, ok := parseButtonData(tr.ev.Data)
	if a, global := tr.e.globals[name]; ok && global && seq == 0 {
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
	a, known := tr.e.actions[name]
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
	return tr.st.Now().In(tr.e.loc)
}
