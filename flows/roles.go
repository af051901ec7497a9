package flows

import (
	"errors"
	"strconv"
	"strings"

	"github.com/danvan/danvan"
)

// rolesPerPage keeps the list and its buttons within a phone screen or two.
const rolesPerPage = 20

// Steps of the roles conversation.
const (
	stepRoles      = "i_roles"
	stepRoleRemove = "i_remove"
)

func rolesConversation(c *conversation) {
	c.commands(&command{names: []string{"roles", "vaitro"}, private: func(tr *turn, _ string) error { return tr.roles(0, false) }})
	c.actions(map[string]action{
		"ip": on(func(tr *turn, page int64) error {
			if tr.state.Step != stepRoles {
				return tr.staleButton()
			}
			return tr.roles(int(page), true)
		}, stepRoles),
		"id": on((*turn).askRemoveRole, stepRoles),
		"iy": on((*turn).removeRole, stepRoleRemove),
		"in": on(func(tr *turn, _ int64) error {
			if tr.state.Step != stepRoleRemove {
				return tr.staleButton()
			}
			tr.settle(t(tr.lang, msgRoleKept), t(tr.lang, msgRemoveNo))
			tr.state.reset()
			return nil
		}, stepRoleRemove),
	})

}

var (
	msgRolesNotAllowed = msg{"Chỉ quản trị viên mới xem và gỡ được vai trò.", "Only admins can list and remove roles."}
	msgRolesNone       = msg{"Chưa có ai được giao vai trò nào.", "Nobody holds a role yet."}
	msgRolesHeader     = msg{"<b>Các vai trò</b> (%d) — trang %d/%d. Bấm ✕ để gỡ một vai trò.\n", "<b>Roles</b> (%d) — page %d/%d. Press ✕ to remove one.\n"}
	msgRoleListLine    = msg{"\n%d. <b>%s</b> — %s%s", "\n%d. <b>%s</b> — %s%s"}
	msgSourceSetup     = msg{" · tệp thiết lập", " · setup file"}
	msgSourceEnv       = msg{" · DANVAN_ADMINS", " · DANVAN_ADMINS"}
	msgPagePrev        = msg{"‹ Trang trước", "‹ Previous"}
	msgPageNext        = msg{"Trang sau ›", "Next ›"}
	msgRemoveConfirm   = msg{"Gỡ vai trò <b>%s</b> của <b>%s</b>?", "Remove <b>%s</b> from <b>%s</b>?"}
	msgRemoveSetupNote = msg{
		"\n\nVai trò này có trong tệp thiết lập: lần chạy <code>danvan setup</code> tới sẽ giao lại. Hãy xóa nó khỏi tệp nữa.",
		"\n\nThis role comes from the setup file: the next <code>danvan setup</code> gives it back. Remove it from the file too.",
	}
	msgRemoveEnvNote = msg{
		"\n\nNgười này có trong DANVAN_ADMINS: lần khởi động bot tới sẽ giao lại quyền. Hãy bỏ họ khỏi biến đó nữa.",
		"\n\nThis person is listed in DANVAN_ADMINS: the next start of the bot gives the role back. Remove them from it too.",
	}
	msgRemoveYes         = msg{"✕ Gỡ vai trò", "✕ Remove"}
	msgRemoveNo          = msg{"Giữ lại", "Keep"}
	msgRoleRemovedNotice = msg{
		"ℹ️ Quản trị viên đã gỡ vai trò <b>%s</b> của bạn. Bạn vẫn ủng hộ và theo dõi các chiến dịch như mọi người dân.",
		"ℹ️ An admin removed your role <b>%s</b>. You can still pledge and follow campaigns like every resident.",
	}
	msgRoleRemoved    = msg{"Đã gỡ vai trò <b>%s</b> của <b>%s</b>.", "Removed <b>%s</b> from <b>%s</b>."}
	msgRoleKept       = msg{"Vai trò được giữ nguyên.", "The role is kept."}
	msgRoleGone       = msg{"Vai trò này đã được gỡ rồi.", "This role has already been removed."}
	msgRemoveOwnAdmin = msg{"Bạn không thể tự gỡ quyền quản trị của mình; hãy nhờ một quản trị viên khác.", "You cannot remove your own admin role; ask another admin."}
	msgCmdRoles       = msg{"Các vai trò (quản trị viên)", "Roles (admins)"}
)

