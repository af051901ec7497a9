package flows

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/danvan/danvan"
)

// Cadres create, edit and close their unit's campaigns here.

func campaignConversation(c *conversation) {

	c.commands(
		&command{names: []string{"newcampaign", "taochiendich"}, private: (*turn).newCampaign},
		&command{names: []string{"editcampaign", "suachiendich"}, private: (*turn).editCampaign},
		&command{names: []string{"closecampaign", "dongchiendich"}, private: (*turn).closeCampaign},
	)
	c.actions(map[string]action{
		"ku": on((*turn).draftUnit, stepKUnit),
		"kc": on((*turn).draftUseCode, stepKCode),
		"kz": on((*turn).draftToggleZone, stepKZones),
		"kd": on((*turn).draftZonesDone, stepKZones),
		"kk": on((*turn).draftKind, stepKKind),
		"ka": on((*turn).draftAddTarget, stepKMore),
		"kn": on((*turn).draftTargetsDone, stepKMore),
		"ks": on((*turn).draftSkip, stepKStarts, stepKEnds, stepKBIN),
		"kh": on((*turn).chooseHonour, stepKHonour, stepKEHonour),
		"kp": on((*turn).publishDraft, stepKReview),
		"ke": on((*turn).editField, stepKEdit),
		"kt": on((*turn).editTarget, stepKETarget),
		"kq": on((*turn).confirmClose, stepKClose),
	})
	c.textStep(stepKTitle, (*turn).draftTitle)
	c.textStep(stepKCode, (*turn).draftTypedCode)
	c.textStep(stepKItem, (*turn).draftItem)
	c.textStep(stepKLabel, (*turn).draftLabel)
	c.textStep(stepKUnitLabel, (*turn).draftUnitLabel)
	c.textStep(stepKGoal, (*turn).draftGoal)
	c.textStep(stepKStarts, (*turn).draftStarts)
	c.textStep(stepKEnds, (*turn).draftEnds)
	c.textStep(stepKBIN, (*turn).draftBIN)
	c.textStep(stepKAccount, (*turn).draftAccount)
	c.textStep(stepKBankName, (*turn).draftBankName)
	c.textStep(stepKETitle, (*turn).editTitle)
	c.textStep(stepKEEnds, (*turn).editEnds)
	c.textStep(stepKEGoal, (*turn).editGoal)
}

