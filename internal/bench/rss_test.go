package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
)

// rssChildEnv tells the child of TestPeakRSSFlat what to run: "sweep:path"
// or "bulk:path".
const rssChildEnv = "LIFELINE_RSS_CHILD"

// rssSizes are the item counts TestPeakRSSFlat compares.
var rssSizes = []int{1_000, 10_000}

// TestPeakRSSFlat sweeps 1 000 and 10 000 due users, and bulk-deletes 1 000
// and 10 000 live users, each in a child process of its own on a SQLite
// file seeded for it, and compares the children's peak resident set size
// (VmHWM): both hold a batch at a time, so ten times the items may not
// cost more than a quarter more memory. What lifeline itself allocates per
// item is measured in the benchmarks (lifeline-B/op); this is the whole
// process, SQLite's page cache and the Go runtime included.
func TestPeakRSSFlat(t *testing.T) {
	if os.Getenv(rssChildEnv) != "" {
		t.Skip("the child's side is TestPeakRSSChild")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads VmHWM from /proc/self/status, which only Linux has")
	}
	ctx := context.Background()
	for _, job := range []string{"sweep", "bulk"} {
		peak := map[int]int{}
		for _, n := range rssSizes {
			path := filepath.Join(t.TempDir(), fmt.Sprintf("%s%d.db", job, n))
			side, err := openSQLite(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			w, err := Seed(ctx, side.Svc, 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			deletedAt := Start // due at the child's instant
			if job == "bulk" {
				deletedAt = time.Time{} // live
			}
			if _, err := Clone(ctx, side.DB, false, w.Template, "rss", n, deletedAt); err != nil {
				t.Fatal(err)
			}
			if err := side.Close(); err != nil {
				t.Fatal(err)
			}
			peak[n] = rssChild(t, job+":"+path, n)
		}
		small, large := peak[rssSizes[0]], peak[rssSizes[1]]
		t.Logf("%s: peak RSS %.1f MB for %d items, %.1f MB for %d (%.2fx)",
			job, float64(small)/1024, rssSizes[0], float64(large)/1024, rssSizes[1], float64(large)/float64(small))
		if float64(large) > 1.25*float64(small) {
			t.Errorf("%s: peak RSS grew from %d kB for %d items to %d kB for %d; want at most 1.25x",
				job, small, rssSizes[0], large, rssSizes[1])
		}
	}
}

// rssChild runs TestPeakRSSChild with job and returns the peak RSS in kB
// it reports, after checking it did all n items.
func rssChild(t *testing.T, job string, n int) int {
	t.Helper()
	return runRSSChild(t, "TestPeakRSSChild", []string{rssChildEnv + "=" + job}, "child "+job, n)
}

// runRSSChild runs the test named child in a child process with env added
// to its environment, and returns the peak RSS in kB the child reports
// with reportPeakRSS, after checking it did all n items.
func runRSSChild(t *testing.T, child string, env []string, what string, n int) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.v")
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s%s", what, err, out, stderr.Bytes())
	}
	var done, peak int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "done %d peak-rss-kb %d", &done, &peak); err == nil {
			break
		}
	}
	if done != n || peak == 0 {
		t.Fatalf("%s did %d of %d items, peak %d kB:\n%s", what, done, n, peak, out)
	}
	return peak
}

// reportPeakRSS prints, for the parent's runRSSChild, how many items the
// child did and its peak RSS (VmHWM).
func reportPeakRSS(t *testing.T, done int) {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Printf("done %d peak-rss-kb %d\n", done, kb)
			return
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
}

// TestPeakRSSChild is the child of TestPeakRSSFlat: it sweeps, or
// bulk-deletes every user "rss…" of, the file it is given, and prints how
// many items it did and its peak RSS.
func TestPeakRSSChild(t *testing.T) {
	job, path, ok := strings.Cut(os.Getenv(rssChildEnv), ":")
	if !ok {
		t.Skip("run by TestPeakRSSFlat")
	}
	ctx := context.Background()
	side, err := openSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	done := 0
	switch job {
	case "sweep":
		rep, err := side.Svc.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		done = rep.Anonymized
	case "bulk":
		var ids []string
		rows, err := side.DB.QueryContext(ctx, `SELECT id FROM users WHERE id LIKE 'usr_rss%' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		sum, err := lifeline.RunBulk(ctx, side.Svc, Admin, deletes(ids), lifeline.BulkOptions{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		done = sum.OK
	default:
		t.Fatalf("unknown job %q", job)
	}
	reportPeakRSS(t, done)
}
