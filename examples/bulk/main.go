// Bulk resets and recycles 1 000 extensions in one bulk action on an
// embedded SQLite file, the way an admin does it from the portal: first a
// validation pass that lists every item's problem at once and changes
// nothing, then the run, with a progress bar, then a search of the
// pending tab for some of the new people.
//
//   - Acme Telecom has two offices, San Francisco and New York. Its company
//     admin creates 1 000 users in one bulk run of CreateUser, and makes
//     Katherine the office admin of San Francisco.
//   - Katherine resets the 1 000 extensions and gives each to a new person
//     (ResetAndRecycle). Ten items fail, each for a reason the validation
//     pass shows before anything changes: three users are in New York,
//     outside her offices; two are office admins like her, whom she may
//     not reset; three new people are given an email already in use; two
//     have no last name.
//   - The run applies the other 990, each item isolated and 100 items
//     per transaction; the library reports progress through a callback,
//     and this program draws it as a bar on the terminal.
//   - A search of the pending tab for "zoë" finds the new people called
//     Zoë, Zoe and Zoey, whatever the accents and case, and not Zoé, whose
//     item failed.
//
// Run it with
//
//	go run ./examples/bulk            # a database in a new temp dir
//	go run ./examples/bulk -db my.db  # or a file of your choosing
//
// The bar is drawn on standard error, and only when standard error is a
// terminal: redirected, the output is the story alone. The clock is a mock
// set to a fixed date and ids are random, so the program prints its own
// labels for them (an extension, an office's name) and its output is the
// same on every run.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/examples/internal/exampledb"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

func main() {
	exampledb.Main("bulk", func(ctx context.Context, dbPath string) error {
		var bar io.Writer
		if term.IsTerminal(int(os.Stderr.Fd())) {
			bar = os.Stderr
		}
		return run(ctx, dbPath, os.Stdout, bar)
	})
}

// How many users the company admin creates, and how many items share a
// transaction in the bulk runs.
const (
	users     = 1000
	batchSize = 100
)

// The special items, by index in the 1 000 (from 0; the output counts
// items from 1, so index 97 is item 98). Every other item recycles a San
// Francisco member's extension for a new person and succeeds.
var (
	// inNewYork are created in New York, outside Katherine's offices.
	inNewYork = []int{97, 498, 913}
	// officeAdmins are made office admins of San Francisco, Katherine's
	// equals.
	officeAdmins = []int{333, 666}
	// conflicting give the new person an email already in use: the
	// company admin's, Katherine's, and that of office admin 333, whose
	// own item fails.
	conflicting = []int{150, 600, 850}
	// nameless give the new person no last name.
	nameless = map[int]lifeline.Person{420: {FirstName: "Cher"}, 777: {FirstName: "Madonna"}}
	// special names a few new people, for the search.
	special = map[int]lifeline.Person{
		101: {FirstName: "Zoë", LastName: "Durand"},
		402: {FirstName: "Zoe", LastName: "Kim"},
		600: {FirstName: "Zoé", LastName: "Martin"},
		733: {FirstName: "Zoey", LastName: "Park"},
		888: {FirstName: "Zoltan", LastName: "Nagy"},
	}
)

// searchText is what the admin types in the search box.
const searchText = "zoë"

func run(ctx context.Context, dbPath string, w io.Writer, bar io.Writer) error {
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := lifeline.New(st, lifeline.WithClock(clk))
	if err != nil {
		return err
	}
	s := &story{ctx: ctx, svc: svc, w: w, bar: bar, labels: map[string]string{}}
	s.do("Acme Telecom starts with two offices; Margaret creates 1 000 users in one bulk run", s.setUp)
	s.do("Katherine validates the bulk reset-and-recycle of the 1 000 extensions: nothing changes", s.validate)
	s.do("Katherine runs it", s.runBulk)
	s.do(fmt.Sprintf("Katherine searches the pending tab for %q", searchText), s.search)
	return s.err
}

// story is the walk-through's state: the service, the actors, the users
// and a label for every id the output may show.
type story struct {
	ctx context.Context
	svc *lifeline.Service
	w   io.Writer
	// bar receives the progress bar; nil draws none.
	bar io.Writer
	n   int
	err error

	company         lifeline.Company
	sf, ny          lifeline.Office
	margaret, kathy lifeline.Actor
	users           []lifeline.User // the 1 000, in creation order
	labels          map[string]string
	// taken is the email already in use that each conflicting item gives.
	taken          map[int]string
	validated, ran []failure
	// progressCalls counts the calls of the progress callback,
	// progressLast is the last call's report, and progressInOrder says
	// whether every call reported the next item and one more done.
	progressCalls   int
	progressLast    lifeline.BulkProgress
	progressInOrder bool
}