// roles shows a page of every role held, with a button to remove each;
// edit replaces the message whose page button was pressed.
func (tr *turn) roles(page int, edit bool) error {
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	if !gs.Admin() {
		tr.state.reset()
		tr.say(t(tr.lang, msgRolesNotAllowed))
		return nil
	}
	page = max(page, 0)
	ls, total, err := tr.st.RoleLines(tr.ctx, rolesPerPage, page*rolesPerPage)
	if err != nil {
		return err
	}
	if total == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgRolesNone))
		return nil
	}
	pages := (total + rolesPerPage - 1) / rolesPerPage
	if page >= pages {
		// Roles were removed since the list was shown: the last page.
		page = pages - 1
		if ls, _, err = tr.st.RoleLines(tr.ctx, rolesPerPage, page*rolesPerPage); err != nil {
			return err
		}
	}
	var b strings.Builder
	b.WriteString(t(tr.lang, msgRolesHeader, total, page+1, pages))
	for i, l := range ls {
		b.WriteString(t(tr.lang, msgRoleListLine, page*rolesPerPage+i+1, esc(l.Person.Name),
			esc(roleWithScope(tr.lang, l.Grant, l.ScopeName)), tr.sourceNote(l.Source)))
	}
	buttons := func(seq int) [][]danvan.Button {
		bs := make([]danvan.Button, len(ls))
		for i, l := range ls {
			bs[i] = danvan.Button{Text: "✕ " + strconv.Itoa(page*rolesPerPage+i+1) + ". " + truncate(l.Person.Name, 20), Data: buttonData(seq, "id", l.ID)}
		}
		rows := grid(bs, 2)
		var nav []danvan.Button
		if page > 0 {
			nav = append(nav, danvan.Button{Text: t(tr.lang, msgPagePrev), Data: buttonData(seq, "ip", int64(page-1))})
		}
		if page+1 < pages {
			nav = append(nav, danvan.Button{Text: t(tr.lang, msgPageNext), Data: buttonData(seq, "ip", int64(page+1))})
		}
		if len(nav) > 0 {
			rows = append(rows, nav)
		}
		return rows
	}
	tr.state.Removal = nil
	if edit {
		tr.askEdit(stepRoles, b.String(), buttons)
	} else {
		tr.ask(stepRoles, b.String(), buttons)
	}
	return nil
}

func (tr *turn) sourceNote(source string) string {
	switch source {
	case "setup":
		return t(tr.lang, msgSourceSetup)
	case "env":
		return t(tr.lang, msgSourceEnv)
	}
	return ""
}

// askEdit is ask on the message whose button was pressed: it replaces its
// text and buttons (a page of a list) instead of sending a new one.
func (tr *turn) askEdit(step, text string, buttons func(seq int) [][]danvan.Button) {
	if !tr.renumber(step) {
		return
	}
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutEdit, ChatID: tr.ev.ChatID, MessageID: tr.ev.MessageID,
		Text: text, Buttons: buttons(tr.state.Seq)})
}

// removableRole reads role id for an admin about to remove it, explaining
// to them when they may not.
func (tr *turn) removableRole(id int64) (danvan.RoleLine, bool, error) {
	gs, err := tr.grants()
	if err != nil {
		return danvan.RoleLine{}, false, err
	}
	if !gs.Admin() {
		tr.state.reset()
		tr.say(t(tr.lang, msgRolesNotAllowed))
		return danvan.RoleLine{}, false, nil
	}
	l, err := tr.st.RoleLine(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) {
		tr.state.reset()
		tr.say(t(tr.lang, msgRoleGone))
		return l, false, nil
	}
	if err != nil {
		return l, false, err
	}
	if l.Person.ID == tr.person.ID && l.Grant.Role == danvan.RoleAdmin {
		// An admin who removes themselves may leave nobody to put things
		// right.
		tr.say(t(tr.lang, msgRemoveOwnAdmin))
		return l, false, nil
	}
	return l, true, nil
}

func (tr *turn) askRemoveRole(id int64) error {
	if tr.state.Step != stepRoles {
		return tr.staleButton()
	}
	l, ok, err := tr.removableRole(id)
	if err != nil || !ok {
		return err
	}
	text := t(tr.lang, msgRemoveConfirm, esc(roleWithScope(tr.lang, l.Grant, l.ScopeName)), esc(l.Person.Name))
	switch l.Source {
	case "setup":
		text += t(tr.lang, msgRemoveSetupNote)
	case "env":
		text += t(tr.lang, msgRemoveEnvNote)
	}
	tr.state.Removal = &removalDraft{Role: l.ID}
	tr.ask(stepRoleRemove, text, func(seq int) [][]danvan.Button {
		return [][]danvan.Button{{
			{Text: t(tr.lang, msgRemoveYes), Data: buttonData(seq, "iy", l.ID)},
			{Text: t(tr.lang, msgRemoveNo), Data: buttonData(seq, "in", 0)},
		}}
	})
	return nil
}

func (tr *turn) removeRole(id int64) error {
	// The confirmation must be for the role that was asked about.
	if tr.state.Step != stepRoleRemove || tr.state.Removal == nil || tr.state.Removal.Role != id {
		return tr.staleButton()
	}
	l, ok, err := tr.removableRole(id)
	if err != nil || !ok {
		return err
	}
	if err := tr.st.RemoveRole(tr.ctx, l.ID); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "role", l.ID, 0, "removed", roleAudit(l.Person, l.Grant, l.ScopeName, l.Source), nil); err != nil {
		return err
	}
	what := esc(roleWithScope(tr.lang, l.Grant, l.ScopeName))
	tr.settle(t(tr.lang, msgRemoveConfirm, what, esc(l.Person.Name)), t(tr.lang, msgRemoveYes))
	tr.state.reset()
	tr.say(t(tr.lang, msgRoleRemoved, what, esc(l.Person.Name)))
	if l.Person.ChatID != 0 && l.Person.ID != tr.person.ID {
		pl := lang(l.Person.Lang)
		tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: l.Person.ChatID,
			Text: t(pl, msgRoleRemovedNotice, esc(roleWithScope(pl, l.Grant, l.ScopeName)))})
		left, err := tr.st.Grants(tr.ctx, l.Person.ID)
		if err != nil {
			return err
		}
		tr.menu(l.Person.ChatID, pl, left)
	}
	return nil
}

// removalDraft is a role an admin was asked to confirm removing.
type removalDraft struct {
	Role int64 `json:"role"`
}
