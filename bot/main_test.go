package bot

import (
	"os"
	"testing"

	"github.com/danvan/danvan/store"
	"github.com/danvan/danvan/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m, store.Migrate)) }
