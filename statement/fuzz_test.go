package statement

import (
	"bytes"
	"testing"
)

// FuzzParse: whatever the bytes, Parse does not panic, and what it returns
// keeps its promises: every line has a row, a non-zero amount in VND and a
// key; problems point at lines of the file.
func FuzzParse(f *testing.F) {
	for _, s := range samples {
		f.Add(readSample(f, s.file))
	}
	f.Add([]byte(vcbHeader + "25/11/2026,R2,,\"200,000\",,\"TRAN\n26/11/2026,R4\n"))
	layouts := BuiltinLayouts()
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := Parse(data, layouts)
		if err != nil {
			if st != nil {
				t.Fatal("statement and error")
			}
			return
		}
		// Decoding never makes more line breaks than the bytes hold.
		maxRow := bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'}) + 1
		keys := map[string]bool{}
		for _, l := range st.Lines {
			if l.Row <= 0 || l.Row > maxRow || l.Amount == 0 || l.Currency != "VND" || l.Key == "" {
				t.Fatalf("bad line %+v (max row %d)", l, maxRow)
			}
			if keys[l.Key] {
				t.Fatalf("key %q twice", l.Key)
			}
			keys[l.Key] = true
		}
		for _, p := range st.Problems {
			if p.Row <= 0 || p.Row > maxRow || p.Reason < ReasonBrokenLine || p.Reason > ReasonForeignCurrency || len(p.Text) > 200 {
				t.Fatalf("bad problem %+v (max row %d)", p, maxRow)
			}
		}
	})
}