// failure is one item refused, as the output shows it.
type failure struct {
	index int
	err   error
}

func (s *story) do(title string, fn func() error) {
	if s.err != nil {
		return
	}
	s.n++
	fmt.Fprintf(s.w, "\n%d. %s\n", s.n, title)
	if s.err = fn(); s.err != nil {
		s.err = fmt.Errorf("step %d (%s): %w", s.n, title, s.err)
	}
}

// setUp bootstraps the company, creates New York, the seats, Katherine and
// the 1 000 users, and makes two of them office admins.
func (s *story) setUp() error {
	ctx, svc := s.ctx, s.svc
	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Acme Telecom", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "San Francisco", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		return err
	}
	s.company, s.sf, s.margaret = b.Company, b.Office, lifeline.Actor{ID: b.Admin.ID}
	s.labels[b.Company.ID], s.labels[b.Office.ID] = b.Company.Name, b.Office.Name
	s.labels[b.Admin.ID] = "Margaret (ext " + b.Admin.Extension + ")"
	if s.ny, err = svc.CreateOffice(ctx, s.margaret, lifeline.NewOffice{CompanyID: s.company.ID, Name: "New York", Country: "US"}); err != nil {
		return err
	}
	s.labels[s.ny.ID] = s.ny.Name
	if _, err := svc.SetPoolTotal(ctx, s.margaret, s.sf.ID, licensing.Seat, users); err != nil {
		return err
	}
	if _, err := svc.SetPoolTotal(ctx, s.margaret, s.ny.ID, licensing.Seat, len(inNewYork)); err != nil {
		return err
	}
	k, err := svc.CreateUser(ctx, s.margaret, lifeline.NewUser{OfficeID: s.sf.ID,
		Person: lifeline.Person{FirstName: "Katherine", LastName: "Johnson"}, Email: "katherine@acme.example"})
	if err != nil {
		return err
	}
	if _, err := svc.GrantRole(ctx, s.margaret, k.ID, lifeline.RoleOfficeAdmin, s.sf.ID); err != nil {
		return err
	}
	s.kathy = lifeline.Actor{ID: k.ID}
	// Until Katherine has set her password she may do nothing else.
	if _, err := svc.SetPassword(ctx, s.kathy, k.ID, "katherine's own passphrase"); err != nil {
		return err
	}
	s.labels[k.ID] = "Katherine (ext " + k.Extension + ")"
	fmt.Fprintf(s.w, "  %s (%s), offices %s and %s; %s is its company admin, %s office admin of %s.\n",
		s.company.Name, s.company.Tier, s.sf.Name, s.ny.Name, b.Admin.Person.Full(), k.Person.Full(), s.sf.Name)

	// The 1 000 users, created in one bulk run of CreateUser: a user per
	// item, 100 items per transaction.
	creates := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for i := range users {
			office := s.sf.ID
			if slices.Contains(inNewYork, i) {
				office = s.ny.ID
			}
			p := oldPerson(i)
			if !yield(lifeline.CreateUser{NewUser: lifeline.NewUser{OfficeID: office, Person: p, Email: emailOf(p)}}) {
				return
			}
		}
	}
	var failed error
	sum, err := lifeline.RunBulk(ctx, svc, s.margaret, creates, lifeline.BulkOptions{Total: users, BatchSize: batchSize},
		func(r lifeline.BulkResult[lifeline.User]) {
			if r.Err != nil {
				failed = errors.Join(failed, fmt.Errorf("creating user %d: %w", r.Index+1, r.Err))
				return
			}
			s.users = append(s.users, r.Value)
			s.labels[r.Value.ID] = "ext " + r.Value.Extension
		})
	if err != nil {
		return err
	}
	if failed != nil {
		return failed
	}
	for _, i := range officeAdmins {
		u, err := svc.GrantRole(ctx, s.margaret, s.users[i].ID, lifeline.RoleOfficeAdmin, s.sf.ID)
		if err != nil {
			return err
		}
		s.users[i] = u
	}
	s.taken = map[int]string{conflicting[0]: b.Admin.Email, conflicting[1]: k.Email, conflicting[2]: s.users[officeAdmins[0]].Email}
	first, last := s.users[0], s.users[len(s.users)-1]
	fmt.Fprintf(s.w, "  bulk create: %d items, %d created, %d refused; extensions %s (%s) to %s (%s)\n",
		sum.Items, sum.OK, sum.Failed, first.Extension, first.Person.Full(), last.Extension, last.Person.Full())
	for _, i := range inNewYork {
		fmt.Fprintf(s.w, "  ext %s (%s) is in %s\n", s.users[i].Extension, s.users[i].Person.Full(), s.ny.Name)
	}
	for _, i := range officeAdmins {
		fmt.Fprintf(s.w, "  ext %s (%s) is an office admin of %s, like Katherine\n", s.users[i].Extension, s.users[i].Person.Full(), s.sf.Name)
	}
	return s.printCounts()
}

