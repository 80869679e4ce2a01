package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lifeline-go/lifeline"
)

// chromiumPath is Debian's Chromium, which .ci/install-chromium installs.
// The test never downloads a browser.
const chromiumPath = "/usr/bin/chromium"

// browser is a headless Chromium driven over the DevTools protocol, with
// the portal it talks to.
type browser struct {
	t       *testing.T
	ctx     context.Context
	base    string
	tp      *testPortal
	shots   string
	shotN   int
	dialogs atomic.Int32
	alerts  atomic.Int32
}

// TestBrowser drives the portal in a real browser: search, a bulk reset
// and recycle whose progress view reaches 3/3, delete and restore, an
// office admin's limits and a forged request, a name of markup shown as
// text, and a re-sync that makes a staged change stale. It takes a
// screenshot at each step (into LIFELINE_PORTAL_SHOTS when set, else a
// temp dir) and asserts on the pages' text.
func TestBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no browser at %s (bash .ci/install-chromium installs it): %v", chromiumPath, err)
		}
		t.Skipf("no browser at %s (bash .ci/install-chromium installs it)", chromiumPath)
	}
	b := startBrowser(t)

	t.Run("search", b.search)
	t.Run("markup renders as text", b.markup)
	t.Run("bulk reset and recycle", b.bulk)
	t.Run("delete and restore", b.deleteRestore)
	t.Run("re-sync makes a staged change stale", b.resync)
	t.Run("filter London premium and sort by name", b.filterSort)
	t.Run("restore from the Deleted tab", b.restoreFromDeleted)
	t.Run("bulk reinstate two suspended users", b.bulkReinstate)
	t.Run("edit a user's role and email, move it with the preview", b.editAndMove)
	t.Run("office admin", b.officeAdmin)
	t.Run("member", b.member)
	if n := b.alerts.Load(); n != 0 {
		t.Errorf("%d alert dialogs opened: some markup ran as script", n)
	}
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	tp := newTestPortal(t)
	// The server the browser talks to listens on loopback, as
	// `go run ./examples/portal` does.
	ln, err := listenLoopback("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: tp.p, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	tp.p.log = slog.New(slog.NewTextHandler(tp.log, nil))

	// Screenshots go where LIFELINE_SCREENSHOTS (or the older
	// LIFELINE_PORTAL_SHOTS) says, else to a folder under the system's
	// temp dir that outlives the test, so a CI job can upload it; the log
	// names it.
	shots := cmp.Or(os.Getenv("LIFELINE_SCREENSHOTS"), os.Getenv("LIFELINE_PORTAL_SHOTS"))
	if shots == "" {
		dir, err := os.MkdirTemp("", "lifeline-portal-screenshots-")
		if err != nil {
			t.Fatal(err)
		}
		shots = dir
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1100),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	b := &browser{t: t, ctx: bctx, base: "http://" + ln.Addr().String(), tp: tp, shots: shots}
	// Accept confirmation dialogs (the delete button asks); count alerts,
	// which the portal never opens.
	start := time.Now()
	if err := chromedp.Listen(bctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			b.dialogs.Add(1)
			if d.Type == page.DialogTypeAlert {
				b.alerts.Add(1)
			}
			// fn may not run a command itself: answer from another
			// goroutine.
			go chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(b.base+"/signin")); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	t.Logf("browser up in %v; screenshots in %s", time.Since(start).Round(time.Millisecond), shots)
	return b
}

// run runs actions, failing the test on error. When they end on a page
// not seen before, it saves a screenshot of it and checks its
// accessibility basics.
func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot(t, "failed")
		t.Fatalf("%s: %v", what, err)
	}
	b.visited(t, what)
}

