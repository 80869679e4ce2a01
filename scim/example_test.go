package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/scim"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// A host mounts the endpoint for one company's identity provider; Entra
// creates a user and deactivates it with the string "False", and the user
// is suspended in lifeline.
func ExampleNew() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "scim-example")
	defer os.RemoveAll(dir)
	st, _ := sqlite.Open(ctx, filepath.Join(dir, "lifeline.db"))
	defer st.Close()
	svc, _ := lifeline.New(st)
	b, _ := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Acme", Tier: licensing.Premium, Office: lifeline.NewOffice{Name: "HQ", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	admin := lifeline.Actor{ID: b.Admin.ID}
	_, _ = svc.SetPoolTotal(ctx, admin, b.Office.ID, licensing.Seat, 5)

	h, err := scim.New(svc, scim.Config{Principal: func(r *http.Request) (lifeline.Actor, error) {
		if r.Header.Get("Authorization") != "Bearer s3cret" { // the host's own check
			return lifeline.Actor{}, fmt.Errorf("unknown token")
		}
		return lifeline.SystemFor("scim-entra", b.Company.ID), nil
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	srv := http.StripPrefix("/scim/v2", h)

	send := func(method, path, body string) map[string]any {
		r := httptest.NewRequest(method, "https://phones.example/scim/v2"+path, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer s3cret")
		r.Header.Set("Content-Type", "application/scim+json")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		var v map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &v)
		fmt.Println(method, w.Code, w.Header().Get("ETag"))
		return v
	}
	u := send("POST", "/Users", `{"userName":"alex.wu@acme.example","externalId":"8c1f2d7e",
		"name":{"givenName":"Alex","familyName":"Wu"},"active":true}`)
	id := u["id"].(string)
	u = send("PATCH", "/Users/"+id, `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`)
	fmt.Println("active:", u["active"])
	v, _ := svc.GetUser(ctx, admin, id)
	fmt.Println("lifeline:", v.Person.Full(), v.Email, v.ExternalID, v.State())
	// Output:
	// POST 201 W/"1"
	// PATCH 200 W/"2"
	// active: false
	// lifeline: Alex Wu alex.wu@acme.example 8c1f2d7e Suspended
}
