package bench

import (
	"os"
	"testing"

	"github.com/lifeline-go/lifeline/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}
