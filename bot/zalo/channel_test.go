package zalo_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/bot"
	"github.com/danvan/danvan/bot/zalo"
	zalolocal "github.com/danvan/danvan/bot/zalo/localapi"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, store.Migrate)) }

const token = "4242:channel-test-token"

// rig is the Zalo channel's sender against a real database and the local
// Zalo Bot API, with media served from the database as serve does.
type rig struct {
	t    *testing.T
	db   *store.DB
	zl   *zalolocal.Server
	user zalolocal.User
	chat int64 // the user's private chat, internal id
}

func newRig(t *testing.T, public bool) *rig {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	zl, err := zalolocal.New(token)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zl.Close)
	r := &rig{t: t, db: db, zl: zl, user: zalolocal.NewUser("Hà")}
	zl.SendText(r.user, "xin chào") // the bot may write to those who wrote
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		r.chat, err = tx.EnsureChat(ctx, danvan.Zalo, r.user.ID, false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	publicURL := ""
	if public {
		media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			kind, _, data, err := db.Media(req.Context(), strings.TrimPrefix(req.URL.Path, zalo.MediaPath))
			if err != nil {
				http.NotFound(w, req)
				return
			}
			w.Header().Set("Content-Type", kind)
			w.Write(data)
		}))
		t.Cleanup(media.Close)
		publicURL = media.URL
	}
	sender := &bot.Sender{
		Channel:      &zalo.Channel{Client: &zalo.Client{Token: token, Endpoint: zl.Endpoint()}, Store: db, PublicURL: publicURL},
		Outbox:       db,
		Log:          slog.New(slog.NewTextHandler(io.Discard, nil)),
		Limits:       bot.Limits{Global: 100, Chat: 100, ChatBurst: 10, Group: 600},
		LeadInterval: 50 * time.Millisecond,
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { sender.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// enqueue queues messages to the user's chat and returns their outbox ids.
func (r *rig) enqueue(msgs ...danvan.Outgoing) []int64 {
	r.t.Helper()
	ctx := context.Background()
	var ids []int64
	err := r.db.InTx(ctx, func(tx *store.Tx) error {
		for _, m := range msgs {
			m.ChatID = r.chat
			if err := tx.Enqueue(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	rows, err := r.db.Pool.Query(ctx, `SELECT id FROM outbox WHERE chat_id = $1 ORDER BY id DESC LIMIT $2`, r.chat, len(msgs))
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append([]int64{id}, ids...)
	}
	return ids
}

// drained waits until nothing waits in the outbox.
func (r *rig) drained() {
	r.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s, err := r.db.OutboxStats(context.Background())
		if err != nil {
			r.t.Fatal(err)
		}
		if s.Pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%d messages still wait", s.Pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// got is what the bot sent the user since the first n messages.
func (r *rig) got(n int) []zalolocal.Message { return r.zl.BotMessages(r.user.ID)[n:] }

// A long message goes in parts under 2,000 characters, in order; a list
// of buttons is numbered under it, or lettered when its options are
// amounts.
func TestDeliverPartsAndLists(t *testing.T) {
	r := newRig(t, false)
	var lines []string
	for i := range 120 {
		lines = append(lines, strings.Repeat("dòng ", 6)+string(rune('A'+i%26)))
	}
	long := strings.Join(lines, "\n")
	r.enqueue(danvan.Outgoing{Kind: danvan.OutSend, Text: "<b>Tổng kết</b>\n" + long},
		danvan.Outgoing{Kind: danvan.OutSend, Text: "Chọn chiến dịch:", Lang: "vi", Buttons: [][]danvan.Button{
			{{Text: "Lắp điều hòa", Data: "1:c:1"}}, {{Text: "Lát sân &amp; cổng", Data: "1:c:2"}}}},
		danvan.Outgoing{Kind: danvan.OutSend, Text: "Bao nhiêu?", Lang: "en", Buttons: [][]danvan.Button{
			{{Text: "200.000 ₫", Data: "2:a:1"}, {Text: "500.000 ₫", Data: "2:a:2"}}, {{Text: "✖ Hủy", Data: "2:x:0"}}}})
	r.drained()
	msgs := r.got(0)
	if len(msgs) < 4 {
		t.Fatalf("%d messages, want the long one in parts and two lists", len(msgs))
	}
	var joined []string
	for _, m := range msgs[:len(msgs)-2] {
		if n := utf8.RuneCountInString(m.Text); n > zalo.MaxText {
			t.Errorf("a part of %d characters", n)
		}
		joined = append(joined, m.Text)
	}
	if got, want := strings.Join(strings.Fields(strings.Join(joined, "\n")), " "), strings.Join(strings.Fields("Tổng kết\n"+long), " "); got != want {
		t.Errorf("the parts do not make the message:\n%s", got)
	}
	if got := msgs[len(msgs)-2].Text; got != "Chọn chiến dịch:\n\n1. Lắp điều hòa\n2. Lát sân & cổng\nTrả lời bằng số" {
		t.Errorf("numbered list:\n%s", got)
	}
	if got := msgs[len(msgs)-1].Text; got != "Bao nhiêu?\n\na. 200.000 ₫\nb. 500.000 ₫\nc. ✖ Hủy\nReply with the letter" {
		t.Errorf("lettered list:\n%s", got)
	}
}

// Zalo cannot edit: an edit that only takes the list off says nothing, one
// that adds a line says that line, one that offers another list sends the
// message again; a button's notice is a message, a silent answer nothing.
func TestDeliverEditsAndAnswers(t *testing.T) {
	r := newRig(t, false)
	buttons := [][]danvan.Button{{{Text: "Có", Data: "5:y:1"}, {Text: "Không", Data: "5:n:1"}}}
	ids := r.enqueue(danvan.Outgoing{Kind: danvan.OutSend, Text: "Xác nhận <b>500.000 ₫</b>?", Lang: "vi", Buttons: buttons})
	r.drained()
	n := len(r.zl.BotMessages(r.user.ID))
	r.enqueue(
		danvan.Outgoing{Kind: danvan.OutAnswer, CallbackID: ""},
		danvan.Outgoing{Kind: danvan.OutEdit, MessageID: ids[0], Text: "Xác nhận <b>500.000 ₫</b>?"},
		danvan.Outgoing{Kind: danvan.OutEdit, MessageID: ids[0], Text: "Xác nhận <b>500.000 ₫</b>?\n→ <b>Có</b>"},
		danvan.Outgoing{Kind: danvan.OutAnswer, Text: "Nút này đã cũ."},
		danvan.Outgoing{Kind: danvan.OutEdit, MessageID: ids[0], Text: "Chọn lại:", Lang: "vi", Buttons: [][]danvan.Button{{{Text: "Tiền", Data: "6:k:1"}}}},
		danvan.Outgoing{Kind: danvan.OutCommands, Commands: []danvan.MenuCommand{{Command: "ungho", Description: "ủng hộ"}}},
	)
	r.drained()
	var texts []string
	for _, m := range r.got(n) {
		texts = append(texts, m.Text)
	}
	want := []string{"→ Có", "Nút này đã cũ.", "Chọn lại:\n\n1. Tiền\nTrả lời bằng số"}
	if strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("sent %q, want %q", texts, want)
	}
}

// Without a public address a VietQR code goes as its transfer details and a
// chart not at all; a file is a sentence saying where to get it. With one,
// Zalo fetches the very picture from it.
func TestDeliverPictures(t *testing.T) {
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(3, 3, color.Black)
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	qr := danvan.Outgoing{Kind: danvan.OutPhoto, Photo: pic.Bytes(), Text: "📷 Quét mã", Alt: "💳 Chuyển 500.000 ₫ vào Vietcombank, tài khoản <code>001</code>", Lang: "vi"}
	chart := danvan.Outgoing{Kind: danvan.OutPhoto, Photo: pic.Bytes(), Text: "Biểu đồ"}
	file := danvan.Outgoing{Kind: danvan.OutDocument, Document: []byte("a,b\n"), FileName: "so-thu.csv", Text: "Sổ thu", Lang: "vi"}

	r := newRig(t, false)
	r.enqueue(qr, chart, file)
	r.drained()
	msgs := r.got(0)
	if len(msgs) != 2 || msgs[0].Text != "💳 Chuyển 500.000 ₫ vào Vietcombank, tài khoản 001" || msgs[0].Kind != "text" ||
		!strings.Contains(msgs[1].Text, "so-thu.csv không gửi được qua Zalo") || !strings.Contains(msgs[1].Text, "danvan export") {
		t.Errorf("without a public address: %+v", msgs)
	}

	r = newRig(t, true)
	r.enqueue(qr, file)
	r.drained()
	msgs = r.got(0)
	if len(msgs) != 2 || !bytes.Equal(msgs[0].Photo, pic.Bytes()) || msgs[0].Text != "📷 Quét mã" {
		t.Fatalf("with a public address: %+v", msgs)
	}
	link := msgs[1].Text[strings.Index(msgs[1].Text, "http"):]
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "a,b\n" {
		t.Errorf("the file's link %s gives %q", link, body)
	}
}

// Zalo's refusals sort as the sender's classes: a 429 waits and is sent
// after, a blocked user makes the chat unreachable, a message Zalo will
// never take is kept as failed and the next one goes.
func TestDeliverRefusals(t *testing.T) {
	r := newRig(t, false)
	r.zl.InjectFault("sendMessage", zalolocal.Fault{Status: 429, Description: "Too Many Requests: quota exceeded"})
	r.enqueue(danvan.Outgoing{Kind: danvan.OutSend, Text: "một"})
	r.drained()
	if msgs := r.got(0); len(msgs) != 1 || msgs[0].Text != "một" {
		t.Fatalf("after a 429: %+v", msgs)
	}
	r.zl.InjectFault("sendMessage", zalolocal.Fault{Status: 400, Description: "Bad Request: text too long"})
	r.enqueue(danvan.Outgoing{Kind: danvan.OutSend, Text: "hai"}, danvan.Outgoing{Kind: danvan.OutSend, Text: "ba"})
	r.drained()
	if msgs := r.got(1); len(msgs) != 1 || msgs[0].Text != "ba" {
		t.Fatalf("after a refusal: %+v", msgs)
	}
	r.zl.InjectFault("sendMessage", zalolocal.Fault{Status: 403, Description: "user has blocked the bot"})
	r.enqueue(danvan.Outgoing{Kind: danvan.OutSend, Text: "bốn"}, danvan.Outgoing{Kind: danvan.OutSend, Text: "năm"})
	r.drained()
	var unreachable int
	if err := r.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM unreachable_chats WHERE chat_id = $1`, r.chat).Scan(&unreachable); err != nil {
		t.Fatal(err)
	}
	failed, err := r.db.FailedMessages(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if unreachable != 1 || len(failed) != 3 || len(r.got(2)) != 0 {
		t.Errorf("after a 403: unreachable %d, failed %d, sent %d; want 1, 3 (hai, bốn, năm), 0", unreachable, len(failed), len(r.got(2)))
	}
	for _, f := range failed {
		if f.Channel != danvan.Zalo || f.Ref != r.user.ID || strings.Contains(f.Reason, token) {
			t.Errorf("failed message %+v", f)
		}
	}
	if !errors.Is(bot.Refused(true, "x"), bot.ErrChatGone) {
		t.Error("a refusal of the chat is not ErrChatGone")
	}
}
