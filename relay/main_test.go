package relay_test

import (
	"os"
	"testing"

	"github.com/lifeline-go/lifeline/internal/pgtest"
)

func TestMain(m *testing.M) {
	if os.Getenv(crashChildEnv) != "" {
		os.Exit(m.Run())
	}
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}
