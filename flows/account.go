package flows

// /taikhoan (/account): someone who writes to the bot from Telegram and
// from Zalo joins the two accounts into one person, so that their pledges,
// roles and reminders are the same on both. /taikhoan on one app shows a
// one-time code; /taikhoan CODE on the other app joins them.

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/danvan/danvan"
)

// accountStore is what joining accounts needs from storage.
type accountStore interface {
	// Identities lists a person's accounts, oldest first.
	Identities(ctx context.Context, personID int64) ([]danvan.Identity, error)
	// CreateLinkCode reports false, storing nothing, when another code
	// has the same hash.
	CreateLinkCode(ctx context.Context, codeHash string, personID int64, ch danvan.Channel, chatID int64, expiresAt time.Time) (bool, error)
	LockLinkCode(ctx context.Context, codeHash string) (danvan.LinkCode, error)
	MarkLinkCodeUsed(ctx context.Context, codeHash string) error
	// MergePeople moves everything of drop to keep and deletes drop.
	MergePeople(ctx context.Context, keep, drop, chatID int64, lang string) (danvan.Person, error)
}

func accountConversation(c *conversation) {
	c.commands(&command{names: []string{"account", "taikhoan"}, private: (*turn).account})
}

// linkCodeTTL is how long a code works: long enough to open the other app
// and type it, short enough that a code seen over a shoulder soon is none.
const linkCodeTTL = 10 * time.Minute

// linkCodeDigits is the length of a code. Digits, because a Vietnamese
// phone keyboard (Telex) turns letters typed in a row into accented ones
// ("dd" is "đ", "w" is "ư", "s" after a vowel is a tone mark) but leaves
// digits alone. Eight, not six: whoever types a live code becomes its
// owner, roles included, so a hundred million codes leave guessing one in
// its ten minutes hopeless where a million would not.
const linkCodeDigits = 8

// linkChannels are the apps a person may have an account on, in the order
// they are shown.
var linkChannels = []danvan.Channel{danvan.Telegram, danvan.Zalo}

