package vietqr

import (
	"bytes"
	"errors"
	"testing"

	"github.com/danvan/danvan"
)

func TestForPledge(t *testing.T) {
	bank := danvan.BankAccount{BIN: "970436", Account: "0011001234567", Name: "MTTQ PHUONG YEN GIANG"}
	png, memo, err := ForPledge(bank, "DIEUHOA", "K7Q2", 500_000)
	if err != nil {
		t.Fatal(err)
	}
	if memo != "DIEUHOA K7Q2" {
		t.Errorf("memo %q, want %q", memo, "DIEUHOA K7Q2")
	}
	payload, err := Payload(Transfer{BIN: "970436", Account: "0011001234567", Amount: 500_000, Purpose: "DIEUHOA K7Q2"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := PNG(payload, PledgeSize)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(png, want) {
		t.Error("the pledge's picture is not the code of its transfer")
	}
	if _, _, err := ForPledge(danvan.BankAccount{BIN: "97043", Account: "1"}, "DIEUHOA", "K7Q2", 1); !errors.Is(err, ErrBIN) {
		t.Errorf("a five-digit BIN: %v, want ErrBIN", err)
	}
	if BankName("970436") != "Vietcombank" || BankName("999999") != "999999" {
		t.Errorf("bank names: %q %q", BankName("970436"), BankName("999999"))
	}
}
