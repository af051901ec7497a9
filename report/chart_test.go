package report_test

import (
	"bytes"
	"fmt"
	"image/png"
	"testing"

	"github.com/danvan/danvan"
	"github.com/danvan/danvan/report"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/font"
)

func TestChartSize(t *testing.T) {
	for _, tc := range []struct {
		campaigns     int
		width, height int
	}{
		{1, 800, 500},
		{4, 800, 500},
		{12, 800, 1100},
		{100, 800, 2000}, // capped: Telegram shrinks taller pictures anyway
	} {
		var bars []report.Bar
		for i := range tc.campaigns {
			bars = append(bars, report.Bar{Label: fmt.Sprintf("C%02d", i), Goal: 180_000_000,
				Pledged: danvan.Quantity(i) * 1_000_000, Received: danvan.Quantity(i) * 500_000})
		}
		b, err := report.Chart(bars, monday, "vi")
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%d campaigns: not a PNG: %v", tc.campaigns, err)
		}
		if cfg.Width != tc.width || cfg.Height != tc.height {
			t.Errorf("%d campaigns: %d×%d px, want %d×%d", tc.campaigns, cfg.Width, cfg.Height, tc.width, tc.height)
		}
	}
}

// TestChartFontHasVietnamese guards the choice of font: a face without a
// letter draws an empty box in its place, and the labels are Vietnamese.
func TestChartFontHasVietnamese(t *testing.T) {
	face := font.DefaultCache.Lookup(font.Font{Typeface: "Liberation", Variant: "Sans"}, 16)
	if face.Face == nil {
		t.Fatal("no Liberation Sans face")
	}
	var buf sfnt.Buffer
	const letters = "Tiến độ vận động triệu đồng Mục tiêu Đã đăng ký Đã nhận " +
		"ăâêôơưđ ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ ĂÂÊÔƠƯĐ"
	for _, r := range letters {
		if i, err := face.Face.GlyphIndex(&buf, r); err != nil || i == 0 {
			t.Errorf("the chart font cannot draw %q", r)
		}
	}
}
