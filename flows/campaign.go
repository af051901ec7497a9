package flows

import (
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
