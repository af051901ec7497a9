package localapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan/danvan/bot/telegram/localapi"
)

const token = "123456:TEST-token_abc"

var (
	lan  = localapi.User{ID: 111, FirstName: "Lan", LastName: "Nguyễn", Username: "lan_ng", LanguageCode: "vi"}
	minh = localapi.User{ID: 222, FirstName: "Minh"}
)

func newServer(t *testing.T, opts ...localapi.Option) *localapi.Server {
	t.Helper()
	srv, err := localapi.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func newBot(t *testing.T, srv *localapi.Server) *tgbotapi.BotAPI {
	t.Helper()
	bot, err := tgbotapi.NewBotAPIWithClient(token, srv.Endpoint(), &http.Client{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return bot
}

// apiError insists that err is the library's *tgbotapi.Error.
func apiError(t *testing.T, err error) *tgbotapi.Error {
	t.Helper()
	var e *tgbotapi.Error
	if !errors.As(err, &e) {
		t.Fatalf("want *tgbotapi.Error, got %T %v", err, err)
	}
	return e
}

func wantRefused(t *testing.T, err error, code int, desc string) {
	t.Helper()
	e := apiError(t, err)
	if e.Code != code || !strings.Contains(e.Message, desc) {
		t.Fatalf("got %d %q, want %d containing %q", e.Code, e.Message, code, desc)
	}
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestGetMe(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	if bot.Self.ID != localapi.DefaultBotID || !bot.Self.IsBot || bot.Self.UserName != "danvan_test_bot" {
		t.Fatalf("self = %+v", bot.Self)
	}
	other := newServer(t, localapi.WithBot(localapi.User{ID: 42, Username: "other_bot"}))
	if b := newBot(t, other); b.Self.ID != 42 || b.Self.UserName != "other_bot" {
		t.Fatalf("WithBot ignored: %+v", b.Self)
	}
}

func TestWrongTokenAndUnknownMethod(t *testing.T) {
	srv := newServer(t)
	_, err := tgbotapi.NewBotAPIWithClient("123456:wrong", srv.Endpoint(), &http.Client{Timeout: 5 * time.Second})
	wantRefused(t, err, 401, "Unauthorized")

	bot := newBot(t, srv)
	_, err = bot.MakeRequest("sendSmokeSignal", nil)
	wantRefused(t, err, 404, "Not Found")

	// The raw shapes, which other clients parse too.
	for _, tc := range []struct {
		path   string
		status int
		body   string
	}{
		{"/bot123456:wrong/getMe", 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`},
		{"/bot" + token + "/sendSmokeSignal", 404, `{"ok":false,"error_code":404,"description":"Not Found"}`},
	} {
		resp, err := http.Get(srv.URL() + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || strings.TrimSpace(string(body)) != tc.body {
			t.Fatalf("%s: %d %s", tc.path, resp.StatusCode, body)
		}
	}
	for _, c := range srv.Calls() {
		for _, v := range c.Params {
			if strings.Contains(v, token) {
				t.Fatalf("token logged in %+v", c)
			}
		}
	}
}

func TestCommandUpdate(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	id := srv.SendText(lan, "/start ref_123")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 || int64(ups[0].UpdateID) != id || ups[0].Message == nil {
		t.Fatalf("updates = %+v, want one message with id %d", ups, id)
	}
	msg := ups[0].Message
	if !msg.IsCommand() || msg.Command() != "start" || msg.CommandArguments() != "ref_123" {
		t.Fatalf("command = %v %q %q", msg.IsCommand(), msg.Command(), msg.CommandArguments())
	}
	if msg.Chat.ID != lan.ID || !msg.Chat.IsPrivate() || msg.From.ID != lan.ID || msg.From.LanguageCode != "vi" || msg.From.IsBot {
		t.Fatalf("chat/from = %+v %+v", msg.Chat, msg.From)
	}
	if msg.Time().IsZero() || msg.MessageID != 1 {
		t.Fatalf("message id/date = %d %v", msg.MessageID, msg.Time())
	}

	srv.SendGroupText(localapi.Chat{ID: -100, Title: "Tổ 5"}, minh, "/report@danvan_test_bot tuần này")
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id) + 1})
	if err != nil {
		t.Fatal(err)
	}
	g := ups[0].Message
	if len(ups) != 1 || g.Command() != "report" || g.CommandWithAt() != "report@danvan_test_bot" || g.CommandArguments() != "tuần này" || g.Chat.Title != "Tổ 5" || !g.Chat.IsGroup() {
		t.Fatalf("group command = %+v", g)
	}
}

func TestOffsetConfirmsAndIDsIncrease(t *testing.T) {
	srv := newServer(t, localapi.WithFirstUpdateID(500))
	bot := newBot(t, srv)
	a := srv.SendText(lan, "một")
	b := srv.SendText(lan, "hai")
	c := srv.SendText(lan, "ba")
	if a != 500 || b != 501 || c != 502 {
		t.Fatalf("ids = %d %d %d", a, b, c)
	}
	// Unconfirmed updates come back.
	for range 2 {
		ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Limit: 2})
		if err != nil || len(ups) != 2 || ups[0].UpdateID != 500 {
			t.Fatalf("limit 2: %v %+v", err, ups)
		}
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(a) + 1})
	if err != nil || len(ups) != 2 || int64(ups[0].UpdateID) != b {
		t.Fatalf("after offset: %v %+v", err, ups)
	}
	if srv.Pending() != 2 {
		t.Fatalf("pending = %d, want 2", srv.Pending())
	}
	// A negative offset keeps only the last updates and forgets the rest.
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: -1})
	if err != nil || len(ups) != 1 || int64(ups[0].UpdateID) != c || srv.Pending() != 1 {
		t.Fatalf("offset -1: %v %+v pending %d", err, ups, srv.Pending())
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(c) + 1}); err != nil || srv.Pending() != 0 {
		t.Fatalf("confirm all: %v pending %d", err, srv.Pending())
	}
}

func TestLongPollReturnsWhenUpdateArrives(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	done := make(chan []tgbotapi.Update, 1)
	start := time.Now()
	go func() {
		ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Timeout: 4})
		if err != nil {
			t.Error(err)
		}
		done <- ups
	}()
	time.Sleep(200 * time.Millisecond)
	id := srv.SendText(lan, "xin chào")
	select {
	case ups := <-done:
		if len(ups) != 1 || ups[0].Message.Text != "xin chào" {
			t.Fatalf("updates = %+v", ups)
		}
		if el := time.Since(start); el > 2*time.Second {
			t.Fatalf("long poll took %v: it waited for its timeout", el)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("long poll did not return when the update arrived")
	}

	// With nothing to deliver it waits for the timeout and returns empty.
	start = time.Now()
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id) + 1, Timeout: 1})
	if err != nil || len(ups) != 0 {
		t.Fatalf("idle poll: %v %+v", err, ups)
	}
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Fatalf("idle poll returned after %v, before its timeout", el)
	}
}

func TestConcurrentGetUpdatesConflict(t *testing.T) {
	srv := newServer(t)
	first, second := newBot(t, srv), newBot(t, srv)
	errc := make(chan error, 1)
	go func() {
		_, err := first.GetUpdates(tgbotapi.UpdateConfig{Timeout: 4})
		errc <- err
	}()
	time.Sleep(300 * time.Millisecond)
	if _, err := second.GetUpdates(tgbotapi.UpdateConfig{Timeout: 0}); err != nil {
		t.Fatalf("the newer request should win: %v", err)
	}
	select {
	case err := <-errc:
		wantRefused(t, err, 409, "Conflict: terminated by other getUpdates request")
	case <-time.After(2 * time.Second):
		t.Fatal("the older long poll was not terminated")
	}
}

func TestSendMessageHTMLWithKeyboard(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "/start")
	msg := tgbotapi.NewMessage(lan.ID, "<b>Chào Lan</b> &amp; <i>cả nhà</i>")
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(
		tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("Đóng góp", "pledge:7"),
			tgbotapi.NewInlineKeyboardButtonData("Bỏ qua", "skip"),
		),
		tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonURL("Trang", "https://example.org/c/7")),
	)
	sent, err := bot.Send(msg)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Text != "Chào Lan & cả nhà" || sent.From == nil || !sent.From.IsBot || sent.Chat.ID != lan.ID {
		t.Fatalf("returned message = %+v", sent)
	}
	if len(sent.Entities) != 2 || sent.Entities[0].Type != "bold" || sent.Entities[0].Length != 8 || sent.Entities[1].Offset != 11 {
		t.Fatalf("entities = %+v", sent.Entities)
	}
	if sent.ReplyMarkup == nil || *sent.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "pledge:7" {
		t.Fatalf("reply markup = %+v", sent.ReplyMarkup)
	}

	all := srv.Messages(lan.ID)
	if len(all) != 2 || all[0].FromBot || !all[1].FromBot || all[0].Text != "/start" {
		t.Fatalf("history = %+v", all)
	}
	got := srv.BotMessages(lan.ID)[0]
	want := [][]localapi.Button{{{Text: "Đóng góp", Data: "pledge:7"}, {Text: "Bỏ qua", Data: "skip"}}, {{Text: "Trang", URL: "https://example.org/c/7"}}}
	if got.ID != int64(sent.MessageID) || got.Text != msg.Text || got.PlainText != sent.Text || got.ParseMode != "HTML" || !equalButtons(got.Buttons, want) {
		t.Fatalf("stored = %+v", got)
	}
}

func equalButtons(a, b [][]localapi.Button) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				return false
			}
		}
	}
	return true
}

func TestCallbackDataCountsBytes(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "hi")
	send := func(data string) error {
		m := tgbotapi.NewMessage(lan.ID, "chọn")
		m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("x", data)))
		_, err := bot.Send(m)
		return err
	}
	// 21 × "ế" is 63 bytes but only 21 characters.
	if err := send(strings.Repeat("ế", 21) + "a"); err != nil {
		t.Fatalf("64 bytes refused: %v", err)
	}
	wantRefused(t, send(strings.Repeat("ế", 21)+"ab"), 400, "Bad Request: BUTTON_DATA_INVALID")
	wantRefused(t, send(""), 400, "Text buttons are unallowed in the inline keyboard")
	if n := len(srv.BotMessages(lan.ID)); n != 1 {
		t.Fatalf("refused messages were stored: %d", n)
	}
}

func TestHTMLValidation(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "hi")
	send := func(text string) (tgbotapi.Message, error) {
		m := tgbotapi.NewMessage(lan.ID, text)
		m.ParseMode = tgbotapi.ModeHTML
		return bot.Send(m)
	}
	for _, bad := range []string{"a < b", "Tom & Jerry", "<p>đoạn</p>", "<b><i>x</b></i>", "<b>chưa đóng", "dòng<br>dòng", `<span>x</span>`} {
		_, err := send(bad)
		wantRefused(t, err, 400, "Bad Request: can't parse entities")
	}
	if _, err := send("a &lt; b"); err != nil {
		t.Fatal(err)
	}
	if got := srv.BotMessages(lan.ID); len(got) != 1 || got[0].PlainText != "a < b" || got[0].Text != "a &lt; b" {
		t.Fatalf("stored = %+v", got)
	}
	ok := `<a href="https://x.org/?a=1&amp;b=2">link</a> <pre><code class="language-go">x := 1</code></pre> <tg-spoiler>s</tg-spoiler> <blockquote expandable>q</blockquote> &#273;&#x1EBF; &quot;`
	sent, err := send(ok)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Text != `link x := 1 s q đế "` || sent.Entities[0].URL != "https://x.org/?a=1&b=2" || sent.Entities[1].Language != "go" {
		t.Fatalf("text %q entities %+v", sent.Text, sent.Entities)
	}
}

func TestTextLengthCountsCharacters(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "hi")
	send := func(text, mode string) error {
		m := tgbotapi.NewMessage(lan.ID, text)
		m.ParseMode = mode
		_, err := bot.Send(m)
		return err
	}
	ok := strings.Repeat("ế", 4096) // 12288 bytes
	if err := send(ok, ""); err != nil {
		t.Fatalf("4096 characters refused: %v", err)
	}
	wantRefused(t, send(ok+"ế", ""), 400, "Bad Request: message is too long")
	// Tags do not count; entities count as the character they stand for.
	if err := send("<b>"+strings.Repeat("&lt;", 4096)+"</b>", "HTML"); err != nil {
		t.Fatalf("4096 characters in HTML refused: %v", err)
	}
	// Outside the BMP a character is two UTF-16 code units.
	wantRefused(t, send(strings.Repeat("😀", 2049), ""), 400, "message is too long")
	wantRefused(t, send("  \n ", ""), 400, "Bad Request: message text is empty")
	wantRefused(t, send("<b></b>", "HTML"), 400, "message text is empty")
}

func TestEditMessageText(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "hi")
	kb := tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("OK", "ok")))
	m := tgbotapi.NewMessage(lan.ID, "<b>Đợt 1</b>")
	m.ParseMode = tgbotapi.ModeHTML
	m.ReplyMarkup = kb
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	// Same visible content, written differently: still not modified.
	same := tgbotapi.NewEditMessageTextAndMarkup(lan.ID, sent.MessageID, "<strong>Đợt 1</strong>", kb)
	same.ParseMode = tgbotapi.ModeHTML
	_, err = bot.Send(same)
	wantRefused(t, err, 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same")

	changed := tgbotapi.NewEditMessageTextAndMarkup(lan.ID, sent.MessageID, "<b>Đợt 2</b>", kb)
	changed.ParseMode = tgbotapi.ModeHTML
	if edited, err := bot.Send(changed); err != nil || edited.Text != "Đợt 2" || edited.EditDate == 0 {
		t.Fatalf("edit: %v %+v", err, edited)
	}
	got := srv.BotMessages(lan.ID)[0]
	if got.Edited != 1 || got.PlainText != "Đợt 2" || len(got.Buttons) != 1 {
		t.Fatalf("after edit = %+v", got)
	}
	// Without reply_markup the keyboard goes, so the same text is a change.
	noKB := tgbotapi.NewEditMessageText(lan.ID, sent.MessageID, "<b>Đợt 2</b>")
	noKB.ParseMode = tgbotapi.ModeHTML
	if _, err := bot.Send(noKB); err != nil {
		t.Fatal(err)
	}
	if got := srv.BotMessages(lan.ID)[0]; got.Buttons != nil || got.Edited != 2 {
		t.Fatalf("keyboard kept: %+v", got)
	}
	// A keyboard-only edit.
	if _, err := bot.Request(tgbotapi.NewEditMessageReplyMarkup(lan.ID, sent.MessageID, kb)); err != nil {
		t.Fatal(err)
	}
	_, err = bot.Request(tgbotapi.NewEditMessageReplyMarkup(lan.ID, sent.MessageID, kb))
	wantRefused(t, err, 400, "message is not modified")

	_, err = bot.Send(tgbotapi.NewEditMessageText(lan.ID, 1, "sửa tin của người khác"))
	wantRefused(t, err, 400, "Bad Request: message can't be edited")
	_, err = bot.Send(tgbotapi.NewEditMessageText(lan.ID, 999, "x"))
	wantRefused(t, err, 400, "Bad Request: message to edit not found")
}

func TestCallbackQueryAnsweredOnce(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "/start")
	m := tgbotapi.NewMessage(lan.ID, "Chọn")
	m.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData("Có", "yes")))
	sent, err := bot.Send(m)
	if err != nil {
		t.Fatal(err)
	}
	upID, cbID := srv.PressButton(lan, lan.ID, int64(sent.MessageID), "yes")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(upID)})
	if err != nil || len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("updates: %v %+v", err, ups)
	}
	cq := ups[0].CallbackQuery
	if cq.ID != cbID || cq.Data != "yes" || cq.From.ID != lan.ID || cq.Message.MessageID != sent.MessageID || cq.Message.Chat.ID != lan.ID || cq.ChatInstance == "" {
		t.Fatalf("callback = %+v", cq)
	}
	if got := cq.Message.ReplyMarkup; got == nil || *got.InlineKeyboard[0][0].CallbackData != "yes" {
		t.Fatalf("callback message lacks its keyboard: %+v", cq.Message)
	}
	_, err = bot.Request(tgbotapi.NewCallback(cq.ID, strings.Repeat("x", 201)))
	wantRefused(t, err, 400, "Bad Request")
	if _, err := bot.Request(tgbotapi.NewCallback(cq.ID, "ok")); err != nil {
		t.Fatal(err)
	}
	if a, ok := srv.Answer(cbID); !ok || a.Text != "ok" {
		t.Fatalf("answer = %+v %v", a, ok)
	}
	_, err = bot.Request(tgbotapi.NewCallback(cq.ID, "again"))
	wantRefused(t, err, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")

	_, forgotten := srv.PressButton(lan, lan.ID, 4242, "forged")
	if u := srv.Unanswered(); len(u) != 1 || u[0] != forgotten {
		t.Fatalf("unanswered = %v, want [%s]", u, forgotten)
	}
}

func testPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSendPhotoAndDocument(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "hi")
	data := testPNG(t)
	p := tgbotapi.NewPhoto(lan.ID, tgbotapi.FileBytes{Name: "bieu-do.png", Bytes: data})
	p.Caption = "<b>Tiến độ</b> tuần"
	p.ParseMode = tgbotapi.ModeHTML
	sent, err := bot.Send(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent.Photo) == 0 || sent.Photo[0].FileID == "" || sent.Photo[0].Width != 40 || sent.Caption != "Tiến độ tuần" {
		t.Fatalf("returned photo = %+v caption %q", sent.Photo, sent.Caption)
	}
	got := srv.BotMessages(lan.ID)[0]
	if got.Kind != "photo" || !bytes.Equal(got.Photo, data) || got.FileName != "bieu-do.png" || got.Caption != p.Caption || got.PlainCaption != "Tiến độ tuần" {
		t.Fatalf("stored photo = %+v", got)
	}
	// The file can be fetched the way the library links it.
	link, err := bot.GetFileDirectURL(sent.Photo[0].FileID)
	if err != nil {
		t.Fatal(err)
	}
	link = strings.Replace(link, "https://api.telegram.org", srv.URL(), 1)
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(body, data) {
		t.Fatalf("download %s: %d, %d bytes", link, resp.StatusCode, len(body))
	}
	// A file_id is reusable; bytes that are no image are refused, as Telegram does.
	if _, err := bot.Send(tgbotapi.NewPhoto(lan.ID, tgbotapi.FileID(sent.Photo[0].FileID))); err != nil {
		t.Fatalf("resend by file_id: %v", err)
	}
	_, err = bot.Send(tgbotapi.NewPhoto(lan.ID, tgbotapi.FileBytes{Name: "x.png", Bytes: []byte("not an image")}))
	if err == nil || !strings.Contains(err.Error(), "IMAGE_PROCESS_FAILED") {
		t.Fatalf("garbage photo: %v", err)
	}

	csv := []byte("hộ,số tiền\nA,100000\n")
	doc, err := bot.Send(tgbotapi.NewDocument(lan.ID, tgbotapi.FileBytes{Name: "bao-cao.csv", Bytes: csv}))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Document == nil || doc.Document.FileName != "bao-cao.csv" || doc.Document.FileSize != len(csv) {
		t.Fatalf("returned document = %+v", doc.Document)
	}
	last := srv.BotMessages(lan.ID)
	if d := last[len(last)-1]; d.Kind != "document" || !bytes.Equal(d.Document, csv) || d.FileName != "bao-cao.csv" {
		t.Fatalf("stored document = %+v", d)
	}
}

