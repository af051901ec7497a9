package flows

// /start and its deep links (a campaign, a zone, an invitation), and the
// choice of one's zone.

import (
	"errors"
	"regexp"
	"strings"

	"github.com/danvan/danvan"
)

// deepLink is a /start payload: Telegram allows 64 characters of these.
var deepLink = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (tr *turn) start(payload string) error {
	// Staff see their own commands in the menu from their first word on.
	gs, err := tr.grants()
	if err != nil {
		return err
	}
	if gs.Staff() {
		tr.menu(tr.ev.ChatID, tr.lang, gs)
	}
	name := esc(tr.person.Name)
	switch {
	case payload == "":
		if tr.person.HomeAreaID == 0 {
			tr.say(t(tr.lang, msgWelcome, name))
			return tr.askZone()
		}
		zone, err := tr.st.Area(tr.ctx, tr.person.HomeAreaID)
		if err != nil {
			return err
		}
		tr.say(t(tr.lang, msgWelcomeBack, name, esc(zone.Name)))
		return nil
	case !deepLink.MatchString(payload):
		tr.say(t(tr.lang, msgBadLink))
		return nil
	case strings.HasPrefix(payload, "c_"):
		tr.say(t(tr.lang, msgWelcome, name))
		c, ok, err := tr.openCampaign(payload[2:])
		if err != nil || !ok {
			return err
		}
		tr.pledge().Campaign = c.ID
		return tr.advance()
	case strings.HasPrefix(payload, "z_"):
		zone, err := tr.st.AreaByCode(tr.ctx, payload[2:])
		if errors.Is(err, danvan.ErrNotFound) || err == nil && zone.ParentID == 0 {
			tr.say(t(tr.lang, msgBadLink))
			return nil
		}
		if err != nil {
			return err
		}
		if err := tr.st.SetHomeArea(tr.ctx, tr.person.ID, zone.ID); err != nil {
			return err
		}
		tr.person.HomeAreaID = zone.ID
		tr.say(t(tr.lang, msgWelcome, name) + "\n\n" + t(tr.lang, msgZoneSaved, esc(zone.Name)))
		return tr.campaigns()
	case strings.HasPrefix(payload, "i_"):
		return tr.redeemInvitation(payload[2:])
	}
	tr.say(t(tr.lang, msgBadLink))
	return nil
}

func (tr *turn) askZone() error {
	zones, err := tr.st.Zones(tr.ctx)
	if err != nil {
		return err
	}
	if len(zones) == 0 {
		tr.say(t(tr.lang, msgNoZones))
		tr.state.Step = ""
		return nil
	}
	tr.ask(stepZone, t(tr.lang, msgAskZone), func(seq int) [][]danvan.Button {
		rows, err := tr.zoneButtons(zones, seq, "z")
		tr.fail(err)
		return rows
	})
	return nil
}

func (tr *turn) chooseZone(id int64) error {
	if tr.state.Step != stepZone {
		return tr.staleButton()
	}
	zone, err := tr.st.Area(tr.ctx, id)
	if errors.Is(err, danvan.ErrNotFound) || err == nil && zone.ParentID == 0 {
		return tr.staleButton()
	}
	if err != nil {
		return err
	}
	if err := tr.st.SetHomeArea(tr.ctx, tr.person.ID, zone.ID); err != nil {
		return err
	}
	tr.person.HomeAreaID = zone.ID
	tr.settle(t(tr.lang, msgAskZone), zone.Name)
	if tr.state.Pledge != nil { // the zone was asked on the way to a pledge
		return tr.advance()
	}
	tr.state.Step = ""
	tr.say(t(tr.lang, msgZoneSaved, esc(zone.Name)))
	return tr.campaigns()
}
