package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/danvan/danvan/bot/telegram/localapi"
	zalolocal "github.com/danvan/danvan/bot/zalo/localapi"
)

// page serves the demo page over a real local Bot API, as `danvan demo`
// does, and counts the jobs it was made to run.
type page struct {
	t    *testing.T
	base string
	port string
	api  *localapi.Server
	zalo *zalolocal.Server
	jobs atomic.Int32
}

func newPage(t *testing.T, anyHost bool) *page {
	t.Helper()
	api, err := localapi.New("424242:guard-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	zl, err := zalolocal.New(zaloToken)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zl.Close)
	p := &page{t: t, api: api, zalo: zl}
	srv := httptest.NewUnstartedServer(nil)
	srv.Config.Handler = Handler(Config{
		API:      api,
		Zalo:     NewZaloChats(zl),
		Personas: DefaultPersonas(),
		Jobs:     []string{"weekly_summary"},
		RunJob: func(context.Context, string) (string, error) {
			p.jobs.Add(1)
			return "done", nil
		},
		Addr:    srv.Listener.Addr().String(),
		AnyHost: anyHost,
	})
	srv.Start()
	t.Cleanup(srv.Close)
	p.base = srv.URL
	_, p.port, _ = strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	return p
}

// req is one request as a browser or another site would make it: headers
// with an empty value are left out.
type req struct {
	method, path string
	host, origin string
	contentType  string
	token        string
	body         []byte
}

func (p *page) do(r req) (int, string) {
	p.t.Helper()
	hr, err := http.NewRequest(r.method, p.base+r.path, bytes.NewReader(r.body))
	if err != nil {
		p.t.Fatal(err)
	}
	if r.host != "" {
		hr.Host = r.host
	}
	if r.origin != "" {
		hr.Header.Set("Origin", r.origin)
	}
	if r.contentType != "" {
		hr.Header.Set("Content-Type", r.contentType)
	}
	if r.token != "" {
		hr.Header.Set(TokenHeader, r.token)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (p *page) expect(r req, want int) string {
	p.t.Helper()
	got, body := p.do(r)
	if got != want {
		p.t.Errorf("%s %s (Host %q, Origin %q, Content-Type %q): %d %s, want %d", r.method, r.path, r.host, r.origin, r.contentType, got, body, want)
	}
	return body
}

func (p *page) token() string {
	p.t.Helper()
	var v struct {
		Token string `json:"token"`
	}
	body := p.expect(req{method: "GET", path: "/api/personas"}, http.StatusOK)
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.Token == "" {
		p.t.Fatalf("no page token in %s (%v)", body, err)
	}
	return v.Token
}

func statement(t *testing.T) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("persona", "head")
	fw, _ := mw.CreateFormFile("file", "saoke.csv")
	fw.Write([]byte("Ngày,Số tiền,Nội dung\n01/11/2026,500000,DIEUHOA K7Q2\n"))
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

var (
	say     = []byte(`{"persona":"resident1","text":"/start"}`)
	sayZalo = []byte(`{"persona":"zalo","text":"khu YG-K2"}`)
)

// Other sites the person visits cannot use the page: a rebound DNS name
// is not a Host the page answers, a foreign Origin is refused, and every
// route that changes something needs JSON or the page's token, which a
// plain form or a cross-site upload cannot carry.
func TestPageRefusesOtherSites(t *testing.T) {
	p := newPage(t, false)
	local := "http://127.0.0.1:" + p.port

	// The loopback names with the page's port, and nothing else.
	for _, host := range []string{"127.0.0.1:" + p.port, "localhost:" + p.port, "LocalHost:" + p.port, "[::1]:" + p.port} {
		p.expect(req{method: "GET", path: "/", host: host}, http.StatusOK)
	}
	for _, host := range []string{"rebind.example:" + p.port, "localhost:1", "127.0.0.1", "127.0.0.2:" + p.port, "evil.localhost:" + p.port} {
		p.expect(req{method: "GET", path: "/api/personas", host: host}, http.StatusForbidden)
		p.expect(req{method: "POST", path: "/api/send", host: host, contentType: "application/json", body: say}, http.StatusForbidden)
		p.expect(req{method: "POST", path: "/api/send", host: host, contentType: "application/json", body: sayZalo}, http.StatusForbidden)
		p.expect(req{method: "GET", path: "/api/chats/zalo", host: host}, http.StatusForbidden)
	}
	if msgs := p.api.Messages(300001); len(msgs) != 0 {
		t.Errorf("a request under a foreign Host wrote %d messages", len(msgs))
	}
	if msgs := p.zalo.Messages(ZaloMai.ID); len(msgs) != 0 {
		t.Errorf("a request under a foreign Host wrote %d Zalo messages", len(msgs))
	}

	// A foreign Origin, on every route.
	for _, origin := range []string{"http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:" + p.port} {
		p.expect(req{method: "POST", path: "/api/send", origin: origin, contentType: "application/json", body: say}, http.StatusForbidden)
		p.expect(req{method: "POST", path: "/api/jobs/weekly_summary", origin: origin, contentType: "application/json", body: []byte("{}")}, http.StatusForbidden)
		p.expect(req{method: "GET", path: "/api/chats/resident1", origin: origin}, http.StatusForbidden)
		p.expect(req{method: "POST", path: "/api/send", origin: origin, contentType: "application/json", body: sayZalo}, http.StatusForbidden)
		p.expect(req{method: "GET", path: "/api/chats/zalo", origin: origin}, http.StatusForbidden)
		p.expect(req{method: "GET", path: "/api/zalo/photo/zalo/x", origin: origin}, http.StatusForbidden)
	}
	if msgs := p.api.Messages(300001); len(msgs) != 0 {
		t.Errorf("a request from a foreign Origin wrote %d messages", len(msgs))
	}
	// A plain form, as another site may post it, says nothing on Zalo.
	p.expect(req{method: "POST", path: "/api/send", contentType: "application/x-www-form-urlencoded", body: []byte("persona=zalo&text=ungho")}, http.StatusUnsupportedMediaType)
	p.expect(req{method: "POST", path: "/api/send", contentType: "text/plain", body: sayZalo}, http.StatusUnsupportedMediaType)
	if msgs := p.zalo.Messages(ZaloMai.ID); len(msgs) != 0 {
		t.Errorf("a request from another site wrote %d Zalo messages", len(msgs))
	}

	// A form another site posts (no preflight) runs no job.
	p.expect(req{method: "POST", path: "/api/jobs/weekly_summary", contentType: "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType)
	p.expect(req{method: "POST", path: "/api/jobs/weekly_summary", contentType: "text/plain", body: []byte("{}")}, http.StatusUnsupportedMediaType)
	if n := p.jobs.Load(); n != 0 {
		t.Errorf("%d jobs ran on requests without JSON", n)
	}

	// An upload needs the page's token.
	ct, body := statement(t)
	p.expect(req{method: "POST", path: "/api/send-file", contentType: ct, body: body}, http.StatusForbidden)
	p.expect(req{method: "POST", path: "/api/send-file", contentType: ct, token: "guessed", body: body}, http.StatusForbidden)
	p.expect(req{method: "POST", path: "/api/send-file", origin: "http://evil.example", contentType: ct, token: p.token(), body: body}, http.StatusForbidden)
	if msgs := p.api.Messages(100001); len(msgs) != 0 {
		t.Errorf("an upload without the page's token was sent: %d messages", len(msgs))
	}

	// The page itself works: same Origin or none, JSON, the token.
	p.expect(req{method: "POST", path: "/api/send", origin: local, contentType: "application/json", body: say}, http.StatusOK)
	p.expect(req{method: "POST", path: "/api/send", origin: local, contentType: "application/json", body: sayZalo}, http.StatusOK)
	if msgs := p.zalo.Messages(ZaloMai.ID); len(msgs) != 1 || msgs[0].Text != "khu YG-K2" {
		t.Errorf("the page's own Zalo message: %+v", msgs)
	}
	p.expect(req{method: "POST", path: "/api/jobs/weekly_summary", origin: local, contentType: "application/json", body: []byte("{}")}, http.StatusOK)
	p.expect(req{method: "POST", path: "/api/send-file", origin: local, contentType: ct, token: p.token(), body: body}, http.StatusOK)
	if msgs := p.api.Messages(300001); len(msgs) != 1 {
		t.Errorf("the page's own message: %d messages, want 1", len(msgs))
	}
	if msgs := p.api.Messages(100001); len(msgs) != 1 || msgs[0].FileName != "saoke.csv" {
		t.Errorf("the page's own upload: %+v", msgs)
	}
	if n := p.jobs.Load(); n != 1 {
		t.Errorf("%d jobs ran, want the page's one", n)
	}
}

// With --listen-anywhere the page is reached under names it cannot know,
// but an Origin must still be the page's own.
func TestPageAnyHost(t *testing.T) {
	p := newPage(t, true)
	host := "demo.lan:" + p.port
	p.expect(req{method: "GET", path: "/", host: host}, http.StatusOK)
	p.expect(req{method: "POST", path: "/api/send", host: host, origin: "http://evil.example", contentType: "application/json", body: say}, http.StatusForbidden)
	p.expect(req{method: "POST", path: "/api/send", host: host, origin: "http://" + host, contentType: "application/json", body: say}, http.StatusOK)
	if msgs := p.api.Messages(300001); len(msgs) != 1 {
		t.Errorf("%d messages, want the one from the page's own origin", len(msgs))
	}
}

// The Host names the page answers to follow the address it listens on.
func TestPageHosts(t *testing.T) {
	for _, c := range []struct {
		addr string
		ok   []string
		not  []string
	}{
		{"127.0.0.1:8080", []string{"127.0.0.1:8080", "localhost:8080", "[::1]:8080"}, []string{"127.0.0.1", "localhost", "127.0.0.2:8080", "example.org:8080"}},
		{"127.0.0.2:8080", []string{"127.0.0.2:8080", "localhost:8080"}, []string{"127.0.0.3:8080"}},
		{"[::1]:80", []string{"[::1]:80", "[::1]", "localhost", "127.0.0.1", "127.0.0.1:80"}, []string{"[::1]:8080", "::1", "example.org"}},
	} {
		h := Handler(Config{Personas: DefaultPersonas(), Addr: c.addr})
		for _, host := range append(c.ok, c.not...) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Host = host
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if want := slices.Contains(c.ok, host); (w.Code == http.StatusOK) != want {
				t.Errorf("listening on %s, Host %q: %d, want answered %v", c.addr, host, w.Code, want)
			}
		}
	}
}
