package flows_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/danvan/danvan/flows"
)

// A resident presses every registered button action, forged, in a private
// chat and in a group: with a conversation at each step the action belongs
// to (as if they had held a role that was taken away mid-conversation, or
// had forged their way there) and at a step it does not belong to, with
// arguments naming real pledges, claims, receipts, campaigns, areas, roles.
// Nothing of the ward's data may change, except what a resident does with
// their own conversation: choosing their zone and confirming their own
// pledge.
func TestResidentPressesEveryAction(t *testing.T) {
	w := newWard(t)
	lan := w.pledge(300001, "Lan", "YG-K1", "/ungho DIEUHOA 500k")
	w.person(300001, "Lan").send("/danop " + lan + " 200k") // a claim
	hoa := w.person(100001, "Hoa")
	hoa.send("/xacnhan " + lan + " 100k") // a receipt
	ids := []int64{0, 1, 2, 3, 5, 8, 13,
		w.query(`SELECT id FROM pledges WHERE code = $1`, lan),
		w.query(`SELECT max(id) FROM roles`),
		w.query(`SELECT max(id) FROM areas`),
	}

	mallory := w.person(300066, "Mallory")
	mallory.send("/start z_YG-K1")
	const group = -100777
	mallory.sendIn(group, "/tongket DIEUHOA")

	// The resident's own doings, which do change data.
	own := map[string]bool{"z": true, "y": true, "a": true}

	before := w.snapshot()
	const seq = 987654321
	seed := func(chat int64, step string) {
		// Every conversation's draft at once, naming real rows: whichever
		// the step belongs to finds its own.
		state, err := json.Marshal(map[string]any{
			"v": flows.StateVersion, "seq": seq, "step": step,
			"pledge":    map[string]any{"campaign": 1, "target": 1, "quantity": 500000, "due_chosen": true},
			"household": map[string]any{"campaign": 1, "target": 1, "quantity": 500000, "name": "Hộ giả", "zone": 2, "public": true},
			"receipt":   map[string]any{"pledge": 1, "quantity": 100000, "received": 100000, "receipt": 1},
			"change":    map[string]any{"pledge": 1, "code": lan, "cadre": true, "version": "x", "op": "cancel"},
			"campaign":  map[string]any{"u": 1, "t": "Giả", "c": "GIA", "z": []int{2}, "id": 1, "tg": 1},
			"progress":  map[string]any{"campaign": 3, "target": 1, "quantity": 1000},
			"invite":    map[string]any{"role": "head"},
			"removal":   map[string]any{"role": 1},
			"history":   map[string]any{"campaign": 1},
			"transfer":  map[string]any{"line": 1},
		})
		if err != nil {
			t.Fatal(err)
		}
		w.saveState(chat, mallory.id, state)
	}
	presses := 0
	for name, spec := range flows.RegisteredActions() {
		steps := spec.Steps
		if len(steps) == 0 {
			steps = []string{"campaign"}
		}
		steps = append(slices.Clone(steps), "zone") // and a step it does not belong to
		for _, chat := range []int64{mallory.id, group} {
			if own[name] && chat == mallory.id {
				continue
			}
			for _, step := range steps {
				for _, arg := range ids {
					s := seq
					if spec.Global {
						s = 0
					} else {
						seed(chat, step)
					}
					msgs := w.chats[chat]
					mallory.pressData(msgs[len(msgs)-1], fmt.Sprintf("%d:%s:%d", s, name, arg))
					presses++
				}
			}
			if changed := w.changedSince(before); len(changed) != 0 {
				where := "in private"
				if chat < 0 {
					where = "in a group"
				}
				t.Fatalf("a resident's %q presses %s changed %v", name, where, changed)
			}
		}
	}
	if presses < 1000 {
		t.Fatalf("only %d presses", presses)
	}
	if n := w.query(`SELECT count(*) FROM groups g JOIN chats c ON c.id = g.chat_id WHERE NOT c.is_group`); n != 0 {
		t.Errorf("%d groups recorded for private chats", n)
	}
	globals := 0
	for _, spec := range flows.RegisteredActions() {
		if spec.Global {
			globals++
		}
	}
	if globals < 5 {
		t.Errorf("%d global actions registered; the test sees too few", globals)
	}
}
