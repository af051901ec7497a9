package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/danvan/danvan"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Outbox is where the sender finds what to send and records what happened.
type Outbox interface {
	// NextOutgoing returns the oldest unsent message of each chat whose
	// time to try has come, replies before broadcasts; at most limit, none
	// for the chats in skip.
	NextOutgoing(ctx context.Context, limit int, skip []int64) ([]danvan.OutboxMessage, error)
	MarkSent(ctx context.Context, id int64) error
	RetryLater(ctx context.Context, id int64, after time.Duration, reason string) error
	MarkFailed(ctx context.Context, id int64, reason string) error
	MarkUnreachable(ctx context.Context, chatID int64, reason string) error
	MoveChat(ctx context.Context, from, to int64) error
	// Lead runs fn while this process is the one that sends, among all
	// processes sharing the outbox.
	Lead(ctx context.Context, name string, interval time.Duration, fn func(context.Context) error) error
}

// Sender drains the outbox into Bot API calls, keeping Telegram's rate
// limits, and is the only sender among the processes sharing the outbox.
type Sender struct {
	Token    string
	Endpoint string
	Outbox   Outbox
	Log      *slog.Logger
	Metrics  *Metrics
	Limits   Limits
	// Workers is how many calls may be in flight at once, each to a
	// different chat: a slow chat does not hold up the others, and order
	// within a chat holds because a chat's next message waits for its
	// previous one.
	Workers int
	// Timeout bounds one Bot API call (default 30 s).
	Timeout time.Duration
	// LeadInterval is how often a follower tries to become the sender, and
	// the leader checks it still is (default 2 s).
	LeadInterval time.Duration

	wake   chan struct{}
	once   sync.Once
	alive  atomic.Int64 // unix nanoseconds of the last loop
	leader atomic.Bool
}

// idleWait is how often an idle sender looks at the outbox when nobody
// wakes it (messages written by another process, retries coming due).
const idleWait = 250 * time.Millisecond

// Wake tells the sender that the outbox has news.
func (s *Sender) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		if s.Metrics == nil {
			s.Metrics = NewMetrics(nil)
		}
		if s.Workers <= 0 {
			s.Workers = 8
		}
		if s.Timeout <= 0 {
			s.Timeout = 30 * time.Second
		}
		if s.LeadInterval <= 0 {
			s.LeadInterval = 2 * time.Second
		}
	})
}

// Alive is when the sender last went round its loop, as leader or waiting
// for the lead.
func (s *Sender) Alive() time.Time { return time.Unix(0, s.alive.Load()) }

// Leader reports whether this process is the one sending.
func (s *Sender) Leader() bool { return s.leader.Load() }

// Run sends until ctx ends; calls in flight are finished first.
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	s.alive.Store(time.Now().UnixNano())
	api, err := newAPI(context.WithoutCancel(ctx), s.Token, s.Endpoint, s.Timeout)
	if err != nil {
		return err
	}
	// While another process sends, show that this one is alive and waiting.
	go func() {
		for sleep(ctx, s.LeadInterval) {
			if !s.leader.Load() {
				s.alive.Store(time.Now().UnixNano())
			}
		}
	}()
	err = s.Outbox.Lead(ctx, "sender", s.LeadInterval, func(ctx context.Context) error {
		s.leader.Store(true)
		defer s.leader.Store(false)
		s.Log.Info("sending from the outbox")
		s.drain(ctx, api)
		return nil
	})
	s.Log.Info("sender stopped")
	return err
}