func TestResidentPhotoCanBeDownloaded(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendPhoto(lan, "biên lai")
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || len(ups[0].Message.Photo) == 0 || ups[0].Message.Caption != "biên lai" {
		t.Fatalf("photo update: %v %+v", err, ups)
	}
	f, err := bot.GetFile(tgbotapi.FileConfig{FileID: ups[0].Message.Photo[0].FileID})
	if err != nil || f.FilePath == "" || f.FileSize == 0 {
		t.Fatalf("getFile: %v %+v", err, f)
	}
	resp, err := http.Get(srv.URL() + "/file/bot" + token + "/" + f.FilePath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, _, err := image.Decode(resp.Body); err != nil {
		t.Fatalf("downloaded photo does not decode: %v", err)
	}
}

func TestSetMyCommands(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	_, err := bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "Start", Description: "Bắt đầu"}))
	wantRefused(t, err, 400, "Bad Request: BOT_COMMAND_INVALID")
	_, err = bot.Request(tgbotapi.NewSetMyCommands(tgbotapi.BotCommand{Command: "start", Description: ""}))
	wantRefused(t, err, 400, "BOT_COMMAND_DESCRIPTION_INVALID")

	cmds := []tgbotapi.BotCommand{{Command: "start", Description: "Bắt đầu"}, {Command: "dong_gop", Description: "Đóng góp"}}
	private := tgbotapi.NewBotCommandScopeAllPrivateChats()
	if _, err := bot.Request(tgbotapi.NewSetMyCommandsWithScopeAndLanguage(private, "vi", cmds...)); err != nil {
		t.Fatal(err)
	}
	got, err := bot.GetMyCommandsWithConfig(tgbotapi.GetMyCommandsConfig{Scope: &private, LanguageCode: "vi"})
	if err != nil || len(got) != 2 || got[1].Command != "dong_gop" {
		t.Fatalf("getMyCommands(private, vi) = %v %+v", err, got)
	}
	// Kept per scope and language: the default menu is still empty.
	if def, err := bot.GetMyCommands(); err != nil || len(def) != 0 {
		t.Fatalf("default commands = %v %+v", err, def)
	}
	if c := srv.Commands("all_private_chats", "vi"); len(c) != 2 || c[0] != (localapi.Command{Command: "start", Description: "Bắt đầu"}) {
		t.Fatalf("Commands = %+v", c)
	}
	many := make([]tgbotapi.BotCommand, 101)
	for i := range many {
		many[i] = tgbotapi.BotCommand{Command: "c" + strings.Repeat("x", i%30), Description: "d"}
	}
	_, err = bot.Request(tgbotapi.NewSetMyCommands(many...))
	wantRefused(t, err, 400, "Bad Request")
}

