package flows

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/danvan/danvan"
)

// A token is unguessable, fits a deep link with its prefix, and only its
// hash is kept.
func TestInvitationToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, err := newInvitationToken()
		if err != nil {
			t.Fatal(err)
		}
		if len(tok)*6 < 128 {
			t.Fatalf("token %q carries fewer than 128 bits", tok)
		}
		if payload := "i_" + tok; !deepLink.MatchString(payload) {
			t.Fatalf("deep link payload %q is not valid for Telegram (64 of A-Za-z0-9_-)", payload)
		}
		if seen[tok] {
			t.Fatalf("token %q drawn twice", tok)
		}
		seen[tok] = true
	}
	sum := sha256.Sum256([]byte("abc"))
	if got, want := invitationHash("abc"), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("invitationHash(abc) = %s, want the SHA-256 %s", got, want)
	}
	if invitationHash("abc") == invitationHash("abd") {
		t.Fatal("two tokens share a hash")
	}
}

func TestMayInvite(t *testing.T) {
	admin := danvan.Grants{{Role: danvan.RoleAdmin}}
	cadre := danvan.Grants{{Role: danvan.RoleCadre, UnitID: 7}}
	head := danvan.Grants{{Role: danvan.RoleHead, AreaID: 3}, {Role: danvan.RoleTreasurer, UnitID: 7}}
	for _, c := range []struct {
		gs   danvan.Grants
		role danvan.Role
		want bool
	}{
		{admin, danvan.RoleAdmin, true},
		{admin, danvan.RoleHead, true},
		{cadre, danvan.RoleHead, true},
		{cadre, danvan.RoleCadre, true},
		{cadre, danvan.RoleAdmin, false},
		{head, danvan.RoleHead, false},
		{head, danvan.RoleTreasurer, false},
		{nil, danvan.RoleHead, false},
	} {
		if got := mayInvite(c.gs, c.role); got != c.want {
			t.Errorf("mayInvite(%v, %s) = %v, want %v", c.gs, c.role, got, c.want)
		}
	}
}
