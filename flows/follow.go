package flows

import (
	"context"
	"errors"
	"strings"

	"github.com/danvan/danvan"
)

// Follows: anyone, residents included, may follow an active campaign to get
// its weekly summary in private (/follow CODE, /theodoi CODE), since many
// Zalo bots cannot join groups; /unfollow CODE (/botheodoi CODE) stops it,
// and either without a code lists what the person follows. A follow is the
// person's, whichever channel they ask on; the summary (report's, the same
// a group gets) goes to the private chat they last wrote from, on Monday
// 08:00.
//
// Following and unfollowing are audited like a group's campaign links
// (auditGroup): both decide who hears a campaign's summary, and a cadre
// reading /lichsu sees them side by side.

func followConversation(c *conversation) {
	c.commands(
		&command{names: []string{"follow", "theodoi"}, private: (*turn).follow},
		&command{names: []string{"unfollow", "botheodoi"}, private: (*turn).unfollow},
	)
}

// followStore is what follows need from storage (store/follows.go).
type followStore interface {
	// Follow reports false, changing nothing, when the person follows the
	// campaign already.
	Follow(ctx context.Context, personID, campaignID int64) (bool, error)
	// Unfollow reports false when the person did not follow the campaign.
	Unfollow(ctx context.Context, personID, campaignID int64) (bool, error)
	// Follows are the campaigns the person follows, closed ones included,
	// by code, without targets.
	Follows(ctx context.Context, personID int64) ([]danvan.Campaign, error)
}

// When followers get their summary: the groups' default schedule, Monday
// 08:00 in the ward's time zone, as package report sends it
// (report.followerWeekday and followerHour).
const (
	followWeekday = 1
	followHour    = 8
)

// follow is /follow [CODE].
func (tr *turn) follow(args string) error {
	code := followCode(args)
	if code == "" {
		return tr.listFollows()
	}
	c, ok, err := tr.namedCampaign(code)
	if err != nil || !ok {
		return err
	}
	when := tr.scheduleName(followWeekday, followHour)
	// A campaign being drafted or closed is refused whether or not it was
	// followed before: it has nothing (more) to say each week.
	switch c.Status {
	case danvan.CampaignDraft:
		tr.say(t(tr.lang, msgFDraft, esc(c.Code)))
		return nil
	case danvan.CampaignClosed:
		tr.say(t(tr.lang, msgFClosed, esc(c.Title)))
		return nil
	}
	added, err := tr.st.Follow(tr.ctx, tr.person.ID, c.ID)
	if err != nil {
		return err
	}
	if !added {
		tr.say(t(tr.lang, msgFAlready, esc(c.Title), when))
		return nil
	}
	if err := tr.auditFollow(c, "linked"); err != nil {
		return err
	}
	tr.say(t(tr.lang, msgFFollowed, esc(c.Title), esc(c.Code), when, esc(c.Code)))
	return nil
}

// unfollow is /unfollow [CODE]: a campaign of any status may be left.
func (tr *turn) unfollow(args string) error {
	code := followCode(args)
	if code == "" {
		return tr.listFollows()
	}
	c, ok, err := tr.namedCampaign(code)
	if err != nil || !ok {
		return err
	}
	removed, err := tr.st.Unfollow(tr.ctx, tr.person.ID, c.ID)
	if err != nil {
		return err
	}
	if !removed {
		tr.say(t(tr.lang, msgFNotFollowing, esc(c.Title)))
		return nil
	}
	if err := tr.auditFollow(c, "unlinked"); err != nil {
		return err
	}
	tr.say(t(tr.lang, msgFUnfollowed, esc(c.Title)))
	return nil
}

// followCode is the campaign code of the command's arguments, "" when none.
func followCode(args string) string {
	code, _, _ := strings.Cut(strings.TrimSpace(args), " ")
	return strings.TrimPrefix(code, "#")
}

// namedCampaign finds the campaign a command names, telling the person
// when there is none.
func (tr *turn) namedCampaign(code string) (danvan.Campaign, bool, error) {
	c, err := tr.st.CampaignByCode(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgUnknownCampaign, esc(truncate(code, 16))))
		return c, false, nil
	}
	return c, err == nil, err
}