// a11yScript checks the basics of the page it runs in and returns what it
// found wrong: every form field has a label (a <label>, aria-label or
// aria-labelledby), the headings start at h1 and never skip a level going
// down, and the element the keyboard focuses shows it (an outline or a
// shadow).
const a11yScript = `(() => {
  const problems = [];
  const shown = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || el.type === "submit" || el.type === "button" || !shown(el)) continue;
    const named = (el.labels && el.labels.length > 0) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
    if (!named) problems.push("unlabelled " + el.tagName.toLowerCase() + " name=" + (el.name || "?"));
  }
  let prev = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(h.tagName[1]);
    if (prev === 0 && level !== 1) problems.push("the first heading is " + h.tagName);
    if (prev > 0 && level > prev + 1) problems.push(h.tagName + " after H" + prev + ": " + h.textContent.trim().slice(0, 40));
    prev = level;
  }
  if (prev === 0) problems.push("no heading");
  const f = document.activeElement;
  if (!f || f === document.body) {
    problems.push("the keyboard focuses nothing");
  } else {
    const st = getComputedStyle(f);
    if ((st.outlineStyle === "none" || st.outlineWidth === "0px") && st.boxShadow === "none") {
      problems.push("focus not visible on " + f.tagName.toLowerCase() + (f.id ? "#" + f.id : ""));
    }
  }
  return problems;
})()`

// visited saves a screenshot of the page the browser shows and checks its
// accessibility basics, once per page load: the page is marked checked.
func (b *browser) visited(t *testing.T, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	fresh, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.dataset.ready === "1" && !document.documentElement.dataset.checked`))
	if err != nil || !fresh {
		return
	}
	b.shot(t, what)
	// Tab moves the keyboard focus, as a person would, so :focus-visible
	// applies; the focus is taken away again after the check.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Errorf("press Tab after %s: %v", what, err)
		return
	}
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](a11yScript))
	if err != nil {
		t.Errorf("accessibility check after %s: %v", what, err)
		return
	}
	chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); document.documentElement.dataset.checked = "1"`))
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	for _, p := range problems {
		t.Errorf("accessibility (%s, %s): %s", what, loc, p)
	}
}

// follow clicks sel, which loads a new page, and waits until the new
// page shows want and its script has run. The old page is marked first,
// so an element of the old page never passes for one of the new.
func follow(sel, want string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.old = "1"`),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitVisible(chromedp.CSS(`html[data-ready]:not([data-old]) `+want)),
	)
}

// text is the visible text of the first element sel matches.
func (b *browser) text(t *testing.T, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.shot(t, "failed")
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// shot saves a screenshot of the whole page.
func (b *browser) shot(t *testing.T, name string) {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.shotN++
	path := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.shotN, strings.ReplaceAll(name, " ", "-")))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("saving %s: %v", path, err)
	}
}

func (b *browser) signIn(t *testing.T, account string) {
	t.Helper()
	b.signInTo(t, account, `#tab-active`)
}

// signInTo signs in and waits for the page the account lands on to show
// want.
func (b *browser) signInTo(t *testing.T, account, want string) {
	t.Helper()
	b.run(t, "sign in as "+account,
		chromedp.Navigate(b.base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`#signin`)),
		chromedp.Click(chromedp.CSS(`input[value="`+account+`"]`)),
		follow(`#signin`, want),
	)
}

