package flows

import (
	"errors"
	"slices"
	"strings"

	"github.com/danvan/danvan"
)

// Groups: the bot added to a committee's group chat introduces itself and
// records the group; a cadre or admin links it to an area, a unit or
// campaigns (/linkgroup, with buttons) and sets the day and hour of its
// weekly summary (/schedule). Removed, the group is marked inactive; its
// links stay, so adding the bot back resumes the summaries.
//
// In a group the conversation state belongs to (chat, person), so the
// buttons of /linkgroup answer only the person who asked: anyone else's
// press finds no conversation and is refused as out of date. Authority is
// read from the database at every press.

const (
	stepLinkMenu      = "l_menu"  // choosing what to link
	stepLinkArea      = "l_area"  // choosing the area
	stepLinkUnit      = "l_unit"  // choosing the unit
	stepLinkCampaigns = "l_camps" // toggling campaigns
)

// What the menu's buttons open (the argument of "lm").
const (
	linkDone      = 0
	linkArea      = 1
	linkUnit      = 2
	linkCampaigns = 3
)

func groupsConversation(c *conversation) {
	c.commands(
		&command{names: []string{"linkgroup", "lienket"}, private: groupOnly, group: (*turn).linkGroup},
		&command{names: []string{"schedule", "lichtongket"}, private: groupOnly, group: (*turn).schedule},
	)
	inGroup := func(run func(*turn, int64) error, steps ...string) action {
		return action{run: run, steps: steps, group: true}
	}
	c.actions(map[string]action{
		"lm": inGroup((*turn).linkMenuChoice, stepLinkMenu),
		"la": inGroup((*turn).linkArea, stepLinkArea),
		"lu": inGroup((*turn).linkUnit, stepLinkUnit),
		"lt": inGroup((*turn).toggleCampaign, stepLinkCampaigns),
		"lb": inGroup((*turn).backToLinkMenu, stepLinkArea, stepLinkUnit, stepLinkCampaigns),
	})
}

func groupOnly(tr *turn, _ string) error {
	tr.say(t(tr.lang, msgLGroupOnly))
	return nil
}

// membership follows the bot's membership of a group: added, it records
// the group and introduces itself; removed, it marks the group inactive
// (the sender already stops writing there). Private chats (a person
// blocking or unblocking the bot) need nothing here.
func (tr *turn) membership() error {
	if !tr.ev.Group {
		return nil
	}
	switch tr.ev.Kind {
	case EventJoined:
		return tr.joined()
	case EventLeft:
		return tr.st.DeactivateGroup(tr.ctx, tr.ev.ChatID)
	}
	return nil
}

// joined records the group the bot was added to and tells its members what
// the bot does there and how a cadre links it.
func (tr *turn) joined() error {
	if !tr.ev.Group {
		return nil
	}
	areaID, unitID, campaigns, _, err := tr.st.GroupLinks(tr.ctx, tr.ev.ChatID)
	if err != nil {
		return err
	}
	if err := tr.st.RecordGroup(tr.ctx, tr.ev.ChatID, tr.chatTitle()); err != nil {
		return err
	}
	day, hour, err := tr.st.GroupSchedule(tr.ctx, tr.ev.ChatID)
	if err != nil {
		return err
	}
	if areaID == 0 && unitID == 0 && len(campaigns) == 0 {
		tr.say(t(tr.lang, msgLIntro, tr.scheduleName(day, hour)))
		return nil
	}
	// Back in a group that is linked already: what it follows, not how
	// to link it.
	links, err := tr.linkState()
	if err != nil {
		return err
	}
	tr.say(t(tr.lang, msgLBack, tr.scheduleName(day, hour)) + "\n\n" + links)
	return nil
}

// chatTitle is the group's title as the platform names it.
func (tr *turn) chatTitle() string { return tr.ev.Title }

