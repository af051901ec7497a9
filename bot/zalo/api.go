// Package zalo is danvan's Zalo side, as pieces the bot wires together: a
// client of the Zalo Bot Platform's HTTP API, the parsing of its updates,
// and the rendering of danvan's messages for a platform that shows plain
// text only and has no buttons.
package zalo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/danvan/danvan"
)

// DefaultEndpoint is the Zalo Bot Platform, as a template of token and
// method.
const DefaultEndpoint = "https://bot-api.zaloplatforms.com/bot%s/%s"

// MaxText is the most characters Zalo accepts in one message.
const MaxText = 2000

// maxBody bounds what is read of an answer: the largest real one, a batch
// of updates, is a few kilobytes, and a misbehaving proxy must not fill the
// memory.
const maxBody = 4 << 20

// Client calls the Bot Platform. Its zero value is not usable: Token is
// required.
type Client struct {
	// Token is "<bot_id>:<secret>". It is part of every URL, so it is
	// removed from the text of every error the client returns: errors end
	// up in logs.
	Token string
	// Endpoint is a template of token and method, DefaultEndpoint when
	// empty (tests and the local emulator point elsewhere).
	Endpoint string
	// HTTP makes the requests, http.DefaultClient when nil. Its Timeout, if
	// any, must exceed the long-poll timeout given to GetUpdates.
	HTTP *http.Client
}

// Me is the bot's own account.
type Me struct {
	ID            string
	Name          string // account_name
	AccountType   string
	CanJoinGroups bool
}

// APIError is the platform's refusal: an answer with "ok": false.
type APIError struct {
	Code        int // error_code, or the HTTP status when the answer gave none
	Description string
	// RetryAfter is how long the platform asked to wait (a Retry-After
	// header or parameters.retry_after), zero when it did not say.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("error %d: %s", e.Code, e.Description)
}

// BodyError is an answer that is not the platform's JSON: an error page
// of a proxy or load balancer in front of it, a maintenance page.
type BodyError struct {
	Status int    // HTTP status
	Body   string // the beginning of the body, token removed
}

func (e *BodyError) Error() string {
	return fmt.Sprintf("HTTP %d with a body that is not the API's JSON: %q", e.Status, e.Body)
}

// GetMe returns the bot's account; it is how a token is checked.
func (c *Client) GetMe(ctx context.Context) (Me, error) {
	var r struct {
		ID            json.RawMessage `json:"id"`
		AccountName   string          `json:"account_name"`
		AccountType   string          `json:"account_type"`
		CanJoinGroups bool            `json:"can_join_groups"`
	}
	if err := c.call(ctx, "getMe", struct{}{}, &r); err != nil {
		return Me{}, err
	}
	id, ok := literal(r.ID)
	if !ok || id == "" {
		return Me{}, errors.New("zalo: getMe: the answer has no id")
	}
	return Me{ID: id, Name: r.AccountName, AccountType: r.AccountType, CanJoinGroups: r.CanJoinGroups}, nil
}

