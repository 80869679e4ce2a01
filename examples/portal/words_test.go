package main

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/licensing"
)

// The patterns a page's visible text must never match: what a person
// cannot read. Ids are the library's prefixes and hex (its newID); Go
// durations are time.Duration.String's forms; Go's %v of a slice, a map
// or a pointer to a struct.
var (
	internalIDRE = regexp.MustCompile(`\b(usr|off|cmp|rec|chg|evt|hld|lease)_[0-9a-f]{6,}`)
	goDurationRE = regexp.MustCompile(`\b\d+h\d+m|\b\d+m\d+(\.\d+)?s\b|\b\d+(\.\d+)?(ns|µs|ms)\b|\b\d+h0m0s\b`)
	goSyntaxRE   = regexp.MustCompile(`map\[|\[\]|&\{|\]\}|\{\}`)
	// snakeCaseRE is a stored spelling such as password_required or
	// office_admin.
	snakeCaseRE = regexp.MustCompile(`\b[a-z]+(_[a-z]+)+\b`)
	scriptRE    = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)>`)
	tagRE       = regexp.MustCompile(`(?s)<[^>]*>`)
	hrefRE      = regexp.MustCompile(`href="(/[^"]*)"`)
)

// visibleText is what a person reads on a page: the text between tags,
// unescaped. Attribute values (the ids in hrefs and hidden inputs) are not
// shown, so they do not count.
func visibleText(page string) string {
	page = scriptRE.ReplaceAllString(page, " ")
	page = tagRE.ReplaceAllString(page, " ")
	return html.UnescapeString(page)
}

// machineWords are the words of the library's vocabulary that a person
// should never read: every operation's name, every outbox event's kind,
// and the stored spelling of every role.
func machineWords() []string {
	var w []string
	for _, s := range lifeline.Operations() {
		w = append(w, s.Name)
	}
	w = append(w, lifeline.EventDeleteAudio, lifeline.EventNumberReleased, lifeline.EventWelcomeEmail,
		lifeline.EventInvitationEmail, lifeline.EventPasswordResetEmail, lifeline.EventUserAnonymized)
	for _, r := range []access.Role{access.CompanyAdmin, access.OfficeAdmin, access.OfficeManager} {
		w = append(w, string(r))
	}
	w = append(w, string(licensing.AIMeetings))
	return w
}

// unreadable lists what in a page's visible text a person cannot read.
func unreadable(page string, words []string) []string {
	text := visibleText(page)
	var found []string
	for _, re := range []*regexp.Regexp{internalIDRE, goDurationRE, goSyntaxRE, snakeCaseRE} {
		for _, m := range re.FindAllString(text, 3) {
			found = append(found, fmt.Sprintf("%q", m))
		}
	}
	for _, w := range words {
		re := regexp.MustCompile(`(^|[^\w.-])` + regexp.QuoteMeta(w) + `($|[^\w-])`)
		if re.MatchString(text) {
			found = append(found, fmt.Sprintf("operation or event name %q", w))
		}
	}
	return found
}

// TestEveryPageReadsAsWords walks every page of the seeded portal that
// each role reaches, following every link from the menu on, and renders
// the previews reached by a form (bulk actions, license transfers, change
// sets, a user's move to another office): none shows an internal id, an operation or event name, a Go
// duration or Go syntax in its visible text.
func TestEveryPageReadsAsWords(t *testing.T) {
	tp := newTestPortal(t)
	words := machineWords()
	ids := activeIDs(t, tp, "edsger", "frances")
	for _, account := range []string{"company-admin", "office-admin", "office-manager", "member"} {
		t.Run(account, func(t *testing.T) {
			c := tp.signIn(t, account)
			check := func(what, body string) {
				t.Helper()
				if bad := unreadable(body, words); len(bad) > 0 {
					t.Errorf("%s shows %s", what, strings.Join(bad, ", "))
				}
			}
			// The previews a form reaches: every bulk action's dry run on two
			// users, a license transfer's review, and a staged change set
			// (its page is then found by the walk).
			for _, k := range bulkKinds {
				_, body := c.post("/bulk", url.Values{"action": {k.Key}, "user": ids})
				check("the bulk preview of "+k.Key, body)
			}
			if account != "member" {
				_, body := c.post("/licenses/review", url.Values{"from": {tp.p.demo.SF.ID}, "to": {tp.p.demo.London.ID}, "type": {"seat"}, "count": {"1"}})
				check("the license transfer review", body)
				_, body = c.post("/users/"+ids[0]+"/transfer", url.Values{"version": {version(t, tp, ids[0])}, "to": {tp.p.demo.London.ID}})
				check("the preview of a move to London", body)
				for _, k := range []string{"suspend", "delete", "grant-admin"} {
					_, body := c.post("/bulk/stage", url.Values{"action": {k}, "user": ids, "name": {"Staged " + k}})
					check("staging "+k, body)
				}
			}
			if account == "company-admin" {
				_, body := c.post("/bulk/run", url.Values{"action": {"welcome-email"}, "user": ids})
				check("a bulk run", body)
				// A re-sync discards the open sets the office admin staged:
				// their pages then say why they closed.
				_, body = c.post("/changesets/resync", url.Values{})
				check("a re-sync", body)
			}
			seen := map[string]bool{}
			queue := []string{"/users"}
			for len(queue) > 0 && len(seen) < 600 {
				path := queue[0]
				queue = queue[1:]
				if seen[path] {
					continue
				}
				seen[path] = true
				code, body := c.get(path)
				if code != http.StatusOK {
					t.Errorf("GET %s: %d", path, code)
				}
				check("GET "+path, body)
				for _, m := range hrefRE.FindAllStringSubmatch(body, -1) {
					next := html.UnescapeString(m[1])
					if !strings.HasPrefix(next, "/static/") && !seen[next] {
						queue = append(queue, next)
					}
				}
			}
			if len(seen) < 2 {
				t.Errorf("the walk saw only %d pages", len(seen))
			}
			t.Logf("%s: %d pages", account, len(seen))
		})
	}
}

