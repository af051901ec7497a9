package report_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/store"
)

// follow makes person follow the campaigns, as /theodoi does, and returns
// their private chat.
func (f *fixture) follow(person int64, campaigns ...int64) int64 {
	f.tb.Helper()
	err := f.db.InTx(f.ctx, func(tx *store.Tx) error {
		for _, c := range campaigns {
			if _, err := tx.Follow(f.ctx, person, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		f.tb.Fatal(err)
	}
	return f.id(`SELECT chat_id FROM people WHERE id = $1`, person)
}

// A follower of the committee's two campaigns gets, in private at Monday
// 08:00, the very summary the committee's group gets: text and chart.
func TestFollowerGetsTheGroupsSummary(t *testing.T) {
	f := newTwoCampaigns(t)
	chat := f.follow(f.person("Vũ Văn Sơn", f.k2), f.dieuhoa, f.thietbi)
	out := f.summaries(monday, false)

	got, want := texts(out, chat), texts(out, committee)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("the follower got %q, the group %q", got, want)
	}
	gp, wp := photos(out, chat), photos(out, committee)
	if len(gp) != 1 || len(wp) != 1 || !bytes.Equal(gp[0], wp[0]) {
		t.Errorf("the follower got %d charts, the group %d; the same one: %v", len(gp), len(wp), len(gp) == 1 && len(wp) == 1 && bytes.Equal(gp[0], wp[0]))
	}
	for _, o := range out {
		if o.ChatID == chat && !o.Broadcast {
			t.Errorf("a summary message to the follower is not a broadcast: %+v", o)
		}
	}
}

// Followers get their summary at Monday 08:00 only (or when asked for),
// in their own language, not once they unfollowed nor while they block
// the bot.
func TestFollowerSummarySchedule(t *testing.T) {
	f := newTwoCampaigns(t)
	son := f.person("Vũ Văn Sơn", f.k2)
	sonChat := f.follow(son, f.thietbi)
	ann := f.person("Ann", 0)
	f.exec(`UPDATE people SET lang = 'en' WHERE id = $1`, ann)
	annChat := f.follow(ann, f.dieuhoa)
	left := f.person("Đã bỏ", 0)
	leftChat := f.follow(left, f.dieuhoa)
	blocked := f.person("Đã chặn", 0)
	blockedChat := f.follow(blocked, f.dieuhoa)
	f.exec(`INSERT INTO unreachable_chats (chat_id, reason) VALUES ($1, 'blocked')`, blockedChat)
	err := f.db.InTx(f.ctx, func(tx *store.Tx) error {
		_, err := tx.Unfollow(f.ctx, left, f.dieuhoa)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Sunday 08:00 and Monday 09:00 are not the followers' time.
	for _, slot := range []time.Time{monday.Add(-24 * time.Hour), monday.Add(time.Hour)} {
		for _, o := range f.summaries(slot, false) {
			if o.ChatID != committee && o.ChatID != -1009 {
				t.Errorf("%s: a summary went to chat %d", slot, o.ChatID)
			}
		}
	}

	out := f.summaries(monday, false)
	son1 := texts(out, sonChat)
	if len(son1) != 1 || !strings.Contains(son1[0], "<code>THIETBI</code>") || strings.Contains(son1[0], "DIEUHOA") {
		t.Errorf("Sơn follows THIETBI and got %q", son1)
	}
	if ts := texts(out, annChat); len(ts) != 1 || !strings.Contains(ts[0], "Weekly summary") || !strings.Contains(ts[0], "code <code>DIEUHOA</code>") {
		t.Errorf("Ann got %q, want DIEUHOA's summary in English", ts)
	}
	if len(texts(out, leftChat)) != 0 || len(photos(out, leftChat)) != 0 {
		t.Error("a summary went to someone who unfollowed")
	}
	if len(texts(out, blockedChat)) != 0 || len(photos(out, blockedChat)) != 0 {
		t.Error("a summary went to someone who blocked the bot")
	}

	// Asked for on demand, it goes to followers too.
	if ts := texts(f.summaries(monday.Add(3*time.Hour), true), sonChat); len(ts) != 1 {
		t.Errorf("on demand, Sơn got %d texts, want 1", len(ts))
	}
}

// A follower is told what changed since their last summary, and gets a
// closed campaign's final summary once, as a group does.
func TestFollowerSinceLastAndFinal(t *testing.T) {
	f := newTwoCampaigns(t)
	chat := f.follow(f.person("Vũ Văn Sơn", f.k2), f.dieuhoa, f.thietbi)
	f.summaries(monday, false)

	f.now = monday.Add(2 * 24 * time.Hour)
	p := f.pledge(f.person("Đỗ Thu", f.k2), f.money, 2_000_000, false)
	f.receive(f.money, p, 700_000)
	f.exec(`UPDATE campaigns SET status = 'closed', updated_at = $2 WHERE id = $1`, f.thietbi, f.now)

	out := f.summaries(monday.Add(7*24*time.Hour), false)
	text := strings.Join(texts(out, chat), "\n")
	mustContain(t, text,
		"Từ lần trước: đăng ký +2.000.000 ₫, đã nhận +700.000 ₫",
		"mã <code>THIETBI</code>\n🏁 Chiến dịch đã kết thúc. Đây là bản tổng kết cuối cùng.")
	if group := strings.Join(texts(out, committee), "\n"); group != text {
		t.Errorf("the follower and the group were told different things:\n%s\n---\n%s", text, group)
	}

	text = strings.Join(texts(f.summaries(monday.Add(14*24*time.Hour), false), chat), "\n")
	if strings.Contains(text, "THIETBI") || !strings.Contains(text, "DIEUHOA") {
		t.Errorf("after its final summary THIETBI is still summarised, or DIEUHOA is not:\n%s", text)
	}

	// Once every campaign followed is closed and summarised, nothing.
	f.exec(`UPDATE campaigns SET status = 'closed' WHERE id = $1`, f.dieuhoa)
	if ts := texts(f.summaries(monday.Add(21*24*time.Hour), false), chat); len(ts) != 1 || !strings.Contains(ts[0], "🏁") {
		t.Fatalf("final summary of DIEUHOA: %q", ts)
	}
	out = f.summaries(monday.Add(28*24*time.Hour), false)
	if len(texts(out, chat)) != 0 || len(photos(out, chat)) != 0 {
		t.Error("the follower still hears of closed campaigns")
	}
}
