package flows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/danvan/danvan"
)

// historyPerPage entries fit one message comfortably.
const historyPerPage = 10

const stepHistory = "i_history"

func historyConversation(c *conversation) {
	c.commands(&command{names: []string{"history", "lichsu"}, private: (*turn).history})
	c.actions(map[string]action{
		"ih": on(func(tr *turn, offset int64) error {
			if tr.state.Step != stepHistory || tr.state.History == nil {
				return tr.staleButton()
			}
			c, err := tr.st.Campaign(tr.ctx, tr.state.History.Campaign)
			if err != nil {
				return err
			}
			return tr.showHistory(c, int(offset), true)
		}, stepHistory),
	})

}

var (
	msgHistoryUsage      = msg{"Gõ <code>/lichsu MÃ</code> để xem lịch sử thay đổi của một chiến dịch, ví dụ <code>/lichsu DIEUHOA</code>.", "Send <code>/history CODE</code> to see a campaign's history, e.g. <code>/history DIEUHOA</code>."}
	msgHistoryNotAllowed = msg{"Chỉ cán bộ của đơn vị phụ trách chiến dịch và quản trị viên mới xem được lịch sử thay đổi.", "Only cadres of the campaign's unit and admins can see its history."}
	msgHistoryNone       = msg{"Chiến dịch <b>%s</b> chưa có thay đổi nào được ghi lại.", "Nothing has been recorded for <b>%s</b> yet."}
	msgHistoryHeader     = msg{"<b>Lịch sử thay đổi: %s</b>\nMục %d–%d / %d, mới nhất trước.\n", "<b>History of %s</b>\nEntries %d–%d of %d, newest first.\n"}
	msgHistoryLine       = msg{"\n<code>%s</code> · <b>%s</b>\n%s", "\n<code>%s</code> · <b>%s</b>\n%s"}
	msgHistoryOlder      = msg{"‹ Cũ hơn", "‹ Older"}
	msgHistoryNewer      = msg{"Mới hơn ›", "Newer ›"}
	msgSystem            = msg{"hệ thống", "system"}
	msgYes               = msg{"có", "yes"}
	msgNo                = msg{"không", "no"}
	msgEntityPledge      = msg{"Khoản ủng hộ", "Pledge"}
	msgEntityReceipt     = msg{"Khoản đã nhận", "Receipt"}
	msgEntityCampaign    = msg{"Chiến dịch", "Campaign"}
	msgEntityProgress    = msg{"Tiến độ", "Progress"}
	msgEntityRole        = msg{"Vai trò", "Role"}
	msgEntityClaim       = msg{"Báo đã nộp", "Payment claim"}
	msgEntityInvitation  = msg{"Lời mời", "Invitation"}
	msgEntityGroup       = msg{"Nhóm chat", "Group chat"}
	msgEntityStatement   = msg{"Sao kê", "Statement"}
	msgEntityFollow      = msg{"Tin nhắn riêng", "Private chat"} // following a campaign's summary, as a group does
	msgActionLinked      = msg{"liên kết", "linked"}
	msgActionUnlinked    = msg{"bỏ liên kết", "unlinked"}
	msgActionCreated     = msg{"tạo mới", "created"}
	msgActionChanged     = msg{"sửa", "changed"}
	msgActionCancelled   = msg{"hủy", "cancelled"}
	msgActionReversed    = msg{"đảo bút toán", "reversed"}
	msgActionRemoved     = msg{"gỡ bỏ", "removed"}
	msgActionUsed        = msg{"đã dùng", "used"}
	msgActionClosed      = msg{"đóng", "closed"}
	msgActionAccepted    = msg{"chấp nhận", "accepted"}
	msgActionRejected    = msg{"từ chối", "rejected"}
	msgActionReceived    = msg{"nhận thêm", "received"}
	msgActionReported    = msg{"báo cáo", "reported"}
	msgCmdHistory        = msg{"Lịch sử thay đổi của một chiến dịch", "A campaign's history"}
)

var entityMessages = map[string]msg{
	"pledge": msgEntityPledge, "receipt": msgEntityReceipt, "campaign": msgEntityCampaign, "progress": msgEntityProgress,
	"role": msgEntityRole, "claim": msgEntityClaim, "invitation": msgEntityInvitation, "group": msgEntityGroup,
	"statement": msgEntityStatement, "follow": msgEntityFollow,
}