// TestUnreadable: the walk's checks catch what they are for, and pass
// words and ids in attributes.
func TestUnreadable(t *testing.T) {
	words := machineWords()
	for _, tc := range []struct {
		page string
		bad  bool
	}{
		{`<p>Margaret Hamilton</p><a href="/users/usr_0123456789abcdef">x</a><input type="hidden" value="rec_0123456789">`, false},
		{`<p>Delete recordings, 2 days 3 hours left</p>`, false},
		{`<td>usr_0123456789abcdef</td>`, true},
		{`<li>recording.delete-audio</li>`, true},
		{`<li>Items: user.suspend, user.delete</li>`, true},
		{`<td>11m0s</td>`, true},
		{`<td>720h0m0s</td>`, true},
		{`<td>1.5s</td>`, false},
		{`<td>[] map[a:1]</td>`, true},
		{`<td>company_admin</td>`, true},
		{`<td>password_required → active</td>`, true},
	} {
		if got := len(unreadable(tc.page, words)) > 0; got != tc.bad {
			t.Errorf("unreadable(%q) = %v, want %v", tc.page, unreadable(tc.page, words), tc.bad)
		}
	}
}

// TestProblemSaysNothingChangedAfterAChangeOnly: a page that cannot be
// read says what is wrong, not that nothing was changed; a refused form
// says both.
func TestProblemSaysNothingChangedAfterAChangeOnly(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "office-admin")
	london := tp.p.demo.LondonUser.ID
	code, body := c.get("/users/" + london)
	if code != http.StatusForbidden && code != http.StatusNotFound {
		t.Fatalf("GET another office's user: %d", code)
	}
	if strings.Contains(body, "Nothing was changed") {
		t.Errorf("a refused page view says nothing was changed")
	}
	code, body = c.post("/users/"+london+"/do", url.Values{"op": {"suspend"}, "version": {version(t, tp, london)}})
	if code != http.StatusForbidden && code != http.StatusNotFound {
		t.Fatalf("suspend another office's user: %d", code)
	}
	if !strings.Contains(body, "Nothing was changed") {
		t.Errorf("a refused change does not say nothing was changed")
	}
}

// TestKindInWords: a user's kind and billing read as a sentence, not as
// the stored "internal, paid".
func TestKindInWords(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	_, body := c.get("/users/" + tp.p.demo.Member.ID)
	if text := visibleText(body); !strings.Contains(text, "A person of the company, on a paid seat") || strings.Contains(text, "internal, paid") {
		t.Errorf("Grace's kind does not read as words:\n%s", text)
	}
}

func TestDurationInWords(t *testing.T) {
	for d, want := range map[time.Duration]string{
		11 * time.Minute:                 "11 minutes",
		65 * time.Minute:                 "1 hour 5 minutes",
		3*24*time.Hour + 150*time.Minute: "3 days 2 hours",
		40 * time.Second:                 "40 seconds",
		90 * time.Second:                 "1 minute 30 seconds",
		2*time.Hour + 5*time.Second:      "2 hours",
		30 * 24 * time.Hour:              "30 days",
		0:                                "0 seconds",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
	if got := opWords("box.paint-red"); got != "Paint red" {
		t.Errorf("an operation without words reads %q", got)
	}
}

func TestDetailWords(t *testing.T) {
	p := &portal{}
	names := func(id string) string { return map[string]string{"usr_0123456789abcdef": "Ada Lovelace"}[id] }
	offices := map[string]string{"off_00112233445566778899": "London"}
	for detail, want := range map[string]string{
		"recording=true billed=false retention=720h0m0s":                           "recording on, not billed, kept for 30 days",
		"transferred 2 seat from off_00112233445566778899 to off_aabbccddeeff0011": "transferred 2 seat from London to another office",
		"staged 2 operations: user.suspend, user.delete":                           "staged 2 operations: suspend, delete",
		"role member -> office_admin of usr_0123456789abcdef":                      "role member → Office admin of Ada Lovelace",
	} {
		if got := p.detailWords(names, offices, detail); got != want {
			t.Errorf("detailWords(%q) = %q, want %q", detail, got, want)
		}
	}
}
