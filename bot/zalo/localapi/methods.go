package localapi

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxPollSeconds caps a long poll. The platform publishes no cap; this one
// only keeps an absurd timeout from overflowing a time.Duration.
const maxPollSeconds = 3600

// photoTimeout bounds the server's fetch of a sendPhoto URL, as the
// platform's own fetch is bounded.
const photoTimeout = 10 * time.Second

// maxPhotoBytes bounds a fetched photo; a larger one is refused.
const maxPhotoBytes = 10 << 20

type wireBot struct {
	ID            string `json:"id"`
	AccountName   string `json:"account_name"`
	AccountType   string `json:"account_type"`
	CanJoinGroups bool   `json:"can_join_groups"`
}

func (s *Server) getMe(context.Context, map[string]any) (any, *apiError) {
	return wireBot{ID: s.cfg.botID, AccountName: s.cfg.botName, AccountType: "BASIC", CanJoinGroups: s.cfg.canJoinGroups}, nil
}

// getUpdates hands out the oldest queued update and forgets it: there is no
// offset to confirm with, so an update the bot loses in transit is lost, as
// on the platform. It waits up to timeout seconds (a string or a number;
// absent means do not wait) and then answers 408.
func (s *Server) getUpdates(ctx context.Context, body map[string]any) (any, *apiError) {
	secs, aerr := seconds(body["timeout"])
	if aerr != nil {
		return nil, aerr
	}
	timer := time.NewTimer(time.Duration(secs * float64(time.Second)))
	defer timer.Stop()
	for {
		s.mu.Lock()
		if s.hook.url != "" {
			// The platform's wording is not published; 409 is what a poll
			// against an active webhook gets on the API this one follows.
			s.mu.Unlock()
			return nil, &apiError{code: http.StatusConflict, desc: "Conflict: a webhook is active; call deleteWebhook to use getUpdates"}
		}
		if p := s.takeLocked(); p != nil {
			s.mu.Unlock()
			if s.cfg.arrayUpdates {
				return rawResult("[" + string(p.raw) + "]"), nil
			}
			return rawResult(p.raw), nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-timer.C:
			return nil, &apiError{code: http.StatusRequestTimeout, desc: "Request timeout"}
		case <-ctx.Done():
			return nil, &apiError{desc: "no answer: the client went away"}
		case <-s.closed:
			return nil, &apiError{desc: "no answer: the server closed"}
		}
	}
}

// seconds reads getUpdates' timeout, which clients send as "30" or 30.
func seconds(v any) (float64, *apiError) {
	var f float64
	switch t := v.(type) {
	case nil:
		return 0, nil
	case float64:
		f = t
	case string:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(t), 64); err != nil {
			return 0, badRequest("Bad Request: timeout must be a number of seconds")
		}
	default:
		return 0, badRequest("Bad Request: timeout must be a number of seconds")
	}
	if math.IsNaN(f) || f < 0 {
		return 0, badRequest("Bad Request: timeout must be a number of seconds")
	}
	return min(f, maxPollSeconds), nil
}

// takeLocked removes the oldest update not being posted to a webhook.
func (s *Server) takeLocked() *pending {
	for i, p := range s.queue {
		if !p.inflight {
			s.queue = append(s.queue[:i:i], s.queue[i+1:]...)
			return p
		}
	}
	return nil
}

type wireWebhook struct {
	URL       string `json:"url"`
	UpdatedAt int64  `json:"updated_at"` // ms since the epoch; 0 if never set
}

func (s *Server) webhookInfoLocked() wireWebhook {
	w := wireWebhook{URL: s.hook.url}
	if !s.hook.updatedAt.IsZero() {
		w.UpdatedAt = s.hook.updatedAt.UnixMilli()
	}
	return w
}

// setWebhook takes an http or https URL: a local stand-in cannot insist on
// https, since test servers listen on plain http. secret_token is required,
// 8 to 256 characters.
func (s *Server) setWebhook(_ context.Context, body map[string]any) (any, *apiError) {
	raw, _ := body["url"].(string)
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, badRequest("Bad Request: url must be an http or https URL")
	}
	secret, _ := body["secret_token"].(string)
	if n := utf8.RuneCountInString(secret); n < 8 || n > 256 {
		return nil, badRequest("Bad Request: secret_token must be 8 to 256 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopHookLocked()
	s.hook.url, s.hook.secret, s.hook.updatedAt = raw, secret, s.now()
	s.startHookLocked()
	s.notifyLocked(Event{})
	return s.webhookInfoLocked(), nil
}

// deleteWebhook stops deliveries; updates not yet delivered go back to
// getUpdates.
func (s *Server) deleteWebhook(context.Context, map[string]any) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopHookLocked()
	s.hook.url, s.hook.secret, s.hook.updatedAt = "", "", s.now()
	s.notifyLocked(Event{})
	return s.webhookInfoLocked(), nil
}

func (s *Server) getWebhookInfo(context.Context, map[string]any) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhookInfoLocked(), nil
}

