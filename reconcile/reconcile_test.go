package reconcile

import (
	"strings"
	"testing"

	"github.com/danvan/danvan"
)

func pledgeLine(id int64, code string, qty, received danvan.Quantity, cancelled bool) *danvan.PledgeLine {
	return &danvan.PledgeLine{Pledge: danvan.Pledge{ID: id, Code: code, Quantity: qty, Received: received, Cancelled: cancelled},
		CampaignCode: "DIEUHOA", Target: danvan.Target{Kind: danvan.KindMoney}}
}

// words stands in for the statement package's candidate finder: every
// upper-case word of the memo.
func words(memo string) []string { return strings.Fields(strings.ToUpper(memo)) }

func TestClassify(t *testing.T) {
	pledges := map[string]*danvan.PledgeLine{
		"K7Q2": pledgeLine(1, "K7Q2", 500_000, 0, false),
		"M4XP": pledgeLine(2, "M4XP", 1_000_000, 0, false),
		"H8RT": pledgeLine(3, "H8RT", 300_000, 300_000, false), // fulfilled
		"C4NC": pledgeLine(4, "C4NC", 200_000, 0, true),        // cancelled
	}
	lookup := func(c string) (*danvan.PledgeLine, bool) { p, ok := pledges[c]; return p, ok }
	lines := []danvan.BankLine{
		{Row: 5, Key: "a", Amount: 500_000, Memo: "NGUYEN THI LAN ung ho K7Q2"},
		{Row: 6, Key: "b", Amount: 600_000, Memo: "M4XP chuyen tien"},
		{Row: 7, Key: "c", Amount: 200_000, Memo: "UNG HO DIEU HOA"},
		{Row: 8, Key: "d", Amount: 300_000, Memo: "H8RT va K7Q2"},
		{Row: 9, Key: "e", Amount: -15_000, Memo: "PHI SMS K7Q2"},
		{Row: 10, Key: "f", Amount: 500_000, Memo: "K7Q2 lan 2"}, // handled before
		{Row: 11, Key: "a", Amount: 500_000, Memo: "NGUYEN THI LAN ung ho K7Q2"},
		{Row: 12, Key: "g", Amount: 300_000, Memo: "H8RT"},
		{Row: 13, Key: "h", Amount: 200_000, Memo: "C4NC"},
		{Row: 14, Key: "i", Amount: 500_000, Memo: "K7Q2 K7Q2"}, // one code, twice
	}
	items := Classify(lines, words, lookup, map[string]bool{"f": true})
	want := []struct {
		outcome Outcome
		pledge  string
		open    danvan.Quantity
	}{
		{Matched, "K7Q2", 500_000},
		{Differs, "M4XP", 1_000_000},
		{Unmatched, "", 0},
		{Ambiguous, "", 0},
		{Outgoing, "", 0},
		{Handled, "", 0},
		{Handled, "", 0}, // the same bank transaction twice in one file
		{Differs, "H8RT", 0},
		{Differs, "C4NC", 200_000},
		{Matched, "K7Q2", 500_000},
	}
	if len(items) != len(want) {
		t.Fatalf("%d items, want %d", len(items), len(want))
	}
	for i, w := range want {
		it := items[i]
		code := ""
		if it.Pledge != nil {
			code = it.Pledge.Pledge.Code
		}
		if it.Outcome != w.outcome || code != w.pledge || it.Open() != w.open || it.Line.Row != lines[i].Row {
			t.Errorf("line %d: %s #%s open %d, want %s #%s open %d", lines[i].Row, it.Outcome, code, it.Open(), w.outcome, w.pledge, w.open)
		}
	}
	if got := strings.Join(items[3].Codes, ","); got != "H8RT,K7Q2" {
		t.Errorf("ambiguous codes %q, want H8RT,K7Q2", got)
	}
	sum := Sum(items)
	if sum.Count[Matched] != 2 || sum.Amount[Matched] != 1_000_000 || sum.Count[Differs] != 3 || sum.Amount[Outgoing] != -15_000 {
		t.Errorf("totals %+v", sum)
	}
}