var (
	msgKNotCadre = msg{
		"Chỉ cán bộ của đơn vị phụ trách mới làm được việc này.",
		"Only cadres of the unit in charge can do this.",
	}
	msgKNoUnits  = msg{"Chưa có đơn vị nào được thiết lập.", "No units have been set up yet."}
	msgKAskUnit  = msg{"Chiến dịch mới thuộc đơn vị nào?", "Which unit runs the new campaign?"}
	msgKAskTitle = msg{
		"<b>Tạo chiến dịch mới</b> — %s\nGõ tên chiến dịch (tối đa 200 ký tự), ví dụ: <i>Lắp điều hòa nhà văn hóa khu 1–4</i>. Gõ /huy để dừng.",
		"<b>New campaign</b> — %s\nType the campaign's title (up to 200 characters), e.g. <i>Air conditioners for the cultural houses</i>. Send /cancel to stop.",
	}
	msgKBadTitle = msg{"Tên chiến dịch cần từ 1 đến 200 ký tự. Gõ lại tên:", "The title needs 1 to 200 characters. Type it again:"}
	msgKAskCode  = msg{
		"Mã chiến dịch dùng để gõ lệnh và in mã QR. Đề xuất: <code>%s</code>.\nDùng mã này, hoặc gõ mã khác (2–16 chữ cái không dấu hoặc chữ số).",
		"The campaign's code is typed in commands and printed on QR posters. Proposed: <code>%s</code>.\nUse it, or type another (2–16 letters A–Z or digits).",
	}
	msgKUseCode   = msg{"Dùng mã %s", "Use %s"}
	msgKBadCode   = msg{"Mã chỉ gồm 2–16 chữ cái không dấu (A–Z) hoặc chữ số, ví dụ <code>SANNHA2</code>. Gõ lại mã:", "A code is 2–16 letters A–Z or digits, e.g. <code>SANNHA2</code>. Type it again:"}
	msgKCodeTaken = msg{"Mã <code>%s</code> đã có chiến dịch khác dùng. Gõ mã khác:", "The code <code>%s</code> is taken by another campaign. Type another:"}
	msgKAskZones  = msg{
		"Chiến dịch vận động ở những khu nào? Bấm để chọn hoặc bỏ chọn, rồi bấm <b>Xong</b>.",
		"Which zones does the campaign cover? Press to select or unselect, then press <b>Done</b>.",
	}
	msgKWholeArea      = msg{"Toàn %s", "All of %s"}
	msgKDone           = msg{"✔ Xong", "✔ Done"}
	msgKNoZoneChosen   = msg{"Hãy chọn ít nhất một khu.", "Choose at least one zone."}
	msgKAskKind        = msg{"Mục tiêu %d: loại gì?", "Goal %d: what kind?"}
	msgKAskItem        = msg{"Hiện vật gì? Gõ tên, ví dụ <i>điều hòa</i>:", "Which item? Type its name, e.g. <i>air conditioner</i>:"}
	msgKAskLabel       = msg{"Đo cái gì? Gõ tên ngắn, ví dụ <i>sân lát</i>, <i>hộ được thăm hỏi</i>:", "What is measured? Type a short name, e.g. <i>paved yard</i>, <i>households visited</i>:"}
	msgKAskUnitLabel   = msg{"Đơn vị đo? Ví dụ <i>m</i>, <i>m²</i>, <i>hộ</i>:", "Unit of measure? E.g. <i>m</i>, <i>m²</i>, <i>households</i>:"}
	msgKBadLabel       = msg{"Cần từ 1 đến %d ký tự. Gõ lại:", "Needs 1 to %d characters. Type it again:"}
	msgKAskGoal        = msg{"Mục tiêu (%s) là bao nhiêu? Ví dụ: <code>%s</code>", "What is the goal (%s)? For example: <code>%s</code>"}
	msgKAskMore        = msg{"Đã thêm: <b>%s</b>. Thêm mục tiêu khác?", "Added: <b>%s</b>. Add another goal?"}
	msgKAddTarget      = msg{"➕ Thêm mục tiêu", "➕ Add a goal"}
	msgKAskStarts      = msg{"Ngày bắt đầu? Gõ ngày/tháng/năm, ví dụ <code>01/03/2026</code>, hoặc bấm Bỏ qua.", "Start date? Type day/month/year, e.g. <code>01/03/2026</code>, or press Skip."}
	msgKAskEnds        = msg{"Ngày kết thúc? Gõ ngày/tháng/năm, ví dụ <code>31/12/2026</code>, hoặc bấm Bỏ qua nếu không có hạn.", "End date? Type day/month/year, e.g. <code>31/12/2026</code>, or press Skip for none."}
	msgKSkip           = msg{"Bỏ qua", "Skip"}
	msgKBadDate        = msg{"Ngày không hợp lệ. Gõ ngày/tháng/năm, ví dụ <code>31/12/2026</code> hoặc <code>31/12</code>.", "That date is not valid. Type day/month/year, e.g. <code>31/12/2026</code> or <code>31/12</code>."}
	msgKEndBeforeStart = msg{
		"Ngày kết thúc phải từ ngày bắt đầu (%s) trở đi. Gõ lại:",
		"The end date must be on or after the start date (%s). Type it again:",
	}
	msgKEndPast     = msg{"Ngày kết thúc đã qua. Gõ một ngày từ hôm nay trở đi:", "That end date has passed. Type a date from today on:"}
	msgKAskBIN      = msg{"Tài khoản nhận chuyển khoản (không bắt buộc). Gõ mã BIN ngân hàng (6 chữ số, ví dụ <code>970436</code>), hoặc bấm Bỏ qua.", "Bank account for transfers (optional). Type the bank's BIN (6 digits, e.g. <code>970436</code>), or press Skip."}
	msgKBadBIN      = msg{"Mã BIN gồm đúng 6 chữ số. Gõ lại, hoặc bấm Bỏ qua:", "A BIN is exactly 6 digits. Type it again, or press Skip:"}
	msgKAskAccount  = msg{"Số tài khoản (chỉ chữ số):", "Account number (digits only):"}
	msgKBadAccount  = msg{"Số tài khoản gồm 4–19 chữ số. Gõ lại:", "An account number is 4–19 digits. Type it again:"}
	msgKAskBankName = msg{"Tên chủ tài khoản, ví dụ <i>MTTQ PHUONG YEN GIANG</i>:", "Account holder's name, e.g. <i>MTTQ PHUONG YEN GIANG</i>:"}
	msgKAskHonour   = msg{"Có bảng vinh danh người ủng hộ không? (Mỗi người vẫn tự chọn ghi tên hay giấu tên.)", "Show an honour board of givers? (Each giver still chooses to be named or not.)"}
	msgKHonourOn    = msg{"Có bảng vinh danh", "Honour board on"}
	msgKHonourOff   = msg{"Không vinh danh", "No honour board"}
	msgKReview      = msg{
		"<b>Kiểm tra lại trước khi đăng</b>\n\nTên: <b>%s</b>\nMã: <code>%s</code>\nĐơn vị: %s\nKhu: %s\nMục tiêu:%s\n%s\n%s\n%s",
		"<b>Check before publishing</b>\n\nTitle: <b>%s</b>\nCode: <code>%s</code>\nUnit: %s\nZones: %s\nGoals:%s\n%s\n%s\n%s",
	}
	msgKReviewTarget  = msg{"\n• %s: %s", "\n• %s: %s"}
	msgKReviewDates   = msg{"Thời gian: %s → %s", "Dates: %s → %s"}
	msgKReviewNoDates = msg{"không ghi", "none"}
	msgKReviewBank    = msg{"Chuyển khoản: %s, tài khoản <code>%s</code> (%s)", "Bank transfer: %s, account <code>%s</code> (%s)"}
	msgKReviewNoBank  = msg{"Chuyển khoản: không có", "Bank transfer: none"}
	msgKPublish       = msg{"📢 Đăng chiến dịch", "📢 Publish"}
	msgKPublished     = msg{
		"Đã đăng chiến dịch <b>%s</b>, mã <code>%s</code>. Người dân ủng hộ bằng lệnh <code>/ungho %s</code>.",
		"Published the campaign <b>%s</b>, code <code>%s</code>. Residents pledge with <code>/pledge %s</code>.",
	}
	msgKPublishedLink = msg{"\nĐường dẫn để in mã QR: %s", "\nLink for the QR poster: %s"}
	msgKEditUsage     = msg{"Cú pháp: <code>/suachiendich MÃ</code>, ví dụ <code>/suachiendich DIEUHOA</code>.", "Usage: <code>/editcampaign CODE</code>, e.g. <code>/editcampaign DIEUHOA</code>."}
	msgKCloseUsage    = msg{"Cú pháp: <code>/dongchiendich MÃ</code>, ví dụ <code>/dongchiendich DIEUHOA</code>.", "Usage: <code>/closecampaign CODE</code>, e.g. <code>/closecampaign DIEUHOA</code>."}
	msgKIsClosed      = msg{"Chiến dịch <b>%s</b> đã đóng.", "The campaign <b>%s</b> is closed."}
	msgKEditMenu      = msg{
		"<b>%s</b> · mã <code>%s</code>\nKết thúc: %s · %s\nBạn muốn sửa gì?",
		"<b>%s</b> · code <code>%s</code>\nEnds: %s · %s\nWhat would you like to change?",
	}
	msgKFieldTitle  = msg{"Tên", "Title"}
	msgKFieldEnds   = msg{"Ngày kết thúc", "End date"}
	msgKFieldHonour = msg{"Bảng vinh danh", "Honour board"}
	msgKFieldGoal   = msg{"Mục tiêu", "A goal"}
	msgKAskNewTitle = msg{"Gõ tên mới (tối đa 200 ký tự):", "Type the new title (up to 200 characters):"}
	msgKAskNewEnds  = msg{"Gõ ngày kết thúc mới (ngày/tháng/năm, ví dụ <code>31/12/2026</code>), hoặc <code>không</code> để bỏ hạn:", "Type the new end date (day/month/year, e.g. <code>31/12/2026</code>), or <code>none</code> for no end:"}
	msgKAskTarget   = msg{"Sửa mục tiêu nào?", "Which goal?"}
	msgKAskNewGoal  = msg{"%s — hiện tại %s. Gõ mục tiêu mới, ví dụ <code>%s</code>:", "%s — now %s. Type the new goal, e.g. <code>%s</code>:"}
	msgKSaved       = msg{"Đã lưu thay đổi của chiến dịch <b>%s</b>.", "Saved the change to <b>%s</b>."}
	msgKAskClose    = msg{
		"Đóng chiến dịch <b>%s</b>? Sau khi đóng, chiến dịch không nhận đăng ký mới; các khoản đã ghi và kết quả vẫn được giữ.",
		"Close the campaign <b>%s</b>? It will take no new pledges; its pledges, receipts and summary are kept.",
	}
	msgKCloseYes       = msg{"🔒 Đóng chiến dịch", "🔒 Close it"}
	msgKClosed         = msg{"Đã đóng chiến dịch <b>%s</b>.", "Closed the campaign <b>%s</b>."}
	msgKTooManyTargets = msg{"Một chiến dịch có tối đa %d mục tiêu.", "A campaign has at most %d goals."}
	msgKNoEnd          = msg{"không hạn", "no end"}
)

