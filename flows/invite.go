package flows

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/danvan/danvan"
)

// invitationTTL is how long an invitation link works.
const invitationTTL = 72 * time.Hour

// invitationTokenBytes of randomness: 192 bits, 32 characters of base64url,
// so "i_" and the token fit Telegram's 64-character deep links.
const invitationTokenBytes = 24

// newInvitationToken returns a fresh unguessable token for a deep link.
func newInvitationToken() (string, error) {
	b := make([]byte, invitationTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("flows: invitation token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// invitationHash is what the database keeps of a token: a leaked database
// grants nothing, and a token is looked up by its hash.
func invitationHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Steps of the invitation conversation.
const (
	stepInviteRole  = "i_role"
	stepInviteScope = "i_scope"
)

// The roles an invitation offers, as button arguments.
var inviteRoles = []danvan.Role{danvan.RoleHead, danvan.RoleTreasurer, danvan.RoleCadre, danvan.RoleAdmin}

func inviteConversation(c *conversation) {
	c.commands(&command{names: []string{"invite", "moi"}, private: (*turn).invite})
	c.actions(map[string]action{
		"ir": on((*turn).chooseInviteRole, stepInviteRole),
		"is": on((*turn).chooseInviteScope, stepInviteScope),
		"ix": on(cancelButton, stepInviteRole, stepInviteScope),
	})

}

var (
	msgInviteNotAllowed = msg{"Chỉ quản trị viên và cán bộ đơn vị mới tạo được lời mời.", "Only admins and unit cadres can create invitations."}
	msgInviteAskRole    = msg{"Mời một người nhận vai trò gì?", "Invite someone as what?"}
	msgInviteAskZone    = msg{"Trưởng của khu (thôn) nào?", "Head of which zone?"}
	msgInviteAskUnit    = msg{"%s của đơn vị nào?", "%s of which unit?"}
	msgInviteNoScope    = msg{"Không có khu hay đơn vị nào bạn được mời người cho vai trò này.", "There is no zone or unit you may invite someone to for this role."}
	msgInviteOutside    = msg{
		"Bạn chỉ được mời người cho đơn vị của mình và các khu thuộc địa bàn của đơn vị. Không có lời mời nào được tạo.",
		"You may only invite people for your own unit and the zones of its area. No invitation was created.",
	}
	msgInviteCreated = msg{
		"Đã tạo lời mời làm <b>%s</b>. Hãy gửi đường dẫn dưới đây cho đúng người đó; đường dẫn chỉ dùng được một lần và hết hạn lúc %s.\n\n%s",
		"Invitation created as <b>%s</b>. Send the link below to that person only; it works once and expires at %s.\n\n%s",
	}
	msgInviteLinkStart = msg{"Người được mời gửi cho bot: <code>/start %s</code>", "The person sends the bot: <code>/start %s</code>"}
	msgRoleHead        = msg{"Trưởng khu", "Zone head"}
	msgRoleTreasurer   = msg{"Thủ quỹ", "Treasurer"}
	msgRoleCadre       = msg{"Cán bộ đơn vị", "Unit cadre"}
	msgRoleAdmin       = msg{"Quản trị viên", "Admin"}
	msgAsHead          = msg{"trưởng %s", "head of %s"}
	msgAsTreasurer     = msg{"thủ quỹ %s", "treasurer of %s"}
	msgAsCadre         = msg{"cán bộ %s", "cadre of %s"}
	msgAsAdmin         = msg{"quản trị viên", "admin"}
	msgInvitationUsed  = msg{
		"Lời mời này đã được dùng rồi: mỗi lời mời chỉ dùng được một lần. Hãy xin người mời một lời mời mới.",
		"This invitation has already been used: each works only once. Ask for a new one.",
	}
	msgInvitationExpired = msg{
		"Lời mời này đã hết hạn lúc %s. Hãy xin người mời một lời mời mới.",
		"This invitation expired at %s. Ask for a new one.",
	}
	msgInvitationOwn = msg{
		"Đây là lời mời do chính bạn tạo. Hãy gửi nó cho người cần nhận vai trò.",
		"You created this invitation. Send it to the person it is for.",
	}
	msgInvitationRevoked = msg{
		"Lời mời này không còn hiệu lực: người gửi không còn quyền giao vai trò này. Hãy xin một lời mời mới.",
		"This invitation is no longer valid: its sender may no longer give this role. Ask for a new one.",
	}
	msgInvitationAccepted    = msg{"Chào mừng! Từ nay bạn là <b>%s</b>.\n\n%s", "Welcome! You are now <b>%s</b>.\n\n%s"}
	msgInvitationAlreadyHeld = msg{"Bạn đã là <b>%s</b> từ trước, không cần lời mời này. Lời mời đã được đánh dấu là đã dùng.", "You are already <b>%s</b>; this invitation is now marked as used."}
	msgCanHead               = msg{
		"Bạn có thể ghi nhận các khoản đã nhận của các hộ trong khu (/xacnhan MÃ) và nhận nhắc việc về các khoản chưa nộp.",
		"You can record what households of your zone have given (/confirm CODE) and get reminders about open pledges.",
	}
	msgCanTreasurer = msg{
		"Bạn có thể ghi nhận và điều chỉnh các khoản đã nhận cho các chiến dịch của đơn vị (/xacnhan MÃ).",
		"You can record and correct what was received for the unit's campaigns (/confirm CODE).",
	}
	msgCanCadre = msg{
		"Bạn có thể tạo, sửa, đóng các chiến dịch của đơn vị, báo cáo tiến độ, mời người khác (/moi) và xem lịch sử thay đổi (/lichsu MÃ).",
		"You can create, edit and close the unit's campaigns, report progress, invite others (/invite) and see a campaign's history (/history CODE).",
	}
	msgCanAdmin = msg{
		"Bạn có thể làm mọi việc: mời người nhận vai trò (/moi), xem và gỡ vai trò (/vaitro), xem lịch sử thay đổi (/lichsu MÃ).",
		"You can do everything: invite people to roles (/invite), list and remove roles (/roles), see a campaign's history (/history CODE).",
	}
	msgInviterNotice = msg{"<b>%s</b> đã nhận lời mời của bạn làm <b>%s</b>.", "<b>%s</b> accepted your invitation as <b>%s</b>."}
	msgCmdInvite     = msg{"Mời người nhận vai trò", "Invite someone to a role"}
)

// roleName is the button label of a role.
func roleName(lang string, r danvan.Role) string {
	switch r {
	case danvan.RoleHead:
		return t(lang, msgRoleHead)
	case danvan.RoleTreasurer:
		return t(lang, msgRoleTreasurer)
	case danvan.RoleCadre:
		return t(lang, msgRoleCadre)
	case danvan.RoleAdmin:
		return t(lang, msgRoleAdmin)
	}
	return string(r)
}

// roleWithScope names a role and its scope as plain text ("head of Khu 1");
// the caller escapes it.
func roleWithScope(lang string, g danvan.Grant, scope string) string {
	switch g.Role {
	case danvan.RoleHead:
		return t(lang, msgAsHead, scope)
	case danvan.RoleTreasurer:
		return t(lang, msgAsTreasurer, scope)
	case danvan.RoleCadre:
		return t(lang, msgAsCadre, scope)
	case danvan.RoleAdmin:
		return t(lang, msgAsAdmin)
	}
	return string(g.Role)
}

// mayInvite reports whether someone with gs may invite to role r at all:
// admins to every role, cadres to every role but admin.
func mayInvite(gs danvan.Grants, r danvan.Role) bool {
	if gs.Admin() {
		return true
	}
	return r != danvan.RoleAdmin && len(gs.Units(danvan.RoleCadre)) > 0
}

func (tr *turn) invite(string) error {
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	if !mayInvite(gs, danvan.RoleHead) {
		tr.say(t(tr.lang, msgInviteNotAllowed))
		return nil
	}
	tr.ask(stepInviteRole, t(tr.lang, msgInviteAskRole), func(seq int) [][]danvan.Button {
		var bs []danvan.Button
		for i, r := range inviteRoles {
			if mayInvite(gs, r) {
				bs = append(bs, danvan.Button{Text: roleName(tr.lang, r), Data: buttonData(seq, "ir", int64(i))})
			}
		}
		return append(grid(bs, 2), []danvan.Button{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "ix", 0)}})
	})
	return nil
}

func (tr *turn) chooseInviteRole(i int64) error {
	if tr.state.Step != stepInviteRole || i < 0 || i >= int64(len(inviteRoles)) {
		return tr.staleButton()
	}
	role := inviteRoles[i]
	// The button is only data: authority is checked again now.
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	if !mayInvite(gs, role) {
		tr.state.reset()
		tr.say(t(tr.lang, msgInviteNotAllowed))
		return nil
	}
	tr.settle(t(tr.lang, msgInviteAskRole), roleName(tr.lang, role))
	if role == danvan.RoleAdmin {
		tr.state.reset()
		return tr.createInvitation(danvan.Grant{Role: role}, "")
	}
	scopes, err := tr.inviteScopes(gs, role)
	if err != nil {
		return err
	}
	if len(scopes) == 0 {
		tr.state.reset()
		tr.say(t(tr.lang, msgInviteNoScope))
		return nil
	}
	question := t(tr.lang, msgInviteAskZone)
	if role != danvan.RoleHead {
		question = t(tr.lang, msgInviteAskUnit, esc(roleName(tr.lang, role)))
	}
	tr.state.Invite = &inviteDraft{Role: role}
	tr.ask(stepInviteScope, question, func(seq int) [][]danvan.Button {
		bs := make([]danvan.Button, len(scopes))
		for i, s := range scopes {
			bs[i] = danvan.Button{Text: s.name, Data: buttonData(seq, "is", s.id)}
		}
		return append(grid(bs, 2), []danvan.Button{{Text: t(tr.lang, msgCancelButton), Data: buttonData(seq, "ix", 0)}})
	})
	return nil
}

// scope is a zone or unit someone may be invited to.
type scope struct {
	id   int64
	name string
}

// inviteScopes are the scopes of role r that someone with gs may invite
// to: every zone or unit for admins; for cadres, their own units, and the
// zones of their units' areas.
func (tr *turn) inviteScopes(gs danvan.Grants, r danvan.Role) ([]scope, error) {
	var units []danvan.Unit
	if gs.Admin() {
		if r != danvan.RoleHead {
			all, err := tr.st.ScopeUnits(tr.ctx)
			if err != nil {
				return nil, err
			}
			units = all
		}
	} else {
		for _, id := range gs.Units(danvan.RoleCadre) {
			u, err := tr.st.ScopeUnit(tr.ctx, id)
			if err != nil {
				return nil, err
			}
			units = append(units, u)
		}
	}
	var ss []scope
	if r != danvan.RoleHead {
		for _, u := range units {
			ss = append(ss, scope{u.ID, u.Name})
		}
		return ss, nil
	}
	zones, err := tr.st.Zones(tr.ctx)
	if err != nil {
		return nil, err
	}
	areas := map[int64]bool{}
	for _, u := range units {
		areas[u.AreaID] = true
	}
	var mine []danvan.Area
	for _, z := range zones {
		// A unit of a ward covers its zones; a unit of a zone, that zone.
		if gs.Admin() || areas[z.ParentID] || areas[z.ID] {
			mine = append(mine, z)
		}
	}
	labels, _, err := tr.zoneLabels(mine)
	if err != nil {
		return nil, err
	}
	for i, z := range mine {
		ss = append(ss, scope{z.ID, labels[i]})
	}
	return ss, nil
}

func (tr *turn) chooseInviteScope(id int64) error {
	var role danvan.Role
	if tr.state.Invite != nil {
		role = tr.state.Invite.Role
	}
	if tr.state.Step != stepInviteScope || role == danvan.RoleAdmin || !role.Valid() {
		return tr.staleButton()
	}
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	if !mayInvite(gs, role) {
		tr.state.reset()
		tr.say(t(tr.lang, msgInviteNotAllowed))
		return nil
	}
	scopes, err := tr.inviteScopes(gs, role)
	if err != nil {
		return err
	}
	var chosen *scope
	for i := range scopes {
		if scopes[i].id == id {
			chosen = &scopes[i]
		}
	}
	if chosen == nil {
		// Only forged data names a scope that was not offered; the
		// question stays open for a real choice.
		tr.say(t(tr.lang, msgInviteOutside))
		return nil
	}
	g := danvan.Grant{Role: role}
	if role == danvan.RoleHead {
		g.AreaID = id
	} else {
		g.UnitID = id
	}
	question := t(tr.lang, msgInviteAskZone)
	if role != danvan.RoleHead {
		question = t(tr.lang, msgInviteAskUnit, esc(roleName(tr.lang, role)))
	}
	tr.settle(question, chosen.name)
	tr.state.reset()
	return tr.createInvitation(g, chosen.name)
}

// createInvitation keeps a new invitation to g and gives its link to the
// person who asked for it.
func (tr *turn) createInvitation(g danvan.Grant, scopeName string) error {
	token, err := newInvitationToken()
	if err != nil {
		return err
	}
	expires := tr.st.Now().Add(invitationTTL)
	id, err := tr.st.CreateInvitation(tr.ctx, invitationHash(token), g, tr.person.ID, expires)
	if err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "invitation", id, 0, "created", nil, map[string]any{
		"role": g.Role, "area_id": g.AreaID, "unit_id": g.UnitID, "scope": scopeName, "expires_at": expires,
	}); err != nil {
		return err
	}
	payload := "i_" + token
	link := t(tr.lang, msgInviteLinkStart, payload)
	if l := tr.e.startLink(payload); l != "" {
		link = esc(l)
	}
	tr.say(t(tr.lang, msgInviteCreated, esc(roleWithScope(tr.lang, g, scopeName)), tr.clock(expires), link))
	return nil
}

