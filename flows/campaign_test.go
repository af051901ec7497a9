package flows

import (
	"testing"
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