var (
	msgAccountShow     = msg{"Tài khoản của bạn: %s", "Your accounts: %s"}
	msgAccountJoinWith = msg{
		"\n\nĐể nối với tài khoản %[1]s của bạn, mở %[1]s và nhắn cho bot:\n<code>%[2]s</code>\nMã chỉ dùng được một lần, hết hạn lúc %[3]s. Đừng đưa mã cho ai: người gõ mã sẽ trở thành chính bạn với bot.",
		"\n\nTo join your %[1]s account, open %[1]s and send the bot:\n<code>%[2]s</code>\nThe code works once and expires at %[3]s. Give it to no one: whoever types it becomes you to the bot.",
	}
	msgAccountAllJoined = msg{
		"\n\nCác tài khoản này đã là một: khoản ủng hộ và vai trò của bạn như nhau trên mọi ứng dụng.",
		"\n\nThese accounts are already one: your pledges and roles are the same on every app.",
	}
	msgAccountBadCode = msg{
		"Mã nối tài khoản gồm %d chữ số, ví dụ <code>%s</code>. Gõ /taikhoan (không kèm mã) trên ứng dụng kia để nhận mã.",
		"A code to join accounts has %d digits, e.g. <code>%s</code>. Send /account (without a code) on the other app to get one.",
	}
	msgAccountUnknownCode = msg{
		"Không có mã nối tài khoản này: có thể gõ nhầm, hoặc đã có mã mới hơn thay nó. Gõ /taikhoan trên ứng dụng kia để nhận mã mới.",
		"There is no such code: it may be mistyped, or a newer one replaced it. Send /account on the other app for a new code.",
	}
	msgAccountCodeUsed = msg{
		"Mã này đã được dùng rồi: mỗi mã chỉ dùng được một lần. Gõ /taikhoan để xem tài khoản của bạn.",
		"This code has already been used: each works only once. Send /account to see your accounts.",
	}
	msgAccountCodeExpired = msg{
		"Mã này đã hết hạn lúc %s. Gõ /taikhoan trên ứng dụng kia để nhận mã mới.",
		"This code expired at %s. Send /account on the other app for a new one.",
	}
	msgAccountSameApp = msg{
		"Mã này được tạo trên %[1]s, nên phải gõ nó trên ứng dụng kia (%[2]s), từ tài khoản bạn muốn nối.",
		"This code was made on %[1]s: type it on the other app (%[2]s), from the account you want to join.",
	}
	msgAccountAlreadyOne = msg{
		"Tài khoản %s và %s này đã là một người rồi, không cần nối nữa.",
		"These %s and %s accounts are already one person; there is nothing to join.",
	}
	msgAccountHaveThere = msg{
		"Tài khoản %[2]s này đã nối với một tài khoản %[1]s khác. Mỗi người chỉ có một tài khoản trên mỗi ứng dụng, nên không nối được. Không có gì thay đổi.",
		"This %[2]s account is already joined with another %[1]s account. A person has one account per app, so they cannot be joined. Nothing changed.",
	}
	msgAccountOwnerHasThere = msg{
		"Mã này là của một người đã có tài khoản %s khác. Mỗi người chỉ có một tài khoản trên mỗi ứng dụng, nên không nối được. Không có gì thay đổi.",
		"This code belongs to someone who already has another %s account. A person has one account per app, so they cannot be joined. Nothing changed.",
	}
	msgAccountBothRoles = msg{
		"Cả tài khoản %s và tài khoản %s đều có vai trò cán bộ, nên bot không tự nối được. Không có gì thay đổi. Xin nhờ quản trị viên gỡ vai trò ở một tài khoản (/vaitro), rồi nối lại và xin mời lại vai trò đó nếu cần.",
		"Both the %s account and the %s account hold roles, so the bot will not join them by itself. Nothing changed. Ask an admin to remove the roles of one of them (/roles), then join them and be invited to that role again if need be.",
	}
	msgAccountBothPledges = msg{
		"Tài khoản %s và tài khoản %s đều có khoản ủng hộ cho cùng một mục tiêu (<b>#%s</b> và <b>#%s</b>): nối lại thì sổ sách có thể tính trùng. Không có gì thay đổi. Nếu đó là một khoản ghi hai lần, hãy hủy một khoản bằng /khoancuatoi rồi nối lại.",
		"The %s account and the %s account both have a pledge to the same goal (<b>#%s</b> and <b>#%s</b>): joined, the books might count it twice. Nothing changed. If it is one pledge made twice, cancel one with /mypledge, then join again.",
	}
	msgAccountJoined = msg{
		"✅ Đã nối: tài khoản %s và %s của bạn nay là một. Các khoản ủng hộ và vai trò của bạn như nhau trên cả hai; gõ /cuatoi để xem các khoản của bạn.",
		"✅ Joined: your %s and %s accounts are now one. Your pledges and roles are the same on both; send /mypledges to see your pledges.",
	}
	msgAccountJoinedThere = msg{
		"✅ Tài khoản %[1]s của bạn vừa được nối với tài khoản %[2]s <b>%[3]s</b> bằng mã bạn tạo. Nếu đó không phải là bạn, hãy báo ngay cho quản trị viên.",
		"✅ Your %[1]s account was just joined with the %[2]s account <b>%[3]s</b>, using the code you made. If that was not you, tell an admin at once.",
	}
)

// channelName is an app as people call it, in every language.
func channelName(ch danvan.Channel) string {
	switch ch {
	case danvan.Telegram:
		return "Telegram"
	case danvan.Zalo:
		return "Zalo"
	}
	return string(ch)
}

// otherChannel is the app that is not ch.
func otherChannel(ch danvan.Channel) danvan.Channel {
	for _, c := range linkChannels {
		if c != ch {
			return c
		}
	}
	return ch
}

// commandOn is how the /account command with args is typed on channel ch:
// Zalo has no slash commands, and takes the name as the first word.
func commandOn(ch danvan.Channel, lang, args string) string {
	name := "taikhoan"
	if lang == "en" {
		name = "account"
	}
	if ch == danvan.Telegram {
		name = "/" + name
	}
	return name + " " + args
}

// newLinkCode draws a code, as typed: two groups of four digits.
func newLinkCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", fmt.Errorf("flows: link code: %w", err)
	}
	s := fmt.Sprintf("%0*d", linkCodeDigits, n)
	return s[:4] + " " + s[4:], nil
}