func TestWaitFor(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "/start")
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, _ = bot.Send(tgbotapi.NewMessage(lan.ID, "Chào mừng"))
		time.Sleep(50 * time.Millisecond)
		_, _ = bot.Send(tgbotapi.NewMessage(lan.ID, "Mời chọn khu phố"))
	}()
	m, err := srv.WaitFor(ctxTimeout(t, 3*time.Second), lan.ID, func(m localapi.Message) bool {
		return strings.Contains(m.PlainText, "khu phố")
	})
	if err != nil || m.PlainText != "Mời chọn khu phố" || !m.FromBot {
		t.Fatalf("WaitFor = %v %+v", err, m)
	}
	all, err := srv.WaitBotMessages(ctxTimeout(t, time.Second), lan.ID, 2)
	if err != nil || len(all) != 2 || all[0].PlainText != "Chào mừng" {
		t.Fatalf("WaitBotMessages = %v %+v", err, all)
	}
	_, err = srv.WaitFor(ctxTimeout(t, 150*time.Millisecond), lan.ID, func(m localapi.Message) bool { return m.PlainText == "never" })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("WaitFor without a match = %v", err)
	}
}

func TestWaitForSeesEdits(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "/start")
	sent, err := bot.Send(tgbotapi.NewMessage(lan.ID, "Đang tính…"))
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, _ = bot.Send(tgbotapi.NewEditMessageText(lan.ID, sent.MessageID, "Xong"))
	}()
	m, err := srv.WaitFor(ctxTimeout(t, 3*time.Second), lan.ID, func(m localapi.Message) bool { return m.PlainText == "Xong" })
	if err != nil || m.ID != int64(sent.MessageID) || m.Edited != 1 {
		t.Fatalf("WaitFor edit = %v %+v", err, m)
	}
}