// recycles yields Katherine's 1 000 items: every user's extension, reset
// and given to a new person. It builds each item when the runner asks for
// it, so the input is never held whole.
func (s *story) recycles() iter.Seq[lifeline.Operation[lifeline.User]] {
	return func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for i, u := range s.users {
			p, email := s.newPerson(i)
			if !yield(lifeline.ResetAndRecycle{UserID: u.ID, Person: p, Email: email}) {
				return
			}
		}
	}
}

// validate runs the items as a dry run and lists those that would fail.
func (s *story) validate() error {
	var example *lifeline.BulkResult[lifeline.User] // the first item that would apply
	sum, err := lifeline.ValidateBulk(s.ctx, s.svc, s.kathy, s.recycles(), lifeline.BulkOptions{Total: users, BatchSize: batchSize},
		func(r lifeline.BulkResult[lifeline.User]) {
			if r.Err != nil {
				s.validated = append(s.validated, failure{r.Index, r.Err})
			} else if example == nil {
				example = &r
			}
		})
	if err != nil {
		return err
	}
	fmt.Fprintf(s.w, "  validation: %d items, %d would apply, %d would fail, %d not run\n", sum.Items, sum.OK, sum.Failed, sum.NotRun)
	if r := example; r != nil {
		fmt.Fprintf(s.w, "  item %d, for example, would:", r.Index+1)
		for _, c := range r.Effects.Users {
			fmt.Fprintf(s.w, " %s (%s -> %s);", c.Action, c.From, c.To)
		}
		fmt.Fprintf(s.w, " and make it %s's\n", r.Value.Person.Full())
	}
	fmt.Fprintf(s.w, "  the items that would fail:\n")
	if err := s.printFailures(s.validated); err != nil {
		return err
	}
	return s.printCounts()
}

// runBulk runs the items, drawing the progress bar from the progress
// callback, and lists those refused.
func (s *story) runBulk() error {
	var pb *progressbar.ProgressBar
	if s.bar != nil {
		pb = progressbar.NewOptions(users,
			progressbar.OptionSetWriter(s.bar),
			progressbar.OptionSetDescription("reset and recycle"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(40),
			progressbar.OptionThrottle(50*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(s.bar) }),
		)
	}
	s.progressInOrder = true
	progress := func(p lifeline.BulkProgress) {
		// The library calls this as items finish; drawing is this
		// program's business.
		s.progressCalls++
		s.progressInOrder = s.progressInOrder && p.Last.Index == s.progressCalls-1 && p.Done == s.progressCalls
		s.progressLast = p
		if pb != nil {
			if p.Failed > 0 {
				pb.Describe(fmt.Sprintf("reset and recycle (%d refused)", p.Failed))
			}
			_ = pb.Set(p.Done)
		}
	}
	start := time.Now()
	sum, err := lifeline.RunBulk(s.ctx, s.svc, s.kathy, s.recycles(), lifeline.BulkOptions{Total: users, BatchSize: batchSize, Progress: progress},
		func(r lifeline.BulkResult[lifeline.User]) {
			if r.Err != nil {
				s.ran = append(s.ran, failure{r.Index, r.Err})
			}
		})
	if pb != nil {
		_ = pb.Finish()
		fmt.Fprintf(s.bar, "(%d items in %v)\n", sum.Items, time.Since(start).Round(time.Millisecond))
	}
	if err != nil {
		return err
	}
	last := s.progressLast
	fmt.Fprintf(s.w, "  progress: called %d times, last at %d/%d with %d refused, in item order: %v\n",
		s.progressCalls, last.Done, last.Total, last.Failed, s.progressInOrder)
	fmt.Fprintf(s.w, "  run: %d items, %d applied, %d refused, %d not run\n", sum.Items, sum.OK, sum.Failed, sum.NotRun)
	fmt.Fprintf(s.w, "  the items refused:\n")
	if err := s.printFailures(s.ran); err != nil {
		return err
	}
	if same := slices.EqualFunc(s.validated, s.ran, func(a, b failure) bool {
		return a.index == b.index && kindOf(a.err) == kindOf(b.err)
	}); !same {
		fmt.Fprintf(s.w, "  the run refused other items than the validation said\n")
	} else {
		fmt.Fprintf(s.w, "  the run refused exactly the items the validation listed\n")
	}
	return s.printCounts()
}