const (
	stepKUnit      = "k_unit"
	stepKTitle     = "k_title"
	stepKCode      = "k_code"
	stepKZones     = "k_zones"
	stepKKind      = "k_kind"
	stepKItem      = "k_item"
	stepKLabel     = "k_label"
	stepKUnitLabel = "k_unitlabel"
	stepKGoal      = "k_goal"
	stepKMore      = "k_more"
	stepKStarts    = "k_starts"
	stepKEnds      = "k_ends"
	stepKBIN       = "k_bin"
	stepKAccount   = "k_account"
	stepKBankName  = "k_bankname"
	stepKHonour    = "k_honour"
	stepKReview    = "k_review"
	stepKEdit      = "k_edit"
	stepKETitle    = "k_etitle"
	stepKEEnds     = "k_eends"
	stepKEHonour   = "k_ehonour"
	stepKETarget   = "k_etarget"
	stepKEGoal     = "k_egoal"
	stepKClose     = "k_close"
)

const (
	maxTitle     = 200
	maxItem      = 50
	maxUnitLabel = 20
	maxBankName  = 70
	maxTargets   = 10
)

// campaignDraft is a campaign being built, or the one being edited or
// closed, kept in the conversation's state (saved in the database with
// every turn, so it survives a restart).
type campaignDraft struct {
	Unit    int64         `json:"u"`
	Title   string        `json:"t,omitempty"`
	Code    string        `json:"c,omitempty"`
	Zones   []int64       `json:"z,omitempty"`
	Targets []draftTarget `json:"g,omitempty"`
	Next    draftTarget   `json:"n"`           // the goal being added
	Starts  string        `json:"s,omitempty"` // YYYY-MM-DD
	Ends    string        `json:"e,omitempty"`
	BIN     string        `json:"b,omitempty"`
	Account string        `json:"a,omitempty"`
	Holder  string        `json:"h,omitempty"`
	Honour  bool          `json:"o,omitempty"`
	// Proposed is the code offered for the title, until one is taken.
	Proposed string `json:"p,omitempty"`

	// ID is the campaign being edited or closed, and Target the goal
	// being changed.
	ID     int64 `json:"id,omitempty"`
	Target int64 `json:"tg,omitempty"`
}

type draftTarget struct {
	Kind  danvan.Kind     `json:"k"`
	Label string          `json:"l,omitempty"`
	Unit  string          `json:"u,omitempty"`
	Goal  danvan.Quantity `json:"g,omitempty"`
}

func (d draftTarget) target() danvan.Target {
	return danvan.Target{Kind: d.Kind, Label: d.Label, Unit: d.Unit, Goal: d.Goal}
}

// draft is a copy of the campaign conversation's draft; saveDraft keeps a
// changed one.
func (tr *turn) draft() campaignDraft {
	if tr.state.Campaign == nil {
		return campaignDraft{}
	}
	return *tr.state.Campaign
}

func (tr *turn) saveDraft(d campaignDraft) { tr.state.Campaign = &d }

// notice puts a short notice on the answer to the pressed button.
func (tr *turn) notice(text string) {
	for i, o := range tr.out {
		if o.Kind == danvan.OutAnswer {
			tr.out[i].Text = text
		}
	}
}

// reask replaces the pressed message by a new version of the question, for
// toggles, making the older buttons stale.
func (tr *turn) reask(step, text string, buttons func(seq int) [][]danvan.Button) {
	if !tr.renumber(step) {
		return
	}
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutEdit, ChatID: tr.ev.ChatID, MessageID: tr.ev.MessageID,
		Text: text, Buttons: buttons(tr.state.Seq)})
}

// prompt asks for typed text at step; older buttons become stale.
func (tr *turn) prompt(step, text string) {
	tr.ask(step, text, func(int) [][]danvan.Button { return nil })
}

// promptSkippable asks for typed text with a button to skip it.
func (tr *turn) promptSkippable(step, text, action string) {
	tr.ask(step, text, func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{{Text: t(tr.lang, msgKSkip), Data: buttonData(seq, action, 0)}}}
	})
}

// isSkip reports whether typed text means "skip this step".
func isSkip(s string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "-", "skip", "none", "no", "bỏ qua", "bo qua", "không", "khong", "ko":
		return true
	}
	return false
}

// cleanText trims and collapses white space, and reports whether the result
// has 1 to max characters.
func cleanText(s string, max int) (string, bool) {
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	n := utf8.RuneCountInString(s)
	return s, n >= 1 && n <= max
}

var campaignCode = regexp.MustCompile(`^[A-Z0-9]{2,16}$`)

// codeFrom proposes a campaign code from a title: letters and digits
// without diacritics, upper case, at most 16.
func codeFrom(title string) string {
	var b strings.Builder
	for _, r := range danvan.Fold(title) {
		r = unicode.ToUpper(r)
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) && b.Len() < 16 {
			b.WriteRune(r)
		}
	}
	code := b.String()
	if len(code) < 2 {
		code = "CD" + code
	}
	return code
}

// codeFree reports whether no campaign has the code.
func (tr *turn) codeFree(code string) (bool, error) {
	_, err := tr.st.CampaignByCode(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		return true, nil
	}
	return false, err
}