// literal reads a JSON string, or a number as its literal text: opaque
// values read as float64 would lose digits, and a code sent as "429" is
// still 429.
func literal(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// GetUpdates waits up to timeout on the platform's side for what people
// sent, and returns it. There is no offset: the platform forgets what it
// handed out, so the updates returned must be handled, not dropped, even
// when err is also set (some update in the batch was invalid; err says
// which). Nothing arriving is not a failure: the platform answers 408 then,
// and GetUpdates returns nil, nil.
func (c *Client) GetUpdates(ctx context.Context, timeout time.Duration) ([]Update, error) {
	// Whole seconds, as a string, as the platform wants them; rounded up so
	// that a short positive timeout does not become "do not wait".
	secs := int64(0)
	if timeout > 0 {
		secs = int64((timeout + time.Second - 1) / time.Second)
	}
	var raw json.RawMessage
	err := c.call(ctx, "getUpdates", map[string]string{"timeout": strconv.FormatInt(secs, 10)}, &raw)
	var ae *APIError
	var be *BodyError
	switch {
	case errors.As(err, &ae) && ae.Code == http.StatusRequestTimeout,
		errors.As(err, &be) && be.Status == http.StatusRequestTimeout:
		return nil, nil
	case err != nil:
		return nil, err
	}
	if len(raw) == 0 {
		return nil, nil // an answer without a result: nothing came
	}
	us, err := ParseUpdates(raw)
	if err != nil {
		err = fmt.Errorf("zalo: getUpdates: %w: %w", ErrInvalid, err)
	}
	return us, err
}

// SendMessage sends text, as is, to a chat. The platform takes 1 to
// MaxText characters of plain text: PlainText and Split prepare it. Nothing
// is checked here, on purpose: a local refusal would read as a network
// failure and be retried forever, while the platform's 400 is Refused.
func (c *Client) SendMessage(ctx context.Context, chatID, text string) error {
	return c.call(ctx, "sendMessage", map[string]string{"chat_id": chatID, "text": text}, nil)
}

// SendPhoto sends the picture at photoURL, which the platform downloads
// itself, with a caption.
func (c *Client) SendPhoto(ctx context.Context, chatID, photoURL, caption string) error {
	body := map[string]string{"chat_id": chatID, "photo": photoURL}
	if caption != "" {
		body["caption"] = caption
	}
	return c.call(ctx, "sendPhoto", body, nil)
}

// SetWebhook makes the platform POST updates to url, with secret in each
// request so that they can be told from forgeries.
func (c *Client) SetWebhook(ctx context.Context, url, secret string) error {
	return c.call(ctx, "setWebhook", map[string]string{"url": url, "secret_token": secret}, nil)
}

// DeleteWebhook goes back to getUpdates.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	return c.call(ctx, "deleteWebhook", struct{}{}, nil)
}

// call POSTs params as JSON to method and decodes the result into out
// (when not nil). Every error it returns has the token removed from its
// text.
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	if c.Token == "" {
		return errors.New("zalo: no token")
	}
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("zalo: %s: %w", method, err)
	}
	endpoint := c.Endpoint
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf(endpoint, c.Token, method), bytes.NewReader(body))
	if err != nil {
		// A malformed endpoint: the parse error quotes the whole URL.
		return c.redacted(fmt.Errorf("zalo: %s: %w", method, err))
	}
	req.Header.Set("Content-Type", "application/json")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// Like the Telegram side: the url.Error, which holds the URL,
			// is left out of the chain; its cause stays for errors.Is/As
			// (timeouts, context.Canceled).
			return c.redacted(fmt.Errorf("zalo: %s: %s %s: %w", method, ue.Op, c.redact(ue.URL), ue.Err))
		}
		return c.redacted(fmt.Errorf("zalo: %s: %w", method, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return c.redacted(fmt.Errorf("zalo: %s: reading the answer: %w", method, err))
	}

	var env struct {
		OK          *bool           `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   json.RawMessage `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter json.RawMessage `json:"retry_after"`
		} `json:"parameters"`
	}
	if json.Unmarshal(data, &env) != nil || env.OK == nil {
		// Not the platform speaking.
		return fmt.Errorf("zalo: %s: %w", method, &BodyError{Status: resp.StatusCode, Body: c.redact(snippet(data))})
	}
	if !*env.OK {
		// Numbers are read whether sent as numbers or as strings: a
		// refusal must not pass for a proxy's page because of a quote.
		e := &APIError{Code: number(env.ErrorCode), Description: c.redact(env.Description)}
		if e.Code == 0 && resp.StatusCode != http.StatusOK {
			e.Code = resp.StatusCode
		}
		if s := number(env.Parameters.RetryAfter); s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		} else if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
		return fmt.Errorf("zalo: %s: %w", method, e)
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*json.RawMessage); ok {
		*raw = env.Result
		return nil
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return fmt.Errorf("zalo: %s: unexpected result: %w", method, err)
	}
	return nil
}

// number reads an integer sent as a number or a string, 0 otherwise.
func number(raw json.RawMessage) int {
	s, _ := literal(raw)
	n, _ := strconv.Atoi(s)
	return n
}

// redact removes the token from s, as written and as a URL path escapes it.
func (c *Client) redact(s string) string {
	if c.Token == "" {
		return s
	}
	s = strings.ReplaceAll(s, c.Token, "<token>")
	if esc := url.PathEscape(c.Token); esc != c.Token {
		s = strings.ReplaceAll(s, esc, "<token>")
	}
	return s
}

