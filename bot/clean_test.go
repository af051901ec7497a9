package bot

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/danvan/danvan/flows"
	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

func TestCleanText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Lan\x00", "Lan"},
		{"\x00", ""},
		{"a\x01b\x1fc\x7fd", "abcd"},
		{"dòng 1\ndòng 2\tcột", "dòng 1\ndòng 2\tcột"},
		{"dòng 1\r\ndòng 2", "dòng 1\ndòng 2"},
		{"\x1b[31mđỏ\x1b[0m", "[31mđỏ[0m"},
		{"Việt Nam 📷 500k", "Việt Nam 📷 500k"},
		{"\xff500k", "\uFFFD500k"},
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"}, // a UTF-16 surrogate written as UTF-8
		{"\u0085 C1 stays", "\u0085 C1 stays"},
		{"\uFFFD stays", "\uFFFD stays"},
	} {
		if got := CleanText(tc.in); got != tc.want {
			t.Errorf("CleanText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every kind of update reaches the conversations with its texts cleaned:
// names, text, command arguments, captions, file names, group titles,
// button data.
// CleanEvent cleans every string of an Event, including fields added
// after it was written: each is set to a dirty text here, found by
// reflection.
func TestCleanEventCoversEveryText(t *testing.T) {
	const dirty = "a\x00b"
	ev := flows.Event{Kind: flows.EventText, Document: &flows.Document{}}
	var fields []string
	var fill func(v reflect.Value, path string)
	fill = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			v.SetString(dirty)
			fields = append(fields, path)
		case reflect.Pointer:
			if !v.IsNil() {
				fill(v.Elem(), path)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice:
			for i := range v.Len() {
				fill(v.Index(i), path+"[]")
			}
		}
	}
	fill(reflect.ValueOf(&ev).Elem(), "Event")
	if len(fields) < 10 {
		t.Fatalf("found only %d string fields: %v", len(fields), fields)
	}
	CleanEvent(&ev)
	var check func(v reflect.Value, path string)
	check = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.String:
			if v.String() != "ab" {
				t.Errorf("%s = %q after cleaning, want %q", path, v.String(), "ab")
			}
		case reflect.Pointer:
			if !v.IsNil() {
				check(v.Elem(), path)
			}
		case reflect.Struct:
			for i := range v.NumField() {
				check(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice:
			for i := range v.Len() {
				check(v.Index(i), path+"[]")
			}
		}
	}
	check(reflect.ValueOf(&ev).Elem(), "Event")
}

// Whatever a device sends, the cleaned text is UTF-8 without the dropped
// characters, keeps everything else in order, and PostgreSQL stores it
// unchanged. Its seeds are in testdata/fuzz/FuzzCleanText.
func FuzzCleanText(f *testing.F) {
	db, err := store.Open(context.Background(), pgtest.NewDB(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(db.Close)
	f.Fuzz(func(t *testing.T, in string) {
		out := CleanText(in)
		if !utf8.ValidString(out) {
			t.Fatalf("CleanText(%q) = %q: not UTF-8", in, out)
		}
		var kept strings.Builder
		for _, r := range in { // ranging gives U+FFFD for each byte that is not UTF-8
			if r >= 0x20 && r != 0x7f || r == '\n' || r == '\t' {
				kept.WriteRune(r)
			}
		}
		if out != kept.String() {
			t.Fatalf("CleanText(%q) = %q, want %q", in, out, kept.String())
		}
		if again := CleanText(out); again != out {
			t.Fatalf("cleaning %q again gave %q", out, again)
		}
		var stored string
		if err := db.Pool.QueryRow(context.Background(), `SELECT $1::text`, out).Scan(&stored); err != nil {
			t.Fatalf("PostgreSQL refused %q: %v", out, err)
		}
		if stored != out {
			t.Fatalf("PostgreSQL stored %q as %q", out, stored)
		}
	})
}
