// Package vietqr builds VietQR codes for bank transfers to a campaign.
//
// VietQR is the NAPAS profile of the EMVCo merchant-presented QR code: a
// string of ID–length–value fields that every Vietnamese banking app reads
// when it scans a code, filling in the beneficiary bank, account, amount and
// memo ("nội dung chuyển khoản") of an interbank 24/7 transfer.
//
// The bot puts one on its reply to a money pledge so that the resident only
// has to scan and confirm. The point is the memo: the transfer reaches the
// campaign's account carrying the pledge code (e.g. "DIEUHOA K7Q2") exactly
// as the bot wrote it, instead of whatever the resident would have typed, so
// the treasurer can match each line of the bank statement to its pledge.
//
// Payload builds the string, Memo makes a memo that Payload always accepts,
// and PNG draws the picture.
package vietqr

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Transfer is what the payer's banking app should pre-fill.
type Transfer struct {
	BIN     string // NAPAS bank identification number, e.g. "970436" (Vietcombank)
	Account string // beneficiary account number
	// Amount is in đồng. Zero makes a static code and leaves the amount for
	// the payer to type, for when the bot does not know it.
	Amount  int64
	Purpose string // memo; build it with Memo
}

// The errors Payload can return, wrapped with the offending value, so that
// callers can tell with errors.Is which field to complain about (in
// Vietnamese, to the person who typed it).
var (
	ErrBIN     = errors.New("vietqr: bank BIN must be exactly 6 digits")
	ErrAccount = errors.New("vietqr: account must be 1 to 19 letters A-Z, a-z or digits")
	ErrAmount  = errors.New("vietqr: amount must be from 0 to 9999999999999 đồng")
	ErrPurpose = errors.New("vietqr: purpose must be at most 25 printable ASCII characters")
)

// Limits from the NAPAS VietQR profile: consumer ID up to 19 characters,
// amount up to 13 characters (VND has no minor unit, so digits only),
// purpose of transaction up to 25 characters.
const (
	maxAccount = 19
	maxAmount  = 9_999_999_999_999
	maxPurpose = 25
)

// Fixed values of the VietQR profile.
const (
	napasGUID   = "A000000727" // NAPAS's application identifier
	serviceIBFT = "QRIBFTTA"   // interbank fund transfer 24/7 to an account (not a card)
	currencyVND = "704"        // ISO 4217
	countryVN   = "VN"         // ISO 3166-1 alpha-2
	staticQR    = "11"         // no amount: the payer types it
	dynamicQR   = "12"         // amount fixed by the code
)

// Payload returns the VietQR string for t, ready to be drawn by PNG.
//
// Fields come in ascending ID order, as in the published examples. Merchant
// category, name and city are left out: a transfer to an account does not
// use them, and the payer's app shows the holder's name as the beneficiary
// bank reports it, not as the code claims it.
func Payload(t Transfer) (string, error) {
	if err := t.validate(); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(160)
	field(&b, "00", "01") // payload format indicator
	if t.Amount > 0 {
		field(&b, "01", dynamicQR)
	} else {
		field(&b, "01", staticQR)
	}
	// The beneficiary organisation nests inside the merchant account
	// information, which is why both are built as strings first.
	var beneficiary strings.Builder
	field(&beneficiary, "00", t.BIN)
	field(&beneficiary, "01", t.Account)
	var account strings.Builder
	field(&account, "00", napasGUID)
	field(&account, "01", beneficiary.String())
	field(&account, "02", serviceIBFT)
	field(&b, "38", account.String())
	field(&b, "53", currencyVND)
	if t.Amount > 0 {
		field(&b, "54", strconv.FormatInt(t.Amount, 10))
	}
	field(&b, "58", countryVN)
	if t.Purpose != "" {
		var extra strings.Builder
		field(&extra, "08", t.Purpose)
		field(&b, "62", extra.String())
	}
	// The checksum covers its own ID and length, so they go in first.
	b.WriteString("6304")
	fmt.Fprintf(&b, "%04X", crc16(b.String()))
	return b.String(), nil
}

// field appends one ID–length–value data object. Validation keeps every
// value between 1 and 99 bytes, which is all a two-digit length can say.
func field(b *strings.Builder, id, value string) {
	b.WriteString(id)
	if len(value) < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(len(value)))
	b.WriteString(value)
}

func (t Transfer) validate() error {
	if len(t.BIN) != 6 || !all(t.BIN, isDigit) {
		return fmt.Errorf("%w (got %q)", ErrBIN, t.BIN)
	}
	if len(t.Account) == 0 || len(t.Account) > maxAccount || !all(t.Account, isAlnum) {
		return fmt.Errorf("%w (got %q)", ErrAccount, t.Account)
	}
	if t.Amount < 0 || t.Amount > maxAmount {
		return fmt.Errorf("%w (got %d)", ErrAmount, t.Amount)
	}
	// Banks pass the memo on through systems that mangle anything beyond
	// printable ASCII, and a mangled memo cannot be reconciled.
	if len(t.Purpose) > maxPurpose || !all(t.Purpose, isPrintable) {
		return fmt.Errorf("%w (got %q)", ErrPurpose, t.Purpose)
	}
	return nil
}

// all works on bytes: every accepted character is ASCII, so any byte of a
// multi-byte rune fails the test, as it should.
func all(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isUpper(c byte) bool     { return 'A' <= c && c <= 'Z' }
func isAlnum(c byte) bool     { return isDigit(c) || isUpper(c) || 'a' <= c && c <= 'z' }
func isPrintable(c byte) bool { return ' ' <= c && c <= '~' }

// crcTable holds CRC-16/CCITT-FALSE (polynomial 0x1021, no reflection), the
// checksum EMVCo names after ISO/IEC 13239, for every leading byte.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// crc16 is CRC-16/CCITT-FALSE: initial value 0xFFFF, no final XOR.
func crc16(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^s[i]]
	}
	return crc
}