// uniqueCode proposes a free code from the title, numbering it when taken.
func (tr *turn) uniqueCode(title string) (string, error) {
	base := codeFrom(title)
	for n := 1; n < 100; n++ {
		code := base
		if n > 1 {
			suffix := strconv.Itoa(n)
			code = base[:min(len(base), 16-len(suffix))] + suffix
		}
		free, err := tr.codeFree(code)
		if err != nil {
			return "", err
		}
		if free {
			return code, nil
		}
	}
	return base, nil // every variant taken: the person types one
}

// unitsToRun are the units the person may run campaigns for.
func (tr *turn) unitsToRun() ([]danvan.Unit, error) {
	gs, err := tr.grants()
	if err != nil {
		return nil, err
	}
	us, err := tr.st.CampaignUnits(tr.ctx)
	if err != nil {
		return nil, err
	}
	var mine []danvan.Unit
	for _, u := range us {
		if gs.CadreOf(u.ID) {
			mine = append(mine, u)
		}
	}
	return mine, nil
}

func (tr *turn) newCampaign(string) error {
	units, err := tr.unitsToRun()
	if err != nil {
		return err
	}
	if len(units) == 0 {
		gs, err := tr.grants()
		if err != nil {
			return err
		}
		if gs.Admin() {
			// An admin may run any unit; there is none yet.
			tr.say(t(tr.lang, msgKNoUnits))
			return nil
		}
		tr.say(t(tr.lang, msgKNotCadre))
		return nil
	}
	tr.state.Campaign = &campaignDraft{}
	if len(units) == 1 {
		tr.saveDraft(campaignDraft{Unit: units[0].ID, Honour: true})
		tr.prompt(stepKTitle, t(tr.lang, msgKAskTitle, esc(units[0].Name)))
		return nil
	}
	tr.ask(stepKUnit, t(tr.lang, msgKAskUnit), func(seq int) [][]danvan.Button {
		rows := make([][]danvan.Button, len(units))
		for i, u := range units {
			rows[i] = []danvan.Button{{Text: truncate(u.Name, 48), Data: buttonData(seq, "ku", u.ID)}}
		}
		return rows
	})
	return nil
}

// draftUnitOK re-reads the draft's unit and checks, at every step, that
// the person still runs it: a role removed midway stops the draft.
func (tr *turn) draftUnitOK(d campaignDraft) (danvan.Unit, bool, error) {
	units, err := tr.unitsToRun()
	if err != nil {
		return danvan.Unit{}, false, err
	}
	for _, u := range units {
		if u.ID == d.Unit {
			return u, true, nil
		}
	}
	tr.state.reset()
	tr.notice(t(tr.lang, msgKNotCadre))
	tr.say(t(tr.lang, msgKNotCadre))
	return danvan.Unit{}, false, nil
}

func (tr *turn) draftUnit(id int64) error {
	if tr.state.Step != stepKUnit {
		return tr.staleButton()
	}
	d := campaignDraft{Unit: id, Honour: true}
	u, ok, err := tr.draftUnitOK(d)
	if err != nil || !ok {
		return err
	}
	tr.settle(t(tr.lang, msgKAskUnit), u.Name)
	tr.saveDraft(d)
	tr.prompt(stepKTitle, t(tr.lang, msgKAskTitle, esc(u.Name)))
	return nil
}

func (tr *turn) draftTitle(s string) error {
	d := tr.draft()
	if _, ok, err := tr.draftUnitOK(d); err != nil || !ok {
		return err
	}
	title, ok := cleanText(s, maxTitle)
	if !ok {
		tr.say(t(tr.lang, msgKBadTitle))
		return nil
	}
	d.Title = title
	tr.saveDraft(d)
	return tr.askCode(d)
}

func (tr *turn) askCode(d campaignDraft) error {
	code, err := tr.uniqueCode(d.Title)
	if err != nil {
		return err
	}
	d.Proposed = code
	tr.saveDraft(d)
	tr.ask(stepKCode, t(tr.lang, msgKAskCode, esc(code)), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{{Text: t(tr.lang, msgKUseCode, code), Data: buttonData(seq, "kc", 0)}}}
	})
	return nil
}

func (tr *turn) draftUseCode(int64) error {
	if tr.state.Step != stepKCode {
		return tr.staleButton()
	}
	code := tr.draft().Proposed
	tr.settle(t(tr.lang, msgKAskCode, esc(code)), code)
	return tr.takeCode(code)
}

func (tr *turn) draftTypedCode(s string) error {
	code := strings.ToUpper(strings.TrimSpace(s))
	if !campaignCode.MatchString(code) {
		tr.say(t(tr.lang, msgKBadCode))
		return nil
	}
	return tr.takeCode(code)
}

func (tr *turn) takeCode(code string) error {
	d := tr.draft()
	if _, ok, err := tr.draftUnitOK(d); err != nil || !ok {
		return err
	}
	if !campaignCode.MatchString(code) {
		tr.prompt(stepKCode, t(tr.lang, msgKBadCode))
		return nil
	}
	free, err := tr.codeFree(code)
	if err != nil {
		return err
	}
	if !free {
		tr.prompt(stepKCode, t(tr.lang, msgKCodeTaken, esc(code)))
		return nil
	}
	d.Code, d.Proposed = code, ""
	tr.saveDraft(d)
	return tr.askZones(d, false)
}

// zonesOf are the zones a unit's campaigns may cover: the children of the
// unit's area.
func (tr *turn) zonesOf(u danvan.Unit) ([]danvan.Area, danvan.Area, error) {
	area, err := tr.st.Area(tr.ctx, u.AreaID)
	if err != nil {
		return nil, area, err
	}
	all, err := tr.st.Zones(tr.ctx)
	if err != nil {
		return nil, area, err
	}
	var zs []danvan.Area
	for _, z := range all {
		if z.ParentID == u.AreaID {
			zs = append(zs, z)
		}
	}
	return zs, area, nil
}