var actionMessages = map[string]msg{
	"created": msgActionCreated, "changed": msgActionChanged, "cancelled": msgActionCancelled, "reversed": msgActionReversed,
	"removed": msgActionRemoved, "used": msgActionUsed, "closed": msgActionClosed, "accepted": msgActionAccepted, "rejected": msgActionRejected,
	"received": msgActionReceived, "reported": msgActionReported, "linked": msgActionLinked, "unlinked": msgActionUnlinked,
}

func (tr *turn) history(args string) error {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		tr.say(t(tr.lang, msgHistoryUsage))
		return nil
	}
	code := strings.TrimPrefix(fields[0], "#")
	c, err := tr.st.CampaignByCode(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgUnknownCampaign, esc(truncate(code, 16))))
		return nil
	}
	if err != nil {
		return err
	}
	tr.state.History = &historyDraft{Campaign: c.ID}
	return tr.showHistory(c, 0, false)
}

// showHistory shows the page of campaign c's audit trail starting at
// offset, newest first; edit replaces the page whose button was pressed.
func (tr *turn) showHistory(c danvan.Campaign, offset int, edit bool) error {
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	if !gs.CadreOf(c.UnitID) {
		tr.state.reset()
		tr.say(t(tr.lang, msgHistoryNotAllowed))
		return nil
	}
	offset = max(offset, 0)
	es, total, err := tr.st.History(tr.ctx, c.ID, historyPerPage, offset)
	if err != nil {
		return err
	}
	if total == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgHistoryNone, esc(c.Title)))
		return nil
	}
	if len(es) == 0 {
		// Past the end (a forged offset): the oldest page.
		offset = (total - 1) / historyPerPage * historyPerPage
		if es, total, err = tr.st.History(tr.ctx, c.ID, historyPerPage, offset); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString(t(tr.lang, msgHistoryHeader, esc(c.Title), offset+1, offset+len(es), total))
	for _, e := range es {
		who := e.ActorName
		if who == "" {
			who = t(tr.lang, msgSystem)
		}
		b.WriteString(t(tr.lang, msgHistoryLine, e.At.In(tr.e.loc).Format("02/01/2006 15:04"), esc(who), esc(tr.auditWhat(c, e))))
	}
	buttons := func(seq int) [][]danvan.Button {
		var nav []danvan.Button
		if offset+len(es) < total {
			nav = append(nav, danvan.Button{Text: t(tr.lang, msgHistoryOlder), Data: buttonData(seq, "ih", int64(offset+historyPerPage))})
		}
		if offset > 0 {
			nav = append(nav, danvan.Button{Text: t(tr.lang, msgHistoryNewer), Data: buttonData(seq, "ih", int64(max(offset-historyPerPage, 0)))})
		}
		if len(nav) == 0 {
			return nil
		}
		return [][]danvan.Button{nav}
	}
	tr.state.History = &historyDraft{Campaign: c.ID}
	if edit {
		tr.askEdit(stepHistory, b.String(), buttons)
	} else {
		tr.ask(stepHistory, b.String(), buttons)
	}
	return nil
}

// auditSummaryRunes bounds one entry's summary; the trail stays readable
// whatever was written into it.
const auditSummaryRunes = 200

// auditWhat says in plain text what an entry records: the entity and
// action, and a short summary of what changed (before → after), or of what
// was created or removed. Entries are written by every part of the bot in
// their own shapes, so fields are read generically: quantities are shown
// in their target's unit when the entry names its target, times in the
// ward's time zone, and anything else compactly.
func (tr *turn) auditWhat(c danvan.Campaign, e danvan.AuditEntry) string {
	what := e.Entity
	if m, ok := entityMessages[e.Entity]; ok {
		what = t(tr.lang, m)
	}
	action := e.Action
	if m, ok := actionMessages[e.Action]; ok {
		action = t(tr.lang, m)
	}
	what += " " + action
	before, after := auditFields(e.Before), auditFields(e.After)
	var target *danvan.Target
	for _, fs := range []map[string]any{after, before} {
		if id, ok := fs["targetid"].(json.Number); ok && target == nil {
			for i := range c.Targets {
				if id.String() == fmt.Sprint(c.Targets[i].ID) {
					target = &c.Targets[i]
				}
			}
		}
	}
	var parts []string
	if code, ok := firstString(after, before, "code"); ok {
		what += " #" + code
	}
	switch {
	case before != nil && after != nil:
		for _, k := range auditKeys(before, after) {
			b, a := tr.auditValue(k, before[k], target), tr.auditValue(k, after[k], target)
			if b != a {
				parts = append(parts, auditLabel(e, k)+": "+b+" → "+a)
			}
		}
	case after != nil || before != nil:
		fs := after
		if fs == nil {
			fs = before
		}
		for _, k := range auditKeys(fs) {
			if !isZero(fs[k]) {
				parts = append(parts, auditLabel(e, k)+": "+tr.auditValue(k, fs[k], target))
			}
		}
	}
	if len(parts) > 0 {
		what += ": " + strings.Join(parts, ", ")
	}
	return truncate(what, auditSummaryRunes)
}

