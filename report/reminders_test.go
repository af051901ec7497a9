package report_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/report"
	"github.com/danvan/danvan/setup"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
	"github.com/danvan/danvan/vietqr"
)

// remWard is the example ward (examples/quang-yen.yaml) in a database of
// its own: heads 100001 (Khu 1) and 100002 (Khu 3), 100009 (Khu 6) and
// 100006 (Thôn 1 of Liên Hòa), campaigns DIEUHOA and THIETBI among others.
type remWard struct {
	rules report.ReminderSettings // zero: report.DefaultReminders
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	n     int
}

var remLoc = time.FixedZone("ICT", 7*3600)

// remToday is the day the tests live on (a Sunday), at the heads' hour.
var remToday = time.Date(2026, 11, 29, 18, 0, 0, 0, remLoc)

func newRemWard(t *testing.T) *remWard {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewDB(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	db.Now = func() time.Time { return remToday }
	data, err := os.ReadFile("../examples/quang-yen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := setup.Parse("quang-yen.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := setup.Apply(ctx, tx, f); return err }); err != nil {
		t.Fatal(err)
	}
	return &remWard{t: t, ctx: ctx, db: db}
}

func (w *remWard) id(sql string, args ...any) int64 {
	w.t.Helper()
	var id int64
	if err := w.db.Pool.QueryRow(w.ctx, sql, args...).Scan(&id); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (w *remWard) exec(sql string, args ...any) {
	w.t.Helper()
	if _, err := w.db.Pool.Exec(w.ctx, sql, args...); err != nil {
		w.t.Fatalf("%s: %v", sql, err)
	}
}

// resident is a person of a zone (by code) with a Telegram chat, as they
// are after writing to the bot and choosing their zone.
func (w *remWard) resident(name, zone, lang string) danvan.Person {
	w.t.Helper()
	w.n++
	var p danvan.Person
	err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
		var err error
		p, err = tx.EnsurePerson(w.ctx, danvan.Identity{Channel: danvan.Telegram, Ref: strconv.Itoa(700000 + w.n)}, name, lang, 0)
		if err != nil {
			return err
		}
		a, err := tx.AreaByCode(w.ctx, zone)
		if err != nil {
			return err
		}
		p.HomeAreaID = a.ID
		return tx.SetHomeArea(w.ctx, p.ID, a.ID)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	if p.ChatID == 0 {
		w.t.Fatalf("resident %s has no chat", name)
	}
	return p
}

// chat is the private chat of the person with this Telegram id (a head of
// the example), where the bot writes to them on its own.
func (w *remWard) chat(telegramID int64) int64 {
	w.t.Helper()
	return w.id(`SELECT p.chat_id FROM people p JOIN identities i ON i.person_id = p.id
		WHERE i.channel = 'telegram' AND i.external_id = $1`, strconv.FormatInt(telegramID, 10))
}

// pledge pledges q to the campaign's money target, due `due` days after
// remToday (no due date when due is nil), and returns its code and id.
func (w *remWard) pledge(who danvan.Person, campaign string, q danvan.Quantity, due *int) (string, int64) {
	w.t.Helper()
	p := danvan.Pledge{PersonID: who.ID, Quantity: q}
	err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
		c, err := tx.CampaignByCode(w.ctx, campaign)
		if err != nil {
			return err
		}
		p.CampaignID = c.ID
		for _, tg := range c.Targets {
			if tg.Kind == danvan.KindMoney {
				p.TargetID = tg.ID
				break
			}
		}
		if due != nil {
			y, m, d := remToday.Date()
			p.Due = time.Date(y, m, d+*due, 0, 0, 0, 0, time.UTC)
		}
		return tx.CreatePledge(w.ctx, &p)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return p.Code, p.ID
}

func days(n int) *int { return &n }

func (w *remWard) reminderRules() report.ReminderSettings {
	if w.rules == (report.ReminderSettings{}) {
		return report.DefaultReminders
	}
	return w.rules
}

func (w *remWard) heads(slot time.Time) []danvan.Outgoing {
	w.t.Helper()
	var out []danvan.Outgoing
	err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
		var err error
		out, err = report.HeadReminders(w.ctx, tx, slot, remLoc, w.reminderRules(), flows.ReceiptButton)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func (w *remWard) residents(slot time.Time) []danvan.Outgoing {
	w.t.Helper()
	var out []danvan.Outgoing
	err := w.db.InTx(w.ctx, func(tx *store.Tx) error {
		var err error
		out, err = report.ResidentReminders(w.ctx, tx, slot, remLoc, w.reminderRules())
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// byChat gathers the texts and button data sent to each chat.
func byChat(out []danvan.Outgoing) (texts map[int64]string, buttons map[int64][]string) {
	texts, buttons = map[int64]string{}, map[int64][]string{}
	for _, o := range out {
		texts[o.ChatID] += o.Text
		for _, row := range o.Buttons {
			for _, b := range row {
				buttons[o.ChatID] = append(buttons[o.ChatID], b.Data)
			}
		}
	}
	return texts, buttons
}

// remPledgeCode lists the pledge codes (#CODE) a text names, sorted.
func remPledgeCode(s string) []string {
	var codes []string
	for _, f := range strings.Split(s, "#")[1:] {
		end := strings.IndexFunc(f, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') })
		if end < 0 {
			end = len(f)
		}
		codes = append(codes, f[:end])
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

func TestHeadRemindersDigestOfTheirZones(t *testing.T) {
	w := newRemWard(t)
	an := w.resident("Nguyễn Văn An", "YG-K1", "vi")
	binh := w.resident("Lê Thị <Bình>", "YG-K1", "vi")
	cuong := w.resident("Trần Cường", "YG-K3", "vi")
	dung := w.resident("Phạm Dũng", "YG-K2", "vi") // Khu 2 has no head

	soon, soonID := w.pledge(an, "DIEUHOA", 2_000_000, days(2))
	overdue, overdueID := w.pledge(binh, "THIETBI", 1_000_000, days(-5))
	w.exec(`UPDATE pledges SET received = 400000 WHERE id = $1`, overdueID) // partly received
	today, todayID := w.pledge(cuong, "DIEUHOA", 500_000, days(0))
	w.pledge(an, "THIETBI", 3_000_000, days(10)) // not due yet
	w.pledge(an, "DIEUHOA", 3_000_000, nil)      // no due date
	_, fulfilled := w.pledge(binh, "DIEUHOA", 200_000, days(1))
	w.exec(`UPDATE pledges SET received = quantity WHERE id = $1`, fulfilled)
	_, cancelled := w.pledge(cuong, "THIETBI", 200_000, days(1))
	w.exec(`UPDATE pledges SET cancelled_at = now() WHERE id = $1`, cancelled)
	w.pledge(dung, "DIEUHOA", 700_000, days(1)) // nobody heads Khu 2

	out := w.heads(remToday)
	texts, buttons := byChat(out)
	if len(texts) != 2 {
		t.Fatalf("digests went to %d chats, want the heads of Khu 1 and Khu 3: %v", len(texts), texts)
	}
	for _, o := range out {
		if !o.Broadcast || o.Kind != danvan.OutSend {
			t.Errorf("digest to %d: kind %q, broadcast %v", o.ChatID, o.Kind, o.Broadcast)
		}
	}
	wantCodes := func(chat int64, codes []string, ids []int64) {
		t.Helper()
		slices.Sort(codes)
		if got := remPledgeCode(texts[chat]); !slices.Equal(got, codes) {
			t.Errorf("digest to %d names %v, want exactly %v:\n%s", chat, got, codes, texts[chat])
		}
		var want []string
		for _, id := range ids {
			want = append(want, flows.ReceiptButton("", id).Data)
		}
		got := slices.Clone(buttons[chat])
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("digest to %d has buttons %v, want %v", chat, got, want)
		}
	}
	k1Head, k3Head := w.chat(100001), w.chat(100002)
	wantCodes(k1Head, []string{soon, overdue}, []int64{soonID, overdueID})
	wantCodes(k3Head, []string{today}, []int64{todayID})
	k1 := texts[k1Head]
	for _, want := range []string{"600.000 ₫", "quá hạn 5 ngày", "còn 2 ngày", "2.000.000 ₫", "Lê Thị &lt;Bình&gt;", "<code>THIETBI</code>"} {
		if !strings.Contains(k1, want) {
			t.Errorf("Khu 1's digest lacks %q:\n%s", want, k1)
		}
	}
	if !strings.Contains(texts[k3Head], "hạn hôm nay") {
		t.Errorf("Khu 3's digest does not say the pledge is due today:\n%s", texts[k3Head])
	}

	// A month earlier nothing was due: nothing is sent.
	if out := w.heads(remToday.AddDate(0, -1, 0)); len(out) != 0 {
		t.Errorf("with nothing due, %d messages: %+v", len(out), out)
	}
	// A head who blocked the bot is skipped; the others still hear.
	w.exec(`INSERT INTO unreachable_chats (chat_id, reason) VALUES ($1, 'blocked')`, k3Head)
	if texts, _ := byChat(w.heads(remToday)); len(texts) != 1 || texts[k1Head] == "" {
		t.Errorf("with Khu 3's head unreachable, digests to %v", texts)
	}
}

// A head with many pledges due gets the digest in several messages, each
// within Telegram's limits, each pledge's button with its line.
func TestHeadRemindersSplitLongDigest(t *testing.T) {
	w := newRemWard(t)
	who := w.resident(strings.Repeat("Nguyễn Thị Phương Thảo ", 4), "YG-K3", "vi")
	const n = 150
	for range n {
		w.pledge(who, "DIEUHOA", 100_000, days(1))
	}
	out := w.heads(remToday)
	if len(out) < 2 {
		t.Fatalf("%d pledges fit in %d message(s)", n, len(out))
	}
	seen := map[string]bool{}
	k3Head := w.chat(100002)
	for _, o := range out {
		if o.ChatID != k3Head {
			t.Errorf("message to %d", o.ChatID)
		}
		if l := len(utf16.Encode([]rune(o.Text))); l > 4096 {
			t.Errorf("message of %d UTF-16 units", l)
		}
		codes := remPledgeCode(o.Text)
		var data []string
		for _, row := range o.Buttons {
			if len(row) > 8 {
				t.Errorf("a row of %d buttons", len(row))
			}
			for _, b := range row {
				data = append(data, b.Data)
				if !strings.Contains(o.Text, strings.TrimPrefix(b.Text, "✅ ")) {
					t.Errorf("button %q is not on the message that lists its pledge", b.Text)
				}
			}
		}
		if len(data) != len(codes) || len(data) > 100 {
			t.Errorf("a message lists %d pledges with %d buttons", len(codes), len(data))
		}
		for _, c := range codes {
			if seen[c] {
				t.Errorf("pledge #%s listed twice", c)
			}
			seen[c] = true
		}
	}
	if len(seen) != n {
		t.Errorf("%d pledges listed, want %d", len(seen), n)
	}
}

// remindedOn runs the residents' reminders at 18:00 each day from first to
// last and returns, per chat, the days (as "02/01") it was reminded.
func (w *remWard) remindedOn(first, last time.Time, between func(day time.Time)) map[int64][]string {
	w.t.Helper()
	got := map[int64][]string{}
	for day := first; !day.After(last); day = day.AddDate(0, 0, 1) {
		if between != nil {
			between(day)
		}
		for _, o := range w.residents(day) {
			if o.Kind == danvan.OutSend { // the transfer codes go with the text
				got[o.ChatID] = append(got[o.ChatID], day.Format("02/01"))
			}
		}
	}
	return got
}

func TestResidentRemindersStopAfterTheSetCount(t *testing.T) {
	w := newRemWard(t)
	an := w.resident("Nguyễn Văn An", "YG-K1", "vi")
	lan := w.resident("Lan Smith", "YG-K1", "en")
	code, _ := w.pledge(an, "DIEUHOA", 2_000_000, days(11)) // due 10/12
	w.pledge(an, "THIETBI", 1_000_000, nil)                 // no date of its own: due when THIETBI ends, 31/12
	w.pledge(lan, "THIETBI", 500_000, days(1))              // due 30/11: already within three days

	all := w.residents(remToday)
	if len(all) != 2 || all[1].Kind != danvan.OutPhoto || all[1].ChatID != lan.ChatID {
		t.Fatalf("first day: %d messages, want Lan's reminder and its transfer code", len(all))
	}
	first := all[:1]
	if first[0].Kind != danvan.OutSend || first[0].ChatID != lan.ChatID || !first[0].Broadcast {
		t.Fatalf("first day: %+v, want one broadcast to Lan", first)
	}
	for _, want := range []string{"500.000 ₫ still open", "due tomorrow", "/reminders off"} {
		if !strings.Contains(first[0].Text, want) {
			t.Errorf("Lan's reminder (in English) lacks %q:\n%s", want, first[0].Text)
		}
	}

	got := w.remindedOn(remToday.AddDate(0, 0, 1), remToday.AddDate(0, 3, 0), nil)
	// Each pledge 3 days before its date, then weekly, 3 times: DIEUHOA's
	// from 07/12, THIETBI's (its campaign's end) from 28/12.
	if want := []string{"07/12", "14/12", "21/12", "28/12", "04/01", "11/01"}; !slices.Equal(got[an.ChatID], want) {
		t.Errorf("An was reminded on %v, want %v (3 days before, then weekly, 3 times)", got[an.ChatID], want)
	}
	if want := []string{"06/12", "13/12"}; !slices.Equal(got[lan.ChatID], want) {
		t.Errorf("Lan was reminded on %v after 29/11, want %v", got[lan.ChatID], want)
	}
	var sent int64
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT sent FROM pledge_reminders r JOIN pledges p ON p.id = r.pledge_id WHERE p.code = $1`, code).Scan(&sent); err != nil || sent != 3 {
		t.Errorf("An's pledge counted %d reminders (err %v), want 3", sent, err)
	}
}

func TestResidentRemindersTurnedOffAndOn(t *testing.T) {
	w := newRemWard(t)
	an := w.resident("Nguyễn Văn An", "YG-K1", "vi")
	binh := w.resident("Lê Bình", "YG-K3", "vi")
	code, _ := w.pledge(an, "DIEUHOA", 2_000_000, days(3)) // due 02/12
	_, paid := w.pledge(binh, "DIEUHOA", 1_000_000, days(3))

	first := w.residents(remToday)
	texts, _ := byChat(first)
	if len(texts) != 2 {
		t.Fatalf("first reminders went to %d chats, want 2", len(texts))
	}
	// DIEUHOA takes transfers: each reminder carries the VietQR code that
	// pays what is open, with the pledge code in its memo.
	wantQR, memo, err := vietqr.ForPledge(danvan.BankAccount{BIN: "970436", Account: "0011001234567"}, "DIEUHOA", code, 2_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var qrs int
	for _, o := range first {
		if o.Kind == danvan.OutPhoto && o.ChatID == an.ChatID {
			qrs++
			if !bytes.Equal(o.Photo, wantQR) || !strings.Contains(o.Text, memo) || !strings.Contains(o.Text, "2.000.000 ₫") {
				t.Errorf("An's transfer code is not the one for 2.000.000 ₫ with memo %q: %q", memo, o.Text)
			}
		}
	}
	if qrs != 1 {
		t.Errorf("An's reminder came with %d transfer codes, want 1", qrs)
	}
	for _, want := range []string{"#" + code, "2.000.000 ₫ chưa nộp", "/nhacnho tat"} {
		if !strings.Contains(texts[an.ChatID], want) {
			t.Errorf("An's reminder lacks %q:\n%s", want, texts[an.ChatID])
		}
	}
	// An turns reminders off, as /nhacnho tat does; Bình pays in full.
	setOff := func(off bool) {
		t.Helper()
		if err := w.db.InTx(w.ctx, func(tx *store.Tx) error { return tx.SetRemindersOff(w.ctx, an.ID, off) }); err != nil {
			t.Fatal(err)
		}
	}
	setOff(true)
	w.exec(`UPDATE pledges SET received = quantity WHERE id = $1`, paid)
	got := w.remindedOn(remToday.AddDate(0, 0, 1), remToday.AddDate(0, 0, 20), nil)
	if len(got) != 0 {
		t.Errorf("reminded while off or paid: %v", got)
	}
	// Back on (/nhacnho bat): the weekly reminders resume, up to the count.
	setOff(false)
	got = w.remindedOn(remToday.AddDate(0, 0, 21), remToday.AddDate(0, 2, 0), nil)
	if want := []string{"20/12", "27/12"}; !slices.Equal(got[an.ChatID], want) {
		t.Errorf("after turning back on, An was reminded on %v, want %v", got[an.ChatID], want)
	}
	if len(got) != 1 {
		t.Errorf("reminders to %v, want An only", got)
	}
}

// Other rules, as DANVAN_REMIND_* set them: one day before, then every
// other day, twice at most; heads hear of pledges due within a week.
func TestRemindersFollowTheRules(t *testing.T) {
	w := newRemWard(t)
	w.rules = report.ReminderSettings{HeadWithinDays: 7, BeforeDays: 1, EveryDays: 2, Times: 2}
	an := w.resident("Nguyễn Văn An", "YG-K1", "vi")
	w.pledge(an, "DIEUHOA", 2_000_000, days(11)) // due 10/12
	got := w.remindedOn(remToday, remToday.AddDate(0, 1, 0), nil)
	if want := []string{"09/12", "11/12"}; !slices.Equal(got[an.ChatID], want) {
		t.Errorf("An was reminded on %v, want %v", got[an.ChatID], want)
	}
	k1Head := w.chat(100001)
	if texts, _ := byChat(w.heads(remToday.AddDate(0, 0, 4))); !strings.Contains(texts[k1Head], "Nguyễn Văn An") {
		t.Errorf("the head of Khu 1 did not hear of a pledge due in 7 days:\n%v", texts)
	}
	if texts, _ := byChat(w.heads(remToday.AddDate(0, 0, 3))); texts[k1Head] != "" {
		t.Errorf("the head of Khu 1 heard of a pledge due in 8 days:\n%s", texts[k1Head])
	}
}