// askZones shows the zones as toggles; edit redraws the pressed message.
func (tr *turn) askZones(d campaignDraft, edit bool) error {
	u, ok, err := tr.draftUnitOK(d)
	if err != nil || !ok {
		return err
	}
	zs, area, err := tr.zonesOf(u)
	if err != nil {
		return err
	}
	if len(zs) == 0 {
		// A unit of a single zone covers it.
		d.Zones = []int64{area.ID}
		tr.saveDraft(d)
		return tr.askKind(d)
	}
	mark := func(id int64, label string) string {
		if slices.Contains(d.Zones, id) {
			return "✅ " + label
		}
		return label
	}
	buttons := func(seq int) [][]danvan.Button {
		bs := make([]danvan.Button, len(zs))
		for i, z := range zs {
			bs[i] = danvan.Button{Text: mark(z.ID, z.Name), Data: buttonData(seq, "kz", z.ID)}
		}
		rows := grid(bs, 3)
		rows = append(rows,
			[]danvan.Button{{Text: mark(area.ID, t(tr.lang, msgKWholeArea, area.Name)), Data: buttonData(seq, "kz", area.ID)}},
			[]danvan.Button{{Text: t(tr.lang, msgKDone), Data: buttonData(seq, "kd", 0)}})
		return rows
	}
	if edit {
		tr.reask(stepKZones, t(tr.lang, msgKAskZones), buttons)
	} else {
		tr.ask(stepKZones, t(tr.lang, msgKAskZones), buttons)
	}
	return nil
}

func (tr *turn) draftToggleZone(id int64) error {
	if tr.state.Step != stepKZones {
		return tr.staleButton()
	}
	d := tr.draft()
	u, ok, err := tr.draftUnitOK(d)
	if err != nil || !ok {
		return err
	}
	zs, area, err := tr.zonesOf(u)
	if err != nil {
		return err
	}
	switch {
	case id == area.ID:
		// The whole area and single zones exclude each other.
		if slices.Contains(d.Zones, id) {
			d.Zones = nil
		} else {
			d.Zones = []int64{id}
		}
	case slices.ContainsFunc(zs, func(z danvan.Area) bool { return z.ID == id }):
		d.Zones = slices.DeleteFunc(d.Zones, func(z int64) bool { return z == area.ID })
		if i := slices.Index(d.Zones, id); i >= 0 {
			d.Zones = slices.Delete(d.Zones, i, i+1)
		} else {
			d.Zones = append(d.Zones, id)
		}
	default:
		return tr.staleButton()
	}
	tr.saveDraft(d)
	return tr.askZones(d, true)
}

func (tr *turn) draftZonesDone(int64) error {
	if tr.state.Step != stepKZones {
		return tr.staleButton()
	}
	d := tr.draft()
	if len(d.Zones) == 0 {
		tr.notice(t(tr.lang, msgKNoZoneChosen))
		return nil
	}
	names, err := tr.areaNames(d.Zones)
	if err != nil {
		return err
	}
	tr.settle(t(tr.lang, msgKAskZones), names)
	return tr.askKind(d)
}

func (tr *turn) areaNames(ids []int64) (string, error) {
	var names []string
	for _, id := range ids {
		a, err := tr.st.Area(tr.ctx, id)
		if err != nil {
			return "", err
		}
		names = append(names, a.Name)
	}
	return strings.Join(names, ", "), nil
}

func (tr *turn) askKind(d campaignDraft) error {
	tr.ask(stepKKind, t(tr.lang, msgKAskKind, len(d.Targets)+1), func(seq int) [][]danvan.Button {
		bs := make([]danvan.Button, len(danvan.Kinds))
		for i, k := range danvan.Kinds {
			bs[i] = danvan.Button{Text: tr.kindName(k), Data: buttonData(seq, "kk", int64(i))}
		}
		return grid(bs, 3)
	})
	return nil
}

func (tr *turn) draftKind(i int64) error {
	if tr.state.Step != stepKKind || i < 0 || i >= int64(len(danvan.Kinds)) {
		return tr.staleButton()
	}
	d := tr.draft()
	if _, ok, err := tr.draftUnitOK(d); err != nil || !ok {
		return err
	}
	k := danvan.Kinds[i]
	tr.settle(t(tr.lang, msgKAskKind, len(d.Targets)+1), tr.kindName(k))
	d.Next = draftTarget{Kind: k}
	tr.saveDraft(d)
	switch k {
	case danvan.KindGoods:
		tr.prompt(stepKItem, t(tr.lang, msgKAskItem))
	case danvan.KindMeasure, danvan.KindPercent:
		tr.prompt(stepKLabel, t(tr.lang, msgKAskLabel))
	default:
		tr.askGoal(d.Next.target())
	}
	return nil
}

func (tr *turn) draftItem(s string) error {
	item, ok := cleanText(s, maxItem)
	if !ok {
		tr.say(t(tr.lang, msgKBadLabel, maxItem))
		return nil
	}
	d := tr.draft()
	d.Next.Label = item
	tr.saveDraft(d)
	tr.askGoal(d.Next.target())
	return nil
}

func (tr *turn) draftLabel(s string) error {
	label, ok := cleanText(s, maxItem)
	if !ok {
		tr.say(t(tr.lang, msgKBadLabel, maxItem))
		return nil
	}
	d := tr.draft()
	d.Next.Label = label
	tr.saveDraft(d)
	if d.Next.Kind == danvan.KindMeasure {
		tr.prompt(stepKUnitLabel, t(tr.lang, msgKAskUnitLabel))
		return nil
	}
	tr.askGoal(d.Next.target())
	return nil
}

func (tr *turn) draftUnitLabel(s string) error {
	unit, ok := cleanText(s, maxUnitLabel)
	if !ok {
		tr.say(t(tr.lang, msgKBadLabel, maxUnitLabel))
		return nil
	}
	d := tr.draft()
	d.Next.Unit = unit
	tr.saveDraft(d)
	tr.askGoal(d.Next.target())
	return nil
}

// goalExamples are typed goals shown with the question.
var goalExamples = map[danvan.Kind]string{
	danvan.KindMoney:   "180tr",
	danvan.KindLabour:  "40 công",
	danvan.KindLand:    "500m2",
	danvan.KindGoods:   "16",
	danvan.KindMeasure: "1200",
	danvan.KindPercent: "96",
}

func (tr *turn) askGoal(tg danvan.Target) {
	tr.prompt(stepKGoal, t(tr.lang, msgKAskGoal, esc(tr.targetName(tg)), goalExamples[tg.Kind]))
}

