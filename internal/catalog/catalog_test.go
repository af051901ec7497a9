package catalog

import (
	"testing"

	"github.com/danvan/danvan"
)

func TestText(t *testing.T) {
	cat := map[int][2]string{1: {"Xin chào %s", "Hello %s"}, 2: {"Tạm biệt", "Goodbye"}}
	for _, c := range []struct {
		lang string
		m    int
		args []any
		want string
	}{
		{"vi", 1, []any{"Lan"}, "Xin chào Lan"},
		{"en", 1, []any{"Lan"}, "Hello Lan"},
		{"", 2, nil, "Tạm biệt"},
		{"fr", 2, nil, "Tạm biệt"},
	} {
		if got := Text("test", cat, c.lang, c.m, c.args...); got != c.want {
			t.Errorf("Text(%q, %d) = %q, want %q", c.lang, c.m, got, c.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a missing message did not panic")
		}
	}()
	Text("test", cat, "vi", 3)
}

func TestKindNames(t *testing.T) {
	tg := danvan.Target{Kind: danvan.KindGoods, Label: "điều hòa"}
	if got := TargetName("vi", tg); got != "Hiện vật: điều hòa" {
		t.Errorf("TargetName vi = %q", got)
	}
	if got := TargetName("en", danvan.Target{Kind: danvan.KindLabour}); got != "Labour days" {
		t.Errorf("TargetName en = %q", got)
	}
	if got := KindName("vi", danvan.Kind("other")); got != "other" {
		t.Errorf("an unknown kind: %q", got)
	}
}
