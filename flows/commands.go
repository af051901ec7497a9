package flows

import "github.com/danvan/danvan"

// Command is an entry of the platform's command menu.
type Command struct {
	Name        string
	Description string
}

// Commands lists the menu for people in lang: the Vietnamese aliases for
// Vietnamese speakers, the English names for everyone else. Both work for
// everyone.
func Commands(lang string) []Command {
	names := []string{"campaigns", "pledge", "mypledges", "summary", "help", "cancel"}
	if lang == "vi" {
		names = []string{"chiendich", "ungho", "cuatoi", "tongket", "huongdan", "huy"}
	}
	descs := []msg{msgCmdCampaigns, msgCmdPledge, msgCmdMyPledges, msgCmdSummary, msgCmdHelp, msgCmdCancel}
	cs := make([]Command, len(names))
	for i := range names {
		cs[i] = Command{Name: names[i], Description: t(lang, descs[i])}
	}
	return cs
}

// Apology is what the bot says when it gave up on an event after repeated
// failures, so that the person is not left waiting.
func Apology(ev Event) []danvan.Outgoing {
	l := lang(ev.Lang)
	var out []danvan.Outgoing
	if ev.Kind == EventButton {
		out = append(out, danvan.Outgoing{Kind: danvan.OutAnswer, ChatID: ev.ChatID, CallbackID: ev.CallbackID})
	}
	if ev.Group && ev.Kind != EventCommand {
		return out
	}
	return append(out, danvan.Outgoing{Kind: danvan.OutSend, ChatID: ev.ChatID, Text: t(l, msgApology)})
}

// staffMenu is the menu entry of each command staff use, by the English
// name (the first of its names) with the Vietnamese alias.
var staffMenu = []struct {
	en, vi string
	desc   msg
	for_   func(gs danvan.Grants) bool
}{
	{"confirm", "xacnhan", msgCmdConfirm, func(gs danvan.Grants) bool { return recorder(gs) }},
	{"household", "hogiadinh", msgCmdHousehold, func(gs danvan.Grants) bool { return len(gs.Zones()) > 0 || gs.Admin() }},
	{"gift", "tang", msgCmdGift, func(gs danvan.Grants) bool { return recorder(gs) }},
	{"correct", "dieuchinh", msgCmdCorrect, treasurerOrAdmin},
	{"newcampaign", "taochiendich", msgCmdNewCampaign, cadreOrAdmin},
	{"editcampaign", "suachiendich", msgCmdEditCampaign, cadreOrAdmin},
	{"closecampaign", "dongchiendich", msgCmdCloseCampaign, cadreOrAdmin},
	{"progress", "tiendo", msgCmdProgress, cadreOrAdmin},
	{"editpledge", "suakhoan", msgCmdEditPledge, cadreOrAdmin},
	{"history", "lichsu", msgCmdHistory, cadreOrAdmin},
	{"invite", "moi", msgCmdInvite, cadreOrAdmin},
	{"export", "xuat", msgCmdExport, func(gs danvan.Grants) bool { return cadreOrAdmin(gs) || treasurerOrAdmin(gs) }},
	{"annual", "baocaonam", msgCmdAnnual, func(gs danvan.Grants) bool { return cadreOrAdmin(gs) || treasurerOrAdmin(gs) }},
	{"roles", "vaitro", msgCmdRoles, danvan.Grants.Admin},
}

func cadreOrAdmin(gs danvan.Grants) bool { return gs.Admin() || len(gs.Units(danvan.RoleCadre)) > 0 }
func treasurerOrAdmin(gs danvan.Grants) bool {
	return gs.Admin() || len(gs.Units(danvan.RoleTreasurer)) > 0
}

// CommandsFor is the menu of someone holding gs: everyone's commands, then
// those of their roles. Telegram shows a chat's own menu instead of the
// general one, so staff find their commands where residents find theirs.
func CommandsFor(lang string, gs danvan.Grants) []Command {
	cs := Commands(lang)
	for _, c := range staffMenu {
		if !c.for_(gs) {
			continue
		}
		name := c.en
		if lang == "vi" {
			name = c.vi
		}
		cs = append(cs, Command{Name: name, Description: t(lang, c.desc)})
	}
	return cs
}

// menu sets the person's own command menu in their private chat: theirs
// by role, or everyone's once they hold none.
func (tr *turn) menu(chatID int64, l string, gs danvan.Grants) {
	var cs []danvan.MenuCommand
	for _, c := range CommandsFor(l, gs) {
		cs = append(cs, danvan.MenuCommand{Command: c.Name, Description: c.Description})
	}
	tr.out = append(tr.out, danvan.Outgoing{Kind: danvan.OutCommands, ChatID: chatID, Commands: cs})
}
