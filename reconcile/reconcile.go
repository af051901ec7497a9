// Package reconcile matches the incoming transfers of a bank statement with
// pledges, by the pledge code people put in the transfer's memo. It decides
// nothing by itself: it sorts each line into what the treasurer is shown
// and asked, and the caller applies what the treasurer confirms.
package reconcile

import (
	"github.com/danvan/danvan"
)

// Outcome is what a statement line is, as far as pledges go.
type Outcome string

const (
	// Matched: the memo names one pledge, open for exactly this amount.
	Matched Outcome = "matched"
	// Differs: the memo names one pledge, but the amount is not what is
	// open on it (part of it, more, or the pledge is fulfilled or
	// cancelled): the treasurer is asked.
	Differs Outcome = "differs"
	// Unmatched: no pledge code the treasurer keeps is in the memo.
	Unmatched Outcome = "unmatched"
	// Ambiguous: the memo names two or more pledges.
	Ambiguous Outcome = "ambiguous"
	// Handled: this bank transaction was applied or set aside before, from
	// this statement or another one, or appears twice in this one.
	Handled Outcome = "handled"
	// Outgoing: money leaving the account; not a receipt.
	Outgoing Outcome = "outgoing"
)

// Item is one statement line with its outcome and, for Matched and
// Differs, the pledge it names.
type Item struct {
	Line    danvan.BankLine
	Outcome Outcome
	Pledge  *danvan.PledgeLine
	Codes   []string // the pledge codes found, for Ambiguous
}

// Open is what is still to be received on the item's pledge.
func (it Item) Open() danvan.Quantity {
	if it.Pledge == nil {
		return 0
	}
	return it.Pledge.Pledge.Quantity - it.Pledge.Pledge.Received
}

// Lookup tells which of a memo's candidate codes are pledges the treasurer
// may record money for; the caller has already left out pledges of other
// units and pledges of other kinds than money.
type Lookup func(code string) (*danvan.PledgeLine, bool)

// Classify sorts lines. candidates gives the tokens of a memo that may be
// pledge codes; handled says which bank transactions were handled before.
func Classify(lines []danvan.BankLine, candidates func(memo string) []string, pledges Lookup, handled map[string]bool) []Item {
	items := make([]Item, 0, len(lines))
	seen := make(map[string]bool, len(lines))
	for _, l := range lines {
		it := Item{Line: l}
		switch {
		case l.Amount <= 0:
			it.Outcome = Outgoing
		case handled[l.Key] || seen[l.Key]:
			it.Outcome = Handled
		default:
			var found []*danvan.PledgeLine
			for _, c := range candidates(l.Memo) {
				if p, ok := pledges(c); ok && !containsPledge(found, p) {
					found = append(found, p)
				}
			}
			switch len(found) {
			case 0:
				it.Outcome = Unmatched
			case 1:
				it.Pledge = found[0]
				it.Outcome = Differs
				if p := found[0].Pledge; !p.Cancelled && danvan.Quantity(l.Amount) == p.Quantity-p.Received {
					it.Outcome = Matched
				}
			default:
				it.Outcome = Ambiguous
				for _, p := range found {
					it.Codes = append(it.Codes, p.Pledge.Code)
				}
			}
		}
		seen[l.Key] = true
		items = append(items, it)
	}
	return items
}

func containsPledge(ps []*danvan.PledgeLine, p *danvan.PledgeLine) bool {
	for _, q := range ps {
		if q.Pledge.ID == p.Pledge.ID {
			return true
		}
	}
	return false
}

// Totals counts items and sums their amounts by outcome.
type Totals struct {
	Count  map[Outcome]int
	Amount map[Outcome]int64
}

// Sum adds up items by outcome.
func Sum(items []Item) Totals {
	t := Totals{Count: map[Outcome]int{}, Amount: map[Outcome]int64{}}
	for _, it := range items {
		t.Count[it.Outcome]++
		t.Amount[it.Outcome] += it.Line.Amount
	}
	return t
}