// parseLinkCode reads a code as typed, with or without the space (or a
// dash or dot) between its groups; false for anything else.
func parseLinkCode(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == linkCodeDigits
}

// linkCodeHash is what the database keeps of a code (its digits alone): a
// database read by the wrong eyes shows no code that still works.
func linkCodeHash(digits string) string {
	sum := sha256.Sum256([]byte("account link " + digits))
	return hex.EncodeToString(sum[:])
}

func (tr *turn) account(args string) error {
	if args != "" {
		return tr.joinAccounts(args)
	}
	ids, err := tr.st.Identities(tr.ctx, tr.person.ID)
	if err != nil {
		return err
	}
	has := map[danvan.Channel]bool{}
	for _, id := range ids {
		has[id.Channel] = true
	}
	var shown []string
	var missing []danvan.Channel
	for _, ch := range linkChannels {
		mark := "✓"
		if !has[ch] {
			mark = "—"
			missing = append(missing, ch)
		}
		shown = append(shown, channelName(ch)+" "+mark)
	}
	text := t(tr.lang, msgAccountShow, strings.Join(shown, ", "))
	if len(missing) == 0 {
		tr.say(text + t(tr.lang, msgAccountAllJoined))
		return nil
	}
	expires := tr.st.Now().Add(linkCodeTTL)
	for range 5 {
		code, err := newLinkCode()
		if err != nil {
			return err
		}
		digits, _ := parseLinkCode(code)
		ok, err := tr.st.CreateLinkCode(tr.ctx, linkCodeHash(digits), tr.person.ID, tr.ev.Channel, tr.ev.ChatID, expires)
		if err != nil {
			return err
		}
		if ok {
			// The app to open is the one they have no account on yet;
			// with two apps there is one.
			other := missing[0]
			tr.say(text + t(tr.lang, msgAccountJoinWith, channelName(other), esc(commandOn(other, tr.lang, code)), tr.clock(expires)))
			return nil
		}
	}
	return errors.New("flows: no free link code in 5 draws")
}