// clock shows an instant in the ward's time zone, as Vietnamese write it.
func (tr *turn) clock(at time.Time) string {
	return at.In(tr.e.loc).Format("15:04 02/01/2006")
}

// redeemInvitation follows /start i_TOKEN: a valid, unused, unexpired
// invitation gives its role to the person and is used up. Everything
// happens in the event's transaction with the invitation row locked, so
// the same link opened twice at once grants the role once.
func (tr *turn) redeemInvitation(token string) error {
	inv, err := tr.st.LockInvitation(tr.ctx, invitationHash(token))
	if errors.Is(err, danvan.ErrNotFound) {
		tr.say(t(tr.lang, msgBadInvitation))
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case inv.UsedBy != 0:
		tr.say(t(tr.lang, msgInvitationUsed))
		return nil
	case !tr.st.Now().Before(inv.ExpiresAt):
		tr.say(t(tr.lang, msgInvitationExpired, tr.clock(inv.ExpiresAt)))
		return nil
	case inv.Inviter.ID == tr.person.ID:
		tr.say(t(tr.lang, msgInvitationOwn))
		return nil
	}
	// A link is only as good as its sender's authority now: a cadre who
	// lost the role since sending it grants nothing.
	if ok, err := tr.mayStillInvite(inv); err != nil || !ok {
		if err == nil {
			tr.say(t(tr.lang, msgInvitationRevoked))
		}
		return err
	}
	roleID, added, err := tr.st.GrantRole(tr.ctx, tr.person.ID, inv.Grant, "chat")
	if err != nil {
		return err
	}
	tr.grantsLoaded = false
	if added {
		if err := tr.st.Audit(tr.ctx, tr.person.ID, "role", roleID, 0, "created", nil, roleAudit(tr.person, inv.Grant, inv.ScopeName, "chat")); err != nil {
			return err
		}
	}
	if err := tr.st.MarkInvitationUsed(tr.ctx, inv.ID, tr.person.ID); err != nil {
		return err
	}
	if err := tr.st.Audit(tr.ctx, tr.person.ID, "invitation", inv.ID, 0, "used", nil, map[string]any{
		"used_by": tr.person.ID, "role_id": roleID, "role_added": added,
	}); err != nil {
		return err
	}
	what := esc(roleWithScope(tr.lang, inv.Grant, inv.ScopeName))
	can := t(tr.lang, canMessages[inv.Grant.Role])
	if added {
		tr.say(t(tr.lang, msgInvitationAccepted, what, can))
	} else {
		tr.say(t(tr.lang, msgInvitationAlreadyHeld, what) + "\n\n" + can)
	}
	gs, err := tr.st.Grants(tr.ctx, tr.person.ID) // with the new role
	if err != nil {
		return err
	}
	tr.menu(tr.ev.ChatID, tr.lang, gs)
	if inv.Inviter.ChatID != 0 {
		l := lang(inv.Inviter.Lang)
		tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: inv.Inviter.ChatID,
			Text: t(l, msgInviterNotice, esc(tr.person.Name), esc(roleWithScope(l, inv.Grant, inv.ScopeName)))})
	}
	return nil
}

