package flows

import (
	"encoding/json"
	"fmt"
)

// stateVersion is bumped when State changes shape. A saved state of an
// older version is not guessed at: its conversation starts over, and the
// person is told why (version 1 kept what conversations gathered as
// strings by name).
const stateVersion = 2

// State is a conversation between turns: the step it is at, the number of
// its latest question's buttons, and what the conversation under way has
// gathered so far, in a draft of its own (one of the pointers, as its step
// says; the rest are nil).
type State struct {
	V int `json:"v"`
	// Seq numbers the latest message with buttons; a button carries it, so
	// a press on an older message, in this conversation or an earlier one,
	// is recognised and refused.
	Seq  int    `json:"seq"`
	Step string `json:"step,omitempty"`

	Pledge    *pledgeDraft    `json:"pledge,omitempty"`
	Household *householdDraft `json:"household,omitempty"`
	Receipt   *receiptDraft   `json:"receipt,omitempty"`
	Change    *changeDraft    `json:"change,omitempty"`
	Campaign  *campaignDraft  `json:"campaign,omitempty"`
	Progress  *progressDraft  `json:"progress,omitempty"`
	Invite    *inviteDraft    `json:"invite,omitempty"`
	Removal   *removalDraft   `json:"removal,omitempty"`
	History   *historyDraft   `json:"history,omitempty"`
	Transfer  *transferDraft  `json:"transfer,omitempty"`
}

// reset ends the conversation, keeping the sequence number so that its
// buttons stay stale.
func (s *State) reset() { *s = State{Seq: s.Seq} }

// choice is a campaign, one of its targets and a quantity, chosen step by
// step: by a resident for their pledge, by a head for a household's.
type choice struct {
	Campaign int64 `json:"campaign,omitempty"`
	Target   int64 `json:"target,omitempty"`
	Quantity int64 `json:"quantity,omitempty"` // in the target kind's stored unit
}

// loadState reads a saved state. One that does not decode is reported (the
// engine's log has the chat, the person, the error and the bytes) and one
// of an older version is dropped; in both cases the person is told that
// what they were doing stopped, rather than being stuck or answered as if
// they were elsewhere.
// It reports whether the conversation was stopped so.
func (tr *turn) loadState(raw []byte) (State, bool) {
	if raw == nil {
		return State{}, false
	}
	var st State
	err := json.Unmarshal(raw, &st)
	if err == nil && st.V == stateVersion {
		return st, false
	}
	// Only the version and the number now: an older state's fields may
	// have other types.
	var head struct {
		V   int `json:"v"`
		Seq int `json:"seq"`
	}
	if json.Unmarshal(raw, &head) == nil && head.V != stateVersion {
		// The number of its last question is kept, so that the buttons
		// of that older message stay stale.
		tr.restarted()
		return State{Seq: head.Seq}, true
	}
	tr.e.log.Error("a saved conversation does not decode; it starts over",
		"chat", tr.ev.ChatID, "person", tr.person.ID, "err", err, "state", string(raw))
	tr.restarted()
	return State{}, true
}

// restarted tells the person their conversation was stopped, unless what
// they sent starts another anyway.
func (tr *turn) restarted() {
	if tr.ev.Kind != EventCommand {
		tr.say(t(tr.lang, msgRestarted))
	}
}

// encodeState is the state as saved: nil when no conversation is under way.
func (tr *turn) encodeState() ([]byte, error) {
	if tr.state.Step == "" {
		return nil, nil
	}
	tr.state.V = stateVersion
	raw, err := json.Marshal(tr.state)
	if err != nil {
		return nil, fmt.Errorf("flows: encode state: %w", err)
	}
	return raw, nil
}

var msgRestarted = msg{
	"Bot vừa được cập nhật nên việc bạn đang làm dở đã dừng. Xin bắt đầu lại; gõ /huongdan để xem các lệnh.",
	"The bot was just updated, so what you were doing has stopped. Please start again; send /help to see the commands.",
}