// names reads the names of the users list, top to bottom.
func (b *browser) names(t *testing.T) []string {
	t.Helper()
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("#users a.user-link"), a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// filterSort filters the users list to the London office and the premium
// license, then sorts it by name.
func (b *browser) filterSort(t *testing.T) {
	d := b.tp.p.demo
	b.signIn(t, "company-admin")
	b.run(t, "filter London and premium",
		chromedp.Navigate(b.base+"/users?tab=active"),
		chromedp.WaitVisible(chromedp.CSS(`html[data-ready] #filters`)),
		chromedp.SetValue(chromedp.CSS(`#f-office`), d.London.ID),
		chromedp.SetValue(chromedp.CSS(`#f-license`), "premium"),
		follow(`#apply-filters`, `#users`),
	)
	// The seed's active London premium holders, in extension order.
	if got, want := b.names(t), []string{"Tim Berners-Lee", "Sophie Wilson", "Karen Spärck Jones", "Maurice Wilkes"}; !slices.Equal(got, want) {
		t.Errorf("London and premium lists %q, want %q", got, want)
	}
	b.run(t, "sort by name", follow(`#sort-name`, `#users`))
	if got, want := b.names(t), []string{"Tim Berners-Lee", "Karen Spärck Jones", "Maurice Wilkes", "Sophie Wilson"}; !slices.Equal(got, want) {
		t.Errorf("sorted by name: %q, want %q", got, want)
	}
	if got := b.text(t, "#users tbody"); !strings.Contains(got, "020 7946 ") || strings.Contains(got, "San Francisco") {
		t.Errorf("the filtered rows do not show London numbers as the UK writes them:\n%s", got)
	}
}

// restoreFromDeleted restores the first user of the Deleted tab from its
// row.
func (b *browser) restoreFromDeleted(t *testing.T) {
	b.run(t, "deleted tab", chromedp.Navigate(b.base+"/users?tab=deleted"), chromedp.WaitVisible(chromedp.CSS(`html[data-ready] #users`)))
	if got := b.text(t, "#users tbody td.deleted-by"); got != "Margaret Hamilton" {
		t.Errorf("deleted by %q, want Margaret Hamilton", got)
	}
	ext, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("button.restore").dataset.ext`))
	if err != nil {
		t.Fatalf("no Restore in a row: %v", err)
	}
	before := b.names(t)
	b.run(t, "restore from the row", follow(`button.restore`, `#flash`))
	if f := b.text(t, "#flash"); f != "Restored." {
		t.Errorf("flash reads %q", f)
	}
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#users tr[data-ext="`+ext+`"]').length`))
	if err != nil || n != 0 || len(b.names(t)) != len(before)-1 {
		t.Errorf("extension %s is still on the Deleted tab (%v)", ext, err)
	}
}

// bulkReinstate reinstates two suspended users in one bulk run.
func (b *browser) bulkReinstate(t *testing.T) {
	b.run(t, "suspended tab", chromedp.Navigate(b.base+"/users?tab=suspended"), chromedp.WaitVisible(chromedp.CSS(`html[data-ready] #users`)))
	all := b.names(t)
	if len(all) < 3 {
		t.Fatalf("the Suspended tab lists %q, want three or more", all)
	}
	b.run(t, "select two and choose reinstate",
		chromedp.Click(chromedp.CSS(`#users tbody tr:nth-child(1) input.pick`)),
		chromedp.Click(chromedp.CSS(`#users tbody tr:nth-child(2) input.pick`)),
		chromedp.SetValue(chromedp.CSS(`#bulk-action`), "reinstate"),
		follow(`#bulk-go`, `#bulk-items`),
	)
	if got := b.text(t, "#bulk-items"); strings.Count(got, "will apply") != 2 {
		t.Errorf("the dry run reads:\n%s", got)
	}
	b.run(t, "run", follow(`#bulk-confirm`, `#progress-count`), chromedp.WaitVisible(chromedp.CSS(`#finished`)))
	b.shot(t, "bulk reinstate results")
	if got := b.text(t, "#bulk-results"); strings.Count(got, "applied") != 2 {
		t.Errorf("results:\n%s", got)
	}
	b.run(t, "suspended tab again", chromedp.Navigate(b.base+"/users?tab=suspended"), chromedp.WaitVisible(chromedp.CSS(`html[data-ready] #users`)))
	if got := b.names(t); !slices.Equal(got, all[2:]) {
		t.Errorf("after reinstating %q the Suspended tab lists %q", all[:2], got)
	}
}

// member signs in as a member: its own page, no users list, no tabs.
func (b *browser) member(t *testing.T) {
	b.signInTo(t, "member", `#details`)
	if h := b.text(t, "h1"); h != "Grace Hopper" {
		t.Errorf("a member lands on %q", h)
	}
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".tabs, #nav-users").length + (document.getElementById("nav-me") ? 0 : 10)`))
	if err != nil || n != 0 {
		t.Errorf("a member is shown tabs or the users list, or not its own page in the menu (%d, %v)", n, err)
	}
}

// searchFor types text into the search box and waits for the results.
func (b *browser) searchFor(t *testing.T, text string) {
	t.Helper()
	b.run(t, "search "+text,
		chromedp.Navigate(b.base+"/users?tab=active"),
		chromedp.WaitVisible(chromedp.CSS(`#q`)),
		chromedp.Clear(chromedp.CSS(`#q`)),
		chromedp.SendKeys(chromedp.CSS(`#q`), text),
		follow(`#search`, `#users`),
	)
}

