package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan"
)

func TestAuditWhat(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	money := danvan.Target{ID: 11, Kind: danvan.KindMoney}
	labour := danvan.Target{ID: 12, Kind: danvan.KindLabour}
	c := danvan.Campaign{Targets: []danvan.Target{money, labour}}
	tr := &turn{e: &Engine{loc: loc}, lang: "vi"}
	for _, tc := range []struct {
		name          string
		e             danvan.AuditEntry
		want, notWant []string
	}{
		{
			name: "a pledge created, as flows writes it",
			e: danvan.AuditEntry{Entity: "pledge", Action: "created",
				After: []byte(`{"ID":5,"Code":"K7Q2","PersonID":3,"TargetID":11,"Quantity":500000,"Received":0,"Due":"2026-12-31T00:00:00Z","PublicName":true,"Cancelled":false,"CreatedAt":"2026-11-29T02:00:00Z"}`)},
			want:    []string{"Khoản ủng hộ tạo mới #K7Q2", "quantity: 500.000 ₫", "due: 31/12/2026", "publicname: có"},
			notWant: []string{"personid", "createdat", "received", "cancelled"},
		},
		{
			name: "a change of quantity, in labour days",
			e: danvan.AuditEntry{Entity: "pledge", Action: "changed",
				Before: []byte(`{"code":"AB12","target_id":12,"quantity":3000,"reason":""}`),
				After:  []byte(`{"code":"AB12","target_id":12,"quantity":1500,"reason":"ốm"}`)},
			want: []string{"Khoản ủng hộ sửa #AB12", "quantity: 3 ngày công → 1,5 ngày công", "reason:  → ốm"},
		},
		{
			name: "an unknown entity and shape",
			e:    danvan.AuditEntry{Entity: "gadget", Action: "zapped", After: []byte(`[1,2,3]`)},
			want: []string{"gadget zapped", "gadget: [1,2,3]"},
		},
		{
			name: "a removal",
			e:    danvan.AuditEntry{Entity: "role", Action: "removed", Before: []byte(`{"person":"Hoa","role":"head","scope":"Khu 1"}`)},
			want: []string{"Vai trò gỡ bỏ", "person: Hoa", "scope: Khu 1"},
		},
		{
			name: "an enormous value stays short",
			e:    danvan.AuditEntry{Entity: "campaign", Action: "changed", Before: []byte(`{"title":"a"}`), After: []byte(`{"title":"` + strings.Repeat("x", 5000) + `"}`)},
			want: []string{"title: a → xxxx"},
		},
	} {
		got := tr.auditWhat(c, tc.e)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(got, w) {
				t.Errorf("%s: %q shows %q", tc.name, got, w)
			}
		}
		if n := len([]rune(got)); n > auditSummaryRunes+1 {
			t.Errorf("%s: summary of %d runes", tc.name, n)
		}
	}
}
