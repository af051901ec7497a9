// Package danvan holds the domain of the danvan bot: areas, units, people and
// their roles, campaigns with their targets, pledges and receipts, and the
// Vietnamese ways of writing quantities (docs/quantities.md). It imports only
// the standard library.
package danvan

// Kind is what a campaign target counts.
type Kind string

const (
	KindMoney   Kind = "money"   // đồng, an integer: VND has no minor unit
	KindLabour  Kind = "labour"  // labour days (ngày công); halves allowed
	KindLand    Kind = "land"    // donated square metres; one decimal allowed
	KindGoods   Kind = "goods"   // a count of a named item
	KindMeasure Kind = "measure" // measured progress (m, m², households…); not pledgeable
	KindPercent Kind = "percent" // an indicator 0–100; not pledgeable
)

// Kinds lists every kind in the order they are shown.
var Kinds = []Kind{KindMoney, KindLabour, KindLand, KindGoods, KindMeasure, KindPercent}

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Pledgeable reports whether people can pledge towards a target of this kind.
func (k Kind) Pledgeable() bool {
	switch k {
	case KindMoney, KindLabour, KindLand, KindGoods:
		return true
	}
	return false
}

// Scale is how many stored units make one unit of the kind. Quantities are
// kept as integers so that sums are exact: money in đồng, every other kind in
// thousandths (1,5 ngày công is stored as 1500).
func (k Kind) Scale() int64 {
	if k == KindMoney {
		return 1
	}
	return 1000
}

// Quantity is an exact amount of one kind, in the kind's stored unit (see Scale).
type Quantity int64