// groupGrants are the roles of a person acting on a group: ok is false,
// and they were told, when they are neither a cadre nor an admin.
func (tr *turn) groupGrants(refusal msg) (danvan.Grants, bool, error) {
	gs, err := tr.grants()
	if err != nil {
		return nil, false, err
	}
	if !gs.Admin() && len(gs.Units(danvan.RoleCadre)) == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, refusal))
		return gs, false, nil
	}
	return gs, true, nil
}

// groupLinks reads the group's links, recording the group first if the
// bot never was told it was added (it was added before it kept groups, or
// the setup file does not name it).
func (tr *turn) groupLinks() (areaID, unitID int64, campaigns []int64, err error) {
	areaID, unitID, campaigns, found, err := tr.st.GroupLinks(tr.ctx, tr.ev.ChatID)
	if err != nil || found {
		return areaID, unitID, campaigns, err
	}
	if err := tr.st.RecordGroup(tr.ctx, tr.ev.ChatID, tr.chatTitle()); err != nil {
		return 0, 0, nil, err
	}
	return 0, 0, nil, nil
}

// linkGroup is /linkgroup in a group.
func (tr *turn) linkGroup(string) error {
	if _, ok, err := tr.groupGrants(msgLNotAllowed); err != nil || !ok {
		return err
	}
	tr.state.reset()
	return tr.showLinkMenu(false)
}

// backToLinkMenu is the "back" button of the link menu's pages.
func (tr *turn) backToLinkMenu(int64) error {
	if _, ok, err := tr.groupGrants(msgLNotAllowed); err != nil || !ok {
		return err
	}
	return tr.showLinkMenu(true)
}

// showLinkMenu shows what the group is linked to with buttons to change
// it, as a new message or (edit) in place of the pressed one.
func (tr *turn) showLinkMenu(edit bool) error {
	if edit && tr.state.Step == "" {
		return tr.staleButton()
	}
	text, err := tr.linkState()
	if err != nil {
		return err
	}
	text += t(tr.lang, msgLMenuAsk)
	rows := func(seq int) [][]danvan.Button {
		return [][]danvan.Button{
			{{Text: t(tr.lang, msgLAreaButton), Data: buttonData(seq, "lm", linkArea)},
				{Text: t(tr.lang, msgLUnitButton), Data: buttonData(seq, "lm", linkUnit)}},
			{{Text: t(tr.lang, msgLCampaignsButton), Data: buttonData(seq, "lm", linkCampaigns)}},
			{{Text: t(tr.lang, msgLDoneButton), Data: buttonData(seq, "lm", linkDone)}},
		}
	}
	if edit {
		tr.redrawLink(stepLinkMenu, text, rows)
		return nil
	}
	tr.ask(stepLinkMenu, text, rows)
	return nil
}

// redraw replaces the pressed message's text and buttons, keeping the
// conversation's sequence: the message stays the one to press.
func (tr *turn) redrawLink(step, text string, rows func(seq int) [][]danvan.Button) {
	tr.state.Step = step
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutEdit, ChatID: tr.ev.ChatID, MessageID: tr.ev.MessageID,
		Text: text, Buttons: rows(tr.state.Seq)})
}

// linkState describes the group's links.
func (tr *turn) linkState() (string, error) {
	areaID, unitID, campaigns, err := tr.groupLinks()
	if err != nil {
		return "", err
	}
	none := t(tr.lang, msgLNone)
	area, unit, codes := none, none, none
	if areaID != 0 {
		a, err := tr.st.Area(tr.ctx, areaID)
		if err != nil {
			return "", err
		}
		area = esc(a.Name)
	}
	if unitID != 0 {
		u, err := tr.st.ScopeUnit(tr.ctx, unitID)
		if err != nil {
			return "", err
		}
		unit = esc(u.Name)
	}
	if len(campaigns) > 0 {
		var cs []string
		for _, id := range campaigns {
			c, err := tr.st.Campaign(tr.ctx, id)
			if err != nil {
				return "", err
			}
			cs = append(cs, "<code>"+esc(c.Code)+"</code>")
		}
		codes = strings.Join(cs, ", ")
	}
	return t(tr.lang, msgLState, area, unit, codes), nil
}