// drain sends until ctx ends.
func (s *Sender) drain(ctx context.Context, api *tgbotapi.BotAPI) {
	lim := newLimiter(s.Limits)
	var (
		mu       sync.Mutex
		inFlight = map[int64]bool{}      // chats with a call under way
		notReady = map[int64]time.Time{} // chats held back by their rate limit
		paused   time.Time               // after a 429, nothing counted is sent before this
		wg       sync.WaitGroup
	)
	defer wg.Wait()
	slots := make(chan struct{}, s.Workers)
	backoff := newBackoff(200*time.Millisecond, 30*time.Second)
	for ctx.Err() == nil {
		now := time.Now()
		s.alive.Store(now.UnixNano())
		mu.Lock()
		skip := make([]int64, 0, len(inFlight)+len(notReady))
		for id := range inFlight {
			skip = append(skip, id)
		}
		next := now.Add(idleWait)
		for id, at := range notReady {
			if !at.After(now) {
				delete(notReady, id)
				continue
			}
			skip = append(skip, id)
			if at.Before(next) {
				next = at
			}
		}
		mu.Unlock()
		msgs, err := s.Outbox.NextOutgoing(ctx, 2*s.Workers, skip)
		if err != nil {
			if ctx.Err() == nil {
				s.Log.Error("reading the outbox failed", "err", err)
				sleep(ctx, backoff.next())
			}
			continue
		}
		backoff.reset()
		if len(msgs) == 0 {
			select {
			case <-ctx.Done():
			case <-s.wake:
			case <-time.After(time.Until(next)):
			}
			continue
		}
		for _, m := range msgs {
			if m.Unreachable {
				s.Metrics.Sends.WithLabelValues("unreachable").Inc()
				if err := s.Outbox.MarkFailed(ctx, m.ID, "unreachable"); err != nil {
					s.Log.Error("recording a message to an unreachable chat failed", "outbox_id", m.ID, "err", err)
				}
				continue
			}
			if counts(m.Outgoing) {
				mu.Lock()
				until := paused
				mu.Unlock()
				if !sleep(ctx, time.Until(until)) {
					break
				}
				if d := lim.chatDelay(m.ChatID, time.Now()); d > 0 {
					mu.Lock()
					notReady[m.ChatID] = time.Now().Add(d)
					mu.Unlock()
					continue
				}
				if err := lim.global.Wait(ctx); err != nil {
					break // shutting down
				}
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			mu.Lock()
			inFlight[m.ChatID] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer func() {
					mu.Lock()
					delete(inFlight, m.ChatID)
					mu.Unlock()
					<-slots
					wg.Done()
					s.Wake()
				}()
				wait, throttled := s.send(context.WithoutCancel(ctx), api, m)
				if wait > 0 {
					mu.Lock()
					until := time.Now().Add(wait)
					notReady[m.ChatID] = until
					// Telegram does not say whether a 429 is about the
					// chat or the bot as a whole; sending elsewhere in
					// the meantime could make it worse, so everything
					// waits.
					if throttled && until.After(paused) {
						paused = until
					}
					mu.Unlock()
				}
			}()
		}
		// Wait for a free worker or news before asking again, so that the
		// chats in flight are not fetched over and over.
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-time.After(idleWait):
		}
	}
}

// counts reports whether a message counts against the sending limits:
// answers to button presses do not create messages.
func counts(o danvan.Outgoing) bool { return o.Kind != danvan.OutAnswer }

// send delivers one message and records the outcome; it returns how long
// the chat must now wait, and whether Telegram said so with a 429. Telegram's refusals are
// sorted as a courier would: throttling waits as long as Telegram asks; a
// person who blocked the bot or a group that removed it is not written to
// again until they come back; a request Telegram will never accept is kept
// as failed so that it does not block the chat; any other failure (network,
// timeout, 5xx, a body that is not JSON) is retried with growing waits,
// never dropped.
func (s *Sender) send(ctx context.Context, api *tgbotapi.BotAPI, m danvan.OutboxMessage) (time.Duration, bool) {
	start := time.Now()
	err := deliver(api, m.Outgoing)
	s.Metrics.SendLatency.Observe(time.Since(start).Seconds())
	var (
		record error
		result string
		wait   time.Duration
	)
	switch e, isAPI := apiError(err); {
	case err == nil:
		result, record = "sent", s.Outbox.MarkSent(ctx, m.ID)
	case isAPI && e.Code == 429:
		s.Metrics.Throttled.Inc()
		wait = time.Duration(max(e.RetryAfter, 1)) * time.Second
		s.Log.Warn("throttled by Telegram", "chat_id", m.ChatID, "retry_after", wait)
		result, record = "throttled", s.Outbox.RetryLater(ctx, m.ID, wait, e.Message)
	case isAPI && e.MigrateToChatID != 0:
		s.Log.Info("group became a supergroup", "chat_id", m.ChatID, "new_chat_id", e.MigrateToChatID)
		result, record = "retry", s.Outbox.MoveChat(ctx, m.ChatID, e.MigrateToChatID)
	case isAPI && e.Code == 400 && strings.Contains(e.Message, "message is not modified"):
		result, record = "sent", s.Outbox.MarkSent(ctx, m.ID) // it already reads as wanted
	case isAPI && e.Code == 403:
		s.Log.Warn("chat unreachable", "chat_id", m.ChatID, "description", e.Message)
		result, record = "unreachable", s.Outbox.MarkUnreachable(ctx, m.ChatID, e.Message)
	case isAPI && e.Code == 400:
		s.Log.Error("Telegram refused a message", "chat_id", m.ChatID, "outbox_id", m.ID, "description", e.Message)
		result, record = "failed", s.Outbox.MarkFailed(ctx, m.ID, fmt.Sprintf("%d %s", e.Code, e.Message))
	default:
		wait = retryWait(m.Attempts)
		s.Log.Warn("sending failed, will retry", "chat_id", m.ChatID, "outbox_id", m.ID, "attempt", m.Attempts+1, "retry_in", wait, "err", err)
		result, record = "retry", s.Outbox.RetryLater(ctx, m.ID, wait, err.Error())
	}
	s.Metrics.Sends.WithLabelValues(result).Inc()
	if record != nil {
		// The message stays pending and is sent again: at least once.
		s.Log.Error("recording a send failed", "outbox_id", m.ID, "err", record)
		wait = max(wait, time.Second)
	}
	return wait, result == "throttled"
}