func (b *browser) search(t *testing.T) {
	b.signIn(t, "company-admin")
	b.searchFor(t, "ada lov")
	b.shot(t, "search")
	got := b.text(t, "#users")
	if !strings.Contains(got, "Ada Lovelace") || strings.Contains(got, "Alan Turing") {
		t.Errorf("searching %q lists:\n%s", "ada lov", got)
	}
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ToLower(loc), "ada") {
		t.Errorf("the search text is in the URL %s", loc)
	}
	if tabs := b.text(t, ".tabs"); !strings.Contains(tabs, "Active") || !strings.Contains(tabs, "Reserved numbers") {
		t.Errorf("tabs: %q", tabs)
	}
}

func (b *browser) markup(t *testing.T) {
	b.searchFor(t, "mallory")
	got := b.text(t, "#users")
	if !strings.Contains(got, "<script>alert(1)</script> Mallory") {
		t.Errorf("the name does not render as text:\n%s", got)
	}
	b.run(t, "open the user", follow(`a.user-link`, `#details`))
	b.shot(t, "markup name")
	if h1 := b.text(t, "h1"); h1 != "<script>alert(1)</script> Mallory" {
		t.Errorf("the page title reads %q", h1)
	}
}

func (b *browser) bulk(t *testing.T) {
	d := b.tp.p.demo
	b.searchFor(t, "")
	b.run(t, "clear the search", chromedp.Navigate(b.base+"/users?tab=active"), chromedp.WaitVisible(chromedp.CSS(`#users`)))
	var picks []chromedp.Action[chromedp.Void]
	for _, u := range d.Recyclable {
		picks = append(picks, chromedp.Click(chromedp.CSS(`input.pick[value="`+u.ID+`"]`)))
	}
	b.run(t, "select three users", picks...)
	b.run(t, "choose reset and recycle",
		chromedp.SetValue(chromedp.CSS(`#bulk-action`), "reset-recycle"),
		follow(`#bulk-go`, `#bulk-items`),
	)
	var fill []chromedp.Action[chromedp.Void]
	for i := range d.Recyclable {
		fill = append(fill,
			chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`input[name="first%d"]`, i)), "Recycled"),
			chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`input[name="last%d"]`, i)), fmt.Sprintf("Number%d", i+1)),
			chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`input[name="email%d"]`, i)), fmt.Sprintf("recycled%d@acme.example", i+1)),
		)
	}
	b.run(t, "give each extension a new person", fill...)
	b.shot(t, "bulk confirm")
	b.run(t, "confirm", follow(`#bulk-confirm`, `#progress-count`))
	first := b.text(t, "#progress-count")
	t.Logf("progress when the view opened: %s", first)
	b.run(t, "mark the view", chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.sameView = "1"`))
	b.shot(t, "bulk progress")
	// The page is not reloaded: the progress view updates itself as the
	// items finish, until the run is over.
	b.run(t, "wait for the end", chromedp.WaitVisible(chromedp.CSS(`#finished`)))
	last := b.text(t, "#progress-count")
	b.shot(t, "bulk results")
	// The view that showed less than 3/3 is the one that shows the end:
	// it updated itself, without a reload.
	same, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.dataset.sameView === "1"`))
	if err != nil {
		t.Fatal(err)
	}
	if first != "3/3" && !same {
		t.Errorf("the progress view was reloaded instead of updating itself")
	}
	if last != "3/3" {
		t.Errorf("progress ends at %q, want 3/3 (first seen: %q)", last, first)
	}
	results := b.text(t, "#bulk-results")
	for i := range d.Recyclable {
		if !strings.Contains(results, fmt.Sprintf("Recycled Number%d", i+1)) {
			t.Errorf("results lack item %d's new person:\n%s", i, results)
		}
	}
	if strings.Count(results, "applied") != 3 {
		t.Errorf("results do not say applied three times:\n%s", results)
	}
}

func (b *browser) deleteRestore(t *testing.T) {
	b.searchFor(t, "ada lovelace")
	b.run(t, "open Ada", follow(`a.user-link`, `#act-delete`))
	before := b.dialogs.Load()
	b.run(t, "delete", follow(`#act-delete`, `#flash`))
	b.shot(t, "deleted")
	if b.dialogs.Load() == before {
		t.Errorf("delete asked for no confirmation")
	}
	if s := b.text(t, "#state"); s != "Deleted" {
		t.Errorf("after delete the state reads %q", s)
	}
	if w := b.text(t, "#details"); !strings.Contains(w, "left") {
		t.Errorf("the deleted user shows no time left to restore:\n%s", w)
	}
	b.run(t, "restore", follow(`#act-restore`, `#flash`))
	b.shot(t, "restored")
	if s := b.text(t, "#state"); s != "Active" {
		t.Errorf("after restore the state reads %q", s)
	}
	if f := b.text(t, "#flash"); f != "Restored." {
		t.Errorf("flash reads %q", f)
	}
}

