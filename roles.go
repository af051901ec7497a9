package danvan

import "time"

// Grants are all the roles one person holds. Every action a cadre takes is
// checked against them on the server, never against what a message or a
// button claims.
type Grants []Grant

// Admin reports whether the person may do everything.
func (gs Grants) Admin() bool {
	for _, g := range gs {
		if g.Role == RoleAdmin {
			return true
		}
	}
	return false
}

// HeadOf reports whether the person is the head of zone areaID (or an admin).
func (gs Grants) HeadOf(areaID int64) bool {
	return gs.Admin() || gs.has(RoleHead, areaID, 0)
}

// TreasurerOf reports whether the person keeps unit unitID's money (or is an
// admin).
func (gs Grants) TreasurerOf(unitID int64) bool {
	return gs.Admin() || gs.has(RoleTreasurer, 0, unitID)
}

// CadreOf reports whether the person runs unit unitID's campaigns (or is an
// admin).
func (gs Grants) CadreOf(unitID int64) bool {
	return gs.Admin() || gs.has(RoleCadre, 0, unitID)
}

// MayRecordReceipt reports whether the person may record what was received
// against a pledge to a campaign of unit unitID by someone living in zone
// zoneID: the zone's head, the unit's treasurer, or an admin.
func (gs Grants) MayRecordReceipt(unitID, zoneID int64) bool {
	return gs.TreasurerOf(unitID) || zoneID != 0 && gs.HeadOf(zoneID)
}

// Zones lists the zones the person heads.
func (gs Grants) Zones() []int64 {
	var ids []int64
	for _, g := range gs {
		if g.Role == RoleHead {
			ids = append(ids, g.AreaID)
		}
	}
	return ids
}

// Units lists the units the person serves as treasurer or cadre.
func (gs Grants) Units(r Role) []int64 {
	var ids []int64
	for _, g := range gs {
		if g.Role == r {
			ids = append(ids, g.UnitID)
		}
	}
	return ids
}

// Staff reports whether the person holds any role beyond resident.
func (gs Grants) Staff() bool { return len(gs) > 0 }

func (gs Grants) has(r Role, areaID, unitID int64) bool {
	for _, g := range gs {
		if g.Role == r && g.AreaID == areaID && g.UnitID == unitID {
			return true
		}
	}
	return false
}

// Invitation is a one-time link to a role, as read to redeem it.
type Invitation struct {
	ID        int64
	Grant     Grant
	ScopeName string // the zone's or unit's name; "" for admin
	Inviter   Person // who created it
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedBy    int64 // 0 while unused
	UsedAt    time.Time
}

// RoleLine is one role someone holds, as listed to admins.
type RoleLine struct {
	ID        int64
	Person    Person
	Grant     Grant
	ScopeName string // the zone's or unit's name; "" for admin
	Source    string // setup, chat or env (DANVAN_ADMINS)
}