// listFollows tells the person what they follow and how to change it.
func (tr *turn) listFollows() error {
	cs, err := tr.st.Follows(tr.ctx, tr.person.ID)
	if err != nil {
		return err
	}
	when := tr.scheduleName(followWeekday, followHour)
	var b strings.Builder
	if len(cs) == 0 {
		b.WriteString(t(tr.lang, msgFNone))
	} else {
		b.WriteString(t(tr.lang, msgFList))
		for _, c := range cs {
			line := msgFLine
			if c.Status == danvan.CampaignClosed {
				line = msgFLineClosed
			}
			b.WriteString(t(tr.lang, line, esc(c.Title), esc(c.Code)))
		}
	}
	b.WriteString(t(tr.lang, msgFUsage, when))
	tr.say(b.String())
	return nil
}

// auditFollow writes a follow begun (linked) or ended (unlinked) to the
// campaign's audit trail, as a group's campaign link is.
func (tr *turn) auditFollow(c danvan.Campaign, action string) error {
	var before, after any
	if action == "linked" {
		after = map[string]any{"code": c.Code}
	} else {
		before = map[string]any{"code": c.Code}
	}
	return tr.st.Audit(tr.ctx, tr.person.ID, "follow", tr.person.ID, c.ID, action, before, after)
}

var (
	msgFUsage = msg{
		"\n\nTheo dõi một chiến dịch để nhận tổng kết tuần của nó trong tin nhắn riêng (%s): <code>/theodoi MÃ</code>, ví dụ <code>/theodoi DIEUHOA</code>. " +
			"Thôi theo dõi: <code>/botheodoi MÃ</code>. Gõ /chiendich để xem các mã.",
		"\n\nFollow a campaign to get its weekly summary in private (%s): <code>/follow CODE</code>, e.g. <code>/follow DIEUHOA</code>. " +
			"To stop: <code>/unfollow CODE</code>. Send /campaigns to see the codes.",
	}
	msgFNone       = msg{"🔕 Bạn chưa theo dõi chiến dịch nào.", "🔕 You follow no campaign yet."}
	msgFList       = msg{"🔔 <b>Các chiến dịch bạn theo dõi:</b>", "🔔 <b>The campaigns you follow:</b>"}
	msgFLine       = msg{"\n• <b>%s</b> · mã <code>%s</code>", "\n• <b>%s</b> · code <code>%s</code>"}
	msgFLineClosed = msg{"\n• <b>%s</b> · mã <code>%s</code> · đã kết thúc", "\n• <b>%s</b> · code <code>%s</code> · closed"}
	msgFDraft      = msg{
		"Chiến dịch mã <code>%s</code> chưa bắt đầu nên chưa theo dõi được: chỉ theo dõi được chiến dịch đang vận động.",
		"The campaign <code>%s</code> has not started, so it cannot be followed yet: only campaigns under way can be followed.",
	}
	msgFClosed = msg{
		"Chiến dịch <b>%s</b> đã kết thúc nên không theo dõi được nữa.",
		"The campaign <b>%s</b> is closed, so it can no longer be followed.",
	}
	msgFAlready = msg{
		"Bạn đã theo dõi chiến dịch <b>%s</b> rồi: tổng kết tuần vẫn gửi cho bạn vào %s.",
		"You already follow <b>%s</b>: its weekly summary still comes to you on %s.",
	}
	msgFFollowed = msg{
		"🔔 Đã theo dõi <b>%s</b> (mã <code>%s</code>): bạn sẽ nhận tổng kết tuần của chiến dịch trong tin nhắn riêng vào %s. Thôi theo dõi: <code>/botheodoi %s</code>.",
		"🔔 You now follow <b>%s</b> (code <code>%s</code>): its weekly summary will come to you in private on %s. To stop: <code>/unfollow %s</code>.",
	}
	msgFNotFollowing = msg{
		"Bạn không theo dõi chiến dịch <b>%s</b>, nên không có gì để bỏ.",
		"You do not follow <b>%s</b>, so there is nothing to stop.",
	}
	msgFUnfollowed = msg{
		"🔕 Đã thôi theo dõi <b>%s</b>: bạn sẽ không nhận tổng kết tuần của chiến dịch này nữa.",
		"🔕 You no longer follow <b>%s</b>: its weekly summary will not come to you any more.",
	}
)
