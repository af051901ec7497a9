package pgtest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/danvan/danvan/store/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// noServerEnv makes TestMain simulate a machine without PostgreSQL, for
// TestRunFailsWithoutServer, which runs this test binary again with it.
const noServerEnv = "PGTEST_SELFTEST_NO_SERVER"

const noServerReason = "PostgreSQL server binaries (initdb, postgres) not found: install PostgreSQL 13 or newer (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL"

func TestMain(m *testing.M) {
	if os.Getenv(noServerEnv) != "" {
		pgtest.FailStart(errors.New(noServerReason))
	}
	os.Exit(pgtest.Run(m, func(ctx context.Context, url string) error {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO note (body) VALUES ('seed')")
		return err
	}))
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func count(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM note").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewDBIsolated(t *testing.T) {
	urlA, urlB := pgtest.NewDB(t), pgtest.NewDB(t)
	if urlA == urlB {
		t.Fatalf("two NewDB calls returned the same database %s", urlA)
	}
	a, b := connect(t, urlA), connect(t, urlB)
	var nameA, nameB string
	a.QueryRow(context.Background(), "SELECT current_database()").Scan(&nameA)
	b.QueryRow(context.Background(), "SELECT current_database()").Scan(&nameB)
	if nameA == "" || nameA == nameB {
		t.Fatalf("connected to %q and %q, want two different databases", nameA, nameB)
	}
	if na, nb := count(t, a), count(t, b); na != 1 || nb != 1 {
		t.Fatalf("prepared rows: %d and %d, want the seed row in both", na, nb)
	}
	if _, err := a.Exec(context.Background(), "INSERT INTO note (body) VALUES ('only in a')"); err != nil {
		t.Fatal(err)
	}
	if na, nb := count(t, a), count(t, b); na != 2 || nb != 1 {
		t.Fatalf("after writing to a: %d rows in a, %d in b; want 2 and 1", na, nb)
	}
}

func TestNewDBDroppedAfterTest(t *testing.T) {
	var url string
	t.Run("user", func(t *testing.T) {
		url = pgtest.NewDB(t)
		connect(t, url) // left open: the drop must not be blocked by it
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err == nil {
		conn.Close(ctx)
		t.Fatalf("%s still exists after its test ended", url)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" {
		t.Fatalf("connecting to the dropped database: %v, want invalid_catalog_name", err)
	}
}

func TestStopAndStartServer(t *testing.T) {
	url := pgtest.NewDB(t)
	conn := connect(t, url)
	if _, err := conn.Exec(context.Background(), "INSERT INTO note (body) VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(context.Background())

	pgtest.StopServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if c, err := pgx.Connect(ctx, url); err == nil {
		c.Close(ctx)
		t.Fatal("connected while the server was stopped")
	}
	pgtest.StartServer(t)
	if n := count(t, connect(t, url)); n != 2 {
		t.Fatalf("%d rows after the restart, want 2", n)
	}
}

func TestRunFailsWithoutServer(t *testing.T) {
	if os.Getenv(noServerEnv) != "" {
		t.Fatal("Run ran the tests although it had no server")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunFailsWithoutServer$", "-test.v")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, pgtest.EnvURL+"=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, noServerEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("without a server the test binary ended with %v, want a non-zero exit", err)
	}
	if got := strings.TrimSpace(stderr.String()); got != "pgtest: "+noServerReason {
		t.Fatalf("stderr = %q, want the one-sentence reason", got)
	}
	if strings.Contains(stdout.String(), "=== RUN") {
		t.Fatalf("tests ran without a server:\n%s", stdout.String())
	}
}