// parseFor reads a quantity typed for target tg, or says what is wrong
// with it (the returned text is ready to send).
func (tr *turn) parseFor(tg danvan.Target, s string) (danvan.Quantity, string) {
	p, err := danvan.ParseQuantity(s, tg.Kind, tr.e.limits)
	if (err != nil || p.Kind != tg.Kind) && tg.Unit != "" {
		// "350 hộ" where the parser does not know "hộ": the target's own
		// unit label means nothing more than the bare number.
		trimmed := strings.TrimSpace(s)
		if len(trimmed) > len(tg.Unit) && strings.EqualFold(trimmed[len(trimmed)-len(tg.Unit):], tg.Unit) {
			if p2, err2 := danvan.ParseQuantity(trimmed[:len(trimmed)-len(tg.Unit)], tg.Kind, tr.e.limits); err2 == nil {
				p, err = p2, nil
			}
		}
	}
	example := t(tr.lang, msgAskQuantityExample, goalExamples[tg.Kind])
	if err != nil {
		return 0, tr.quantityProblem(err) + example
	}
	if p.Kind != tg.Kind {
		return 0, t(tr.lang, msgWrongKind, tr.kindName(tg.Kind), tr.kindName(p.Kind)) + example
	}
	return p.Value, ""
}

func (tr *turn) draftGoal(s string) error {
	d := tr.draft()
	if !d.Next.Kind.Valid() {
		tr.state.reset()
		tr.say(t(tr.lang, msgCancelled))
		return nil
	}
	q, problem := tr.parseFor(d.Next.target(), s)
	if problem != "" {
		tr.say(problem)
		return nil
	}
	d.Next.Goal = q
	d.Targets = append(d.Targets, d.Next)
	added := tr.targetName(d.Next.target()) + ": " + tr.quantity(d.Next.target(), q)
	d.Next = draftTarget{}
	tr.saveDraft(d)
	tr.ask(stepKMore, t(tr.lang, msgKAskMore, esc(added)), func(seq int) [][]danvan.Button {
		var row []danvan.Button
		if len(d.Targets) < maxTargets {
			row = append(row, danvan.Button{Text: t(tr.lang, msgKAddTarget), Data: buttonData(seq, "ka", 0)})
		}
		return [][]danvan.Button{append(row, danvan.Button{Text: t(tr.lang, msgKDone), Data: buttonData(seq, "kn", 0)})}
	})
	return nil
}

func (tr *turn) draftAddTarget(int64) error {
	if tr.state.Step != stepKMore {
		return tr.staleButton()
	}
	d := tr.draft()
	if len(d.Targets) >= maxTargets {
		tr.notice(t(tr.lang, msgKTooManyTargets, maxTargets))
		return nil
	}
	tr.settle("", t(tr.lang, msgKAddTarget))
	return tr.askKind(d)
}

func (tr *turn) draftTargetsDone(int64) error {
	if tr.state.Step != stepKMore {
		return tr.staleButton()
	}
	tr.settle("", t(tr.lang, msgKDone))
	tr.promptSkippable(stepKStarts, t(tr.lang, msgKAskStarts), "ks")
	return nil
}

// draftSkip is the Skip button of the optional steps.
func (tr *turn) draftSkip(int64) error {
	switch tr.state.Step {
	case stepKStarts:
		tr.settle(t(tr.lang, msgKAskStarts), t(tr.lang, msgKSkip))
		return tr.draftStarts("")
	case stepKEnds:
		tr.settle(t(tr.lang, msgKAskEnds), t(tr.lang, msgKSkip))
		return tr.draftEnds("")
	case stepKBIN:
		tr.settle(t(tr.lang, msgKAskBIN), t(tr.lang, msgKSkip))
		return tr.draftBIN("")
	}
	return tr.staleButton()
}

func (tr *turn) draftStarts(s string) error {
	d := tr.draft()
	d.Starts = ""
	if s != "" && !isSkip(s) {
		day, ok := parseDate(s, tr.today())
		if !ok {
			tr.say(t(tr.lang, msgKBadDate))
			return nil
		}
		d.Starts = day.Format(time.DateOnly)
	}
	tr.saveDraft(d)
	tr.promptSkippable(stepKEnds, t(tr.lang, msgKAskEnds), "ks")
	return nil
}

// checkEnd refuses an end date before the start or already past, saying
// why; starts may be zero.
func (tr *turn) checkEnd(ends, starts time.Time) bool {
	if !starts.IsZero() && ends.Before(starts) {
		tr.say(t(tr.lang, msgKEndBeforeStart, showDate(starts)))
		return false
	}
	if ends.Before(dateOnly(tr.today())) {
		tr.say(t(tr.lang, msgKEndPast))
		return false
	}
	return true
}

func (tr *turn) draftEnds(s string) error {
	d := tr.draft()
	d.Ends = ""
	if s != "" && !isSkip(s) {
		day, ok := parseDate(s, tr.today())
		if !ok {
			tr.say(t(tr.lang, msgKBadDate))
			return nil
		}
		starts, _ := time.Parse(time.DateOnly, d.Starts)
		if !tr.checkEnd(day, starts) {
			return nil
		}
		d.Ends = day.Format(time.DateOnly)
	}
	tr.saveDraft(d)
	tr.promptSkippable(stepKBIN, t(tr.lang, msgKAskBIN), "ks")
	return nil
}

var (
	binPattern     = regexp.MustCompile(`^[0-9]{6}$`)
	accountPattern = regexp.MustCompile(`^[0-9]{4,19}$`)
)

func (tr *turn) draftBIN(s string) error {
	d := tr.draft()
	if s == "" || isSkip(s) {
		d.BIN, d.Account, d.Holder = "", "", ""
		tr.saveDraft(d)
		return tr.askHonour(stepKHonour)
	}
	bin := strings.Join(strings.Fields(s), "")
	if !binPattern.MatchString(bin) {
		tr.say(t(tr.lang, msgKBadBIN))
		return nil
	}
	d.BIN = bin
	tr.saveDraft(d)
	tr.prompt(stepKAccount, t(tr.lang, msgKAskAccount))
	return nil
}

func (tr *turn) draftAccount(s string) error {
	account := strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '.' || r == '-' }), "")
	if !accountPattern.MatchString(account) {
		tr.say(t(tr.lang, msgKBadAccount))
		return nil
	}
	d := tr.draft()
	d.Account = account
	tr.saveDraft(d)
	tr.prompt(stepKBankName, t(tr.lang, msgKAskBankName))
	return nil
}

func (tr *turn) draftBankName(s string) error {
	holder, ok := cleanText(s, maxBankName)
	if !ok {
		tr.say(t(tr.lang, msgKBadLabel, maxBankName))
		return nil
	}
	d := tr.draft()
	d.Holder = holder
	tr.saveDraft(d)
	return tr.askHonour(stepKHonour)
}

