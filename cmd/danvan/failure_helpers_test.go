package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/danvan/danvan/bot/telegram/localapi"
	"github.com/danvan/danvan/internal/logbuf"
	"github.com/danvan/danvan/store/pgtest"
)

// childEnv makes the test binary run `danvan serve` instead of the tests
// (see TestMain), so that the failure tests can kill a real process.
const childEnv = "DANVAN_TEST_CHILD"

// runChild is the test binary as a child process: the subcommand named by
// mode, configured from the environment, stopped by SIGINT or SIGTERM like
// the real binary. It returns the exit code.
func runChild(mode string) int {
	if mode != "serve" {
		fmt.Fprintf(os.Stderr, "%s=%q: only serve is known\n", childEnv, mode)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if err := run(ctx, []string{"serve"}, os.Getenv, os.Stdout, log); err != nil {
		fmt.Fprintln(os.Stderr, "danvan:", err)
		return 1
	}
	return 0
}

// child is `danvan serve` running as a process of its own.
type child struct {
	t    testing.TB
	name string
	cmd  *exec.Cmd
	logs *logbuf.Buffer
	done chan struct{} // closed when the process has been waited for
	err  error         // the exit status, once done
}

// startChild runs `danvan serve` in a child process with env on top of a
// clean copy of this process's environment. The child is killed when the
// test ends, whatever happened.
func startChild(t testing.TB, name string, env map[string]string) *child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{t: t, name: name, logs: &logbuf.Buffer{}, done: make(chan struct{})}
	c.cmd = exec.Command(exe, "-test.run=^$")
	c.cmd.Env = childEnviron(env)
	c.cmd.Stdout = c.logs
	c.cmd.Stderr = c.logs
	c.cmd.SysProcAttr = childProcAttr()
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.kill()
		if t.Failed() {
			t.Logf("%s (pid %d) logs:\n%s", name, c.cmd.Process.Pid, lastLines(c.logs.String(), 60))
		}
		if strings.Contains(c.logs.String(), testToken) {
			t.Errorf("%s: the bot token appears in the logs", name)
		}
	})
	return c
}

// childEnviron is this process's environment without anything that
// configures danvan or the test database, plus env.
func childEnviron(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "DANVAN_") || strings.HasPrefix(k, "TELEGRAM_") || strings.HasPrefix(k, "ZALO_") || k == "DATABASE_URL" || k == pgtest.EnvURL {
			continue
		}
		out = append(out, kv)
	}
	out = append(out, childEnv+"=serve")
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

// kill sends SIGKILL, as `kill -9` does, and waits for the process to go.
func (c *child) kill() {
	c.t.Helper()
	select {
	case <-c.done:
		return
	default:
	}
	if err := c.cmd.Process.Kill(); err != nil {
		c.t.Logf("killing %s: %v", c.name, err)
	}
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.t.Errorf("%s (pid %d) did not die within 10 s of SIGKILL", c.name, c.cmd.Process.Pid)
	}
}