func (tr *turn) linkMenuChoice(what int64) error {
	if tr.state.Step != stepLinkMenu {
		return tr.staleButton()
	}
	gs, ok, err := tr.groupGrants(msgLNotAllowed)
	if err != nil || !ok {
		return err
	}
	back := []danvan.Button{{Text: t(tr.lang, msgLBackButton), Data: buttonData(tr.state.Seq, "lb", 0)}}
	switch what {
	case linkDone:
		text, err := tr.linkState()
		if err != nil {
			return err
		}
		tr.state.reset()
		tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutEdit, ChatID: tr.ev.ChatID, MessageID: tr.ev.MessageID,
			Text: text + t(tr.lang, msgLDone)})
		return nil
	case linkArea:
		areas, err := tr.st.LinkableAreas(tr.ctx, gs.Units(danvan.RoleCadre), gs.Admin())
		if err != nil {
			return err
		}
		bs := make([]danvan.Button, 0, len(areas)+1)
		for _, a := range areas {
			bs = append(bs, danvan.Button{Text: a.Name, Data: buttonData(tr.state.Seq, "la", a.ID)})
		}
		bs = append(bs, danvan.Button{Text: t(tr.lang, msgLNoneButton), Data: buttonData(tr.state.Seq, "la", 0)})
		tr.redrawLink(stepLinkArea, t(tr.lang, msgLAskArea), func(int) [][]danvan.Button { return append(grid(bs, 2), back) })
	case linkUnit:
		units, err := tr.cadreUnits(gs)
		if err != nil {
			return err
		}
		bs := make([]danvan.Button, 0, len(units)+1)
		for _, u := range units {
			bs = append(bs, danvan.Button{Text: u.Code, Data: buttonData(tr.state.Seq, "lu", u.ID)})
		}
		bs = append(bs, danvan.Button{Text: t(tr.lang, msgLNoneButton), Data: buttonData(tr.state.Seq, "lu", 0)})
		tr.redrawLink(stepLinkUnit, t(tr.lang, msgLAskUnit), func(int) [][]danvan.Button { return append(grid(bs, 2), back) })
	case linkCampaigns:
		return tr.showCampaignToggles(gs)
	default:
		return tr.staleButton()
	}
	return nil
}

// cadreUnits are the units the person may link a group to.
func (tr *turn) cadreUnits(gs danvan.Grants) ([]danvan.Unit, error) {
	all, err := tr.st.ScopeUnits(tr.ctx)
	if err != nil {
		return nil, err
	}
	if gs.Admin() {
		return all, nil
	}
	var us []danvan.Unit
	for _, u := range all {
		if gs.CadreOf(u.ID) {
			us = append(us, u)
		}
	}
	return us, nil
}

// showCampaignToggles lists the campaigns the person may link, ticked when
// linked, each button linking or unlinking it.
func (tr *turn) showCampaignToggles(gs danvan.Grants) error {
	_, _, linked, err := tr.groupLinks()
	if err != nil {
		return err
	}
	cs, err := tr.st.LinkableCampaigns(tr.ctx, gs.Units(danvan.RoleCadre), gs.Admin())
	if err != nil {
		return err
	}
	// Campaigns linked already are shown too (closed ones, another
	// unit's), so that they can be unlinked by whoever may.
	for _, id := range linked {
		if slices.ContainsFunc(cs, func(c danvan.Campaign) bool { return c.ID == id }) {
			continue
		}
		c, err := tr.st.Campaign(tr.ctx, id)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	bs := make([]danvan.Button, 0, len(cs))
	for _, c := range cs {
		mark := "⬜ "
		if slices.Contains(linked, c.ID) {
			mark = "✅ "
		}
		bs = append(bs, danvan.Button{Text: mark + c.Code, Data: buttonData(tr.state.Seq, "lt", c.ID)})
	}
	text, err := tr.linkState()
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		text += t(tr.lang, msgLNoCampaigns)
	} else {
		text += t(tr.lang, msgLAskCampaigns)
	}
	tr.redrawLink(stepLinkCampaigns, text, func(seq int) [][]danvan.Button {
		return append(grid(bs, 2), []danvan.Button{{Text: t(tr.lang, msgLBackButton), Data: buttonData(seq, "lb", 0)}})
	})
	return nil
}

