//go:build unix

package localpg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// minMajor is the oldest server danvan supports: DROP DATABASE … WITH (FORCE),
// used by the tests, arrived in PostgreSQL 13.
const minMajor = 13

// globRoots are the folders searched after PATH and pg_config. Debian and
// Ubuntu install every major version side by side under /usr/lib/postgresql
// without putting the server binaries on PATH; the PGDG RPMs do the same under
// /usr/pgsql-N. A variable so the tests can point it at a fake tree.
var globRoots = []string{
	"/usr/lib/postgresql/*/bin",
	"/usr/pgsql-*/bin",
}

// errNotFound is the one sentence a user sees when nothing is installed.
var errNotFound = errors.New("PostgreSQL server binaries (initdb, postgres) not found: install PostgreSQL 13 or newer (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL")

// binaries is one installation of the server.
type binaries struct {
	dir   string // holds initdb and postgres
	major string // as PG_VERSION writes it: "15", or "9.6" before PostgreSQL 10
	ver   [2]int // major and minor numbers, to sort
}

// candidates lists the usable installations in order of preference: PATH,
// `pg_config --bindir`, then /usr/lib/postgresql/*/bin and /usr/pgsql-*/bin
// newest version first, skipping versions older than 13. When none exists
// the error is one sentence naming what to install. Start needs all of them,
// not only the first, to find the version that matches an existing data
// folder when several are installed.
func candidates() ([]binaries, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	if p, err := exec.LookPath("pg_config"); err == nil {
		if out, err := exec.Command(p, "--bindir").Output(); err == nil {
			dirs = append(dirs, strings.TrimSpace(string(out)))
		}
	}
	// Probe each real folder once: PATH, pg_config and the globs usually
	// lead to the same installation, and asking it its version runs it.
	probed := map[string]bool{}
	probeOnce := func(dir string) (binaries, bool) {
		real, ok := resolve(dir)
		if !ok || probed[real] {
			return binaries{}, false
		}
		probed[real] = true
		return probe(real)
	}
	var found, tooOld, globbed []binaries
	add := func(b binaries) {
		if b.ver[0] < minMajor {
			tooOld = append(tooOld, b)
		} else {
			found = append(found, b)
		}
	}
	for _, d := range dirs {
		if b, ok := probeOnce(d); ok {
			add(b)
		}
	}
	for _, g := range globRoots {
		matches, _ := filepath.Glob(g)
		for _, m := range matches {
			if b, ok := probeOnce(m); ok {
				globbed = append(globbed, b)
			}
		}
	}
	// Numeric order, not the glob's lexical one, in which "9.6" sorts after "16".
	sort.SliceStable(globbed, func(i, j int) bool {
		a, b := globbed[i].ver, globbed[j].ver
		return a[0] > b[0] || a[0] == b[0] && a[1] > b[1]
	})
	for _, b := range globbed {
		add(b)
	}
	if len(found) > 0 {
		return found, nil
	}
	if len(tooOld) > 0 {
		return nil, fmt.Errorf("PostgreSQL %s in %s is too old: install PostgreSQL 13 or newer (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL", tooOld[0].major, tooOld[0].dir)
	}
	return nil, errNotFound
}

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)(?:\.(\d+))?`)

// resolve returns the real folder of dir's initdb. The binaries find their
// share files and each other relative to where they really live, and
// /usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb is one
// installation, not two.
func resolve(dir string) (string, bool) {
	if dir == "" {
		return "", false
	}
	initdb, err := filepath.EvalSymlinks(filepath.Join(dir, "initdb"))
	if err != nil {
		return "", false
	}
	real, err := filepath.Abs(filepath.Dir(initdb))
	return real, err == nil
}

// probe checks that dir holds a working server and asks it its version.
func probe(dir string) (binaries, bool) {
	for _, name := range []string{"initdb", "postgres"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || !st.Mode().IsRegular() || st.Mode().Perm()&0o111 == 0 {
			return binaries{}, false
		}
	}
	// postgres answers --version before its refusal to run as root.
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return binaries{}, false
	}
	m := versionRE.FindStringSubmatch(string(out))
	if m == nil {
		return binaries{}, false
	}
	b := binaries{dir: dir}
	b.ver[0], _ = strconv.Atoi(m[1])
	if m[2] != "" {
		b.ver[1], _ = strconv.Atoi(m[2])
	}
	b.major = m[1]
	if b.ver[0] < 10 {
		b.major = m[1] + "." + m[2]
	}
	return b, true
}

// pick returns the installation that can run the cluster in dataDir: the
// preferred one for a new cluster, else the one whose major version wrote it,
// since a server refuses data from another major version.
func pick(cands []binaries, dataDir string) (binaries, error) {
	raw, err := os.ReadFile(filepath.Join(dataDir, "PG_VERSION"))
	if errors.Is(err, os.ErrNotExist) {
		return cands[0], nil
	}
	if err != nil {
		return binaries{}, fmt.Errorf("localpg: %w", err)
	}
	want := strings.TrimSpace(string(raw))
	for _, c := range cands {
		if c.major == want {
			return c, nil
		}
	}
	return binaries{}, fmt.Errorf("localpg: the data folder %s was created by PostgreSQL %s but the installed server is PostgreSQL %s (%s): install PostgreSQL %s as well, or move the folder away to start afresh (after pg_dump with version %s if its data matters)",
		dataDir, want, cands[0].major, cands[0].dir, want, want)
}