// auditFields decodes an entry's JSON object into fields keyed by their
// name in lower case without underscores (the trail holds both Go's
// "TargetID" and SQL's "target_id"). Anything but an object is kept under
// the key "".
func auditFields(raw []byte) map[string]any {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return map[string]any{"": string(raw)}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return map[string]any{"": v}
	}
	fs := make(map[string]any, len(obj))
	for k, val := range obj {
		fs[normKey(k)] = val
	}
	// Entries often wrap the record they are about ({"pledge": p, "household":
	// …}, {"reversal": r}): its fields are what a reader wants, so they are
	// lifted up one level rather than shown as JSON.
	for k, val := range obj {
		inner, ok := val.(map[string]any)
		if !ok {
			continue
		}
		delete(fs, normKey(k))
		for ik, iv := range inner {
			if _, taken := fs[normKey(ik)]; !taken {
				fs[normKey(ik)] = iv
			}
		}
	}
	return fs
}

func normKey(k string) string { return strings.ToLower(strings.ReplaceAll(k, "_", "")) }

// auditHidden are fields that say nothing to a reader: identifiers and
// bookkeeping times, and the code, shown next to the entity.
func auditHidden(k string) bool {
	switch k {
	case "code", "id", "createdat", "updatedat", "recordedat", "reportedat", "at", "recordedby", "reportedby", "pledge", "cancelled":
		return true
	}
	return strings.HasSuffix(k, "id")
}

// auditKeys are the fields worth showing, in a stable order: quantities
// first, then alphabetically.
func auditKeys(fss ...map[string]any) []string {
	var ks []string
	for _, fs := range fss {
		for k := range fs {
			if !auditHidden(k) && !slices.Contains(ks, k) {
				ks = append(ks, k)
			}
		}
	}
	slices.SortFunc(ks, func(a, b string) int {
		if qa, qb := quantityKey(a), quantityKey(b); qa != qb {
			if qa {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return ks
}

func quantityKey(k string) bool {
	switch k {
	case "quantity", "received", "goal", "value", "amount", "increment":
		return true
	}
	return false
}

// auditLabel names a field for the reader: its name in lower case.
func auditLabel(e danvan.AuditEntry, k string) string {
	if k == "" {
		return e.Entity
	}
	return k
}

func firstString(a, b map[string]any, k string) (string, bool) {
	for _, fs := range []map[string]any{a, b} {
		if s, ok := fs[k].(string); ok && s != "" {
			return s, true
		}
	}
	return "", false
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == "" || v == "0001-01-01T00:00:00Z"
	case bool:
		return !v
	case json.Number:
		return v.String() == "0"
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// auditValue shows one field's value as plain text.
func (tr *turn) auditValue(k string, v any, target *danvan.Target) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case bool:
		if v {
			return t(tr.lang, msgYes)
		}
		return t(tr.lang, msgNo)
	case json.Number:
		if n, err := v.Int64(); err == nil && quantityKey(k) && target != nil {
			return tr.quantity(*target, danvan.Quantity(n))
		}
		return v.String()
	case string:
		if at, err := time.Parse(time.RFC3339Nano, v); err == nil {
			if at.IsZero() {
				return "—"
			}
			if u := at.UTC(); u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
				return u.Format("02/01/2006") // a date (due, start, end)
			}
			return at.In(tr.e.loc).Format("02/01/2006 15:04")
		}
		return truncate(v, 40)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	return truncate(string(raw), 40)
}

// historyDraft is the campaign whose history is being paged through.
type historyDraft struct {
	Campaign int64 `json:"campaign"`
}
