package vietqr

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func mustPayload(t testing.TB, tr Transfer) string {
	t.Helper()
	p, err := Payload(tr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	return img
}

func isWhite(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r == 0xFFFF && g == 0xFFFF && b == 0xFFFF
}

// TestPNG checks the picture is a PNG of exactly the size asked for, with a
// white quiet zone (a code drawn to the edge starts with a black finder
// pattern in the corner) and black modules inside.
func TestPNG(t *testing.T) {
	p := mustPayload(t, Transfer{BIN: "970436", Account: "0011001234567", Amount: 50000, Purpose: "DIEUHOA K7Q2"})
	for _, size := range []int{512, 300, 1000} {
		data, err := PNG(p, size)
		if err != nil {
			t.Fatalf("PNG(%d): %v", size, err)
		}
		img := decodePNG(t, data)
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Fatalf("PNG(%d) is %dx%d", size, b.Dx(), b.Dy())
		}
		// Four modules of a code this long (version 6 or more, 49+ modules
		// with the quiet zone) are at least size/20 pixels.
		edge := size / 20
		for i := 0; i < size; i++ {
			for _, pt := range []image.Point{{i, 0}, {0, i}, {i, size - 1}, {size - 1, i}, {edge, i}, {i, edge}} {
				if !isWhite(img.At(pt.X, pt.Y)) {
					t.Fatalf("PNG(%d): pixel %v in the quiet zone is not white", size, pt)
				}
			}
		}
		var black int
		for y := 0; y < size; y++ {
			for x := 0; x < size; x++ {
				if !isWhite(img.At(x, y)) {
					black++
				}
			}
		}
		if share := float64(black) / float64(size*size); share < 0.2 || share > 0.6 {
			t.Errorf("PNG(%d): %.0f%% black pixels, not a QR code", size, 100*share)
		}
	}
}

// TestPNGDiffers checks that the picture depends on the payload: two pledges
// differing only in the pledge code must not share a picture.
func TestPNGDiffers(t *testing.T) {
	a := mustPayload(t, Transfer{BIN: "970436", Account: "0011001234567", Amount: 50000, Purpose: "DIEUHOA K7Q2"})
	b := mustPayload(t, Transfer{BIN: "970436", Account: "0011001234567", Amount: 50000, Purpose: "DIEUHOA K7Q3"})
	pa, err := PNG(a, 512)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := PNG(b, 512)
	if err != nil {
		t.Fatal(err)
	}
	ia, ib := decodePNG(t, pa), decodePNG(t, pb)
	var diff int
	for y := 0; y < 512; y++ {
		for x := 0; x < 512; x++ {
			if isWhite(ia.At(x, y)) != isWhite(ib.At(x, y)) {
				diff++
			}
		}
	}
	if diff == 0 {
		t.Fatal("different payloads gave the same picture")
	}
	// The same payload gives the same bytes, so a cached picture is safe.
	again, err := PNG(a, 512)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pa, again) {
		t.Error("same payload gave different PNG bytes")
	}
}

func TestPNGRefusals(t *testing.T) {
	p := mustPayload(t, Transfer{BIN: "970436", Account: "0011001234567", Amount: 50000, Purpose: "DIEUHOA K7Q2"})
	for _, size := range []int{0, -5, 20} {
		if _, err := PNG(p, size); !errors.Is(err, ErrSize) {
			t.Errorf("PNG(p, %d) = %v, want ErrSize", size, err)
		}
	}
	if _, err := PNG("", 512); err == nil {
		t.Error("PNG of an empty payload succeeded")
	}
}

// BenchmarkPNG measures a whole picture for a typical pledge reply, to see
// how many replies a second the bot can draw.
func BenchmarkPNG(b *testing.B) {
	p := mustPayload(b, Transfer{BIN: "970436", Account: "0011001234567", Amount: 500000, Purpose: "DIEUHOA K7Q2"})
	for b.Loop() {
		if _, err := PNG(p, 512); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pictures/s")
}