// retryWait grows with the attempts made, from about a second to ten
// minutes, with jitter.
func retryWait(attempts int) time.Duration {
	b := newBackoff(time.Second, 10*time.Minute)
	var d time.Duration
	for range min(attempts+1, 16) {
		d = b.next()
	}
	return d
}

// deliver renders one outgoing message as a Bot API call.
func deliver(api *tgbotapi.BotAPI, o danvan.Outgoing) error {
	switch o.Kind {
	case danvan.OutSend:
		msg := tgbotapi.NewMessage(o.ChatID, o.Text)
		msg.ParseMode = tgbotapi.ModeHTML
		msg.DisableWebPagePreview = true
		if len(o.Buttons) > 0 {
			msg.ReplyMarkup = keyboard(o.Buttons)
		}
		_, err := api.Send(msg)
		return err
	case danvan.OutEdit:
		edit := tgbotapi.NewEditMessageText(o.ChatID, int(o.MessageID), o.Text)
		edit.ParseMode = tgbotapi.ModeHTML
		edit.DisableWebPagePreview = true
		if len(o.Buttons) > 0 {
			kb := keyboard(o.Buttons)
			edit.ReplyMarkup = &kb
		}
		_, err := api.Request(edit)
		return err
	case danvan.OutAnswer:
		_, err := api.Request(tgbotapi.NewCallback(o.CallbackID, o.Text))
		return err
	case danvan.OutPhoto:
		photo := tgbotapi.NewPhoto(o.ChatID, tgbotapi.FileBytes{Name: "chart.png", Bytes: o.Photo})
		photo.Caption = o.Text
		photo.ParseMode = tgbotapi.ModeHTML
		if len(o.Buttons) > 0 {
			photo.ReplyMarkup = keyboard(o.Buttons)
		}
		_, err := api.Send(photo)
		return err
	case danvan.OutDocument:
		doc := tgbotapi.NewDocument(o.ChatID, tgbotapi.FileBytes{Name: o.FileName, Bytes: o.Document})
		doc.Caption = o.Text
		doc.ParseMode = tgbotapi.ModeHTML
		if len(o.Buttons) > 0 {
			doc.ReplyMarkup = keyboard(o.Buttons)
		}
		_, err := api.Send(doc)
		return err
	case danvan.OutCommands:
		cs := make([]tgbotapi.BotCommand, len(o.Commands))
		for i, c := range o.Commands {
			cs[i] = tgbotapi.BotCommand{Command: c.Command, Description: c.Description}
		}
		_, err := api.Request(tgbotapi.NewSetMyCommandsWithScope(tgbotapi.NewBotCommandScopeChat(o.ChatID), cs...))
		return err
	}
	return fmt.Errorf("bot: unknown outgoing kind %q", o.Kind)
}

func keyboard(rows [][]danvan.Button) tgbotapi.InlineKeyboardMarkup {
	kb := tgbotapi.InlineKeyboardMarkup{InlineKeyboard: make([][]tgbotapi.InlineKeyboardButton, len(rows))}
	for i, row := range rows {
		for _, b := range row {
			kb.InlineKeyboard[i] = append(kb.InlineKeyboard[i], tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
		}
	}
	return kb
}
