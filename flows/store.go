package flows

// cadreStore is what the cadres' conversations need from storage, beyond
// what residents' need (Store). Each conversation adds its methods in its
// own section.
type cadreStore interface {
	// receipts and households

	// invitations, roles and history

	// campaigns and progress
}