func (tr *turn) linkArea(id int64) error {
	if tr.state.Step != stepLinkArea {
		return tr.staleButton()
	}
	gs, ok, err := tr.groupGrants(msgLNotAllowed)
	if err != nil || !ok {
		return err
	}
	if id != 0 {
		areas, err := tr.st.LinkableAreas(tr.ctx, gs.Units(danvan.RoleCadre), gs.Admin())
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(areas, func(a danvan.Area) bool { return a.ID == id }) {
			tr.notice(t(tr.lang, msgLNotYours))
			return nil
		}
	}
	if err := tr.st.SetGroupArea(tr.ctx, tr.ev.ChatID, id); err != nil {
		return err
	}
	if err := tr.auditGroup(0, "area", map[string]any{"area_id": id}); err != nil {
		return err
	}
	return tr.showLinkMenu(true)
}

func (tr *turn) linkUnit(id int64) error {
	if tr.state.Step != stepLinkUnit {
		return tr.staleButton()
	}
	gs, ok, err := tr.groupGrants(msgLNotAllowed)
	if err != nil || !ok {
		return err
	}
	_, current, _, err := tr.groupLinks()
	if err != nil {
		return err
	}
	// Changing or removing the unit the group follows takes authority over
	// it too, not only over the new one.
	if id != 0 && !gs.CadreOf(id) || current != 0 && current != id && !gs.CadreOf(current) {
		tr.notice(t(tr.lang, msgLNotYours))
		return nil
	}
	if err := tr.st.SetGroupUnit(tr.ctx, tr.ev.ChatID, id); err != nil {
		return err
	}
	if err := tr.auditGroup(0, "unit", map[string]any{"unit_id": id, "before": current}); err != nil {
		return err
	}
	return tr.showLinkMenu(true)
}

func (tr *turn) toggleCampaign(id int64) error {
	if tr.state.Step != stepLinkCampaigns {
		return tr.staleButton()
	}
	gs, ok, err := tr.groupGrants(msgLNotAllowed)
	if err != nil || !ok {
		return err
	}
	c, err := tr.st.Campaign(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		return tr.staleButton()
	}
	if err != nil {
		return err
	}
	if !gs.CadreOf(c.UnitID) {
		tr.notice(t(tr.lang, msgLNotYours))
		return nil
	}
	_, _, linked, err := tr.groupLinks()
	if err != nil {
		return err
	}
	if c.Status == danvan.CampaignClosed && !slices.Contains(linked, id) {
		// A closed campaign can be unlinked, not linked anew.
		tr.notice(t(tr.lang, msgLClosed))
		return nil
	}
	now, err := tr.st.ToggleGroupCampaign(tr.ctx, tr.ev.ChatID, id)
	if err != nil {
		return err
	}
	action := "unlinked"
	if now {
		action = "linked"
	}
	if err := tr.auditGroup(id, action, map[string]any{"campaign": c.Code}); err != nil {
		return err
	}
	return tr.showCampaignToggles(gs)
}

