package flows

import (
	"testing"
	"time"
)

func TestCodeFromTitle(t *testing.T) {
	for title, want := range map[string]string{
		"Lắp điều hòa nhà văn hóa":      "LAPDIEUHOANHAVAN",
		"Đường Đông":                    "DUONGDONG",
		`<b>Sân & "đường"</b> <script>`: "BSANDUONGBSCRIPT",
		"Sân 2":                         "SAN2",
		"Ư":                             "CDU",
		"😀 ♥":                           "CD",
		"Lắp điều hòa":                  "LAPDIEUHOA", // decomposed below
		"Thôn 1 — Liên Hòa 2026 mở rộng đường": "THON1LIENHOA2026",
	} {
		if got := codeFrom(title); got != want || !campaignCode.MatchString(got) {
			t.Errorf("codeFrom(%q) = %q, want %q", title, got, want)
		}
	}
	// Decomposed input (base letters and combining marks) folds the same.
	if got := codeFrom("La\u0306\u0301p đie\u0302\u0300u"); got != "LAPDIEU" {
		t.Errorf("decomposed: %q", got)
	}
}

func TestParseDate(t *testing.T) {
	for s, want := range map[string]string{
		"01/03/2026": "2026-03-01", "1/3/2026": "2026-03-01", " 31-12-2026 ": "2026-12-31", "29.02.2028": "2028-02-29",
	} {
		d, ok := parseDate(s)
		if !ok || d.Format(time.DateOnly) != want {
			t.Errorf("parseDate(%q) = %v %v, want %s", s, d, ok, want)
		}
	}
	for _, bad := range []string{"", "31/02/2026", "29/02/2027", "00/01/2026", "1/13/2026", "01/03/26", "2026-03-01", "a/b/c", "01/03/1999"} {
		if d, ok := parseDate(bad); ok {
			t.Errorf("parseDate(%q) accepted %v", bad, d)
		}
	}
}

func TestCleanText(t *testing.T) {
	if s, ok := cleanText("  Sân \n\t nhà\x00 ", 200); !ok || s != "Sân nhà" {
		t.Errorf("cleanText = %q %v", s, ok)
	}
	for _, bad := range []string{"", "   ", "\x00"} {
		if _, ok := cleanText(bad, 10); ok {
			t.Errorf("cleanText(%q) accepted", bad)
		}
	}
	if _, ok := cleanText("ơơơơơơơơơơơ", 10); ok {
		t.Error("cleanText counts bytes, not characters")
	}
}
