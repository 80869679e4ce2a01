package scim_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// scimModel is what a User should look like after the PATCHes so far.
type scimModel struct {
	given, family, email, externalID string
	active                           bool
	version                          int64
}

// TestPatchModel: random sequences of PATCH requests, in the shapes
// providers send, leave the user exactly as a plain model of the
// operations says — name, email, externalId, active and lifeline's state —
// and its version one more for each lifeline operation the change took
// (an update, a suspension, a reinstatement), none for a PATCH that
// changes nothing. A stale If-Match changes nothing.
func TestPatchModel(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.SetPoolTotal(e.ctx, e.x.admin, e.x.office.ID, licensing.Seat, 1000); err != nil {
		t.Fatal(err)
	}
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		e.t = t
		n++
		name := fmt.Sprintf("model-%d", n)
		r := e.do(e.x.token, "POST", "/scim/v2/Users", `{"userName":"`+name+`","name":{"givenName":"G","familyName":"F"}}`)
		if r.status != 201 {
			rt.Fatalf("create: %d %s", r.status, r.raw)
		}
		id := r.str("id")
		m := scimModel{given: "G", family: "F", active: true, version: 1}
		givens, families := []string{"G", "Grace", "Gus"}, []string{"F", "Fox", "Ford"}
		for step := range rapid.IntRange(1, 6).Draw(rt, "requests") {
			next := m
			var ops []string
			for range rapid.IntRange(1, 3).Draw(rt, fmt.Sprintf("ops %d", step)) {
				switch rapid.IntRange(0, 6).Draw(rt, "op") {
				case 0:
					v := rapid.Bool().Draw(rt, "active")
					form := rapid.SampledFrom([]string{"%t", `"%t"`, `"True"`, `"False"`}).Draw(rt, "form")
					switch form {
					case `"True"`:
						v = true
					case `"False"`:
						v = false
					}
					val := form
					if strings.Contains(form, "%t") {
						val = fmt.Sprintf(form, v)
					}
					op := rapid.SampledFrom([]string{"replace", "Replace", "add"}).Draw(rt, "opname")
					if rapid.Bool().Draw(rt, "pathless") {
						ops = append(ops, `{"op":"`+op+`","value":{"active":`+val+`}}`)
					} else {
						ops = append(ops, `{"op":"`+op+`","path":"active","value":`+val+`}`)
					}
					next.active = v
				case 1:
					g := rapid.SampledFrom(givens).Draw(rt, "given")
					ops = append(ops, `{"op":"Replace","path":"name.givenName","value":"`+g+`"}`)
					next.given = g
				case 2:
					f := rapid.SampledFrom(families).Draw(rt, "family")
					ops = append(ops, `{"op":"replace","value":{"name.familyName":"`+f+`"}}`)
					next.family = f
				case 3:
					x := "ext-" + strconv.Itoa(rapid.IntRange(0, 2).Draw(rt, "ext"))
					ops = append(ops, `{"op":"add","path":"externalId","value":"`+x+`"}`)
					next.externalID = x
				case 4:
					ops = append(ops, `{"op":"remove","path":"externalId"}`)
					next.externalID = ""
				case 5:
					mail := fmt.Sprintf("%s.%d@x.example", name, rapid.IntRange(0, 2).Draw(rt, "mail"))
					ops = append(ops, `{"op":"Replace","path":"emails[type eq \"work\"].value","value":"`+mail+`"}`)
					next.email = mail
				case 6:
					ops = append(ops, `{"op":"remove","path":"emails[type eq \"work\"]"}`)
					next.email = ""
				}
			}
			body := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`
			var hdr []string
			stale := m.version > 1 && rapid.IntRange(0, 4).Draw(rt, "stale") == 0
			if stale {
				hdr = []string{"If-Match", fmt.Sprintf(`W/"%d"`, m.version-1)}
			} else if rapid.Bool().Draw(rt, "if-match") {
				hdr = []string{"If-Match", fmt.Sprintf(`W/"%d"`, m.version)}
			}
			r := e.do(e.x.token, "PATCH", "/scim/v2/Users/"+id, body, hdr...)
			if stale {
				if r.status != 412 {
					rt.Fatalf("PATCH with a stale If-Match: %d %s", r.status, r.raw)
				}
			} else {
				if r.status != 200 {
					rt.Fatalf("PATCH %s: %d %s", body, r.status, r.raw)
				}
				if next.active && !m.active {
					next.version++ // reinstate
				}
				if next.given != m.given || next.family != m.family || next.email != m.email || next.externalID != m.externalID {
					next.version++ // update
				}
				if !next.active && m.active {
					next.version++ // suspend
				}
				m = next
			}
			checkModel(rt, e, id, m)
		}
	})
}

func checkModel(rt *rapid.T, e *env, id string, m scimModel) {
	r := e.do(e.x.token, "GET", "/scim/v2/Users/"+id, "")
	if r.status != 200 {
		rt.Fatalf("GET: %d %s", r.status, r.raw)
	}
	got := scimModel{given: r.str("name.givenName"), family: r.str("name.familyName"), email: r.str("emails.0.value"),
		externalID: r.str("externalId"), active: r.body["active"] == true}
	got.version, _ = strconv.ParseInt(strings.Trim(strings.TrimPrefix(r.header.Get("ETag"), "W/"), `"`), 10, 64)
	if got != m {
		rt.Fatalf("the user is %+v, the model %+v\n%s", got, m, r.raw)
	}
	u, err := e.svc.GetUser(e.ctx, e.x.admin, id)
	if err != nil {
		rt.Fatal(err)
	}
	want := lifecycle.PasswordRequired
	if !m.active {
		want = lifecycle.Suspended
	}
	if u.State() != want || u.Version != m.version || u.ExternalID != m.externalID || u.Email != m.email ||
		u.Person != (lifeline.Person{FirstName: m.given, LastName: m.family}) {
		rt.Fatalf("lifeline has %+v, the model %+v", u, m)
	}
}
