package danvan

import "testing"

func TestGrants(t *testing.T) {
	head := Grants{{Role: RoleHead, AreaID: 11}}
	treasurer := Grants{{Role: RoleTreasurer, UnitID: 7}}
	cadre := Grants{{Role: RoleCadre, UnitID: 7}}
	admin := Grants{{Role: RoleAdmin}}
	cases := []struct {
		name string
		got  bool
		want bool
	}{
		{"head records in own zone", head.MayRecordReceipt(7, 11), true},
		{"head records in another zone", head.MayRecordReceipt(7, 12), false},
		{"head of zone 0 never matches", head.MayRecordReceipt(7, 0), false},
		{"treasurer records for own unit", treasurer.MayRecordReceipt(7, 99), true},
		{"treasurer records for another unit", treasurer.MayRecordReceipt(8, 99), false},
		{"cadre may not record receipts", cadre.MayRecordReceipt(7, 11), false},
		{"cadre runs own unit", cadre.CadreOf(7), true},
		{"cadre does not run another unit", cadre.CadreOf(8), false},
		{"treasurer is no cadre", treasurer.CadreOf(7), false},
		{"admin does everything", admin.MayRecordReceipt(1, 2) && admin.CadreOf(3) && admin.HeadOf(4), true},
		{"a resident does nothing", Grants(nil).MayRecordReceipt(7, 11) || Grants(nil).Staff(), false},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}
