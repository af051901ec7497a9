package store

import (
	"context"
	"testing"

	"github.com/danvan/danvan"
)

// The chat's latest list is open until an edit of its message takes the
// buttons off; a question asked again in place is the edit's list, on the
// first message.
func TestLatestKeyboard(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	var chat int64
	in := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := db.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	latest := func() (danvan.Keyboard, bool) {
		t.Helper()
		var kb danvan.Keyboard
		var shown bool
		in(func(tx *Tx) (err error) {
			kb, shown, err = tx.LatestKeyboard(ctx, chat)
			return err
		})
		return kb, shown
	}
	enqueue := func(o danvan.Outgoing) int64 {
		t.Helper()
		var id int64
		in(func(tx *Tx) error {
			o.ChatID = chat
			if err := tx.Enqueue(ctx, o); err != nil {
				return err
			}
			return tx.tx.QueryRow(ctx, `SELECT max(id) FROM outbox`).Scan(&id)
		})
		return id
	}
	in(func(tx *Tx) (err error) {
		chat, err = tx.EnsureChat(ctx, danvan.Zalo, "list-chat", false)
		return err
	})
	if _, shown := latest(); shown {
		t.Fatal("a chat shown no list has one")
	}
	yes := [][]danvan.Button{{{Text: "Có", Data: "1:y:1"}}}
	first := enqueue(danvan.Outgoing{Kind: danvan.OutSend, Text: "Hỏi?", Buttons: yes})
	enqueue(danvan.Outgoing{Kind: danvan.OutSend, Text: "Chỉ là chữ"})
	if kb, shown := latest(); !shown || !kb.Open || kb.MessageID != first || kb.Text != "Hỏi?" || kb.Buttons[0][0].Data != "1:y:1" {
		t.Fatalf("after a list: %+v %v", kb, shown)
	}
	again := [][]danvan.Button{{{Text: "Có", Data: "2:y:1"}}}
	enqueue(danvan.Outgoing{Kind: danvan.OutEdit, MessageID: first, Text: "Hỏi lại?", Buttons: again})
	if kb, _ := latest(); !kb.Open || kb.MessageID != first || kb.Kind != danvan.OutSend || kb.Text != "Hỏi lại?" || kb.Buttons[0][0].Data != "2:y:1" {
		t.Fatalf("after asking again in place: %+v", kb)
	}
	enqueue(danvan.Outgoing{Kind: danvan.OutEdit, MessageID: first, Text: "Hỏi lại?\n→ Có"})
	if kb, shown := latest(); !shown || kb.Open || kb.MessageID != first {
		t.Fatalf("after the answer: %+v %v", kb, shown)
	}
	// An edit of another message leaves a newer list open.
	second := enqueue(danvan.Outgoing{Kind: danvan.OutSend, Text: "Tiếp?", Buttons: yes})
	enqueue(danvan.Outgoing{Kind: danvan.OutEdit, MessageID: first, Text: "cũ"})
	if kb, _ := latest(); !kb.Open || kb.MessageID != second {
		t.Fatalf("a newer list: %+v", kb)
	}
}
