package flows_test

import (
	"strings"
	"testing"
)

// The words people read, as the probe found them wanting.
func TestWords(t *testing.T) {
	w := newWard(t)
	lan := w.person(300001, "Lan")

	// The zone picker names each zone's ward or commune when there are
	// several: Liên Hòa's Thôn 1 is not one of Yên Giang's Khu.
	lan.send("/start")
	picker := lan.expect("Bạn ở khu (thôn) nào?")
	labels := buttonLabels(picker)
	if !strings.Contains(labels, "Thôn 1 · Xã Liên Hòa") || !strings.Contains(labels, "Khu 1 · Phường Yên Giang") {
		t.Errorf("zone picker: %q", labels)
	}
	lan.press(picker, "z", "Khu 1")

	says := func(input, want string, not ...string) {
		t.Helper()
		lan.send(input)
		got := lan.last().Text
		if !strings.Contains(got, want) {
			t.Errorf("%q: answered %q, want %q", input, got, want)
		}
		for _, n := range not {
			if strings.Contains(got, n) {
				t.Errorf("%q: answered %q, which has %q", input, got, n)
			}
		}
	}
	// Amounts that overflow or are too small are explained, never with a
	// question mark for a maximum or a suggestion that cannot be typed.
	says("/ungho DIEUHOA 99999999999999999999", "Số này quá lớn", "?)", "tối đa ?")
	says("/ungho DIEUHOA 999999999999999999999999999k", "quá lớn (tối đa 10.000.000.000 ₫)")
	says("/ungho DIEUHOA 0.5k", "Số tiền quá nhỏ: ít nhất 1.000 ₫", "kk", "muốn gõ")
	says("/ungho DIEUHOA 0,0001tr", "Số tiền quá nhỏ: ít nhất 1.000 ₫", "trk", "muốn gõ")
	lan.send("/ungho DIEUHOA")
	lan.press(lan.last(), "t", "Tiền")
	says("500", "bạn muốn gõ <code>500k</code>?")
	lan.send("/huy")

	// Goods are counted in their unit: the setup says unit: chiếc.
	says("/chiendich", "Hiện vật: điều hòa: 16 chiếc điều hòa")
	says("/ungho DIEUHOA 2 điều hòa", "2 chiếc điều hòa")
	// One way to write percent.
	says("/chiendich", "96%", "96 %")

	// A head who is also the treasurer reads each command once.
	hoa := w.person(100001, "Hoa")
	hoa.send("/huongdan")
	help := hoa.last().Text
	for _, cmd := range []string{"/xacnhan", "/tang", "/chapnhan", "/xuat", "/baocaonam"} {
		if n := strings.Count(help, cmd+" "); n != 1 {
			t.Errorf("/huongdan of a head and treasurer lists %s %d times:\n%s", cmd, n, help)
		}
	}
	admin := w.person(100004, "Hùng")
	admin.send("/huongdan")
	if help := admin.last().Text; strings.Count(help, "/moi ") != 1 || !strings.Contains(help, "bất kỳ vai trò") {
		t.Errorf("/huongdan of an admin:\n%s", help)
	}
}