// joinAccounts follows /taikhoan CODE typed on the other app: the person
// typing and the code's owner become one person, unless they may not. The
// code is locked until the event's transaction ends, so a code typed twice
// at once joins once; a refusal changes nothing, not even the code.
func (tr *turn) joinAccounts(args string) error {
	digits, ok := parseLinkCode(args)
	if !ok {
		tr.say(t(tr.lang, msgAccountBadCode, linkCodeDigits, esc(commandOn(tr.ev.Channel, tr.lang, "4821 0937"))))
		return nil
	}
	hash := linkCodeHash(digits)
	lc, err := tr.st.LockLinkCode(tr.ctx, hash)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgAccountUnknownCode))
		return nil
	}
	if err != nil {
		return err
	}
	there, here := channelName(lc.Channel), channelName(tr.ev.Channel)
	switch {
	case lc.Used:
		tr.say(t(tr.lang, msgAccountCodeUsed))
		return nil
	case !tr.st.Now().Before(lc.ExpiresAt):
		tr.say(t(tr.lang, msgAccountCodeExpired, tr.clock(lc.ExpiresAt)))
		return nil
	case lc.Channel == tr.ev.Channel:
		tr.say(t(tr.lang, msgAccountSameApp, there, channelName(otherChannel(lc.Channel))))
		return nil
	case lc.Owner.ID == tr.person.ID:
		tr.say(t(tr.lang, msgAccountAlreadyOne, there, here))
		return nil
	}
	owner, me := lc.Owner, tr.person
	ownerIDs, err := tr.st.Identities(tr.ctx, owner.ID)
	if err != nil {
		return err
	}
	myIDs, err := tr.st.Identities(tr.ctx, me.ID)
	if err != nil {
		return err
	}
	// A person has at most one account per app: the two may share none.
	for _, mine := range myIDs {
		for _, theirs := range ownerIDs {
			if mine.Channel != theirs.Channel {
				continue
			}
			if mine.Channel == lc.Channel {
				tr.say(t(tr.lang, msgAccountHaveThere, there, here))
			} else {
				tr.say(t(tr.lang, msgAccountOwnerHasThere, channelName(mine.Channel)))
			}
			return nil
		}
	}
	ownerHolds, err := tr.holdings(owner.ID)
	if err != nil {
		return err
	}
	myHolds, err := tr.holdings(me.ID)
	if err != nil {
		return err
	}
	// Pledges join: each keeps its code, and the person sees them all. Two
	// open pledges to one goal may be one pledge made twice, which joining
	// would count twice; and whose roles would be whose is not for the bot
	// to guess.
	if ownerHolds.roles && myHolds.roles {
		tr.say(t(tr.lang, msgAccountBothRoles, there, here))
		return nil
	}
	for target, theirs := range ownerHolds.open {
		if mine, both := myHolds.open[target]; both {
			tr.say(t(tr.lang, msgAccountBothPledges, there, here, esc(theirs), esc(mine)))
			return nil
		}
	}
	// The person with roles, else with pledges, stays, so that what names
	// them keeps its id; else the code's owner, who was there first.
	keep, drop := owner, me
	if myHolds.rank() > ownerHolds.rank() {
		keep, drop = me, owner
	}
	if err := tr.st.MarkLinkCodeUsed(tr.ctx, hash); err != nil {
		return err
	}
	joined, err := tr.st.MergePeople(tr.ctx, keep.ID, drop.ID, tr.ev.ChatID, tr.lang)
	if err != nil {
		return err
	}
	accounts := append(accountNames(ownerIDs), accountNames(myIDs)...)
	if err := tr.st.Audit(tr.ctx, joined.ID, "person", joined.ID, 0, "linked", map[string]any{
		"people": []map[string]any{
			{"person_id": owner.ID, "name": owner.Name, "accounts": accountNames(ownerIDs), "made_code_on": lc.Channel},
			{"person_id": me.ID, "name": me.Name, "accounts": accountNames(myIDs), "typed_code_on": tr.ev.Channel},
		},
	}, map[string]any{
		"person_id": joined.ID, "merged_id": drop.ID, "name": joined.Name, "accounts": accounts,
	}); err != nil {
		return err
	}
	// The rest of the event (the conversation saved after it) is the
	// joined person's: the one typing may have been the one deleted.
	tr.person, tr.grantsLoaded = joined, false
	tr.say(t(tr.lang, msgAccountJoined, there, here))
	l := lang(owner.Lang)
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: lc.ChatID,
		Text: t(l, msgAccountJoinedThere, there, here, esc(me.Name))})
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	if gs.Staff() {
		// Their roles' commands, in the app they have just joined.
		tr.menu(tr.ev.ChatID, tr.lang, gs)
	}
	return nil
}

// maxJoinedPledges bounds the pledges read of each side of a join: far
// more than one person makes.
const maxJoinedPledges = 1000

// holding is what a person has that joining must not mix up: whether
// they hold roles, have pledges, and the code of an open (not cancelled)
// pledge of theirs per target.
type holding struct {
	roles, pledges bool
	open           map[int64]string
}

// rank orders who stays: roles, then pledges, then nothing.
func (h holding) rank() int {
	switch {
	case h.roles:
		return 2
	case h.pledges:
		return 1
	}
	return 0
}

func (tr *turn) holdings(personID int64) (holding, error) {
	gs, err := tr.st.Grants(tr.ctx, personID)
	if err != nil {
		return holding{}, err
	}
	// Cancelled pledges count for who stays (/cuatoi lists them, and they
	// are the person's record all the same), not as a clash.
	ps, err := tr.st.PledgesOf(tr.ctx, personID, maxJoinedPledges)
	if err != nil {
		return holding{}, err
	}
	h := holding{roles: len(gs) > 0, pledges: len(ps) > 0, open: map[int64]string{}}
	for _, l := range ps {
		if !l.Pledge.Cancelled {
			h.open[l.Pledge.TargetID] = l.Pledge.Code
		}
	}
	return h, nil
}

// accountNames are accounts as the audit trail writes them.
func accountNames(ids []danvan.Identity) []string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = string(id.Channel) + ":" + id.Ref
	}
	return names
}
