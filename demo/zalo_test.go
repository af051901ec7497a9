package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	zalolocal "github.com/danvan/danvan/bot/zalo/localapi"
	"github.com/danvan/danvan/store/pgtest"
)

const zaloToken = "9876:demo-zalo-test"

// zaloBot is the bot's side of the local Zalo API, called over HTTP as
// danvan's Zalo channel calls it.
func zaloBot(t *testing.T, api *zalolocal.Server, method string, body map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(fmt.Sprintf(api.Endpoint(), zaloToken, method), "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if raw, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s", method, resp.Status, raw)
	}
}

// pictures serves a PNG on loopback, where the local Zalo API fetches the
// bot's pictures from, as it does from serve's /media/ in the demo.
func pictures(t *testing.T, png []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(png)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/media/qr"
}

func (p *page) zaloChat() []ChatMessage {
	p.t.Helper()
	var v struct {
		Messages []ChatMessage `json:"messages"`
	}
	body := p.expect(req{method: "GET", path: "/api/chats/zalo"}, http.StatusOK)
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		p.t.Fatalf("%v in %s", err, body)
	}
	return v.Messages
}

// The Zalo column through the page's API: Mai types, the bot answers in
// plain text (escaped whole: what looks like markup stays text) and with a
// picture the local Zalo API fetched, which the page serves from the bytes
// fetched; the event stream names the Zalo chat; there is nothing to press
// and no file to send.
func TestZaloColumn(t *testing.T) {
	p := newPage(t, false)
	events, err := http.NewRequest("GET", p.base+"/api/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stream, err := http.DefaultClient.Do(events.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()

	p.expect(req{method: "POST", path: "/api/send", contentType: "application/json", body: []byte(`{"persona":"zalo","text":"  ungho  "}`)}, http.StatusOK)
	sc := bufio.NewScanner(stream.Body)
	for found := false; !found; {
		if !sc.Scan() {
			t.Fatalf("no event for the Zalo chat: %v", sc.Err())
		}
		found = sc.Text() == "data: zalo:"+ZaloMai.ID
	}

	list := "Bạn muốn ủng hộ chiến dịch nào?\n1. Lắp điều hòa <b>khu 1–4</b> & <script>x()</script>\nTrả lời bằng số"
	zaloBot(t, p.zalo, "sendMessage", map[string]any{"chat_id": ZaloMai.ID, "text": list})
	png := samplePNG(t)
	zaloBot(t, p.zalo, "sendPhoto", map[string]any{"chat_id": ZaloMai.ID, "photo": pictures(t, png), "caption": "Quét mã VietQR"})

	msgs := p.zaloChat()
	if len(msgs) != 3 {
		t.Fatalf("the Zalo chat: %+v, want Mai's message, the list and the picture", msgs)
	}
	if m := msgs[0]; !m.Mine || m.FromBot || m.Text != "ungho" || m.From != ZaloMai.Name || m.ID != 1 {
		t.Errorf("Mai's message as shown: %+v", m)
	}
	if m := msgs[1]; !m.FromBot || m.Mine || m.Text != list || len(m.Buttons) != 0 ||
		m.HTML != "Bạn muốn ủng hộ chiến dịch nào?\n1. Lắp điều hòa &lt;b&gt;khu 1–4&lt;/b&gt; &amp; &lt;script&gt;x()&lt;/script&gt;\nTrả lời bằng số" {
		t.Errorf("the bot's list as shown: %+v", m)
	}
	qr := msgs[2]
	if !qr.FromBot || qr.Text != "Quét mã VietQR" || qr.Photo == "" {
		t.Fatalf("the picture as shown: %+v", qr)
	}
	resp, err := http.Get(p.base + qr.Photo)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, png) {
		t.Errorf("GET %s: %s %q, %d bytes; want the fetched PNG", qr.Photo, resp.Status, resp.Header.Get("Content-Type"), len(got))
	}
	// Only a picture of the persona's own chat.
	id := qr.Photo[strings.LastIndexByte(qr.Photo, '/')+1:]
	for _, path := range []string{"/api/zalo/photo/resident1/" + id, "/api/zalo/photo/zalo/nothing", "/api/zalo/photo/nobody/" + id, "/api/photo/0/1"} {
		p.expect(req{method: "GET", path: path}, http.StatusNotFound)
	}

	// Nothing to press, no file to send, no message past Zalo's limit.
	p.expect(req{method: "POST", path: "/api/press", contentType: "application/json", body: []byte(`{"persona":"zalo","messageId":2,"data":"1"}`)}, http.StatusNotFound)
	ct, body := statement(t)
	body = bytes.Replace(body, []byte("head"), []byte("zalo"), 1)
	p.expect(req{method: "POST", path: "/api/send-file", contentType: ct, token: p.token(), body: body}, http.StatusBadRequest)
	long, _ := json.Marshal(map[string]string{"persona": "zalo", "text": strings.Repeat("a", zalolocal.MaxTextRunes+1)})
	p.expect(req{method: "POST", path: "/api/send", contentType: "application/json", body: long}, http.StatusBadRequest)
	if n := len(p.zalo.Messages(ZaloMai.ID)); n != 3 {
		t.Errorf("the Zalo chat has %d messages, want the 3 of before", n)
	}
}

