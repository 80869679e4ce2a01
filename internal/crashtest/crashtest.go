// Package crashtest kills a test's child process in the middle of its
// work, for the tests that check a crash leaves whole items only. The
// child is the test binary itself, running one named test; it reports its
// progress as lines "<prefix><count>" on standard output.
package crashtest

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// KillAfter runs the test named test of this binary as a child process
// with env set (such as "CHILD=path"), reads its progress lines starting
// with prefix, and kills it with SIGKILL once it has reported at least
// after items. It returns the last count reported, and fails the test if
// the child ended before reporting after.
func KillAfter(t *testing.T, test, env, prefix string, after int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), env)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reported := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		n, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		if reported, err = strconv.Atoi(n); err != nil {
			t.Fatal(err)
		}
		if reported >= after {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if reported < after {
		t.Fatalf("the child reported %d items before it ended; want to kill it after %d", reported, after)
	}
	return reported
}
