package vietqr

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"

	qrcode "github.com/skip2/go-qrcode"
)

// ErrSize is returned by PNG when the picture cannot be drawn at the size
// asked for.
var ErrSize = errors.New("vietqr: picture size too small for the QR code")

// PNG draws payload as a square black-on-white QR code, size pixels wide,
// with the four-module white quiet zone scanners need to find the code on a
// busy chat background.
//
// Recovery level Medium survives a smudged or partly cropped screen while
// keeping modules large enough for an old phone camera to read off another
// screen.
func PNG(payload string, size int) ([]byte, error) {
	if payload == "" {
		return nil, errors.New("vietqr: empty payload")
	}
	q, err := qrcode.New(payload, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("vietqr: %w", err)
	}
	img := q.Image(size)
	// go-qrcode silently grows a picture that is too small, and reads a
	// negative size as a scale; either way the caller would not get the
	// size it asked for.
	if size <= 0 || img.Bounds().Dx() != size {
		return nil, fmt.Errorf("%w: %d pixels asked, %d needed", ErrSize, size, len(q.Bitmap()))
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("vietqr: %w", err)
	}
	return buf.Bytes(), nil
}