// The Zalo column is kept as the Telegram ones are: a demo started again
// shows it whole, in order, pictures included, and the bot may write to
// Mai at once in the new local API; what follows is kept after it.
func TestZaloHistory(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	clock := zalolocal.WithClock(func() time.Time { return time.Now().Truncate(time.Microsecond) })
	personas := DefaultPersonas()
	png := samplePNG(t)
	photoURL := pictures(t, png)

	run := func() (*zalolocal.Server, *ZaloChats, map[string]bool, func()) {
		api, err := zalolocal.New(zaloToken, clock)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(api.Close)
		z, err := OpenZaloHistory(context.Background(), pool, api, personas, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		restored, err := z.Restore(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return api, z, restored, z.Record()
	}

	api, z, restored, stop := run()
	if len(restored) != 0 {
		t.Fatalf("a new table restored %v", restored)
	}
	api.SendText(ZaloMai, "khu YG-K2")
	zaloBot(t, api, "sendMessage", map[string]any{"chat_id": ZaloMai.ID, "text": "Đã lưu: bạn ở Khu 2"})
	zaloBot(t, api, "sendPhoto", map[string]any{"chat_id": ZaloMai.ID, "photo": photoURL, "caption": "VietQR"})
	first := z.Messages(ZaloMai.ID)
	stop()

	// The bot writes first in the new run: the chat is known.
	api, z, restored, stop = run()
	if !restored[ZaloMai.ID] || len(restored) != 1 {
		t.Errorf("restored %v, want Mai's chat", restored)
	}
	zaloBot(t, api, "sendMessage", map[string]any{"chat_id": ZaloMai.ID, "text": "Đã nhận 500.000 ₫"})
	api.SendText(ZaloMai, "cuatoi")
	second := z.Messages(ZaloMai.ID)
	if len(second) != len(first)+2 {
		t.Fatalf("the second run shows %d messages, want the %d kept and 2 new", len(second), len(first))
	}
	for i, w := range first {
		g := second[i]
		if g.ID != w.ID || g.Text != w.Text || g.FromBot != w.FromBot || g.From != w.From || g.Kind != w.Kind ||
			g.PhotoURL != w.PhotoURL || !bytes.Equal(g.Photo, w.Photo) || !g.Date.Equal(w.Date) {
			t.Errorf("message %d back as %+v, want %+v", i, g, w)
		}
	}
	p := persona(t, personas, "zalo")
	shown := ZaloMessages(z, p)
	if len(shown) != 5 || shown[2].Photo == "" || !shown[0].Mine || shown[3].Text != "Đã nhận 500.000 ₫" || shown[4].ID != 5 {
		t.Errorf("the column in the second run: %+v", shown)
	}
	stop()

	_, z, _, stop = run()
	defer stop()
	var texts []string
	for _, m := range z.Messages(ZaloMai.ID) {
		texts = append(texts, m.Text)
	}
	if want := "khu YG-K2|Đã lưu: bạn ở Khu 2|VietQR|Đã nhận 500.000 ₫|cuatoi"; strings.Join(texts, "|") != want {
		t.Errorf("the third run shows %q, want %q", strings.Join(texts, "|"), want)
	}
}