// editAndMove opens a user, makes it an office admin of San Francisco,
// changes its email, then moves it to London through the move's preview.
func (b *browser) editAndMove(t *testing.T) {
	b.searchFor(t, "leslie lamport")
	b.run(t, "open Leslie", follow(`a.user-link`, `#act-delete`))
	b.run(t, "change the role",
		chromedp.Click(chromedp.CSS(`#role summary`)),
		chromedp.SetValue(chromedp.CSS(`#edit-role`), "office_admin"),
		chromedp.Click(chromedp.CSS(`#role input[name="office"][value="`+b.tp.p.demo.SF.ID+`"]`)),
		follow(`#act-role`, `#flash`))
	if f := b.text(t, "#flash"); f != "Role saved." {
		t.Errorf("after the role change the flash reads %q", f)
	}
	if d := b.text(t, "#details"); !strings.Contains(d, "Office admin") {
		t.Errorf("the role did not change:\n%s", d)
	}
	b.run(t, "change the email",
		chromedp.Click(chromedp.CSS(`#edit summary`)),
		chromedp.SetValue(chromedp.CSS(`#edit-email`), "lamport@acme.example"),
		follow(`#act-edit`, `#flash`))
	if d := b.text(t, "#details"); !strings.Contains(d, "lamport@acme.example") {
		t.Errorf("the email did not change:\n%s", d)
	}
	b.run(t, "preview the move",
		chromedp.Click(chromedp.CSS(`#transfer summary`)),
		chromedp.SetValue(chromedp.CSS(`#transfer-office`), b.tp.p.demo.London.ID),
		follow(`#act-transfer`, `#transfer-confirm`))
	if p := b.text(t, "#transfer-plan"); !strings.Contains(p, "New number in London") {
		t.Errorf("the move's preview reads:\n%s", p)
	}
	b.run(t, "confirm the move", follow(`#transfer-confirm`, `#flash`))
	if f := b.text(t, "#flash"); f != "Moved to London." {
		t.Errorf("after the move the flash reads %q", f)
	}
	if d := b.text(t, "#details"); !strings.Contains(d, "London") {
		t.Errorf("the user is not in London:\n%s", d)
	}
}

