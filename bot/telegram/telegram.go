// Package telegram is danvan's Telegram channel: it receives updates by
// long polling or a webhook and hands them to bot's exactly-once intake as
// flows.Events, and it delivers the outbox's messages as Bot API calls for
// bot.Sender. The Telegram library's types and Telegram's own ways (chat
// ids as numbers, edits, button answers, command menus, groups becoming
// supergroups) stay inside this package. docs/promises.md says what intake
// and delivery guarantee.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/danvan/danvan/flows"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// DefaultEndpoint is Telegram's Bot API, as a template of token and method.
const DefaultEndpoint = tgbotapi.APIEndpoint

// pollTimeout is how long one getUpdates waits for news on Telegram's side.
const pollTimeout = 30 * time.Second

// client is the HTTP client the Telegram library uses. It bounds every
// request, lets a shutdown interrupt a long poll, and keeps the token out of
// errors: the library puts it in every URL, and errors end up in logs.
type client struct {
	http  *http.Client
	ctx   context.Context
	token string
}

func (c *client) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req.WithContext(c.ctx))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("%s %s: %w", ue.Op, c.redact(ue.URL), redactedError{ue.Err, c})
		}
		return nil, redactedError{err, c}
	}
	return resp, nil
}

func (c *client) redact(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "<token>")
}

// redactedError keeps errors.Is/As working while its text hides the token.
type redactedError struct {
	err error
	c   *client
}

func (e redactedError) Error() string { return e.c.redact(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// newAPI makes a Telegram client whose requests end with ctx and take at
// most timeout. The library's constructor calls getMe.
func newAPI(ctx context.Context, token, endpoint string, timeout time.Duration) (*tgbotapi.BotAPI, error) {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	c := &client{http: &http.Client{Timeout: timeout}, ctx: ctx, token: token}
	api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, c)
	if err != nil {
		return nil, fmt.Errorf("telegram: connect to the Bot API: %s", c.redact(err.Error()))
	}
	return api, nil
}

// apiError returns Telegram's refusal in err, if it is one.
func apiError(err error) (*tgbotapi.Error, bool) {
	var e *tgbotapi.Error
	ok := errors.As(err, &e)
	return e, ok
}

// SetCommands publishes the command menu: commands(lang) for Vietnamese
// speakers, and commands("en") for everyone else.
func SetCommands(ctx context.Context, token, endpoint string, commands func(lang string) []flows.Command) error {
	api, err := newAPI(ctx, token, endpoint, 30*time.Second)
	if err != nil {
		return err
	}
	// Telegram shows the menu of the person's language_code, or the one
	// set without a language.
	for _, menu := range []struct{ code, lang string }{{"vi", "vi"}, {"", "en"}} {
		var cs []tgbotapi.BotCommand
		for _, c := range commands(menu.lang) {
			cs = append(cs, tgbotapi.BotCommand{Command: c.Name, Description: c.Description})
		}
		cfg := tgbotapi.NewSetMyCommandsWithScopeAndLanguage(tgbotapi.NewBotCommandScopeDefault(), menu.code, cs...)
		if _, err := api.Request(cfg); err != nil {
			return fmt.Errorf("telegram: set commands for %q: %w", menu.lang, err)
		}
	}
	return nil
}

// Me returns the bot's username, for links to it (t.me/NAME?start=…).
func Me(ctx context.Context, token, endpoint string) (string, error) {
	api, err := newAPI(ctx, token, endpoint, 30*time.Second)
	if err != nil {
		return "", err
	}
	return api.Self.UserName, nil
}

// StartLink is the link that opens a chat with the bot called botName at
// payload (a campaign's QR poster, an invitation).
func StartLink(botName, payload string) string {
	return "https://t.me/" + botName + "?start=" + payload
}