func (c *Client) redacted(err error) error { return redactedError{err, c} }

// redactedError keeps errors.Is/As working while its text hides the token.
type redactedError struct {
	err error
	c   *Client
}

func (e redactedError) Error() string { return e.c.redact(e.err.Error()) }
func (e redactedError) Unwrap() error { return e.err }

// snippet is the beginning of a body, enough to recognise an error page.
func snippet(b []byte) string {
	const n = 200
	s := strings.ToValidUTF8(string(b[:min(len(b), n)]), "")
	if len(b) > n {
		s += "…"
	}
	return s
}

// Class is what a sender should do about a failed call.
type Class int

const (
	// Retry: try again later. The zero Class, so that an error nobody
	// recognises is retried, never dropped.
	Retry Class = iota
	// Throttled: the platform wants fewer calls; wait before any more.
	Throttled
	// ChatGone: the person blocked or unfollowed the bot, or the chat does
	// not exist; nothing more is to be sent there until they come back.
	ChatGone
	// Refused: the platform will never accept this request as it is.
	Refused
)

func (c Class) String() string {
	switch c {
	case Throttled:
		return "throttled"
	case ChatGone:
		return "chat_gone"
	case Refused:
		return "refused"
	}
	return "retry"
}

// Classify sorts a failed call as a courier would:
//
//   - Throttled: 429, or a description about a quota, a rate limit or too
//     many requests, whatever its code (platforms disagree on the code).
//   - ChatGone: 403, or a description saying the person blocked or
//     unfollowed the bot or that the chat or user does not exist, whatever
//     its code (a 400 "user not found" is the same news as a 403).
//   - Refused: any other 4xx, but those below.
//   - Retry: everything else: network failures and timeouts, a canceled
//     context, 5xx, an answer that is not the API's JSON (a proxy's error
//     page says nothing about the message), unknown codes; and 401, 404,
//     408 and 409, which are about the bot's token, endpoint or webhook
//     set-up rather than the message: once the deployment is fixed, the
//     message goes through, so it must not be dropped meanwhile (the
//     Telegram side, too, drops a message only on a 400).
//
// A nil error is Retry, meaninglessly.
func Classify(err error) Class {
	var be *BodyError
	if errors.As(err, &be) {
		if be.Status == http.StatusTooManyRequests {
			return Throttled
		}
		return Retry
	}
	var e *APIError
	if !errors.As(err, &e) {
		return Retry
	}
	d := danvan.Fold(e.Description)
	switch {
	case e.Code == http.StatusTooManyRequests || containsAny(d, throttledWords()):
		return Throttled
	case e.Code == http.StatusForbidden || containsAny(d, goneWords()):
		return ChatGone
	case e.Code == http.StatusUnauthorized, e.Code == http.StatusNotFound,
		e.Code == http.StatusRequestTimeout, e.Code == http.StatusConflict:
		return Retry
	case e.Code >= 400 && e.Code < 500:
		return Refused
	}
	return Retry
}

// throttledWords are what a description about throttling says, folded.
// "Too many" only with what there are too many of: "too many characters"
// is a refusal, and throttling it would retry it forever.
func throttledWords() []string {
	return []string{"quota", "rate limit", "rate-limit", "ratelimit", "rate exceeded",
		"too many request", "too many call", "too many message", "too many attempt", "too many time"}
}

// goneWords are what a description about a chat that cannot be written to
// any more says, folded.
func goneWords() []string {
	return []string{
		// Not "blocked" alone: "the bot has been blocked" by the platform is
		// about every chat, not this one.
		"blocked the bot", "blocked the oa", "blocked by the user", "blocked by user",
		"user blocked", "user has blocked", "bot was blocked", "unfollow", "not follow", "no longer follow",
		"chat not found", "user not found", "recipient not found",
		"chat does not exist", "user does not exist", "chat_id does not exist", "chat id does not exist",
		"chat not exist", "user not exist", "chat is not exist", "user is not exist",
		"deactivated", "kicked", "not a member",
	}
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
