package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
)

// staleRefused posts form to the user's page action with version (one the
// user has moved past) and wants the library's out-of-date message, 409.
func staleRefused(t *testing.T, c *client, id, old string, form url.Values) {
	t.Helper()
	form.Set("version", old)
	code, body := c.post("/users/"+id+"/do", form)
	if code != http.StatusConflict || !strings.Contains(body, "changed since you") {
		t.Errorf("%s from an old page: %d, want 409 saying the user changed", form.Get("op"), code)
	}
}

func TestEditNameAndEmail(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	id := activeIDs(t, tp, "edsger")[0]
	_, page := c.get("/users/" + id)
	if !strings.Contains(page, `id="act-edit"`) {
		t.Fatal("the company admin is offered no edit form")
	}
	old := version(t, tp, id)
	form := url.Values{"op": {"edit"}, "version": {old}, "was_first": {"Edsger"}, "was_last": {"Dijkstra"}, "was_email": {getUser(t, tp, id).Email},
		"first": {"Edsger W."}, "last": {"Dijkstra"}, "email": {"ewd@example.com"}}
	if code, body := c.post("/users/"+id+"/do", form); code != http.StatusOK || !strings.Contains(body, "Saved.") {
		t.Fatalf("edit: %d", code)
	}
	u := getUser(t, tp, id)
	if u.Person.FirstName != "Edsger W." || u.Email != "ewd@example.com" {
		t.Errorf("after the edit: %q %q", u.Person.FirstName, u.Email)
	}
	form.Set("first", "Someone")
	staleRefused(t, c, id, old, form)
	if u := getUser(t, tp, id); u.Person.FirstName != "Edsger W." {
		t.Errorf("a stale edit changed the name to %q", u.Person.FirstName)
	}
}

func TestEditRole(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	id := activeIDs(t, tp, "frances")[0]
	old := version(t, tp, id)
	sf := tp.p.demo.SF.ID
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"role"}, "version": {old}, "role": {string(access.OfficeAdmin)}, "office": {sf}}); code != http.StatusOK {
		t.Fatalf("role: %d", code)
	}
	if u := getUser(t, tp, id); u.Role != access.OfficeAdmin || !slices.Equal(u.Offices, []string{sf}) {
		t.Errorf("after the role change: %s %v", u.Role, u.Offices)
	}
	staleRefused(t, c, id, old, url.Values{"op": {"role"}, "role": {string(access.Member)}})
	if u := getUser(t, tp, id); u.Role != access.OfficeAdmin {
		t.Errorf("a stale role change left %s", u.Role)
	}
	// The office admin may not make anyone a company admin: the facade
	// refuses, and the page says so.
	k := tp.signIn(t, "office-admin")
	if code, _ := k.post("/users/"+id+"/do", url.Values{"op": {"role"}, "version": {version(t, tp, id)}, "role": {string(access.CompanyAdmin)}}); code != http.StatusForbidden {
		t.Errorf("an office admin making a company admin: %d, want 403", code)
	}
}

func TestEditLicenses(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	id := activeIDs(t, tp, "edsger")[0] // holds no premium license in the seed
	has := func() bool {
		lic, err := tp.p.svc.UserLicenses(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, id)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(lic, premiumLicense)
	}
	old := version(t, tp, id)
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"license-add"}, "version": {old}, "type": {string(premiumLicense)}}); code != http.StatusOK || !has() {
		t.Fatalf("give premium: %d, holds it: %v", code, has())
	}
	staleRefused(t, c, id, old, url.Values{"op": {"license-remove"}, "type": {string(premiumLicense)}})
	if !has() {
		t.Error("a stale take-back took the license")
	}
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"license-remove"}, "version": {version(t, tp, id)}, "type": {string(premiumLicense)}}); code != http.StatusOK || has() {
		t.Errorf("take premium back: %d, still holds it: %v", code, has())
	}
}

func TestEditRecordingPlan(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	id := activeIDs(t, tp, "edsger")[0]
	plan := func() lifeline.RecordingPlan {
		p, err := tp.p.svc.GetRecordingPlan(context.Background(), lifeline.Actor{ID: tp.p.demo.CompanyAdmin.ID}, id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := plan(); p.Recording {
		t.Fatal("the seed records Edsger already")
	}
	old := version(t, tp, id)
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"plan"}, "version": {old}, "recording": {"on"}, "billed": {"on"}}); code != http.StatusOK {
		t.Fatalf("plan: %d", code)
	}
	if p := plan(); !p.Recording || !p.Billed {
		t.Errorf("after the plan change: %+v", p)
	}
	// Someone changes the user; the plan form drawn before is out of date.
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"force-password-reset"}, "version": {version(t, tp, id)}}); code != http.StatusOK {
		t.Fatalf("force password reset: %d", code)
	}
	staleRefused(t, c, id, old, url.Values{"op": {"plan"}})
	if p := plan(); !p.Recording {
		t.Error("a stale plan change turned recording off")
	}
}

func TestTransferWithPreview(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	id := activeIDs(t, tp, "edsger")[0]
	london := tp.p.demo.London.ID
	_, page := c.get("/users/" + id)
	if !strings.Contains(page, `id="act-transfer"`) || !strings.Contains(page, ">London<") {
		t.Fatal("the user page offers no move to London")
	}
	old := version(t, tp, id)
	code, body := c.post("/users/"+id+"/transfer", url.Values{"version": {old}, "to": {london}})
	for _, want := range []string{"Move Edsger Dijkstra to London", "different countries", "New number in London", `id="transfer-confirm"`} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("the move's preview (%d) lacks %q", code, want)
		}
	}
	if u := getUser(t, tp, id); u.OfficeID != tp.p.demo.SF.ID {
		t.Fatal("the preview moved the user")
	}
	if code, _ := c.post("/users/"+id+"/do", url.Values{"op": {"transfer"}, "version": {old}, "to": {london}}); code != http.StatusOK {
		t.Fatalf("confirm the move: %d", code)
	}
	if u := getUser(t, tp, id); u.OfficeID != london {
		t.Errorf("after the move the user is in %s", u.OfficeID)
	}
	// A move confirmed from a preview made before another change is out
	// of date.
	other := activeIDs(t, tp, "frances")[0]
	stale := version(t, tp, other)
	if code, _ := c.post("/users/"+other+"/do", url.Values{"op": {"force-password-reset"}, "version": {stale}}); code != http.StatusOK {
		t.Fatal("force password reset")
	}
	staleRefused(t, c, other, stale, url.Values{"op": {"transfer"}, "to": {london}})
	if u := getUser(t, tp, other); u.OfficeID != tp.p.demo.SF.ID {
		t.Error("a stale move moved the user")
	}
}
