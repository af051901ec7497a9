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
