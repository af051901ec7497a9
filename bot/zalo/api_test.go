package zalo

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const testToken = "1234567890:Zs3cr3t-T0ken_value"

// request is what a test server received.
type request struct {
	method, path, contentType string
	body                      map[string]string
}

// serve starts a server answering every call with status and body, and a
// client of it; the requests it received are sent on the channel.
func serve(t *testing.T, status int, body string) (*Client, <-chan request) {
	t.Helper()
	got := make(chan request, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		req := request{method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type")}
		if err := json.Unmarshal(data, &req.body); err != nil {
			t.Errorf("request body %q is not a JSON object of strings: %v", data, err)
		}
		got <- req
		if strings.HasPrefix(body, "<") {
			w.Header().Set("Content-Type", "text/html")
		} else {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return &Client{Token: testToken, Endpoint: srv.URL + "/bot%s/%s"}, got
}

func TestGetMe(t *testing.T) {
	c, got := serve(t, 200, `{"ok":true,"result":{"id":"8a7b6c","account_name":"bot.danvan","account_type":"BASIC","can_join_groups":true}}`)
	me, err := c.GetMe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := Me{ID: "8a7b6c", Name: "bot.danvan", AccountType: "BASIC", CanJoinGroups: true}
	if me != want {
		t.Errorf("GetMe = %+v, want %+v", me, want)
	}
	r := <-got
	if r.method != http.MethodPost || r.path != "/bot"+testToken+"/getMe" || r.contentType != "application/json" {
		t.Errorf("request = %s %s (%s), want POST /bot<token>/getMe as JSON", r.method, r.path, r.contentType)
	}
	if len(r.body) != 0 {
		t.Errorf("getMe body = %v, want {}", r.body)
	}
}

// An id sent as a number is kept digit for digit, not rounded through a
// float64.
func TestGetMeNumericID(t *testing.T) {
	c, _ := serve(t, 200, `{"ok":true,"result":{"id":123456789012345678901,"account_name":"x"}}`)
	me, err := c.GetMe(t.Context())
	if err != nil || me.ID != "123456789012345678901" {
		t.Errorf("GetMe = %+v, %v; want the id as sent", me, err)
	}
	c, _ = serve(t, 200, `{"ok":true,"result":{"account_name":"x"}}`)
	if _, err := c.GetMe(t.Context()); err == nil {
		t.Error("GetMe without an id succeeded")
	}
}

const oneUpdate = `{"event_name":"message.text.received","message":{"message_id":"16f6a1","date":1766619597466,` +
	`"chat":{"id":"e4ea01","chat_type":"PRIVATE"},"from":{"id":"e4ea01","display_name":"Nguyễn Văn A","is_bot":false},"text":"Xin chào"}}`

var wantOne = Update{Event: EventText, MessageID: "16f6a1", ChatID: "e4ea01", FromID: "e4ea01", FromName: "Nguyễn Văn A",
	Text: "Xin chào", Date: time.UnixMilli(1766619597466).UTC()}

func TestGetUpdatesShapes(t *testing.T) {
	second := strings.Replace(strings.Replace(oneUpdate, "16f6a1", "16f6a2", 1), "Xin chào", "ungho DIEUHOA 500k", 1)
	wantSecond := wantOne
	wantSecond.MessageID, wantSecond.Text = "16f6a2", "ungho DIEUHOA 500k"
	for _, tc := range []struct {
		name, body string
		want       []Update
	}{
		{"one object", `{"ok":true,"result":` + oneUpdate + `}`, []Update{wantOne}},
		{"an array", `{"ok":true,"result":[` + oneUpdate + `,` + second + `]}`, []Update{wantOne, wantSecond}},
		{"an empty array", `{"ok":true,"result":[]}`, nil},
		{"null", `{"ok":true,"result":null}`, nil},
		{"no result", `{"ok":true}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, got := serve(t, 200, tc.body)
			us, err := c.GetUpdates(t.Context(), 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if !sameUpdates(us, tc.want) {
				t.Errorf("GetUpdates = %+v, want %+v", us, tc.want)
			}
			if r := <-got; r.path != "/bot"+testToken+"/getUpdates" || r.body["timeout"] != "30" || len(r.body) != 1 {
				t.Errorf("request = %s %v, want getUpdates {\"timeout\":\"30\"}", r.path, r.body)
			}
		})
	}
}

func sameUpdates(a, b []Update) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The timeout is whole seconds, rounded up so that a short wait still
// waits.
func TestGetUpdatesTimeout(t *testing.T) {
	for d, want := range map[time.Duration]string{1500 * time.Millisecond: "2", time.Millisecond: "1", 0: "0", -time.Second: "0", 25 * time.Second: "25"} {
		c, got := serve(t, 200, `{"ok":true,"result":[]}`)
		if _, err := c.GetUpdates(t.Context(), d); err != nil {
			t.Fatal(err)
		}
		if r := <-got; r.body["timeout"] != want {
			t.Errorf("timeout %v sent as %q, want %q", d, r.body["timeout"], want)
		}
	}
}

// When nothing came the platform says 408: that is an empty poll, not a
// failure.
func TestGetUpdatesNothingCame(t *testing.T) {
	for _, status := range []int{200, 408} {
		c, _ := serve(t, status, `{"ok":false,"error_code":408,"description":"Request timeout"}`)
		us, err := c.GetUpdates(t.Context(), time.Second)
		if us != nil || err != nil {
			t.Errorf("HTTP %d, 408 answer: GetUpdates = %v, %v; want nil, nil", status, us, err)
		}
	}
	// Another refusal is an error.
	c, _ := serve(t, 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
	if _, err := c.GetUpdates(t.Context(), time.Second); err == nil {
		t.Error("a 401 answer gave no error")
	}
}

// A batch with an invalid update still hands out the valid ones: the
// platform will not send them again.
func TestGetUpdatesKeepsValidOnes(t *testing.T) {
	bad := strings.Replace(oneUpdate, `"id":"e4ea01","chat_type"`, `"id":42,"chat_type"`, 1)
	c, _ := serve(t, 200, `{"ok":true,"result":[`+bad+`,`+oneUpdate+`]}`)
	us, err := c.GetUpdates(t.Context(), time.Second)
	if !sameUpdates(us, []Update{wantOne}) {
		t.Errorf("GetUpdates = %+v, want the valid update", us)
	}
	if err == nil || !strings.Contains(err.Error(), "message.chat.id") || !strings.Contains(err.Error(), "update 0") {
		t.Errorf("err = %v, want it to name update 0's message.chat.id", err)
	}
}

func TestSends(t *testing.T) {
	for _, tc := range []struct {
		name   string
		call   func(c *Client, ctx context.Context) error
		method string
		body   map[string]string
	}{
		{"sendMessage", func(c *Client, ctx context.Context) error {
			return c.SendMessage(ctx, "e4ea01", "Cảm ơn bạn!\nĐã ghi nhận.")
		},
			"sendMessage", map[string]string{"chat_id": "e4ea01", "text": "Cảm ơn bạn!\nĐã ghi nhận."}},
		{"sendPhoto", func(c *Client, ctx context.Context) error {
			return c.SendPhoto(ctx, "e4ea01", "https://danvan.example/c/1.png", "Tiến độ")
		}, "sendPhoto", map[string]string{"chat_id": "e4ea01", "photo": "https://danvan.example/c/1.png", "caption": "Tiến độ"}},
		{"sendPhoto without caption", func(c *Client, ctx context.Context) error {
			return c.SendPhoto(ctx, "e4ea01", "https://danvan.example/c/1.png", "")
		}, "sendPhoto", map[string]string{"chat_id": "e4ea01", "photo": "https://danvan.example/c/1.png"}},
		{"setWebhook", func(c *Client, ctx context.Context) error {
			return c.SetWebhook(ctx, "https://danvan.example/zalo", "s3cret")
		}, "setWebhook", map[string]string{"url": "https://danvan.example/zalo", "secret_token": "s3cret"}},
		{"deleteWebhook", func(c *Client, ctx context.Context) error { return c.DeleteWebhook(ctx) },
			"deleteWebhook", map[string]string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, got := serve(t, 200, `{"ok":true,"result":{"message_id":"m1"}}`)
			if err := tc.call(c, t.Context()); err != nil {
				t.Fatal(err)
			}
			r := <-got
			if r.path != "/bot"+testToken+"/"+tc.method || r.method != http.MethodPost {
				t.Errorf("request = %s %s, want POST %s", r.method, r.path, tc.method)
			}
			if len(r.body) != len(tc.body) {
				t.Errorf("body = %v, want %v", r.body, tc.body)
			}
			for k, v := range tc.body {
				if r.body[k] != v {
					t.Errorf("body[%q] = %q, want %q", k, r.body[k], v)
				}
			}
		})
	}
}

func TestNoToken(t *testing.T) {
	c, got := serve(t, 200, `{"ok":true,"result":{}}`)
	c.Token = ""
	if err := c.SendMessage(t.Context(), "e4ea01", "x"); err == nil {
		t.Error("a client without a token sent a message")
	}
	select {
	case <-got:
		t.Error("a client without a token made a request")
	default:
	}
}

// assertRedacted fails unless err's text is free of the token, raw or
// escaped.
func assertRedacted(t *testing.T, err error, token string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	secret := token[strings.IndexByte(token, ':')+1:]
	if strings.Contains(msg, token) || strings.Contains(msg, secret) || strings.Contains(msg, strings.ReplaceAll(secret, " ", "%20")) {
		t.Errorf("error shows the token: %s", msg)
	}
	if !strings.Contains(msg, "<token>") {
		t.Errorf("error %q does not say where the token was", msg)
	}
}

func TestTokenRedaction(t *testing.T) {
	t.Run("server gone", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		for _, token := range []string{testToken, "42:se cret"} {
			c := &Client{Token: token, Endpoint: srv.URL + "/bot%s/%s"}
			err := c.SendMessage(t.Context(), "e4ea01", "x")
			assertRedacted(t, err, token)
			if Classify(err) != Retry {
				t.Errorf("Classify(%v) = %v, want Retry", err, Classify(err))
			}
		}
	})
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
		defer srv.Close()
		defer close(release)
		c := &Client{Token: testToken, Endpoint: srv.URL + "/bot%s/%s", HTTP: &http.Client{Timeout: 50 * time.Millisecond}}
		_, err := c.GetUpdates(t.Context(), 30*time.Second)
		assertRedacted(t, err, testToken)
		// The cause is still there to be recognised.
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Errorf("err = %v, want a net.Error timeout in its chain", err)
		}
		if Classify(err) != Retry {
			t.Errorf("Classify(timeout) = %v, want Retry", Classify(err))
		}
	})
	t.Run("canceled", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
		defer srv.Close()
		defer close(release)
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		c := &Client{Token: testToken, Endpoint: srv.URL + "/bot%s/%s"}
		err := c.SendMessage(ctx, "e4ea01", "x")
		assertRedacted(t, err, testToken)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded in its chain", err)
		}
	})
	t.Run("malformed endpoint", func(t *testing.T) {
		c := &Client{Token: testToken, Endpoint: "http://[::1/bot%s/%s"}
		assertRedacted(t, c.SendMessage(t.Context(), "e4ea01", "x"), testToken)
	})
	t.Run("error page echoing the URL", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			io.WriteString(w, "<html><body>502 Bad Gateway: "+r.URL.Path+"</body></html>")
		}))
		defer srv.Close()
		c := &Client{Token: testToken, Endpoint: srv.URL + "/bot%s/%s"}
		err := c.SendMessage(t.Context(), "e4ea01", "x")
		assertRedacted(t, err, testToken)
		var be *BodyError
		if !errors.As(err, &be) || be.Status != 502 || strings.Contains(be.Body, testToken) {
			t.Errorf("err = %#v, want a BodyError of 502 without the token", err)
		}
	})
}

// Classify sorts real answers of a real server.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   Class
		code   int // the APIError's code, 0 when the answer is not the API's
	}{
		{"429", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`, Throttled, 429},
		{"error_code as a string", 200, `{"ok":false,"error_code":"429","description":"slow down"}`, Throttled, 429},
		{"429 without error_code", 429, `{"ok":false,"description":"slow down"}`, Throttled, 429},
		{"quota in a 400", 400, `{"ok":false,"error_code":400,"description":"Daily quota exceeded"}`, Throttled, 400},
		{"rate limit in a 400", 400, `{"ok":false,"error_code":400,"description":"Rate limit reached"}`, Throttled, 400},
		{"403", 403, `{"ok":false,"error_code":403,"description":"Forbidden"}`, ChatGone, 403},
		{"blocked in a 400", 400, `{"ok":false,"error_code":400,"description":"User has blocked the bot"}`, ChatGone, 400},
		{"unfollowed", 400, `{"ok":false,"error_code":400,"description":"User unfollowed the OA"}`, ChatGone, 400},
		{"chat not found", 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, ChatGone, 400},
		{"400", 400, `{"ok":false,"error_code":400,"description":"Text length must be between 1 and 2000"}`, Refused, 400},
		{"too many characters", 400, `{"ok":false,"error_code":400,"description":"Text has too many characters"}`, Refused, 400},
		{"413", 413, `{"ok":false,"error_code":413,"description":"Payload too large"}`, Refused, 413},
		{"401: the token, not the message", 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, Retry, 401},
		{"404: the endpoint, not the message", 404, `{"ok":false,"error_code":404,"description":"Not Found"}`, Retry, 404},
		{"500", 500, `{"ok":false,"error_code":500,"description":"Internal Server Error"}`, Retry, 500},
		{"an unknown code", 200, `{"ok":false,"error_code":-32,"description":"Something"}`, Retry, -32},
		{"HTML 502", 502, `<html><body>Bad Gateway</body></html>`, Retry, 0},
		{"HTML 200", 200, `<html><body>Maintenance</body></html>`, Retry, 0},
		{"HTML 403 from a firewall", 403, `<html><body>Access denied</body></html>`, Retry, 0},
		{"HTML 429", 429, `<html><body>Too many requests</body></html>`, Throttled, 0},
		{"JSON that is not the API's", 400, `{"message":"bad"}`, Retry, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := serve(t, tc.status, tc.body)
			err := c.SendMessage(t.Context(), "e4ea01", "Xin chào")
			if got := Classify(err); got != tc.want {
				t.Errorf("Classify(%v) = %v, want %v", err, got, tc.want)
			}
			var ae *APIError
			var be *BodyError
			switch {
			case tc.code != 0 && (!errors.As(err, &ae) || ae.Code != tc.code):
				t.Errorf("err = %#v, want an APIError of code %d", err, tc.code)
			case tc.code == 0 && (!errors.As(err, &be) || be.Status != tc.status):
				t.Errorf("err = %#v, want a BodyError of status %d", err, tc.status)
			}
		})
	}
	if Classify(errors.New("some local failure")) != Retry {
		t.Error("an unknown error is not Retry")
	}
}

func TestRetryAfter(t *testing.T) {
	c, _ := serve(t, 429, `{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":7}}`)
	var ae *APIError
	if err := c.SendMessage(t.Context(), "e4ea01", "x"); !errors.As(err, &ae) || ae.RetryAfter != 7*time.Second {
		t.Errorf("err = %#v, want RetryAfter 7s", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(429)
		io.WriteString(w, `{"ok":false,"error_code":429,"description":"Too Many Requests"}`)
	}))
	defer srv.Close()
	c = &Client{Token: testToken, Endpoint: srv.URL + "/bot%s/%s"}
	if err := c.SendMessage(t.Context(), "e4ea01", "x"); !errors.As(err, &ae) || ae.RetryAfter != 3*time.Second {
		t.Errorf("err = %#v, want RetryAfter 3s from the header", err)
	}
}

func TestClassString(t *testing.T) {
	for c, want := range map[Class]string{Retry: "retry", Throttled: "throttled", ChatGone: "chat_gone", Refused: "refused"} {
		if c.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(c), c.String(), want)
		}
	}
}