// search looks for searchText among the pending users Katherine sees,
// after the counts of her tabs.
func (s *story) search() error {
	for _, text := range []string{"", searchText} {
		c, err := s.svc.CountUsersByTab(s.ctx, s.kathy, lifeline.UserSearch{CompanyID: s.company.ID, Text: text})
		if err != nil {
			return err
		}
		what := "her tabs"
		if text != "" {
			what = fmt.Sprintf("matching %q", text)
		}
		fmt.Fprintf(s.w, "  %s: active %d, pending %d, suspended %d, deleted %d\n", what, c.Active, c.Pending, c.Suspended, c.Deleted)
	}
	hits, err := s.searchPending(searchText)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.w, "  the pending tab, %q: %d hits\n", searchText, len(hits))
	tw := tabwriter.NewWriter(s.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ext\tname\temail\toffice\tstate")
	for _, u := range hits {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", u.Extension, u.Person.Full(), orDash(u.Email), s.labels[u.OfficeID], u.State())
	}
	return tw.Flush()
}

// searchPending returns the users of the pending tab (Setup Required and
// Password Required) that Katherine may see whose name, email or username
// starts with text, in any case and with or without accents, in extension
// order. lifeline puts her scope in the query: she names no office and
// gets hers.
func (s *story) searchPending(text string) ([]lifeline.SearchHit, error) {
	var hits []lifeline.SearchHit
	q := lifeline.UserSearch{CompanyID: s.company.ID, Tab: lifeline.TabPending, Text: text}
	for {
		page, err := s.svc.SearchUsers(s.ctx, s.kathy, q)
		if err != nil {
			return nil, err
		}
		hits = append(hits, page.Users...)
		if q.Cursor = page.Next; q.Cursor == "" {
			return hits, nil
		}
	}
}