// mayStillInvite reports whether the invitation's creator, with the roles
// they hold today, may still invite to its role and scope.
func (tr *turn) mayStillInvite(inv danvan.Invitation) (bool, error) {
	gs, err := tr.st.Grants(tr.ctx, inv.Inviter.ID)
	if err != nil {
		return false, err
	}
	if !mayInvite(gs, inv.Grant.Role) {
		return false, nil
	}
	if inv.Grant.Role == danvan.RoleAdmin {
		return true, nil
	}
	scopes, err := tr.inviteScopes(gs, inv.Grant.Role)
	if err != nil {
		return false, err
	}
	id := inv.Grant.UnitID
	if inv.Grant.Role == danvan.RoleHead {
		id = inv.Grant.AreaID
	}
	for _, s := range scopes {
		if s.id == id {
			return true, nil
		}
	}
	return false, nil
}

var canMessages = map[danvan.Role]msg{
	danvan.RoleHead:      msgCanHead,
	danvan.RoleTreasurer: msgCanTreasurer,
	danvan.RoleCadre:     msgCanCadre,
	danvan.RoleAdmin:     msgCanAdmin,
}

// roleAudit is how a role is written in the audit trail.
func roleAudit(p danvan.Person, g danvan.Grant, scopeName, source string) map[string]any {
	return map[string]any{
		"person_id": p.ID, "person": p.Name, "role": g.Role,
		"area_id": g.AreaID, "unit_id": g.UnitID, "scope": scopeName, "source": source,
	}
}

// inviteDraft is an invitation being made: the role chosen, the scope next.
type inviteDraft struct {
	Role danvan.Role `json:"role"`
}
