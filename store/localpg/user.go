//go:build unix

package localpg

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// identity is the unprivileged user PostgreSQL runs as when danvan is root:
// postgres refuses to start as root, since a compromised server must not own
// the machine.
type identity struct {
	name     string
	uid, gid uint32
}

// runAs chooses who runs the server: nil means the current user. As root it
// keeps the owner of an existing cluster, so a folder initialised as nobody
// keeps working after the postgres user appears, and otherwise prefers the
// postgres user that the distribution packages create.
func runAs(dataDir string) (*identity, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	if st, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err == nil {
		if owner := st.Sys().(*syscall.Stat_t); owner.Uid != 0 {
			id := &identity{name: "uid " + strconv.Itoa(int(owner.Uid)), uid: owner.Uid, gid: owner.Gid}
			if u, err := user.LookupId(strconv.Itoa(int(owner.Uid))); err == nil {
				id.name = u.Username
				if g, err := strconv.Atoi(u.Gid); err == nil {
					id.gid = uint32(g)
				}
			}
			return id, nil
		}
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &identity{name: name, uid: uint32(uid), gid: uint32(gid)}, nil
	}
	return nil, errors.New("localpg: PostgreSQL cannot run as root and neither a postgres nor a nobody user exists: create one (useradd --system postgres) or run danvan as an ordinary user")
}

// credential is what the child processes switch to; nil keeps ours.
func (id *identity) credential() *syscall.Credential {
	if id == nil {
		return nil
	}
	// An empty Groups drops root's supplementary groups too.
	return &syscall.Credential{Uid: id.uid, Gid: id.gid, Groups: []uint32{}}
}

// own hands path to the server's user; a no-op when we are that user.
func (id *identity) own(path string) error {
	if id == nil {
		return nil
	}
	if err := os.Lchown(path, int(id.uid), int(id.gid)); err != nil {
		return fmt.Errorf("localpg: %w", err)
	}
	return nil
}

// ownTree hands a whole cluster to the server's user, for a data folder
// copied in by root: postgres refuses a data folder it does not own.
func (id *identity) ownTree(root string) error {
	if id == nil {
		return nil
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return id.own(p)
	})
}

// mkdirAll is os.MkdirAll that reports which folders it created, so that
// only those get their permissions widened.
func mkdirAll(dir string) (created []string, err error) {
	var missing []string
	for p := dir; ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("localpg: %w", err)
		}
		missing = append(missing, p)
		if filepath.Dir(p) == p {
			break
		}
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return created, fmt.Errorf("localpg: %w", err)
		}
		created = append(created, missing[i])
	}
	return created, nil
}

// checkTraversable makes sure the server's user can walk down to dir. The
// folders this package created are opened up (a umask of 077 makes them
// 0700); anyone else's are reported rather than changed, because postgres
// would otherwise fail later with a bare "permission denied".
func (id *identity) checkTraversable(dir string, created []string) error {
	if id == nil {
		return nil
	}
	ours := map[string]bool{}
	for _, c := range created {
		ours[c] = true
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("localpg: %w", err)
		}
		if !id.canEnter(st) {
			if !ours[p] {
				return fmt.Errorf("localpg: PostgreSQL runs as the unprivileged user %s because danvan runs as root, and %s (mode %04o) does not let that user through: put the data folder elsewhere (for example under /var/lib) or run chmod o+x %s",
					id.name, p, st.Mode().Perm(), p)
			}
			if err := os.Chmod(p, 0o755); err != nil {
				return fmt.Errorf("localpg: %w", err)
			}
		}
		if filepath.Dir(p) == p {
			return nil
		}
	}
}

// canEnter applies the classic permission bits (ACLs are not consulted).
func (id *identity) canEnter(st fs.FileInfo) bool {
	sys := st.Sys().(*syscall.Stat_t)
	mode := st.Mode().Perm()
	switch {
	case sys.Uid == id.uid:
		return mode&0o100 != 0
	case sys.Gid == id.gid:
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}