type wireSent struct {
	MessageID string `json:"message_id"`
	Date      int64  `json:"date"`
}

// chatFor reads chat_id, which must be a string naming a chat where a
// resident wrote first: the platform lets a bot answer only those.
// The platform's error for other chats is not published; this answers
// 400 "Bad Request: chat not found".
func (s *Server) chatFor(body map[string]any) (string, *apiError) {
	v, ok := body["chat_id"]
	if !ok || v == "" {
		return "", badRequest("Bad Request: chat_id is required")
	}
	id, ok := v.(string)
	if !ok {
		return "", badRequest("Bad Request: chat_id must be a string")
	}
	s.mu.Lock()
	_, known := s.chats[id]
	s.mu.Unlock()
	if !known {
		return "", badRequest("Bad Request: chat not found")
	}
	return id, nil
}

// textField reads a text or caption, counting characters, not bytes:
// Vietnamese is mostly multi-byte.
func textField(body map[string]any, key string, minRunes int) (string, *apiError) {
	v, present := body[key]
	t, ok := v.(string)
	if present && !ok {
		return "", badRequest(fmt.Sprintf("Bad Request: %s must be a string", key))
	}
	if n := utf8.RuneCountInString(t); n < minRunes || n > MaxTextRunes {
		return "", badRequest(fmt.Sprintf("Bad Request: %s must be %d to %d characters", key, minRunes, MaxTextRunes))
	}
	return t, nil
}

// botSays adds a bot message to a chat and returns what the send answers.
func (s *Server) botSays(chatID string, m Message) wireSent {
	s.mu.Lock()
	defer s.mu.Unlock()
	m.ID, m.ChatID, m.FromBot, m.Date = newID(), chatID, true, s.now()
	m.From = User{ID: s.cfg.botID, Name: s.cfg.botName}
	cs := s.chats[chatID]
	cs.msgs = append(cs.msgs, m)
	s.notifyLocked(Event{Kind: EventMessage, ChatID: chatID, MessageID: m.ID})
	return wireSent{MessageID: m.ID, Date: m.Date.UnixMilli()}
}

// sendMessage sends plain text; whatever else the body carries (parse_mode,
// buttons) is ignored here and visible in Calls.
func (s *Server) sendMessage(_ context.Context, body map[string]any) (any, *apiError) {
	chatID, aerr := s.chatFor(body)
	if aerr != nil {
		return nil, aerr
	}
	text, aerr := textField(body, "text", 1)
	if aerr != nil {
		return nil, aerr
	}
	return s.botSays(chatID, Message{Kind: "text", Text: text}), nil
}

// sendPhoto makes the server fetch the photo itself, as the platform does:
// a URL it cannot fetch, or that does not serve a PNG or JPEG, is refused.
func (s *Server) sendPhoto(ctx context.Context, body map[string]any) (any, *apiError) {
	chatID, aerr := s.chatFor(body)
	if aerr != nil {
		return nil, aerr
	}
	caption, aerr := textField(body, "caption", 0)
	if aerr != nil {
		return nil, aerr
	}
	photoURL, _ := body["photo"].(string)
	if photoURL == "" {
		return nil, badRequest("Bad Request: photo is required")
	}
	data, err := s.fetchPhoto(ctx, photoURL)
	if err != nil {
		return nil, badRequest("Bad Request: the photo could not be fetched: " + err.Error())
	}
	return s.botSays(chatID, Message{Kind: "image", Text: caption, PhotoURL: photoURL, Photo: data}), nil
}

func (s *Server) fetchPhoto(ctx context.Context, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("not an http or https URL")
	}
	ctx, cancel := context.WithTimeout(ctx, photoTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("bad URL")
	}
	resp, err := s.cfg.client.Do(req)
	if err != nil {
		// The client's error repeats the URL, which the bot already has.
		return nil, fmt.Errorf("no answer")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPhotoBytes+1))
	if err != nil {
		return nil, fmt.Errorf("the answer broke off")
	}
	if len(data) > maxPhotoBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxPhotoBytes)
	}
	// Sniffed, not taken from Content-Type: servers mislabel, and the
	// platform must decode the picture anyway.
	switch ct := http.DetectContentType(data); ct {
	case "image/png", "image/jpeg":
		return data, nil
	default:
		return nil, fmt.Errorf("not a PNG or JPEG image (%s)", ct)
	}
}

func (s *Server) sendSticker(_ context.Context, body map[string]any) (any, *apiError) {
	chatID, aerr := s.chatFor(body)
	if aerr != nil {
		return nil, aerr
	}
	sticker, _ := body["sticker"].(string)
	if sticker == "" {
		return nil, badRequest("Bad Request: sticker is required")
	}
	return s.botSays(chatID, Message{Kind: "sticker", Text: sticker}), nil
}

// sendChatAction ("typing") changes nothing a resident keeps; the call log
// is its only trace.
func (s *Server) sendChatAction(context.Context, map[string]any) (any, *apiError) {
	return true, nil
}
