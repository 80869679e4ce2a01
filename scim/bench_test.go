package scim_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
)

// BenchmarkRequests measures the requests a provider sends most against a
// company of 2 000 users: the lookups before a create (by userName, by
// externalId, by work email), a GET, a PATCH, and a page of the unfiltered
// list, which walks the company to count it.
//
//	go test -run='^$' -bench=Requests -benchtime=200x ./scim
func BenchmarkRequests(b *testing.B) {
	const users = 2000
	e := newEnv(b)
	if _, err := e.svc.SetPoolTotal(e.ctx, e.x.admin, e.x.office.ID, licensing.Seat, users+10); err != nil {
		b.Fatal(err)
	}
	var last string
	for i := range users {
		u, err := lifeline.Do(e.ctx, e.svc, e.x.scim, lifeline.CreateUser{NewUser: lifeline.NewUser{
			OfficeID: e.x.office.ID, Person: lifeline.Person{FirstName: "User", LastName: fmt.Sprint(i)},
			Email: fmt.Sprintf("user%d@x.example", i), Username: fmt.Sprintf("user%d", i), ExternalID: fmt.Sprintf("ext-%d", i),
		}})
		if err != nil {
			b.Fatal(err)
		}
		last = u.ID
	}
	q := func(f string) string { return "/scim/v2/Users?filter=" + url.QueryEscape(f) }
	for _, c := range []struct{ name, method, path, body string }{
		{"filter userName", "GET", q(`userName eq "user1234"`), ""},
		{"filter externalId", "GET", q(`externalId eq "ext-1234"`), ""},
		{"filter work email", "GET", q(`emails[type eq "work"].value eq "user1234@x.example"`), ""},
		{"filter no match", "GET", q(`userName eq "4f0c7e9e-nobody"`), ""},
		{"get", "GET", "/scim/v2/Users/" + last, ""},
		{"patch deactivate or reactivate", "PATCH", "/scim/v2/Users/" + last, `{"Operations":[{"op":"replace","path":"active","value":"%s"}]}`},
		{"patch two attributes", "PATCH", "/scim/v2/Users/" + last, `{"Operations":[{"op":"replace","path":"name.givenName","value":"U%[1]s"},{"op":"replace","path":"externalId","value":"x%[1]s"}]}`},
		{"list first page", "GET", "/scim/v2/Users?count=100", ""},
		{"list page at 1001", "GET", "/scim/v2/Users?startIndex=1001&count=100", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				body := c.body
				if body != "" {
					// Every PATCH changes the user, so each one writes.
					body = fmt.Sprintf(body, []string{"False", "True"}[i%2])
				}
				i++
				if s := e.doRaw(e.x.token, c.method, c.path, body); s != 200 {
					b.Fatalf("%s: %d", c.name, s)
				}
			}
		})
	}
}
