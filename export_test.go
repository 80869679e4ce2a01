package lifeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// ExportUser answers a data-access request: the request is recorded in the
// audit trail, then the user's data is streamed to the writer as one JSON
// document, which a reader decodes as a UserExport. Once the user is
// erased there is nothing left to export.
func ExampleService_ExportUser() {
	env := exampleSetup()
	defer env.done()
	ctx := context.Background()
	ada, err := env.svc.CreateUser(ctx, env.admin, lifeline.NewUser{OfficeID: env.office.ID,
		Person: lifeline.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: "ada@acme.example"})
	if err != nil {
		panic(err)
	}
	if _, err := env.svc.AssignNumber(ctx, env.admin, "+1 650 253 0000", ada.ID, lifeline.AssignOptions{}); err != nil {
		panic(err)
	}
	env.clk.Add(time.Hour)

	var buf bytes.Buffer
	if err := env.svc.ExportUser(ctx, env.admin, ada.ID, &buf); err != nil {
		panic(err)
	}
	var doc lifeline.UserExport
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		panic(err)
	}
	fmt.Println(doc.Format, doc.ExportedAt)
	u := doc.User
	fmt.Println(u.FirstName, u.LastName, u.Email, u.Extension, u.State, u.Role, u.HasPassword)
	fmt.Println("licenses:", doc.Licenses)
	for _, n := range doc.Numbers {
		fmt.Println("number:", n.E164, n.Status)
	}
	fmt.Println("recordings:", len(doc.Recordings), "omitted:", len(doc.Omitted))
	for _, a := range doc.Audit {
		fmt.Println("audit:", a.At.Format(time.TimeOnly), a.Action)
	}

	if _, err := env.svc.Erase(ctx, env.admin, ada.ID, ada.ID); err != nil {
		panic(err)
	}
	buf.Reset()
	err = env.svc.ExportUser(ctx, env.admin, ada.ID, &buf)
	fmt.Println(errors.Is(err, lifeline.ErrGone), buf.Len())
	// Output:
	// lifeline.user-export/1 2026-03-02 10:00:00 +0000 UTC
	// Ada Lovelace ada@acme.example 101 Password Required member false
	// licenses: [seat]
	// number: +16502530000 assigned
	// recordings: 0 omitted: 0
	// audit: 09:00:00 user.create
	// audit: 09:00:00 number.assign
	// audit: 10:00:00 user.export-request
	// true 0
}

// viewAgain is a store that runs every successful read transaction a
// second time, as a store retrying reads would.
type viewAgain struct{ store.Store }

func (s viewAgain) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := s.Store.View(ctx, fn); err != nil {
		return err
	}
	return s.Store.View(ctx, fn)
}

// TestExportNotWrittenTwice runs ExportUser on a store that repeats read
// transactions: the second attempt is refused, so the writer holds one
// document, not two.
func TestExportNotWrittenTwice(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, viewAgain{openSQLite(t)})
	b := bootstrap(t, svc, "Acme", "margaret@acme.example")
	var buf bytes.Buffer
	err := svc.ExportUser(ctx, lifeline.Actor{ID: b.Admin.ID}, b.Admin.ID, &buf)
	if err == nil || errs.KindOf(err) != errs.Other {
		t.Errorf("ExportUser on a store that repeats reads: %v, want the second attempt refused", err)
	}
	dec := json.NewDecoder(&buf)
	var doc lifeline.UserExport
	if err := dec.Decode(&doc); err != nil || doc.User.ID != b.Admin.ID {
		t.Fatalf("the writer does not start with the export: %v", err)
	}
	if dec.More() {
		t.Error("the writer holds a second document after the first")
	}
}
