package flows

import "github.com/danvan/danvan"

// residentConversation wires what everyone can do: start, help, the
// campaigns, a pledge (guided or in one line), one's pledges, a campaign's
// summary, and cancelling.
func residentConversation(c *conversation) {
	helpInGroup := func(tr *turn, _ string) error { tr.say(t(tr.lang, msgHelpGroup)); return nil }
	c.commands(
		&command{names: []string{"start"}, private: (*turn).start, group: helpInGroup},
		&command{names: []string{"help", "huongdan"}, private: (*turn).help, group: helpInGroup},
		&command{names: []string{"campaigns", "chiendich"}, private: func(tr *turn, _ string) error { return tr.campaigns() }},
		&command{names: []string{"pledge", "ungho"}, private: (*turn).pledgeCommand},
		&command{names: []string{"mypledges", "cuatoi"}, private: func(tr *turn, _ string) error { return tr.myPledges() }},
		&command{names: []string{"summary", "tongket"}, private: (*turn).summary, group: (*turn).summary},
		&command{names: []string{"cancel", "huy"}, private: (*turn).cancel},
	)
	c.actions(map[string]action{
		"z": on((*turn).chooseZone, stepZone),
		"c": on((*turn).chooseCampaign, stepCampaign),
		"t": on((*turn).chooseTarget, stepTarget),
		"q": on((*turn).chooseQuantity, stepQuantity),
		"d": on((*turn).chooseDue, stepDue),
		"y": on(func(tr *turn, target int64) error { return tr.confirm(target, true) }, stepConfirm),
		"a": on(func(tr *turn, target int64) error { return tr.confirm(target, false) }, stepConfirm),
		// Cancelling is offered at many steps of every private
		// conversation.
		"x": {run: cancelButton},
		"s": on(func(tr *turn, id int64) error {
			tr.state.Step = ""
			return tr.summaryOf(id)
		}, stepSummary),
	})
	c.textStep(stepQuantity, (*turn).typedQuantity)
	c.textStep(stepDue, (*turn).typedDue)
}

// help lists what the person can do: everyone's commands, then those of
// each role they hold.
func (tr *turn) help(string) error {
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	invite := msgHelpInvite
	if gs.Admin() {
		invite = msgHelpInviteAny
	}
	sections := []struct {
		holds  bool
		header msg
		lines  []msg
	}{
		// An admin may do what heads and treasurers do, anywhere.
		{len(gs.Zones()) > 0 || gs.Admin(), msgHelpHead, []msg{msgHelpConfirm, msgHelpHousehold, msgHelpGift, msgHelpClaims}},
		{len(gs.Units(danvan.RoleTreasurer)) > 0 || gs.Admin(), msgHelpTreasurer,
			[]msg{msgHelpConfirm, msgHelpCorrect, msgHelpGift, msgHelpClaims, msgHelpStatement, msgHelpExport, msgHelpAnnual}},
		{len(gs.Units(danvan.RoleCadre)) > 0 || gs.Admin(), msgHelpCadre,
			[]msg{msgHelpNewCampaign, msgHelpEditCampaign, msgHelpProgress, msgHelpEditPledge, msgHelpHistory, invite, msgHelpExport, msgHelpAnnual, msgHelpGroupLinks}},
		{gs.Admin(), msgHelpAdmin, []msg{msgHelpRoles}},
	}
	// A command shows once, under the first role that has it: a head who
	// is also a treasurer reads /xacnhan once.
	text := t(tr.lang, msgHelp) + t(tr.lang, msgHelpResidentMore)
	shown := map[msg]bool{}
	for _, s := range sections {
		if !s.holds {
			continue
		}
		var lines string
		for _, l := range s.lines {
			if !shown[l] {
				shown[l] = true
				lines += t(tr.lang, l)
			}
		}
		if lines != "" {
			text += t(tr.lang, s.header) + lines
		}
	}
	tr.say(text)
	if gs.Staff() {
		tr.menu(tr.ev.ChatID, tr.lang, gs)
	}
	return nil
}

// cancelButton ends the conversation from its question's "Cancel" button.
func cancelButton(tr *turn, _ int64) error {
	tr.settle(t(tr.lang, msgCancelled), t(tr.lang, msgCancelButton))
	tr.state.reset()
	return nil
}

func (tr *turn) cancel(string) error {
	if tr.state.Step == "" {
		tr.say(t(tr.lang, msgNothingToCancel))
		return nil
	}
	tr.state.reset()
	tr.say(t(tr.lang, msgCancelled))
	return nil
}
