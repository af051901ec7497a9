package zalo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The events the platform sends. Others may come; they are returned with
// their name, for the caller to ignore.
const (
	EventText        = "message.text.received"
	EventImage       = "message.image.received"
	EventSticker     = "message.sticker.received"
	EventUnsupported = "message.unsupported.received"
)

// ErrInvalid is in the chain of GetUpdates's error when the platform
// answered but some update of its answer could not be read: the platform
// is up, and what could be read is returned.
var ErrInvalid = errors.New("zalo: invalid update")

// Update is one thing that happened in a chat with the bot. Ids are opaque
// strings: the platform's are hexadecimal, and nothing is to be computed
// from them.
type Update struct {
	Event     string // event_name, EventText and the like
	MessageID string
	ChatID    string
	Group     bool // chat_type GROUP; otherwise a private chat
	FromID    string
	FromName  string // display_name, first_name or name, as given
	Text      string
	PhotoURL  string // an image's address (photo_url or photo)
	Caption   string // an image's caption
	Date      time.Time
}

// ParseUpdates reads what the platform sends: one update, or an array of
// them, either alone or as the result of an API answer,
// {"ok":true,"result":…} (a webhook's body and getUpdates's result come in
// all these shapes). null, an empty object and an empty array are no
// update.
//
// An update without its event name, message id, chat id or sender id, or
// with one that is not a non-empty string, is invalid. Since the platform
// never hands an update out twice, the valid updates of a batch are
// returned even when some are invalid; err then names what each invalid
// one lacks. A body that is not JSON returns no update.
func ParseUpdates(body []byte) ([]Update, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("zalo: empty update body")
	}
	var top any
	if err := json.Unmarshal(body, &top); err != nil {
		return nil, fmt.Errorf("zalo: update body is not JSON: %w", err)
	}
	if o, ok := top.(map[string]any); ok && isEnvelope(o) {
		if okv, isBool := o["ok"].(bool); isBool && !okv {
			code, _ := o["error_code"].(float64)
			desc, _ := o["description"].(string)
			return nil, fmt.Errorf("zalo: an answer, not an update: %w", &APIError{Code: int(code), Description: desc})
		}
		top = o["result"] // one wrapping only: a result is never an envelope
	}
	var items []any
	switch v := top.(type) {
	case nil:
		return nil, nil
	case []any:
		items = v
	case map[string]any:
		if len(v) == 0 {
			return nil, nil
		}
		items = []any{v}
	default:
		return nil, fmt.Errorf("zalo: an update is an object, not %s", jsonType(top))
	}
	var us []Update
	var errs []error
	for i, item := range items {
		u, err := parseUpdate(item)
		if err != nil {
			if len(items) > 1 {
				err = fmt.Errorf("update %d: %w", i, err)
			}
			errs = append(errs, err)
			continue
		}
		us = append(us, u)
	}
	return us, errors.Join(errs...)
}

// isEnvelope tells an API answer from an update: it has "ok" or "result"
// and none of an update's own fields.
func isEnvelope(o map[string]any) bool {
	_, ok := o["ok"]
	_, result := o["result"]
	_, event := o["event_name"]
	_, message := o["message"]
	return (ok || result) && !event && !message
}

func parseUpdate(item any) (Update, error) {
	o, isObj := item.(map[string]any)
	if !isObj {
		return Update{}, fmt.Errorf("zalo: an update is an object, not %s", jsonType(item))
	}
	var u Update
	var missing []string
	need := func(o map[string]any, key, path string) string {
		s, ok := o[key].(string)
		if !ok || s == "" {
			what := "missing"
			switch v := o[key]; {
			case ok:
				what = "empty"
			case v != nil:
				what = jsonType(v) + " instead of a string"
			}
			missing = append(missing, path+" ("+what+")")
		}
		return s
	}
	u.Event = need(o, "event_name", "event_name")
	msg, isObj := o["message"].(map[string]any)
	if !isObj {
		missing = append(missing, "message")
		return Update{}, invalid(u.Event, missing)
	}
	u.MessageID = need(msg, "message_id", "message.message_id")
	chat, _ := msg["chat"].(map[string]any)
	if chat == nil {
		missing = append(missing, "message.chat")
	} else {
		u.ChatID = need(chat, "id", "message.chat.id")
		ct, _ := chat["chat_type"].(string)
		u.Group = strings.EqualFold(ct, "GROUP")
	}
	from, _ := msg["from"].(map[string]any)
	if from == nil {
		missing = append(missing, "message.from")
	} else {
		u.FromID = need(from, "id", "message.from.id")
		for _, k := range []string{"display_name", "first_name", "name"} {
			if s, _ := from[k].(string); strings.TrimSpace(s) != "" {
				u.FromName = s
				break
			}
		}
	}
	if len(missing) > 0 {
		return Update{}, invalid(u.Event, missing)
	}
	// What people wrote is taken when it is a string and otherwise left
	// empty: an odd caption is no reason to lose the message it came with.
	u.Text, _ = msg["text"].(string)
	u.Caption, _ = msg["caption"].(string)
	for _, k := range []string{"photo_url", "photo"} {
		if s, _ := msg[k].(string); s != "" {
			u.PhotoURL = s
			break
		}
	}
	u.Date = date(msg["date"])
	return u, nil
}

func invalid(event string, missing []string) error {
	if event == "" {
		return fmt.Errorf("zalo: invalid update: %s", strings.Join(missing, ", "))
	}
	return fmt.Errorf("zalo: invalid %s update: %s", event, strings.Join(missing, ", "))
}

// date reads milliseconds since 1970, as a number or a string of digits;
// anything else is the zero time, for the caller to use the time of
// arrival: a message is worth more than its date.
func date(v any) time.Time {
	var ms float64
	switch d := v.(type) {
	case float64:
		ms = d
	case string:
		n, err := strconv.ParseInt(d, 10, 64)
		if err != nil {
			return time.Time{}
		}
		ms = float64(n)
	default:
		return time.Time{}
	}
	// Between 1970 and 3000: outside, the number is not a date in ms.
	if ms <= 0 || ms > 32503680000000 {
		return time.Time{}
	}
	return time.UnixMilli(int64(ms)).UTC()
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	}
	return "object"
}