// resync stages a bulk delete as a change set; while its page is open,
// another tab re-syncs with the carrier; confirming from the first tab is
// then refused as stale, and nothing is deleted.
func (b *browser) resync(t *testing.T) {
	tp := b.tp
	ids := activeIDs(t, tp, "edsger", "frances")
	b.run(t, "users", chromedp.Navigate(b.base+"/users?tab=active"), chromedp.WaitVisible(chromedp.CSS(`#users`)))
	b.searchFor(t, "")
	var picks []chromedp.Action[chromedp.Void]
	for _, id := range ids {
		picks = append(picks, chromedp.Click(chromedp.CSS(`input.pick[value="`+id+`"]`)))
	}
	b.run(t, "select two users", picks...)
	b.run(t, "stage a bulk delete",
		chromedp.SetValue(chromedp.CSS(`#bulk-action`), "delete"),
		follow(`#bulk-go`, `#bulk-stage`),
		chromedp.SendKeys(chromedp.CSS(`#stage-name`), "Leavers of November"),
		follow(`#bulk-stage`, `#cs-confirm`),
	)
	b.shot(t, "change set staged")
	if got := b.text(t, "#cs-status"); got != "open" {
		t.Errorf("the staged set is %q", got)
	}
	if got := b.text(t, "#cs-users"); !strings.Contains(got, "Edsger Dijkstra") || !strings.Contains(got, "Deleted") {
		t.Errorf("the set's preview reads:\n%s", got)
	}

	// Another tab of the same session re-syncs meanwhile.
	other, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(other, 20*time.Second)
	defer cancelT()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(b.base+"/changesets"),
		chromedp.WaitVisible(chromedp.CSS(`html[data-ready] #resync`)),
		// form.submit() skips the confirmation dialog a click asks.
		chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.old = "1"; document.getElementById("resync").form.submit()`),
		chromedp.WaitVisible(chromedp.CSS(`html[data-ready]:not([data-old]) #flash`)),
	); err != nil {
		t.Fatalf("re-sync in another tab: %v", err)
	}
	flash, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#flash`)))
	if err != nil || !strings.Contains(flash, "1 open change set(s) discarded") {
		t.Errorf("the re-sync says %q (%v)", flash, err)
	}
	cancel()

	// The first tab still shows the set as it was; confirming it now is
	// refused.
	b.run(t, "confirm the stale set", follow(`#cs-confirm`, `#problem`))
	b.shot(t, "change set stale")
	if got := b.text(t, "#problem"); !strings.Contains(got, "changed since you looked") || !strings.Contains(got, "409") {
		t.Errorf("confirming after the re-sync reads:\n%s", got)
	}
	for _, id := range ids {
		if u := getUser(t, tp, id); u.State() != lifeline.State("active") {
			t.Errorf("after the refused confirm a user is %s", u.State())
		}
	}
	b.run(t, "change sets", chromedp.Navigate(b.base+"/changesets"), chromedp.WaitVisible(chromedp.CSS(`#changesets`)))
	if got := b.text(t, "#changesets"); !strings.Contains(got, "Leavers of November") || !strings.Contains(got, "re-sync") {
		t.Errorf("the change sets list reads:\n%s", got)
	}
}

func (b *browser) officeAdmin(t *testing.T) {
	d := b.tp.p.demo
	b.signIn(t, "office-admin")
	b.shot(t, "office admin users")
	if got := b.text(t, "#users"); strings.Contains(got, "London") {
		t.Errorf("the San Francisco office admin sees London users:\n%s", got)
	}
	b.run(t, "reserved tab", follow(`#tab-reserved`, `#reserved`))
	if got := b.text(t, "#reserved"); strings.Contains(got, "London") || !strings.Contains(got, "San Francisco") {
		t.Errorf("the office admin's reserved tab:\n%s", got)
	}
	b.run(t, "a London user's page", chromedp.Navigate(b.base+"/users/"+d.LondonUser.ID), chromedp.WaitVisible(chromedp.CSS(`#problem`)))
	b.shot(t, "office admin refused")
	if got := b.text(t, "#problem"); !strings.Contains(got, "not allowed") || !strings.Contains(got, "403") {
		t.Errorf("a London user's page for the office admin reads:\n%s", got)
	}
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("[id^=act-]").length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d actions offered on a London user", n)
	}
	// A forged POST from the signed-in page, with the session's own CSRF
	// token: the facade refuses it.
	status, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`fetch("/users/%s/do", {method: "POST", credentials: "same-origin",
		body: new URLSearchParams({csrf: document.querySelector("input[name=csrf]").value, op: "suspend", version: "1"})}).then(r => r.status)`, d.LondonUser.ID),
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("forge a suspend: %v", err)
	}
	if status != http.StatusForbidden {
		t.Errorf("forged suspend of a London user: %d, want 403", status)
	}
	u, err := b.tp.p.svc.GetUser(context.Background(), lifeline.Actor{ID: d.CompanyAdmin.ID}, d.LondonUser.ID)
	if err != nil || u.State() != lifeline.State("active") {
		t.Errorf("after the forged request the London user is %v (%v)", u.State(), errors.Unwrap(err))
	}
}