func TestWhoTheBotMayWriteTo(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	_, err := bot.Send(tgbotapi.NewMessage(424242, "ai đó"))
	wantRefused(t, err, 400, "Bad Request: chat not found")

	// Minh is known from a group but never opened a private chat.
	srv.SendGroupText(localapi.Chat{ID: -500, Title: "Tổ 7"}, minh, "chào")
	_, err = bot.Send(tgbotapi.NewMessage(minh.ID, "chào Minh"))
	wantRefused(t, err, 403, "Forbidden: bot can't initiate conversation with a user")
	if _, err := bot.Send(tgbotapi.NewMessage(-500, "chào tổ")); err != nil {
		t.Fatalf("group send: %v", err)
	}

	srv.SendText(lan, "/start")
	if id := srv.Block(lan); id == 0 {
		t.Fatal("Block queued no my_chat_member")
	}
	_, err = bot.Send(tgbotapi.NewMessage(lan.ID, "còn đó không"))
	wantRefused(t, err, 403, "Forbidden: bot was blocked by the user")
	srv.SendText(lan, "/start")
	if _, err := bot.Send(tgbotapi.NewMessage(lan.ID, "chào lại")); err != nil {
		t.Fatalf("writing again should unblock: %v", err)
	}

	// Minh blocks and unblocks without ever writing: the chat exists now,
	// but he still has not started it.
	srv.Block(minh)
	srv.Unblock(minh)
	_, err = bot.Send(tgbotapi.NewMessage(minh.ID, "chào Minh"))
	wantRefused(t, err, 403, "Forbidden: bot can't initiate conversation with a user")

	srv.RemoveBotFromGroup(localapi.Chat{ID: -500}, minh)
	_, err = bot.Send(tgbotapi.NewMessage(-500, "tạm biệt"))
	wantRefused(t, err, 403, "Forbidden: bot is not a member of the group chat")
}

