package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/examples/internal/exampletest"
)

func TestSCIM(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "s.db"), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	exampletest.Plain(t, got)
	for _, re := range []string{
		`the bearer token acts as system:scim-entra`,
		// The lookup before the create finds nothing, and says so with 200.
		`GET /Users\?filter=userName eq "alex.wu@acme.example" -> 200 ListResponse, totalResults 0`,
		`POST /Users -> 201 User alex.wu@acme.example, active true, ETag W/"1"\n +lifeline: Alex Wu alex.wu@acme.example is Password Required, version 1; 2 of 5 seats assigned`,
		`externalId eq "8c1f2d7e-4b6a-4d0e-9a55-0f3e2b1c9d11" -> 200 ListResponse, totalResults 1`,
		`PATCH /Users/\{id\} -> 200 User alex.wu@acme.example, active true, ETag W/"2"\n +lifeline: Alex Wu-Martin .* is Password Required, version 2`,
		// Entra's string "False" suspends: the user stays, with its seat.
		`PATCH /Users/\{id\} -> 200 User alex.wu@acme.example, active false, ETag W/"3"\n +lifeline: Alex Wu-Martin .* is Suspended, version 3; 2 of 5 seats assigned`,
		`PATCH /Users/\{id\} -> 200 User alex.wu@acme.example, active true, ETag W/"4"\n +lifeline: .* is Password Required, version 4`,
		// Delete is lifeline's delete: the seat goes back to the pool.
		`DELETE /Users/\{id\} -> 204 \(no body\)\n +lifeline: .* is Deleted, version 5; 1 of 5 seats assigned`,
		`GET /Users/\{id\} -> 404 Error: user "usr_\w+" does not exist`,
		`system:scim-entra user.create +- -> password_required`,
		`system:scim-entra user.suspend +password_required -> suspended`,
		`system:scim-entra user.reinstate +suspended -> password_required`,
		`system:scim-entra user.delete +password_required -> deleted`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("output does not match %q\n%s", re, got)
		}
	}
	if strings.Count(got, "system:scim-entra user.") != 5 {
		t.Errorf("want five audit records, all by the provisioner:\n%s", got)
	}
}