// printFailures prints refused items with their reasons, ids replaced by
// labels. Items are counted from 1, as the portal counts them.
func (s *story) printFailures(fs []failure) error {
	tw := tabwriter.NewWriter(s.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "    item\text\tuser\tnew person\trefused")
	for _, f := range fs {
		u := s.users[f.index]
		p, email := s.newPerson(f.index)
		fmt.Fprintf(tw, "    %d\t%s\t%s\t%s\t%s\n", f.index+1, u.Extension, u.Person.Full(), orDash(strings.TrimSpace(p.Full()+" <"+email+">")), kindOf(f.err))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(s.w, "  why:\n")
	for _, f := range fs {
		fmt.Fprintf(s.w, "    %d: %s\n", f.index+1, s.label(f.err.Error()))
	}
	return nil
}

// printCounts prints how many of the 1 000 extensions hold their old
// person, how many their new one, and the states of the company's users,
// as Margaret sees them.
func (s *story) printCounts() error {
	byID := map[string]int{}
	for i, u := range s.users {
		byID[u.ID] = i
	}
	var old, recycled int
	states := map[lifeline.State]int{}
	after := ""
	for {
		page, err := s.svc.ListUsers(s.ctx, s.margaret, lifeline.UserQuery{CompanyID: s.company.ID, AfterID: after, Limit: 500})
		if err != nil {
			return err
		}
		for _, u := range page {
			states[u.State()]++
			i, ok := byID[u.ID]
			if !ok {
				continue
			}
			p, _ := s.newPerson(i)
			switch u.Person {
			case s.users[i].Person:
				old++
			case p:
				recycled++
			}
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	var st []string
	for _, k := range slices.Sorted(func(yield func(lifeline.State) bool) {
		for k := range states {
			if !yield(k) {
				return
			}
		}
	}) {
		st = append(st, fmt.Sprintf("%d %s", states[k], k))
	}
	fmt.Fprintf(s.w, "  of the %d extensions: %d hold their old person, %d a new one; the company's users: %s\n",
		len(s.users), old, recycled, strings.Join(st, ", "))
	// The audit trail grows with every change, and only then.
	records := 0
	var afterID int64
	for {
		page, err := s.svc.ListAudit(s.ctx, s.margaret, lifeline.AuditQuery{CompanyID: s.company.ID, AfterID: afterID})
		if err != nil {
			return err
		}
		records += len(page)
		if len(page) == 0 {
			break
		}
		afterID = page[len(page)-1].ID
	}
	fmt.Fprintf(s.w, "  the audit trail holds %d records\n", records)
	return nil
}

// label replaces every id the example knows in text by its label.
func (s *story) label(text string) string {
	var oldnew []string
	for id, l := range s.labels {
		oldnew = append(oldnew, id, l)
	}
	return strings.NewReplacer(oldnew...).Replace(text)
}

// kindOf names the kind of an item's refusal, and for a forbidden one the
// reason.
func kindOf(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, access.ErrOutOfScope):
		return "forbidden: out of scope"
	case errors.Is(err, access.ErrOutranked):
		return "forbidden: outranked"
	case errors.Is(err, lifeline.ErrForbidden):
		return "forbidden"
	case errors.Is(err, lifeline.ErrConflict):
		return "conflict"
	case errors.Is(err, lifeline.ErrInvalid):
		return "invalid"
	case errors.Is(err, lifeline.ErrNotFound):
		return "not found"
	case errors.Is(err, lifeline.ErrNotRun):
		return "not run"
	}
	return "error"
}

// The people before and after. oldPerson(i) and newPerson(i) are distinct
// for every i < 1 000 (25 first names by 40 last names), and no old name
// or email starts with "zo".
var (
	oldFirst = []string{"Alan", "Barbara", "Claude", "Dennis", "Edsger", "Frances", "Gordon", "Hedy", "Ivan", "Jean",
		"Ken", "Leslie", "Marvin", "Niklaus", "Ole", "Peter", "Radia", "Seymour", "Tony", "Ursula",
		"Vint", "Whitfield", "Xavier", "Yukihiro", "Adele"}
	oldLast = []string{"Turing", "Liskov", "Shannon", "Ritchie", "Dijkstra", "Allen", "Moore", "Lamarr", "Sutherland", "Sammet",
		"Thompson", "Lamport", "Minsky", "Wirth", "Dahl", "Naur", "Perlman", "Papert", "Hoare", "Burns",
		"Cerf", "Diffie", "Leroy", "Matsumoto", "Goldberg", "Backus", "Kay", "Knuth", "Codd", "Hopper",
		"Floyd", "Karp", "Rabin", "Scott", "Tarjan", "Valiant", "Yao", "Blum", "Engelbart", "Feigenbaum"}
	newFirst = []string{"Amélie", "Björn", "Chloé", "Dagny", "Élodie", "François", "Gustav", "Hélène", "Inès", "Jürgen",
		"Kåre", "Léa", "Mónica", "Noémie", "Øystein", "Pál", "Quentin", "Renée", "Søren", "Thérèse",
		"Ulla", "Valérie", "Wiebke", "Xóchitl", "Yasmín"}
	newLast = []string{"Andersen", "Bernard", "Castillo", "Dubois", "Eriksson", "Fernández", "García", "Horváth", "Ivanova", "Jensen",
		"Kowalski", "Lindqvist", "Moreau", "Novák", "Olsen", "Petrović", "Quiroga", "Rossi", "Schäfer", "Tanaka",
		"Úbeda", "Varga", "Weiß", "Xu", "Yılmaz", "Åberg", "Brandt", "Conti", "Dąbrowski", "Esposito",
		"Fischer", "Gómez", "Hansen", "Iglesias", "Jovanović", "Kovač", "Laurent", "Müller", "Nowak", "Ortega"}
)

func oldPerson(i int) lifeline.Person {
	return lifeline.Person{FirstName: oldFirst[i%len(oldFirst)], LastName: oldLast[i/len(oldFirst)%len(oldLast)]}
}

// newPerson returns the person and email item i gives the extension.
func (s *story) newPerson(i int) (lifeline.Person, string) {
	p, ok := special[i]
	if !ok {
		p = lifeline.Person{FirstName: newFirst[i%len(newFirst)], LastName: newLast[i/len(newFirst)%len(newLast)]}
	}
	if q, ok := nameless[i]; ok {
		return q, strings.ToLower(q.FirstName) + "@acme.example"
	}
	if email, ok := s.taken[i]; ok {
		return p, email
	}
	return p, emailOf(p)
}

// emailOf returns first.last@acme.example, in lower case ASCII.
func emailOf(p lifeline.Person) string {
	return slug(p.FirstName) + "." + slug(p.LastName) + "@acme.example"
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// folds maps the accented letters of the example's names to their bare
// letters, for their email addresses.
var folds = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "å", "a", "ą", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i", "ı", "i",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "ø", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ç", "c", "ć", "c", "č", "c", "ñ", "n", "ß", "ss",
)

// fold lower-cases s and takes the accents off its letters: "Zoë" is
// "zoe".
func fold(s string) string { return folds.Replace(strings.ToLower(s)) }

func orDash(s string) string {
	if s == "" || s == "<>" {
		return "-"
	}
	return s
}