func TestParameterEncodings(t *testing.T) {
	srv := newServer(t)
	srv.SendText(lan, "hi")
	base := srv.URL() + "/bot" + token + "/"
	decode := func(resp *http.Response, err error) map[string]any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		if out["ok"] != true {
			t.Fatalf("refused: %v", out)
		}
		return out
	}
	// JSON body, with reply_markup as an object and chat_id as a number.
	body := `{"chat_id":111,"text":"qua JSON","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`
	decode(http.Post(base+"sendMessage", "application/json", strings.NewReader(body)))
	// Query string, method name in another case.
	decode(http.Get(base + "SENDMESSAGE?" + url.Values{"chat_id": {"111"}, "text": {"qua query"}}.Encode()))
	// Form body.
	decode(http.PostForm(base+"sendMessage", url.Values{"chat_id": {"111"}, "text": {"qua form"}}))
	got := srv.BotMessages(lan.ID)
	if len(got) != 3 || got[0].PlainText != "qua JSON" || got[0].Buttons[0][0].Data != "a" || got[1].PlainText != "qua query" || got[2].PlainText != "qua form" {
		t.Fatalf("messages = %+v", got)
	}
	// An error has Telegram's shape and the same HTTP status.
	resp, err := http.Post(base+"sendMessage", "application/json", strings.NewReader(`{"chat_id":111}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || strings.TrimSpace(string(raw)) != `{"ok":false,"error_code":400,"description":"Bad Request: message text is empty"}` {
		t.Fatalf("error answer: %d %s", resp.StatusCode, raw)
	}
}

func TestRedeliver(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	id := srv.SendText(lan, "một lần thôi")
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id) + 1}); err != nil || srv.Pending() != 0 {
		t.Fatalf("confirm: %v pending %d", err, srv.Pending())
	}
	if !srv.Redeliver(id) || srv.Redeliver(9999) {
		t.Fatal("Redeliver reports the wrong thing")
	}
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id) + 1})
	if err != nil || len(ups) != 1 || int64(ups[0].UpdateID) != id || ups[0].Message.Text != "một lần thôi" {
		t.Fatalf("redelivered: %v %+v", err, ups)
	}
	if ups, _ := bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id) + 1}); len(ups) != 0 {
		t.Fatalf("redelivered twice: %+v", ups)
	}
}

func TestAllowedUpdatesAreRemembered(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"message"}}); err != nil {
		t.Fatal(err)
	}
	// The library sends allowed_updates=null when unset: the setting stays.
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil {
		t.Fatal(err)
	}
	up, cb := srv.PressButton(lan, lan.ID, 1, "x")
	if up != 0 || srv.Pending() != 0 {
		t.Fatalf("callback_query delivered although not allowed: id %d pending %d", up, srv.Pending())
	}
	if u := srv.Unanswered(); len(u) != 1 || u[0] != cb {
		t.Fatalf("an undelivered press still spins: %v", u)
	}
	if _, err := bot.GetUpdates(tgbotapi.UpdateConfig{AllowedUpdates: []string{"message", "callback_query", "my_chat_member"}}); err != nil {
		t.Fatal(err)
	}
	if up, _ := srv.PressButton(lan, lan.ID, 1, "x"); up == 0 {
		t.Fatal("callback_query dropped after being allowed")
	}
}

func TestAddUpdate(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	id := srv.AddUpdate(map[string]any{
		"my_chat_member": map[string]any{
			"chat":            map[string]any{"id": -900, "type": "supergroup", "title": "Ban vận động"},
			"from":            map[string]any{"id": minh.ID, "is_bot": false, "first_name": "Minh"},
			"date":            time.Now().Unix(),
			"old_chat_member": map[string]any{"user": map[string]any{"id": localapi.DefaultBotID, "is_bot": true, "first_name": "Dân vận"}, "status": "left"},
			"new_chat_member": map[string]any{"user": map[string]any{"id": localapi.DefaultBotID, "is_bot": true, "first_name": "Dân vận"}, "status": "administrator"},
		},
	})
	ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	if err != nil || len(ups) != 1 || int64(ups[0].UpdateID) != id || ups[0].MyChatMember == nil || ups[0].MyChatMember.NewChatMember.Status != "administrator" {
		t.Fatalf("my_chat_member: %v %+v", err, ups)
	}
	// The update made the chat known, so the bot may write there.
	if _, err := bot.Send(tgbotapi.NewMessage(-900, "Cảm ơn đã thêm tôi")); err != nil {
		t.Fatal(err)
	}
	// A tgbotapi.Update value works too; the server fills update_id and message_id.
	id2 := srv.AddUpdate(tgbotapi.Update{UpdateID: 77, Message: &tgbotapi.Message{
		From: &tgbotapi.User{ID: minh.ID, FirstName: "Minh"}, Chat: &tgbotapi.Chat{ID: -900, Type: "supergroup"}, Text: "báo cáo"}})
	ups, err = bot.GetUpdates(tgbotapi.UpdateConfig{Offset: int(id) + 1})
	if err != nil || len(ups) != 1 || int64(ups[0].UpdateID) != id2 || id2 != id+1 || ups[0].Message.MessageID == 0 {
		t.Fatalf("added message: %v %+v", err, ups)
	}
	if h := srv.Messages(-900); len(h) != 2 || h[1].PlainText != "báo cáo" || h[1].FromBot {
		t.Fatalf("history = %+v", h)
	}
}

func TestFaultsAndInterceptor(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	srv.SendText(lan, "hi")
	srv.InjectFault("sendMessage", localapi.Fault{Status: 429, Description: "Too Many Requests: retry after 3", RetryAfter: 3})
	_, err := bot.Send(tgbotapi.NewMessage(lan.ID, "một"))
	if e := apiError(t, err); e.Code != 429 || e.RetryAfter != 3 {
		t.Fatalf("fault = %+v", e)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(lan.ID, "hai")); err != nil {
		t.Fatalf("fault used twice: %v", err)
	}
	// A proxy's HTML page is not JSON: the library fails to decode it.
	srv.InjectFault("*", localapi.Fault{Status: 502, RawBody: "<html>Bad Gateway</html>"})
	_, err = bot.Send(tgbotapi.NewMessage(lan.ID, "ba"))
	var apiErr *tgbotapi.Error
	if err == nil || errors.As(err, &apiErr) {
		t.Fatalf("502 page: %v", err)
	}
	var mu sync.Mutex
	seen := 0
	srv.SetInterceptor(func(c localapi.Call) *localapi.Fault {
		mu.Lock()
		defer mu.Unlock()
		if c.Method == "sendMessage" && c.Params["chat_id"] == "111" {
			seen++
			return &localapi.Fault{Status: 500, Description: "Internal Server Error"}
		}
		return nil
	})
	_, err = bot.Send(tgbotapi.NewMessage(lan.ID, "bốn"))
	wantRefused(t, err, 500, "Internal Server Error")
	if seen != 1 || len(srv.BotMessages(lan.ID)) != 1 {
		t.Fatalf("interceptor saw %d calls; %d messages stored", seen, len(srv.BotMessages(lan.ID)))
	}
	calls := srv.Calls()
	last := calls[len(calls)-1]
	if last.Method != "sendMessage" || last.Status != 500 || last.Params["text"] != "bốn" {
		t.Fatalf("last call = %+v", last)
	}
}

func TestWebhookExcludesPolling(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	wh, _ := tgbotapi.NewWebhook("https://bot.example.org/hook")
	if _, err := bot.Request(wh); err != nil {
		t.Fatal(err)
	}
	srv.SendText(lan, "hi")
	_, err := bot.GetUpdates(tgbotapi.UpdateConfig{})
	wantRefused(t, err, 409, "can't use getUpdates method while webhook is active")
	info, err := bot.GetWebhookInfo()
	if err != nil || info.URL != "https://bot.example.org/hook" || info.PendingUpdateCount != 1 {
		t.Fatalf("webhook info = %v %+v", err, info)
	}
	if _, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "https://bot.example.org/hook", "secret_token": "s3cr3t_-x"}); err != nil {
		t.Fatal(err)
	}
	if u, secret := srv.Webhook(); u == "" || secret != "s3cr3t_-x" {
		t.Fatalf("webhook = %q %q", u, secret)
	}
	if _, err := bot.Request(tgbotapi.DeleteWebhookConfig{}); err != nil {
		t.Fatal(err)
	}
	if ups, err := bot.GetUpdates(tgbotapi.UpdateConfig{}); err != nil || len(ups) != 1 {
		t.Fatalf("after deleteWebhook: %v %+v", err, ups)
	}
}

func TestSubscribe(t *testing.T) {
	srv := newServer(t)
	bot := newBot(t, srv)
	events, cancel := srv.Subscribe()
	defer cancel()
	srv.SendText(lan, "/start")
	if _, err := bot.Send(tgbotapi.NewMessage(lan.ID, "chào")); err != nil {
		t.Fatal(err)
	}
	var sawUpdate, sawBotMessage bool
	timeout := time.After(2 * time.Second)
	for !sawUpdate || !sawBotMessage {
		select {
		case ev := <-events:
			sawUpdate = sawUpdate || ev.Kind == localapi.EventUpdate
			sawBotMessage = sawBotMessage || (ev.Kind == localapi.EventMessage && ev.ChatID == lan.ID && ev.MessageID == 2)
		case <-timeout:
			t.Fatalf("events missing: update %v, bot message %v", sawUpdate, sawBotMessage)
		}
	}
	cancel()
	// Whatever was buffered drains, then the channel ends.
	for range events {
	}
}
