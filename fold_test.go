package danvan

import "testing"

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Chủ  Nhật":                  "chu nhat",
		"chu\u0309 nha\u0302\u0323t": "chu nhat", // decomposed, as some keyboards send it
		"  Thứ Năm ":                 "thu nam",
		"Đường bê tông":              "duong be tong",
		"ĐIỀU HÒA":                   "dieu hoa",
		"Ưu tiên, ổn định!":          "uu tien, on dinh!",
		"plain":                      "plain",
		"zero\u200bwidth":            "zerowidth",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	// Every Vietnamese vowel with every tone folds to its base.
	for base, forms := range map[string]string{
		"a": "aàáảãạăằắẳẵặâầấẩẫậAÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", "e": "eèéẻẽẹêềếểễệ", "i": "iìíỉĩị",
		"o": "oòóỏõọôồốổỗộơờớởỡợ", "u": "uùúủũụưừứửữự", "y": "yỳýỷỹỵ", "d": "dđĐ",
	} {
		for _, r := range forms {
			if got := Fold(string(r)); got != base {
				t.Errorf("Fold(%q) = %q, want %q", string(r), got, base)
			}
		}
	}
}