// stop sends SIGTERM and returns the exit status once the process has
// finished what it had in hand.
func (c *child) stop() error {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM to %s: %w", c.name, err)
	}
	select {
	case <-c.done:
		return c.err
	case <-time.After(40 * time.Second):
		return fmt.Errorf("%s did not stop within 40 s of SIGTERM", c.name)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… (%d earlier lines)", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServe runs `danvan serve` in-process like world.start, with extra
// environment on top of the world's.
func (w *world) startServe(extra map[string]string) {
	getenv := func(k string) string {
		if v, ok := extra[k]; ok {
			return v
		}
		return w.getenv(k)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.stop, w.done = cancel, make(chan error, 1)
	go func() { w.done <- run(ctx, []string{"serve"}, getenv, io.Discard, w.logger()) }()
}

// newBareWorld is a database loaded with the example setup and the local
// Bot API, with no bot running yet.
func newBareWorld(t *testing.T, opts ...localapi.Option) *world {
	t.Helper()
	api, err := localapi.New(testToken, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	w := &world{t: t, api: api, dbURL: pgtest.NewDB(t), logs: &logbuf.Buffer{}}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"setup", "../../examples/quang-yen.yaml"}, w.getenv, &out, w.logger()); err != nil {
		t.Fatalf("setup: %v", err)
	}
	t.Cleanup(w.shutdown)
	return w
}

// childEnvFor is the environment of a child serving w's bot.
func (w *world) childEnvFor(extra map[string]string) map[string]string {
	env := map[string]string{
		"DATABASE_URL":     w.dbURL,
		"TELEGRAM_TOKEN":   testToken,
		"TELEGRAM_API_URL": w.api.Endpoint(),
		"DANVAN_HTTP_ADDR": "127.0.0.1:0",
		"DANVAN_RATE_CHAT": "50",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// eventually checks cond every 20 ms until it holds, and fails the test
// with cond's last report when timeout passes first. It returns how long
// it waited.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for {
		ok, report := cond()
		if ok {
			return time.Since(start)
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, still not %s: %s", timeout, what, report)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// healthPart is one line of /healthz.
type healthPart struct {
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// health asks addr's /healthz; status 0 when no answer came.
func health(addr string) (int, map[string]healthPart, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	report := map[string]healthPart{}
	if err := json.NewDecoder(resp.Body).Decode(&report); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("/healthz is not JSON: %w", err)
	}
	return resp.StatusCode, report, nil
}

// metric sums the samples of addr's /metrics whose line starts with name
// and contains every one of labels (like `outcome="failed"`).
func metric(addr, name string, labels ...string) (float64, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	var sum float64
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		match := true
		for _, l := range labels {
			match = match && strings.Contains(line, l)
		}
		if !match {
			continue
		}
		var v float64
		if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err != nil {
			return 0, fmt.Errorf("/metrics line %q: %w", line, err)
		}
		sum += v
	}
	return sum, nil
}

// senderRole is what addr's /healthz says of its sender: "sending",
// "waiting" or the error met asking.
func senderRole(addr string) string {
	_, report, err := health(addr)
	if err != nil {
		return err.Error()
	}
	d := report["telegram sender"].Detail
	switch {
	case strings.HasPrefix(d, "sending"):
		return "sending"
	case strings.HasPrefix(d, "waiting for the lead"):
		return "waiting"
	}
	return fmt.Sprintf("sender %q", d)
}

// thanksText is in every Vietnamese thank-you for a pledge.
const thanksText = "Đã ghi nhận khoản ủng hộ"

// thankYous counts each user's thank-yous: who got none, and how many were
// sent more than once in all.
func thankYous(api *localapi.Server, users []localapi.User) (missing []int64, duplicates int) {
	for _, u := range users {
		n := 0
		for _, m := range api.BotMessages(u.ID) {
			if strings.Contains(m.PlainText, thanksText) {
				n++
			}
		}
		if n == 0 {
			missing = append(missing, u.ID)
		}
		duplicates += max(n-1, 0)
	}
	return missing, duplicates
}

// residents makes n Vietnamese-speaking users with ids from first on.
func residents(first int64, n int) []localapi.User {
	users := make([]localapi.User, n)
	for i := range users {
		users[i] = localapi.User{ID: first + int64(i), FirstName: fmt.Sprintf("Cư dân %d", i+1), LanguageCode: "vi"}
	}
	return users
}

// registerAndPledge has each user choose zone Khu 1 and pledge 500.000 ₫ to
// DIEUHOA in one line; it returns the update ids.
func registerAndPledge(api *localapi.Server, users []localapi.User) []int64 {
	var ids []int64
	for _, u := range users {
		ids = append(ids, api.SendText(u, "/start z_YG-K1"), api.SendText(u, "/ungho DIEUHOA 500k"))
	}
	return ids
}

// checkAppliedOnce checks that each user has exactly one pledge and that
// every update id was recorded as processed, once.
func (w *world) checkAppliedOnce(users []localapi.User, updateIDs []int64) {
	w.t.Helper()
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	if n := w.query(`SELECT count(*) FROM pledges`); n != int64(len(users)) {
		w.t.Errorf("%d pledges in the database, want %d (one per resident)", n, len(users))
	}
	if n := w.query(`SELECT count(*) FROM (SELECT p.person_id FROM pledges p JOIN people pe ON pe.id = p.person_id
		WHERE pe.id IN (SELECT person_id FROM identities WHERE channel = 'telegram' AND external_id::bigint = ANY($1)) GROUP BY p.person_id HAVING count(*) = 1) one`, ids); n != int64(len(users)) {
		w.t.Errorf("%d of %d residents have exactly one pledge", n, len(users))
	}
	if n := w.query(`SELECT count(DISTINCT key) FROM processed_keys WHERE channel = 'telegram' AND key::bigint = ANY($1)`, updateIDs); n != int64(len(updateIDs)) {
		w.t.Errorf("%d of the %d update ids sent are recorded as processed", n, len(updateIDs))
	}
	if n := w.query(`SELECT count(*) FROM processed_keys`); n != int64(len(updateIDs)) {
		w.t.Errorf("processed_keys has %d rows, want %d (each update id once)", n, len(updateIDs))
	}
}

// deliveredTwice compares the messages the users received with those the
// outbox recorded as sent: the difference went out twice.
func (w *world) deliveredTwice(users []localapi.User) string {
	w.t.Helper()
	delivered := 0
	for _, u := range users {
		delivered += len(w.api.BotMessages(u.ID))
	}
	sent := w.query(`SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL`)
	return fmt.Sprintf("messages of any kind delivered twice: %d (%d delivered, %d recorded as sent)", int64(delivered)-sent, delivered, sent)
}

// pendingMessages counts the outbox messages not yet sent nor failed.
func (w *world) pendingMessages() int64 {
	w.t.Helper()
	return w.query(`SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL`)
}

// roundRobin is a load balancer's transport: each request goes to the next
// backend in turn, and to the one after if a backend cannot be reached, so
// a dead instance is skipped. When none answers, the proxy says 502 and
// Telegram delivers again.
type roundRobin struct {
	base *http.Transport

	mu       sync.Mutex
	backends []string // host:port
	next     int
	served   map[string]int // answers per backend
	failed   map[string]int // requests a backend did not answer
}

func newRoundRobin(backends ...string) *roundRobin {
	return &roundRobin{
		base:     &http.Transport{ResponseHeaderTimeout: 15 * time.Second, MaxIdleConnsPerHost: 50},
		backends: backends,
		served:   map[string]int{},
		failed:   map[string]int{},
	}
}

func (rr *roundRobin) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	rr.mu.Lock()
	start := rr.next
	rr.next++
	backends := slices.Clone(rr.backends)
	rr.mu.Unlock()
	var errs []error
	for i := range backends {
		b := backends[(start+i)%len(backends)]
		out := req.Clone(req.Context())
		out.URL.Scheme, out.URL.Host, out.Host = "http", b, b
		out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		resp, err := rr.base.RoundTrip(out)
		rr.mu.Lock()
		if err == nil {
			rr.served[b]++
		} else {
			rr.failed[b]++
		}
		rr.mu.Unlock()
		if err == nil {
			return resp, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", b, err))
	}
	return nil, fmt.Errorf("no backend answered: %v", errs)
}

func (rr *roundRobin) counts() (served, failed map[string]int) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return maps.Clone(rr.served), maps.Clone(rr.failed)
}

// proxy is the reverse proxy in front of the backends of rr.
func (rr *roundRobin) proxy() http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "backend" // the transport picks the backend
		},
		Transport: rr,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
		},
	}
}