func (tr *turn) askHonour(step string) error {
	tr.ask(step, t(tr.lang, msgKAskHonour), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{
			{Text: t(tr.lang, msgKHonourOn), Data: buttonData(seq, "kh", 1)},
			{Text: t(tr.lang, msgKHonourOff), Data: buttonData(seq, "kh", 0)},
		}}
	})
	return nil
}

func (tr *turn) chooseHonour(on int64) error {
	if on != 0 && on != 1 {
		return tr.staleButton()
	}
	choice := t(tr.lang, msgKHonourOff)
	if on == 1 {
		choice = t(tr.lang, msgKHonourOn)
	}
	switch tr.state.Step {
	case stepKHonour:
		tr.settle(t(tr.lang, msgKAskHonour), choice)
		d := tr.draft()
		d.Honour = on == 1
		tr.saveDraft(d)
		return tr.review(d)
	case stepKEHonour:
		tr.settle(t(tr.lang, msgKAskHonour), choice)
		return tr.changeCampaign(func(c *danvan.Campaign) { c.HonourBoard = on == 1 })
	}
	return tr.staleButton()
}

// campaignOf builds the campaign a draft describes.
func (d campaignDraft) campaign() danvan.Campaign {
	c := danvan.Campaign{Code: d.Code, Title: d.Title, UnitID: d.Unit, AreaIDs: d.Zones,
		Status: danvan.CampaignActive, HonourBoard: d.Honour}
	c.Starts, _ = time.Parse(time.DateOnly, d.Starts)
	c.Ends, _ = time.Parse(time.DateOnly, d.Ends)
	if d.BIN != "" {
		c.Bank = &danvan.BankAccount{BIN: d.BIN, Account: d.Account, Name: d.Holder}
	}
	for _, tg := range d.Targets {
		c.Targets = append(c.Targets, tg.target())
	}
	return c
}

func (tr *turn) review(d campaignDraft) error {
	u, ok, err := tr.draftUnitOK(d)
	if err != nil || !ok {
		return err
	}
	if d.Title == "" || d.Code == "" || len(d.Zones) == 0 || len(d.Targets) == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgCancelled))
		return nil
	}
	zones, err := tr.areaNames(d.Zones)
	if err != nil {
		return err
	}
	c := d.campaign()
	var goals strings.Builder
	for _, tg := range c.Targets {
		goals.WriteString(t(tr.lang, msgKReviewTarget, esc(tr.targetName(tg)), esc(tr.quantity(tg, tg.Goal))))
	}
	dates := t(tr.lang, msgKReviewDates, tr.dateOr(c.Starts), tr.dateOr(c.Ends))
	bank := t(tr.lang, msgKReviewNoBank)
	if c.Bank != nil {
		bank = t(tr.lang, msgKReviewBank, esc(c.Bank.BIN), esc(c.Bank.Account), esc(c.Bank.Name))
	}
	honour := t(tr.lang, msgKHonourOff)
	if c.HonourBoard {
		honour = t(tr.lang, msgKHonourOn)
	}
	text := t(tr.lang, msgKReview, esc(c.Title), esc(c.Code), esc(u.Name), esc(zones), goals.String(), dates, bank, honour)
	tr.ask(stepKReview, text, func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{
			{Text: t(tr.lang, msgKPublish), Data: buttonData(seq, "kp", 0)},
			{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)},
		}}
	})
	return nil
}

func (tr *turn) dateOr(d time.Time) string {
	if d.IsZero() {
		return t(tr.lang, msgKReviewNoDates)
	}
	return showDate(d)
}

func (tr *turn) publishDraft(int64) error {
	if tr.state.Step != stepKReview {
		return tr.staleButton()
	}
	d := tr.draft()
	if _, ok, err := tr.draftUnitOK(d); err != nil || !ok {
		return err
	}
	c := d.campaign()
	tr.settle("", t(tr.lang, msgKPublish))
	created, err := tr.st.CreateCampaign(tr.ctx, &c)
	if err != nil {
		return err
	}
	if !created {
		// Someone took the code since it was chosen.
		tr.prompt(stepKCode, t(tr.lang, msgKCodeTaken, esc(c.Code)))
		return nil
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "campaign", c.ID, c.ID, "created", nil, c); err != nil {
		return err
	}
	tr.state.reset()
	text := t(tr.lang, msgKPublished, esc(c.Title), esc(c.Code), esc(c.Code))
	if tr.e.botName != "" {
		text += t(tr.lang, msgKPublishedLink, esc(fmt.Sprintf("https://t.me/%s?start=c_%s", tr.e.botName, c.Code)))
	}
	tr.say(text)
	return nil
}

// campaignAsCadre finds the campaign named in a command and checks that the
// person runs its unit, explaining when not.
func (tr *turn) campaignAsCadre(args string, usage msg) (danvan.Campaign, bool, error) {
	code, _, _ := strings.Cut(strings.TrimSpace(args), " ")
	if code == "" {
		tr.say(t(tr.lang, usage))
		return danvan.Campaign{}, false, nil
	}
	c, err := tr.st.CampaignByCode(tr.ctx, code)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgUnknownCampaign, esc(truncate(code, 16))))
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	return c, tr.mayRun(c), nil
}

// mayRun checks that the person runs the campaign's unit, saying so when
// not; every step and button of a cadre's conversation calls it again.
func (tr *turn) mayRun(c danvan.Campaign) bool {
	gs, err := tr.grants()
	if err == nil && gs.CadreOf(c.UnitID) {
		return true
	}
	tr.state.reset()
	tr.notice(t(tr.lang, msgKNotCadre))
	tr.say(t(tr.lang, msgKNotCadre))
	return false
}

// heldCampaign re-reads campaign id, which the conversation is about, and
// checks the person still runs it and that it is not closed.
func (tr *turn) heldCampaign(id int64) (danvan.Campaign, bool, error) {
	c, err := tr.st.Campaign(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.state.reset()
		return c, false, tr.staleButton()
	}
	if err != nil || !tr.mayRun(c) {
		return c, false, err
	}
	if c.Status == danvan.CampaignClosed {
		tr.state.reset()
		tr.say(t(tr.lang, msgKIsClosed, esc(c.Title)))
		return c, false, nil
	}
	return c, true, nil
}

