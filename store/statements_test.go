package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

// statementLines makes n incoming transfers, one per row from row 5.
func statementLines(n int) []danvan.BankLine {
	ls := make([]danvan.BankLine, n)
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for i := range ls {
		ls[i] = danvan.BankLine{Row: 5 + i, Key: fmt.Sprintf("vietcombank:FT%06d", i), Ref: fmt.Sprintf("FT%06d", i),
			Date: day, Amount: int64(100_000 + i), Currency: "VND", Memo: fmt.Sprintf("NGUYEN VAN %d ung ho K7Q2", i)}
	}
	return ls
}

// A statement is kept with its lines in file order, each with its id; a
// bank transaction is claimed once, even by two transactions at the same
// moment, and a later statement sees it handled.
func TestStatementsAndTransactionsOnce(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	lines := statementLines(3)
	s := danvan.Statement{FileName: "saoke.csv", Layout: "vietcombank", Bank: "Vietcombank", Account: "0011001234567", Problems: 1}
	if err := db.InTx(ctx, func(tx *Tx) error { return tx.SaveStatement(ctx, &s, lines) }); err != nil {
		t.Fatal(err)
	}
	var saved []danvan.BankLine
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		saved, err = tx.StatementLines(ctx, s.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range saved {
		if l.ID != lines[i].ID || l.ID == 0 || l.Row != lines[i].Row || l.Memo != lines[i].Memo || l.Amount != lines[i].Amount || !l.Date.Equal(lines[i].Date) {
			t.Errorf("line %d saved as %+v, given %+v", i, l, lines[i])
		}
	}

	// Two treasurers' presses at the same moment: one claim wins.
	var wg sync.WaitGroup
	won := make(chan bool, 2)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.InTx(ctx, func(tx *Tx) error {
				ok, err := tx.HandleTransaction(ctx, lines[0].Key, lines[0].ID, 0)
				won <- ok
				time.Sleep(50 * time.Millisecond) // hold the claim while the other tries
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(won)
	wins := 0
	for ok := range won {
		if ok {
			wins++
		}
	}
	if wins != 1 {
		t.Errorf("%d claims of one bank transaction won, want 1", wins)
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		handled, err := tx.HandledTransactions(ctx, []string{lines[0].Key, lines[1].Key})
		if err != nil {
			return err
		}
		if !handled[lines[0].Key] || handled[lines[1].Key] {
			t.Errorf("handled %v, want only the first", handled)
		}
		st, err := tx.LockStatement(ctx, s.ID)
		if err != nil || st.Decision != "" || st.Problems != 1 {
			t.Errorf("statement %+v, %v", st, err)
		}
		return tx.DecideStatement(ctx, s.ID, "applied")
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSaveStatement keeps a statement of 10,000 lines, the size of a
// large file under the 5 MB limit.
func BenchmarkSaveStatement(b *testing.B) {
	db := openDB(b)
	ctx := context.Background()
	const n = 10_000
	b.ResetTimer()
	for range b.N {
		lines := statementLines(n)
		s := danvan.Statement{FileName: "saoke.csv", Layout: "vietcombank", Bank: "Vietcombank"}
		if err := db.InTx(ctx, func(tx *Tx) error { return tx.SaveStatement(ctx, &s, lines) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "lines/s")
}
