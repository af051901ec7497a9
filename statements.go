package danvan

import "time"

// Statement is a bank account statement a treasurer sent, as read.
type Statement struct {
	ID        int64
	SentBy    int64 // 0 when it came through `danvan reconcile`
	FileName  string
	Layout    string // which bank's export layout it was read with
	Bank      string
	Account   string // as the statement names it, or ""
	Problems  int    // lines that could not be read
	CreatedAt time.Time
	// Decision is "" until the treasurer applied the matched transfers
	// ("applied") or dropped the statement ("dropped").
	Decision string
}

// BankLine is one transaction of a statement. Key identifies the bank
// transaction across statements, so that one sent twice is applied once.
type BankLine struct {
	ID          int64
	StatementID int64
	Row         int // line number in the file
	Key         string
	Ref         string
	Date        time.Time
	Amount      int64 // đồng; negative for money going out
	Currency    string
	Memo        string
}