var (
	msgLGroupOnly = msg{
		"Lệnh này dùng trong nhóm chat của ban vận động: thêm bot vào nhóm rồi gõ lệnh ở đó.",
		"This command works in a committee's group chat: add me to the group and send it there.",
	}
	msgLIntro = msg{
		"👋 Xin chào cả nhóm! Tôi là bot <b>Dân vận khéo</b>. Trong nhóm này tôi sẽ:\n" +
			"• gửi tổng kết tuần của các chiến dịch (%s)\n" +
			"• báo tin khi một chiến dịch nhận được 50%% và 100%% mục tiêu\n" +
			"• trả lời <code>/tongket MÃ</code> cho mọi người.\n\n" +
			"Cán bộ, quản trị: gõ /lienket để liên kết nhóm với khu vực, đơn vị hoặc chiến dịch; /lichtongket để đổi lịch tổng kết.",
		"👋 Hello everyone! I am the <b>Skilful Mass Mobilisation</b> bot. In this group I will:\n" +
			"• send a weekly summary of the campaigns (%s)\n" +
			"• announce when a campaign has received 50%% and 100%% of its goal\n" +
			"• answer <code>/summary CODE</code> for anyone.\n\n" +
			"Cadres and admins: send /linkgroup to link this group to an area, a unit or campaigns; /schedule to change the summary's day and hour.",
	}
	msgLNotAllowed = msg{
		"Chỉ cán bộ hoặc quản trị mới liên kết được nhóm.",
		"Only cadres and admins can link this group.",
	}
	msgLBack = msg{
		"👋 Tôi đã trở lại nhóm: tổng kết tuần vẫn gửi vào %s, và tin báo khi chiến dịch đạt 50%% và 100%% mục tiêu.",
		"👋 I am back in the group: the weekly summary still comes %s, with a notice when a campaign reaches 50%% and 100%% of its goal.",
	}
	msgLState = msg{
		"🔗 <b>Liên kết của nhóm</b>\nKhu vực: %s\nĐơn vị: %s\nChiến dịch: %s",
		"🔗 <b>This group's links</b>\nArea: %s\nUnit: %s\nCampaigns: %s",
	}
	msgLNone            = msg{"chưa có", "none"}
	msgLMenuAsk         = msg{"\n\nChọn mục muốn đổi:", "\n\nChoose what to change:"}
	msgLAreaButton      = msg{"🏘 Khu vực", "🏘 Area"}
	msgLUnitButton      = msg{"🏢 Đơn vị", "🏢 Unit"}
	msgLCampaignsButton = msg{"📋 Chiến dịch", "📋 Campaigns"}
	msgLDoneButton      = msg{"✔ Xong", "✔ Done"}
	msgLBackButton      = msg{"« Quay lại", "« Back"}
	msgLNoneButton      = msg{"Không liên kết", "None"}
	msgLAskArea         = msg{"Liên kết nhóm với khu vực nào?", "Which area should this group follow?"}
	msgLAskUnit         = msg{"Liên kết nhóm với đơn vị nào?", "Which unit should this group follow?"}
	msgLAskCampaigns    = msg{
		"\n\nBấm để liên kết (✅) hoặc bỏ liên kết (⬜) từng chiến dịch:",
		"\n\nPress to link (✅) or unlink (⬜) each campaign:",
	}
	msgLNoCampaigns = msg{"\n\nĐơn vị của bạn chưa có chiến dịch nào.", "\n\nYour units have no campaigns yet."}
	msgLNotYours    = msg{"Bạn không phụ trách mục này.", "This is not yours to link."}
	msgLClosed      = msg{"Chiến dịch này đã kết thúc.", "This campaign is closed."}
	msgLDone        = msg{
		"\n\n✔ Đã lưu. Nhóm sẽ nhận tổng kết tuần của các chiến dịch này; gõ /lichtongket để xem hoặc đổi lịch.",
		"\n\n✔ Saved. This group will get the weekly summary of these campaigns; send /schedule to see or change when.",
	}
)

// auditGroup writes a change of what a group follows, or of its schedule,
// to the audit trail (a campaign's, when it concerns one campaign).
func (tr *turn) auditGroup(campaignID int64, action string, after any) error {
	return tr.st.Audit(tr.ctx, tr.person.ID, "group", tr.ev.ChatID, campaignID, action, nil, after)
}