func (tr *turn) editCampaign(args string) error {
	c, ok, err := tr.campaignAsCadre(args, msgKEditUsage)
	if err != nil || !ok {
		return err
	}
	if c.Status == danvan.CampaignClosed {
		tr.say(t(tr.lang, msgKIsClosed, esc(c.Title)))
		return nil
	}
	tr.state.Campaign = &campaignDraft{ID: c.ID}
	honour := t(tr.lang, msgKHonourOff)
	if c.HonourBoard {
		honour = t(tr.lang, msgKHonourOn)
	}
	ends := t(tr.lang, msgKNoEnd)
	if !c.Ends.IsZero() {
		ends = showDate(c.Ends)
	}
	tr.ask(stepKEdit, t(tr.lang, msgKEditMenu, esc(c.Title), esc(c.Code), ends, honour), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{
			{{Text: t(tr.lang, msgKFieldTitle), Data: buttonData(seq, "ke", 1)}, {Text: t(tr.lang, msgKFieldEnds), Data: buttonData(seq, "ke", 2)}},
			{{Text: t(tr.lang, msgKFieldHonour), Data: buttonData(seq, "ke", 3)}, {Text: t(tr.lang, msgKFieldGoal), Data: buttonData(seq, "ke", 4)}},
			{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)}},
		}
	})
	return nil
}

func (tr *turn) editField(f int64) error {
	if tr.state.Step != stepKEdit || f < 1 || f > 4 {
		return tr.staleButton()
	}
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	fields := map[int64]msg{1: msgKFieldTitle, 2: msgKFieldEnds, 3: msgKFieldHonour, 4: msgKFieldGoal}
	tr.settle(t(tr.lang, msgSummaryHeader, esc(c.Title), esc(c.Code)), t(tr.lang, fields[f]))
	switch f {
	case 1:
		tr.prompt(stepKETitle, t(tr.lang, msgKAskNewTitle))
	case 2:
		tr.prompt(stepKEEnds, t(tr.lang, msgKAskNewEnds))
	case 3:
		return tr.askHonour(stepKEHonour)
	case 4:
		if len(c.Targets) == 1 {
			return tr.askNewGoal(c.Targets[0])
		}
		tr.ask(stepKETarget, t(tr.lang, msgKAskTarget), func(seq int) [][]danvan.Button {
			rows := make([][]danvan.Button, len(c.Targets))
			for i, tg := range c.Targets {
				rows[i] = []danvan.Button{{Text: truncate(tr.targetName(tg), 48), Data: buttonData(seq, "kt", tg.ID)}}
			}
			return rows
		})
	}
	return nil
}

func (tr *turn) editTarget(id int64) error {
	if tr.state.Step != stepKETarget {
		return tr.staleButton()
	}
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	tg, found := findTarget(c.Targets, id)
	if !found {
		return tr.staleButton()
	}
	tr.settle(t(tr.lang, msgKAskTarget), tr.targetName(tg))
	return tr.askNewGoal(tg)
}

func (tr *turn) askNewGoal(tg danvan.Target) error {
	d := tr.draft()
	d.Target = tg.ID
	tr.saveDraft(d)
	tr.prompt(stepKEGoal, t(tr.lang, msgKAskNewGoal, esc(tr.targetName(tg)), esc(tr.quantity(tg, tg.Goal)), goalExamples[tg.Kind]))
	return nil
}

// changeCampaign applies change to the held campaign, stores and audits it.
func (tr *turn) changeCampaign(change func(c *danvan.Campaign)) error {
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	before := c
	change(&c)
	if err := tr.st.UpdateCampaign(tr.ctx, c); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "campaign", c.ID, c.ID, "changed", before, c); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgKSaved, esc(c.Title)))
	return nil
}

func (tr *turn) editTitle(s string) error {
	title, ok := cleanText(s, maxTitle)
	if !ok {
		tr.say(t(tr.lang, msgKBadTitle))
		return nil
	}
	return tr.changeCampaign(func(c *danvan.Campaign) { c.Title = title })
}

func (tr *turn) editEnds(s string) error {
	var ends time.Time
	if !isSkip(s) {
		day, ok := parseDate(s, tr.today())
		if !ok {
			tr.say(t(tr.lang, msgKBadDate))
			return nil
		}
		c, ok, err := tr.heldCampaign(tr.draft().ID)
		if err != nil || !ok {
			return err
		}
		if !tr.checkEnd(day, c.Starts) {
			return nil
		}
		ends = day
	}
	return tr.changeCampaign(func(c *danvan.Campaign) { c.Ends = ends })
}

func (tr *turn) editGoal(s string) error {
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	tg, found := findTarget(c.Targets, tr.draft().Target)
	if !found {
		tr.state.reset()
		tr.say(t(tr.lang, msgCancelled))
		return nil
	}
	q, problem := tr.parseFor(tg, s)
	if problem != "" {
		tr.say(problem)
		return nil
	}
	if err := tr.st.SetTargetGoal(tr.ctx, tg.ID, q); err != nil {
		return err
	}
	after, err := tr.st.Campaign(tr.ctx, c.ID)
	if err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "campaign", c.ID, c.ID, "changed", c, after); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgKSaved, esc(c.Title)))
	return nil
}

func (tr *turn) closeCampaign(args string) error {
	c, ok, err := tr.campaignAsCadre(args, msgKCloseUsage)
	if err != nil || !ok {
		return err
	}
	if c.Status == danvan.CampaignClosed {
		tr.say(t(tr.lang, msgKIsClosed, esc(c.Title)))
		return nil
	}
	tr.state.Campaign = &campaignDraft{ID: c.ID}
	tr.ask(stepKClose, t(tr.lang, msgKAskClose, esc(c.Title)), func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{
			{Text: t(tr.lang, msgKCloseYes), Data: buttonData(seq, "kq", c.ID)},
			{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "x", 0)},
		}}
	})
	return nil
}

// confirmClose closes the campaign the question was about (id).
func (tr *turn) confirmClose(id int64) error {
	if tr.state.Step != stepKClose || id != tr.draft().ID {
		return tr.staleButton()
	}
	c, ok, err := tr.heldCampaign(tr.draft().ID)
	if err != nil || !ok {
		return err
	}
	tr.settle(t(tr.lang, msgKAskClose, esc(c.Title)), t(tr.lang, msgKCloseYes))
	before := c
	c.Status = danvan.CampaignClosed
	if err := tr.st.UpdateCampaign(tr.ctx, c); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "campaign", c.ID, c.ID, "closed", before, c); err != nil {
		return err
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgKClosed, esc(c.Title)))
	return nil
}
