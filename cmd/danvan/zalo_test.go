package main

import (
	"bytes"
	"context"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/danvan/danvan/bot/zalo"
	zalolocal "github.com/danvan/danvan/bot/zalo/localapi"
	"github.com/danvan/danvan/vietqr"
)

const zaloTestToken = "9876:zalo-TEST-token-never-logged"

// zaloWorld is a bot serving Telegram and Zalo at once, each through its
// local API, with serve's HTTP server as the public address Zalo fetches
// pictures from.
type zaloWorld struct {
	*world
	zl *zalolocal.Server
}

func newZaloWorld(t *testing.T, env map[string]string, opts ...zalolocal.Option) *zaloWorld {
	t.Helper()
	w := newBareWorld(t)
	zl, err := zalolocal.New(zaloTestToken, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(zl.Close)
	addr := freeAddr(t)
	w.env = map[string]string{
		"ZALO_TOKEN":              zaloTestToken,
		"ZALO_API_URL":            zl.Endpoint(),
		"DANVAN_HTTP_ADDR":        addr,
		"DANVAN_PUBLIC_URL":       "http://" + addr,
		"DANVAN_ZALO_RATE_CHAT":   "50",
		"DANVAN_ZALO_RATE_GLOBAL": "100",
	}
	for k, v := range env {
		w.env[k] = v
	}
	w.start()
	t.Cleanup(func() {
		if strings.Contains(w.logs.String(), zaloTestToken) {
			t.Error("the Zalo token appears in the logs")
		}
	})
	return &zaloWorld{world: w, zl: zl}
}

// zaloResident is a person chatting with the bot on Zalo, in private.
type zaloResident struct {
	w    *zaloWorld
	user zalolocal.User
	seen int
}

func (w *zaloWorld) zaloResident(name string) *zaloResident {
	return &zaloResident{w: w, user: zalolocal.NewUser(name)}
}

func (r *zaloResident) send(text string) string { return r.w.zl.SendText(r.user, text) }

// expect waits for the next bot message containing want and returns it.
func (r *zaloResident) expect(want string) zalolocal.Message {
	r.w.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		msgs := r.w.zl.BotMessages(r.user.ID)
		for i := r.seen; i < len(msgs); i++ {
			if strings.Contains(msgs[i].Text, want) {
				r.seen = i + 1
				return msgs[i]
			}
		}
		if time.Now().After(deadline) {
			var got []string
			for _, m := range msgs[min(r.seen, len(msgs)):] {
				got = append(got, m.Text)
			}
			r.w.t.Fatalf("%s on Zalo: no bot message containing %q; new messages: %q", r.user.Name, want, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// key is the key the last list shown gives to the option whose label
// contains label ("2", or "b" in a lettered list).
func key(m zalolocal.Message, label string) string {
	for _, line := range strings.Split(m.Text, "\n") {
		k, rest, ok := strings.Cut(line, ". ")
		if ok && len(k) <= 2 && strings.Contains(rest, label) {
			return k
		}
	}
	return "no option " + label
}

// A resident on Zalo finds the bot by typing her zone's code, pledges by
// typing the numbers of the lists she is shown, and again in one line; she
// gets the VietQR picture from the address serve gives Zalo, and is
// thanked when the head of her zone confirms the money from Telegram.
func TestZaloResident(t *testing.T) {
	w := newZaloWorld(t, nil)
	an := w.zaloResident("Trần Thị An")
	an.send("khu YG-K1")
	an.expect("Khu 1")
	an.expect("Các chiến dịch đang vận động")

	an.send("ungho")
	list := an.expect("Bạn muốn ủng hộ chiến dịch nào?")
	if !strings.Contains(list.Text, "1. Lắp điều hòa") || !strings.Contains(list.Text, "Trả lời bằng số") {
		t.Fatalf("the campaigns are not a numbered list:\n%s", list.Text)
	}
	an.send(key(list, "Lắp điều hòa"))
	what := an.expect("Bạn muốn ủng hộ gì?")
	an.send(key(what, "Tiền"))
	amount := an.expect("Bạn ủng hộ bao nhiêu?")
	// A typed number is an amount here, so the quick amounts have letters.
	if k := key(amount, "500.000 ₫"); k != "b" {
		t.Fatalf("the quick amounts are not lettered (500.000 ₫ is %q):\n%s", k, amount.Text)
	}
	an.send("b")
	due := an.expect("Bạn định nộp vào khi nào?")
	an.send(key(due, "Không hẹn ngày"))
	an.expect("Xác nhận đăng ký ủng hộ")
	an.send("Đồng ý, ghi tên tôi") // the label, typed, stands for the option
	code := zaloPledgeCode(t, an.expect("Cảm ơn bạn!"))
	qr := an.expect("VietQR")
	checkQR(t, qr, code, 500000)
	// The confirmation was answered: its list is old now, and its number
	// is refused as an old button is.
	an.send("1")
	an.expect("cũ")
	if n := w.query(`SELECT count(*) FROM pledges p JOIN identities i ON i.person_id = p.person_id
		WHERE i.channel = 'zalo' AND i.external_id = $1`, an.user.ID); n != 1 {
		t.Fatalf("%d pledges by An, want 1", n)
	}

	// The same in one line; a list's old number does nothing more.
	an.send("ungho DIEUHOA 2tr")
	second := zaloPledgeCode(t, an.expect("Cảm ơn bạn!"))
	checkQR(t, an.expect("VietQR"), second, 2000000)

	// The head of Khu 1 confirms on Telegram that An paid.
	hoa := w.resident(100001, "Hoa", "vi")
	hoa.send("/xacnhan " + code)
	hoa.expect("Đã ghi nhận")
	an.expect("Đã nhận 500.000 ₫ cho khoản #" + code)
	if n := w.query(`SELECT count(*) FROM receipts r JOIN pledges p ON p.id = r.pledge_id WHERE p.code = $1`, code); n < 1 {
		t.Fatalf("no receipt recorded for %s", code)
	}
}

// zaloPledgeCode is the pledge code a thank-you names.
func zaloPledgeCode(t *testing.T, m zalolocal.Message) string {
	t.Helper()
	sm := pledgeCodeRE.FindStringSubmatch(m.Text)
	if sm == nil {
		t.Fatalf("no pledge code in %q", m.Text)
	}
	return sm[1]
}

// checkQR decodes the picture Zalo fetched and checks it pays amount into
// DIEUHOA's account with the pledge's memo.
func checkQR(t *testing.T, m zalolocal.Message, code string, amount int64) {
	t.Helper()
	if len(m.Photo) == 0 {
		t.Fatalf("the QR message has no picture fetched from its address (%q): %q", m.PhotoURL, m.Text)
	}
	img, err := png.Decode(bytes.NewReader(m.Photo))
	if err != nil {
		t.Fatalf("the QR picture: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("the QR picture does not decode: %v", err)
	}
	want, err := vietqr.Payload(vietqr.Transfer{BIN: "970436", Account: "0011001234567", Amount: amount, Purpose: vietqr.Memo("DIEUHOA", code)})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.GetText(); got != want {
		t.Errorf("the QR code says\n%s\nwant\n%s", got, want)
	}
	if !strings.HasPrefix(m.PhotoURL, "http://127.0.0.1:") || !strings.Contains(m.PhotoURL, "/media/") {
		t.Errorf("the picture's address %q is not under DANVAN_PUBLIC_URL", m.PhotoURL)
	}
}

// With a webhook, an update Zalo delivers twice is applied once, and a
// delivery without the secret, or with a wrong one, is refused with 401.
func TestZaloWebhook(t *testing.T) {
	addr := freeAddr(t)
	w := newZaloWorld(t, map[string]string{
		"DANVAN_HTTP_ADDR":           addr,
		"DANVAN_PUBLIC_URL":          "http://" + addr,
		"DANVAN_ZALO_WEBHOOK_URL":    "http://" + addr + "/zalo",
		"DANVAN_ZALO_WEBHOOK_SECRET": "zalo-webhook-secret-1",
	})
	an := w.zaloResident("Lê Văn An")
	// The webhook is set once serve has started.
	deadline := time.Now().Add(20 * time.Second)
	for url, _ := w.zl.Webhook(); url == ""; url, _ = w.zl.Webhook() {
		if time.Now().After(deadline) {
			t.Fatal("serve did not set the Zalo webhook")
		}
		time.Sleep(20 * time.Millisecond)
	}
	an.send("khu YG-K1")
	an.expect("Khu 1")
	// /healthz and /metrics tell each channel apart.
	status, report, err := health(addr)
	if err != nil || status != 200 || report["zalo intake"].Detail != "webhook" || !report["telegram intake"].OK || !report["zalo sender"].OK {
		t.Errorf("/healthz %d %v %v, want both channels, Zalo's by webhook", status, report, err)
	}
	if n, err := metric(addr, "danvan_updates_total", `channel="zalo"`); err != nil || n < 1 {
		t.Errorf("/metrics counts %v Zalo updates (%v)", n, err)
	}
	id := an.send("ungho DIEUHOA 300k")
	an.expect("Cảm ơn bạn!")
	if !w.zl.Redeliver(id) {
		t.Fatal("the local Zalo API could not deliver the update again")
	}
	deadline = time.Now().Add(20 * time.Second)
	for delivered(w.zl, id) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the update was not delivered a second time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := w.query(`SELECT count(*) FROM pledges WHERE quantity = 300000`); n != 1 {
		t.Errorf("%d pledges after the update came twice, want 1", n)
	}
	if n := w.query(`SELECT count(*) FROM processed_keys WHERE channel = 'zalo' AND key = $1`, id); n != 1 {
		t.Errorf("the message id is recorded %d times, want once", n)
	}
	body := []byte(`{"event_name":"message.text.received","message":{"message_id":"forged1","date":1766619597466,
		"chat":{"id":"` + an.user.ID + `","chat_type":"PRIVATE"},"from":{"id":"` + an.user.ID + `","display_name":"An"},"text":"ungho DIEUHOA 9tr"}}`)
	for _, secret := range []string{"", "wrong-secret-123"} {
		status, err := w.zl.DeliverWebhook(body, secret)
		if err != nil || status != 401 {
			t.Errorf("a delivery with secret %q: %d %v, want 401", secret, status, err)
		}
	}
	for _, bad := range []string{`not json`, `{"event_name":"message.text.received","message":{"message_id":7,"chat":{"id":"x"},"from":{"id":"y"}}}`} {
		status, err := w.zl.DeliverWebhook([]byte(bad), "zalo-webhook-secret-1")
		if err != nil || status != 400 {
			t.Errorf("a body %q: %d %v, want 400", bad, status, err)
		}
	}
	if n := w.query(`SELECT count(*) FROM pledges WHERE quantity = 9000000`); n != 0 {
		t.Errorf("a forged delivery recorded %d pledges", n)
	}
}

// delivered counts the webhook deliveries of message id that were answered
// 200.
func delivered(zl *zalolocal.Server, id string) int {
	n := 0
	for _, d := range zl.WebhookDeliveries() {
		if d.MessageID == id && d.Status == 200 {
			n++
		}
	}
	return n
}

// What Zalo sends that is not an answer gets a short answer or nothing,
// changes nothing, and the bot goes on answering.
func TestZaloBadInput(t *testing.T) {
	w := newZaloWorld(t, nil)
	an := w.zaloResident("Phạm Thị An")
	an.send("khu YG-K1")
	an.expect("Khu 1")
	an.send("ungho")
	list := an.expect("Bạn muốn ủng hộ chiến dịch nào?")
	an.send("99") // no such option: text, which the question does not take
	w.zl.SendSticker(an.user)
	w.zl.SendUnsupported(an.user) // a file: Zalo does not bring it to bots
	an.expect("không chuyển tệp đến bot")
	w.zl.SendImage(an.user, "http://127.0.0.1:1/nothing.png", "ảnh")
	w.zl.AddUpdate([]byte(`{"event_name":"message.text.received","message":{"message_id":"m-no-ids","text":"ungho DIEUHOA 1tr"}}`))
	w.zl.AddUpdate([]byte(`{"event_name":"message.seen","message":{"message_id":"m-seen","chat":{"id":"c"},"from":{"id":"c"}}}`))
	an.send(strings.Repeat("dài ", 600))
	// Still answering, and the list still open: its number is a press.
	an.send(key(list, "Lắp điều hòa"))
	an.expect("Bạn muốn ủng hộ gì?")
	if n := w.query(`SELECT count(*) FROM pledges`); n != 0 {
		t.Errorf("%d pledges from bad input", n)
	}
	if n := w.query(`SELECT count(*) FROM people WHERE name = '#zalo:c'`); n != 0 {
		t.Error("an event danvan does not act on made a person")
	}
}

// A weekly summary longer than Zalo takes arrives in parts under 2,000
// characters, in order, with nothing lost; a resident who follows a
// campaign on Zalo gets its summary in private.
func TestZaloSummaryInParts(t *testing.T) {
	w := newZaloWorld(t, nil)
	mai := w.zaloResident("Đỗ Thị Mai")
	mai.send("theodoi LED")
	mai.expect("LED")
	// Pledges in two zones make the summary say more.
	for i, zone := range []string{"YG-K1", "YG-K3"} {
		r := w.resident(int64(330001+i), "Người "+zone, "vi")
		r.send("/start z_" + zone)
		r.expect("Các chiến dịch đang vận động")
		for _, code := range []string{"DIEUHOA", "LED", "SANNHA", "THAMHOI"} {
			r.send("/ungho " + code + " 1tr")
			r.expect("Cảm ơn bạn!")
		}
	}
	group := zalolocal.Chat{ID: "group-khu1-zalo", Group: true, Title: "Ban vận động khu 1"}
	cuong := zalolocal.NewUser("Cường")
	w.zl.SendGroupText(group, cuong, "tongket DIEUHOA")
	if _, err := w.zl.WaitBotMessages(context.Background(), group.ID, 1); err != nil {
		t.Fatal(err)
	}
	// Linked to the ward and every campaign, as a committee's group is:
	// the summary has a part for each, and one per zone.
	w.query(`WITH g AS (INSERT INTO groups (chat_id, title, area_id) SELECT id, 'Ban vận động khu 1', (SELECT id FROM areas WHERE code = 'YG')
			FROM chats WHERE channel = 'zalo' AND external_id = $1
			ON CONFLICT (chat_id) DO UPDATE SET area_id = EXCLUDED.area_id RETURNING chat_id),
		l AS (INSERT INTO group_campaigns (chat_id, campaign_id) SELECT c.id, k.id FROM chats c, campaigns k
			WHERE c.channel = 'zalo' AND c.external_id = $1 AND k.status = 'active' RETURNING 1)
		SELECT count(*) FROM l`, group.ID)
	before := len(w.zl.BotMessages(group.ID))
	last := w.query(`SELECT coalesce(max(id), 0) FROM outbox`)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"jobs", "run", "weekly_summary"}, w.getenv, &out, w.logger()); err != nil {
		t.Fatal(err)
	}
	texts := w.outboxTexts(group.ID, last)
	want := strings.Join(strings.Fields(zalo.PlainText(strings.Join(texts, "\n"))), " ")
	if utf8.RuneCountInString(want) <= 2000 {
		t.Fatalf("the summary is %d characters: too short to need parts:\n%s", utf8.RuneCountInString(want), strings.Join(texts, "\n---\n"))
	}
	summary := mai.expect("Tổng kết tuần")
	if !strings.Contains(summary.Text, "LED") || strings.Contains(summary.Text, "DIEUHOA") {
		t.Errorf("the follower's summary is not LED's alone:\n%s", summary.Text)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		var parts []string
		for _, m := range w.zl.BotMessages(group.ID)[before:] {
			if n := utf8.RuneCountInString(m.Text); n > 2000 {
				t.Fatalf("a part of %d characters", n)
			}
			if m.Kind == "text" {
				parts = append(parts, m.Text)
			}
		}
		got := strings.Join(strings.Fields(strings.Join(parts, "\n")), " ")
		if got == want && len(parts) > len(texts) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the group got %d parts for %d messages:\n%s\n\nwant:\n%s", len(parts), len(texts), got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// outboxTexts are the texts queued as messages (not pictures) to a Zalo
// chat after outbox row after, oldest first.
func (w *world) outboxTexts(ref string, after int64) []string {
	w.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, w.dbURL)
	if err != nil {
		w.t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT o.payload->>'text' FROM outbox o JOIN chats c ON c.id = o.chat_id
		WHERE c.channel = 'zalo' AND c.external_id = $1 AND o.payload->>'kind' = 'send' AND o.id > $2 ORDER BY o.id`, ref, after)
	if err != nil {
		w.t.Fatal(err)
	}
	texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		w.t.Fatal(err)
	}
	return texts
}

// A person who pledged on Telegram and on Zalo joins the two accounts with
// a code shown on one and typed on the other; afterwards /cuatoi shows the
// pledges of both, on either app.
func TestZaloLinkAccounts(t *testing.T) {
	w := newZaloWorld(t, nil)
	lan := w.resident(300061, "Lan", "vi")
	lan.send("/start z_YG-K1")
	lan.expect("Các chiến dịch đang vận động")
	lan.send("/ungho DIEUHOA 500k")
	onTelegram := pledgeCode(t, lan.expect("Cảm ơn bạn!"))
	zlan := w.zaloResident("Lan trên Zalo")
	zlan.send("khu YG-K1")
	zlan.expect("Khu 1")
	zlan.send("ungho LED 200k")
	onZalo := zaloPledgeCode(t, zlan.expect("Cảm ơn bạn!"))

	lan.send("/taikhoan")
	sm := linkCodeRE.FindStringSubmatch(lan.expect("Tài khoản của bạn").PlainText)
	if sm == nil {
		t.Fatal("/taikhoan shows no code")
	}
	zlan.send("taikhoan " + sm[1] + "x") // a typo: refused, nothing joined
	zlan.expect("8 chữ số")
	zlan.send("taikhoan " + sm[1])
	zlan.expect("Đã nối")
	lan.expect("vừa được nối")
	if n := w.query(`SELECT count(DISTINCT person_id) FROM identities WHERE (channel, external_id) IN (('telegram', '300061'), ('zalo', $1))`, zlan.user.ID); n != 1 {
		t.Fatalf("the two accounts are %d people, want 1", n)
	}
	zlan.send("cuatoi")
	mine := zlan.expect("#" + onTelegram)
	if !strings.Contains(mine.Text, "#"+onZalo) {
		t.Errorf("/cuatoi on Zalo lacks the Zalo pledge #%s:\n%s", onZalo, mine.Text)
	}
	lan.send("/cuatoi")
	if m := lan.expect("#" + onZalo); !strings.Contains(m.PlainText, "#"+onTelegram) {
		t.Errorf("/cuatoi on Telegram lacks #%s:\n%s", onTelegram, m.PlainText)
	}
	// The same code again: used.
	zlan.send("taikhoan " + sm[1])
	zlan.expect("đã được dùng")
}

var linkCodeRE = regexp.MustCompile(`taikhoan (\d{4} \d{4})`)
