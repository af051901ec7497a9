package vietqr

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestCRC16CheckValue pins the CRC to the catalogued check value of
// CRC-16/CCITT-FALSE, so a wrong polynomial, initial value or bit order
// cannot hide behind vectors produced by the same mistake.
func TestCRC16CheckValue(t *testing.T) {
	if got := crc16("123456789"); got != 0x29B1 {
		t.Fatalf("crc16(123456789) = %#04x, want 0x29b1", got)
	}
	if got := crc16(""); got != 0xFFFF {
		t.Fatalf("crc16(\"\") = %#04x, want the initial value 0xffff", got)
	}
}

type vector struct {
	Name    string `json:"name"`
	BIN     string `json:"bin"`
	Account string `json:"account"`
	Amount  int64  `json:"amount"`
	Purpose string `json:"purpose"`
	Payload string `json:"payload"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	if len(vs) < 6 {
		t.Fatalf("only %d vectors in testdata/vectors.json", len(vs))
	}
	return vs
}

func (v vector) transfer() Transfer {
	return Transfer{BIN: v.BIN, Account: v.Account, Amount: v.Amount, Purpose: v.Purpose}
}

// TestPayloadVectors compares Payload byte for byte with payloads built by
// testdata/vectors.py, a separate Python implementation (its own TLV
// serialiser and a bitwise CRC) written from the specification.
func TestPayloadVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			got, err := Payload(v.transfer())
			if err != nil {
				t.Fatal(err)
			}
			if got != v.Payload {
				t.Errorf("Payload(%+v)\n got %s\nwant %s", v.transfer(), got, v.Payload)
			}
		})
	}
}

// TestPayloadPublished checks Payload against VietQR strings published by
// other implementations, whose checksums banking apps accept. The field
// layout there is the same as ours; the memos are lower case because those
// libraries keep the case, which Payload allows.
func TestPayloadPublished(t *testing.T) {
	for _, c := range []struct {
		source string
		in     Transfer
		want   string
	}{
		{
			// https://github.com/subiz/vietqr, README.md (VietinBank,
			// 120 000 đồng, "ủng hộ lũ lụt" written without accents).
			"subiz/vietqr README",
			Transfer{BIN: "970415", Account: "0011001932418", Amount: 120000, Purpose: "ung ho lu lut"},
			"00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C",
		},
		{
			// https://github.com/subiz/vietqr, vietqr_test.go: static
			// code, no amount, no memo.
			"subiz/vietqr vietqr_test.go static",
			Transfer{BIN: "970423", Account: "0099999999"},
			"00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4",
		},
		{
			// https://github.com/subiz/vietqr, vietqr_test.go: MB Bank.
			"subiz/vietqr vietqr_test.go dynamic",
			Transfer{BIN: "970422", Account: "0023457923442", Amount: 40123, Purpose: "test text string"},
			"00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN62200816test text string6304D9C6",
		},
		{
			// https://github.com/subiz/vietqr, vietqr_test.go: 19-character
			// account and 25-character memo, both at the limit.
			"subiz/vietqr vietqr_test.go limits",
			Transfer{BIN: "970422", Account: "0023457923442ASDFLJ", Amount: 40123, Purpose: "chuyen khoan alsdkf laksj"},
			"00020101021238630010A0000007270133000697042201190023457923442ASDFLJ0208QRIBFTTA53037045405401235802VN62290825chuyen khoan alsdkf laksj6304E5DB",
		},
		{
			// https://www.npmjs.com/package/vietnam-qr-pay, README.md
			// (ACB, 1 000 đồng).
			"vietnam-qr-pay README",
			Transfer{BIN: "970416", Account: "257678859", Amount: 1000, Purpose: "Chuyen tien"},
			"00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN62150811Chuyen tien6304BBB8",
		},
	} {
		t.Run(c.source, func(t *testing.T) {
			got, err := Payload(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestPublishedChecksums runs the CRC over published codes whose layout
// differs from ours (extra or reordered fields), which still pins the
// checksum to what real generators emit.
func TestPublishedChecksums(t *testing.T) {
	for _, s := range []string{
		// https://github.com/duyquoc1508/napas-qr README.md: bill number
		// (62-01) before the purpose.
		"00020101021238530010A0000007270123000697041601092245284790208QRIBFTTA53037045405100005802VN62340107NPS68690819TRANSFER TO SOMEONE6304AC13",
		// https://pypi.org/project/napas-qr-python/ README: currency and
		// country before ID 38.
		"00020101021153037045802VN38540010A00000072701240006970436011010319334300208QRIBFTTA62220818Thanh toan hoa don6304FCE9",
	} {
		if got, want := fmt.Sprintf("%04X", crc16(s[:len(s)-4])), s[len(s)-4:]; got != want {
			t.Errorf("CRC of %s = %s, want %s", s, got, want)
		}
	}
}

// tlv is one ID–length–value data object, read back from a payload.
type tlv struct{ id, value string }

// readTLV splits s into data objects without knowing what they mean.
func readTLV(s string) ([]tlv, error) {
	var out []tlv
	for s != "" {
		if len(s) < 4 {
			return nil, fmt.Errorf("truncated header %q", s)
		}
		for _, c := range s[:4] {
			if c < '0' || c > '9' {
				return nil, fmt.Errorf("non-digit in header %q", s[:4])
			}
		}
		n, _ := strconv.Atoi(s[2:4])
		if n == 0 || 4+n > len(s) {
			return nil, fmt.Errorf("bad length in %q", s)
		}
		out = append(out, tlv{s[:2], s[4 : 4+n]})
		s = s[4+n:]
	}
	return out, nil
}

// expect checks that fields have exactly the given IDs, in order, and
// returns their values.
func expect(fields []tlv, ids ...string) ([]string, error) {
	var got []string
	for _, f := range fields {
		got = append(got, f.id)
	}
	if strings.Join(got, ",") != strings.Join(ids, ",") {
		return nil, fmt.Errorf("IDs %v, want %v", got, ids)
	}
	values := make([]string, len(fields))
	for i, f := range fields {
		values[i] = f.value
	}
	return values, nil
}

// decode reads a payload back into the Transfer it encodes, checking every
// fixed field, the nesting, the field order and the checksum.
func decode(p string) (Transfer, error) {
	var t Transfer
	root, err := readTLV(p)
	if err != nil {
		return t, err
	}
	ids := []string{"00", "01", "38", "53"}
	for _, f := range root {
		if f.id == "54" {
			ids = append(ids, "54")
		}
	}
	ids = append(ids, "58")
	for _, f := range root {
		if f.id == "62" {
			ids = append(ids, "62")
		}
	}
	ids = append(ids, "63")
	v, err := expect(root, ids...)
	if err != nil {
		return t, err
	}
	field := func(id string) string {
		for i, want := range ids {
			if want == id {
				return v[i]
			}
		}
		return ""
	}

	if field("00") != "01" {
		return t, fmt.Errorf("payload format %q", field("00"))
	}
	if field("53") != "704" || field("58") != "VN" {
		return t, fmt.Errorf("currency %q, country %q", field("53"), field("58"))
	}

	mai, err := readTLV(field("38"))
	if err != nil {
		return t, fmt.Errorf("ID 38: %w", err)
	}
	mv, err := expect(mai, "00", "01", "02")
	if err != nil {
		return t, fmt.Errorf("ID 38: %w", err)
	}
	if mv[0] != "A000000727" || mv[2] != "QRIBFTTA" {
		return t, fmt.Errorf("ID 38: GUID %q, service %q", mv[0], mv[2])
	}
	bo, err := readTLV(mv[1])
	if err != nil {
		return t, fmt.Errorf("ID 38-01: %w", err)
	}
	bv, err := expect(bo, "00", "01")
	if err != nil {
		return t, fmt.Errorf("ID 38-01: %w", err)
	}
	t.BIN, t.Account = bv[0], bv[1]

	if a := field("54"); a != "" {
		if a[0] == '0' || strings.Trim(a, "0123456789") != "" {
			return t, fmt.Errorf("amount %q", a)
		}
		if t.Amount, err = strconv.ParseInt(a, 10, 64); err != nil {
			return t, err
		}
	}
	if poi, want := field("01"), map[bool]string{true: "12", false: "11"}[t.Amount > 0]; poi != want {
		return t, fmt.Errorf("point of initiation %q with amount %d", poi, t.Amount)
	}

	if extra := field("62"); extra != "" {
		ad, err := readTLV(extra)
		if err != nil {
			return t, fmt.Errorf("ID 62: %w", err)
		}
		av, err := expect(ad, "08")
		if err != nil {
			return t, fmt.Errorf("ID 62: %w", err)
		}
		t.Purpose = av[0]
	}

	if !strings.HasSuffix(p[:len(p)-4], "6304") {
		return t, errors.New("CRC is not the last field")
	}
	if got, want := field("63"), fmt.Sprintf("%04X", crc16(p[:len(p)-4])); got != want {
		return t, fmt.Errorf("CRC %q, want %q", got, want)
	}
	return t, nil
}

// TestPayloadDecodes reads payloads back field by field, so that a mistake
// shared by the Go code and vectors.py in one field still shows up as the
// wrong value in the wrong place.
func TestPayloadDecodes(t *testing.T) {
	ins := []Transfer{
		{BIN: "970436", Account: "0011001234567", Amount: 50000, Purpose: Memo("DIEUHOA", "K7Q2")},
		{BIN: "970405", Account: "1500205123456", Purpose: "K7Q2"},
		{BIN: "970418", Account: "1234567890123456789", Amount: 9_999_999_999_999, Purpose: strings.Repeat("Z", 25)},
		{BIN: "970422", Account: "x"},
	}
	for _, v := range loadVectors(t) {
		ins = append(ins, v.transfer())
	}
	for _, in := range ins {
		p, err := Payload(in)
		if err != nil {
			t.Fatalf("Payload(%+v): %v", in, err)
		}
		got, err := decode(p)
		if err != nil {
			t.Errorf("decode(%s): %v", p, err)
			continue
		}
		if got != in {
			t.Errorf("decode(Payload(%+v)) = %+v", in, got)
		}
		// The CRC is four upper-case hex digits over everything before them.
		if crc := p[len(p)-4:]; crc != fmt.Sprintf("%04X", crc16(p[:len(p)-4])) || strings.ToUpper(crc) != crc {
			t.Errorf("%s: bad CRC", p)
		}
	}
}

var sentinels = []error{ErrBIN, ErrAccount, ErrAmount, ErrPurpose}

// TestPayloadRefusals checks each refusal names the right field, so that the
// bot can tell the treasurer which part of the bank details to fix.
func TestPayloadRefusals(t *testing.T) {
	ok := Transfer{BIN: "970436", Account: "0011001234567", Amount: 50000, Purpose: "K7Q2"}
	with := func(f func(*Transfer)) Transfer { x := ok; f(&x); return x }
	for _, c := range []struct {
		name string
		in   Transfer
		want error
	}{
		{"empty BIN", with(func(x *Transfer) { x.BIN = "" }), ErrBIN},
		{"5-digit BIN", with(func(x *Transfer) { x.BIN = "97043" }), ErrBIN},
		{"7-digit BIN", with(func(x *Transfer) { x.BIN = "9704366" }), ErrBIN},
		{"letter in BIN", with(func(x *Transfer) { x.BIN = "97043A" }), ErrBIN},
		{"space in BIN", with(func(x *Transfer) { x.BIN = "970 36" }), ErrBIN},
		{"full-width digits in BIN", with(func(x *Transfer) { x.BIN = "９７０４３６" }), ErrBIN},
		{"empty account", with(func(x *Transfer) { x.Account = "" }), ErrAccount},
		{"20-char account", with(func(x *Transfer) { x.Account = strings.Repeat("1", 20) }), ErrAccount},
		{"space in account", with(func(x *Transfer) { x.Account = "0011 001234567" }), ErrAccount},
		{"dash in account", with(func(x *Transfer) { x.Account = "0011-001234567" }), ErrAccount},
		{"Vietnamese letter in account", with(func(x *Transfer) { x.Account = "đ123" }), ErrAccount},
		{"negative amount", with(func(x *Transfer) { x.Amount = -1 }), ErrAmount},
		{"14-digit amount", with(func(x *Transfer) { x.Amount = 10_000_000_000_000 }), ErrAmount},
		{"26-char purpose", with(func(x *Transfer) { x.Purpose = strings.Repeat("A", 26) }), ErrPurpose},
		{"newline in purpose", with(func(x *Transfer) { x.Purpose = "K7Q2\n" }), ErrPurpose},
		{"DEL in purpose", with(func(x *Transfer) { x.Purpose = "K7Q2\x7f" }), ErrPurpose},
		{"diacritics in purpose", with(func(x *Transfer) { x.Purpose = "ủng hộ K7Q2" }), ErrPurpose},
		{"invalid UTF-8 in purpose", with(func(x *Transfer) { x.Purpose = "K7Q2\xff" }), ErrPurpose},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Payload(c.in)
			if !errors.Is(err, c.want) {
				t.Fatalf("Payload(%+v) = %q, %v; want %v", c.in, p, err, c.want)
			}
			if p != "" {
				t.Errorf("payload %q returned with the error", p)
			}
			for _, s := range sentinels {
				if s != c.want && errors.Is(err, s) {
					t.Errorf("error %v also matches %v", err, s)
				}
			}
		})
	}
	// The limits themselves are accepted.
	for _, in := range []Transfer{
		with(func(x *Transfer) { x.Amount = 0 }),
		with(func(x *Transfer) { x.Amount = 9_999_999_999_999 }),
		with(func(x *Transfer) { x.Account = strings.Repeat("9", 19) }),
		with(func(x *Transfer) { x.Purpose = strings.Repeat("~", 25) }),
		with(func(x *Transfer) { x.Purpose = "" }),
	} {
		if _, err := Payload(in); err != nil {
			t.Errorf("Payload(%+v): %v", in, err)
		}
	}
}

var (
	validBIN     = regexp.MustCompile(`^[0-9]{6}$`)
	validAccount = regexp.MustCompile(`^[A-Za-z0-9]{1,19}$`)
	validPurpose = regexp.MustCompile(`^[ -~]{0,25}$`)
)

// FuzzPayload: for any input, Payload either refuses it with the error of
// the first bad field, or returns a payload that decodes to exactly that
// input with a correct CRC; and it refuses exactly the inputs the rules
// (written here a second time, as regular expressions) call invalid.
func FuzzPayload(f *testing.F) {
	f.Add("970436", "0011001234567", int64(50000), "DIEUHOA K7Q2")
	f.Add("970405", "1500205123456", int64(0), "")
	f.Add("970418", "1234567890123456789", int64(9_999_999_999_999), "ABCDEFGHJKLMNPQRSTUVWXYZ2")
	f.Add("97042", "09012345678", int64(-1), "ủng hộ")
	f.Fuzz(func(t *testing.T, bin, account string, amount int64, purpose string) {
		in := Transfer{BIN: bin, Account: account, Amount: amount, Purpose: purpose}
		p, err := Payload(in)

		var want error
		switch {
		case !validBIN.MatchString(bin):
			want = ErrBIN
		case !validAccount.MatchString(account):
			want = ErrAccount
		case amount < 0 || amount > 9_999_999_999_999:
			want = ErrAmount
		case !validPurpose.MatchString(purpose):
			want = ErrPurpose
		}
		if want != nil {
			if !errors.Is(err, want) {
				t.Fatalf("Payload(%+v) = %q, %v; want %v", in, p, err, want)
			}
			return
		}
		if err != nil {
			t.Fatalf("Payload(%+v): %v", in, err)
		}
		got, err := decode(p)
		if err != nil {
			t.Fatalf("decode(%q): %v", p, err)
		}
		if got != in {
			t.Fatalf("decode(Payload(%+v)) = %+v", in, got)
		}
	})
}
