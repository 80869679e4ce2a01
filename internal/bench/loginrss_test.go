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
	"sync"
	"sync/atomic"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// loginChildEnv tells the child of TestLoginStormRSS how many sign-ins to
// run at once; LIFELINE_LOGIN_STORM sets that number for the parent
// (default loginStormCalls).
const (
	loginChildEnv   = "LIFELINE_LOGIN_CHILD"
	loginStormEnv   = "LIFELINE_LOGIN_STORM"
	loginStormCalls = 1000
	// loginStormMaxKB is the peak RSS the storm may reach: two hashes of
	// 19 MiB at a time (GOMAXPROCS=2), the garbage they leave between
	// collections, SQLite and the runtime. Unbounded, 200 calls reached
	// 3.77 GB.
	loginStormMaxKB = 300 * 1024
)

// TestLoginStormRSS starts loginStormCalls password checks at once in a
// child process (GOMAXPROCS=2, so the default hash limit is 2) with the
// default argon2id memory of 19 MiB but one pass instead of two, to keep
// the test short: the memory of a hash is its memory whatever
// the passes. A quarter are right passwords by email, a quarter wrong ones
// by username, a quarter unknown logins (Authenticate), a quarter
// VerifyPassword. The child's peak RSS (VmHWM) must stay under 300 MB.
// LIFELINE_LOGIN_STORM sets another size; the default 1 000 costs about
// 15 s of CPU (7–10 s on two idle cores), 172–267 MB measured.
func TestLoginStormRSS(t *testing.T) {
	if os.Getenv(loginChildEnv) != "" {
		t.Skip("the child's side is TestLoginStormChild")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads VmHWM from /proc/self/status, which only Linux has")
	}
	n := loginStormCalls
	if v := os.Getenv(loginStormEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 4 {
			t.Fatalf("%s=%q: want a number of calls, at least 4", loginStormEnv, v)
		}
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoginStormChild$", "-test.v")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d:%s", loginChildEnv, n, filepath.Join(t.TempDir(), "login.db")), "GOMAXPROCS=2")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s%s", err, out, stderr.Bytes())
	}
	var done, peak int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "done %d peak-rss-kb %d", &done, &peak); err == nil {
			break
		}
	}
	if done != n || peak == 0 {
		t.Fatalf("child answered %d of %d calls as expected, peak %d kB:\n%s", done, n, peak, out)
	}
	t.Logf("%d concurrent password checks: peak RSS %.1f MB", n, float64(peak)/1024)
	if peak > loginStormMaxKB {
		t.Errorf("%d concurrent password checks took the peak RSS to %d kB; want at most %d", n, peak, loginStormMaxKB)
	}
}

// TestLoginStormChild is the child of TestLoginStormRSS: it makes a
// company with one user, runs the storm, and prints how many calls came
// out as expected and its peak RSS.
func TestLoginStormChild(t *testing.T) {
	nStr, path, ok := strings.Cut(os.Getenv(loginChildEnv), ":")
	if !ok {
		t.Skip("run by TestLoginStormRSS")
	}
	n, err := strconv.Atoi(nStr)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	params := lifeline.DefaultHashParams()
	params.Time = 1
	svc, err := lifeline.New(st, lifeline.WithHashParams(params))
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery staple"
	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Storm", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "HQ", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "ada@storm.example", Username: "ada"},
		AdminPassword: pw,
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := lifeline.Actor{ID: b.Admin.ID}
	var good atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			var ok bool
			switch i % 4 {
			case 0:
				u, err := svc.Authenticate(ctx, b.Company.ID, "ADA@storm.example", pw)
				ok = err == nil && u.ID == b.Admin.ID
			case 1:
				_, err := svc.Authenticate(ctx, b.Company.ID, "ada", "wrong password")
				ok = errs.Is(err, errs.Unauthenticated)
			case 2:
				_, err := svc.Authenticate(ctx, b.Company.ID, "nobody@storm.example", pw)
				ok = errs.Is(err, errs.Unauthenticated)
			case 3:
				match, err := svc.VerifyPassword(ctx, admin, b.Admin.ID, pw)
				ok = err == nil && match
			}
			if ok {
				good.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
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
			fmt.Printf("done %d peak-rss-kb %d\n", good.Load(), kb)
			return
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
}
