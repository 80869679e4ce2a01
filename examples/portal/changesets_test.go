package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline"
)

// activeIDs finds active users of San Francisco by search text, as the
// company admin.
func activeIDs(t *testing.T, tp *testPortal, texts ...string) []string {
	t.Helper()
	var ids []string
	for _, text := range texts {
		page, err := tp.p.svc.SearchUsers(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID},
			lifeline.UserSearch{CompanyID: tp.p.demo.Company.ID, Tab: lifeline.TabActive, Text: text})
		if err != nil || len(page.Users) != 1 {
			t.Fatalf("search %q: %d users, %v", text, len(page.Users), err)
		}
		ids = append(ids, page.Users[0].ID)
	}
	return ids
}

var changeSetPathRE = regexp.MustCompile(`^/changesets/[^/]+$`)

// stage stages a bulk action as a change set and returns its page's path.
func stage(t *testing.T, c *client, action string, ids []string) string {
	t.Helper()
	form := url.Values{"action": {action}, "user": ids, "name": {"Staged " + action}, "csrf": {c.csrf}}
	req, _ := http.NewRequest(http.MethodPost, c.base+"/bulk/stage", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if p := resp.Request.URL.Path; resp.StatusCode != http.StatusOK || !changeSetPathRE.MatchString(p) {
		t.Fatalf("staging went to %s with %d", p, resp.StatusCode)
	}
	return resp.Request.URL.Path
}

func TestChangeSets(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	ids := activeIDs(t, tp, "edsger", "frances")
	set := stage(t, c, "force-password-reset", ids)
	_, body := c.get(set)
	for _, want := range []string{"open", "Edsger Dijkstra", "Frances Allen", "Active → Password Required", `id="cs-confirm"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the staged set's page lacks %q", want)
		}
	}
	// Staging changed nothing.
	for _, id := range ids {
		if u := getUser(t, tp, id); u.State() != lifeline.State("active") {
			t.Errorf("after staging a user is %s", u.State())
		}
	}
	// Confirming applies it.
	if code, body := c.post(set+"/confirm", url.Values{}); code != http.StatusOK || !strings.Contains(body, "Confirmed") {
		t.Fatalf("confirm: %d\n%s", code, body)
	}
	for _, id := range ids {
		if u := getUser(t, tp, id); u.State() != lifeline.State("password_required") {
			t.Errorf("after confirming a user is %s", u.State())
		}
	}

	// A re-sync makes an open set stale: confirming it is refused (409)
	// and changes nothing.
	more := activeIDs(t, tp, "backus", "thompson")
	set2 := stage(t, c, "delete", more)
	set3 := stage(t, c, "force-password-reset", more[:1])
	if code, body := c.post(set3+"/discard", url.Values{}); code != http.StatusOK || !strings.Contains(body, "Discarded.") {
		t.Errorf("discard: %d", code)
	}
	code, body := c.post("/changesets/resync", url.Values{})
	if code != http.StatusOK || !strings.Contains(body, "2 number(s) added") || !strings.Contains(body, "1 open change set(s) discarded") {
		t.Fatalf("re-sync: %d\n%s", code, body)
	}
	code, body = c.post(set2+"/confirm", url.Values{})
	if code != http.StatusConflict || !strings.Contains(body, "changed since you looked") {
		t.Errorf("confirming a set the re-sync discarded: %d, want 409\n%s", code, body)
	}
	for _, id := range more {
		if u := getUser(t, tp, id); u.State() != lifeline.State("active") {
			t.Errorf("after the refused confirm a user is %s", u.State())
		}
	}
	if _, body := c.get("/changesets"); !strings.Contains(body, "re-sync") || !strings.Contains(body, "confirmed") {
		t.Errorf("the change sets page does not show the confirmed set and the one the re-sync discarded")
	}
	// The recording plans of recorded users stay on: the carrier records
	// their lines.
	plan, err := tp.p.svc.GetRecordingPlan(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, tp.p.demo.Member.ID)
	if err != nil || !plan.Recording {
		t.Errorf("after the re-sync Grace's plan is %+v (%v), want recording on", plan, err)
	}

	// An office admin is not offered the re-sync and is refused it.
	oa := tp.signIn(t, "office-admin")
	if code, body := oa.get("/changesets"); code != http.StatusOK || strings.Contains(body, `id="resync"`) || !strings.Contains(body, `id="changesets"`) {
		t.Errorf("the office admin's change sets page: %d, or it offers the re-sync", code)
	}
	if code, _ := oa.post("/changesets/resync", url.Values{}); code != http.StatusForbidden {
		t.Errorf("the office admin's forged re-sync: %d, want 403", code)
	}
}
