package main

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// maxBulkItems bounds one bulk action from the portal.
const maxBulkItems = 500

// bulkKind is a bulk action of the users list: an operation built for
// each selected user.
type bulkKind struct {
	Key, Label string
	// Tabs are the users tabs that offer it.
	Tabs []lifeline.Tab
	// NeedsPerson: each item needs a new person (reset and recycle).
	NeedsPerson bool
	spec        lifeline.OpSpec
	build       func(u lifeline.User, p lifeline.Person, email string) lifeline.Operation[lifeline.User]
}

// Tabs on which each bulk action is offered: what can be done to users in
// those states (the lifecycle's transition table), in the order an office
// manager looks for them.
var (
	liveTabs      = []lifeline.Tab{lifeline.TabActive, lifeline.TabPending}
	suspendedTabs = []lifeline.Tab{lifeline.TabSuspended}
	deletedTabs   = []lifeline.Tab{lifeline.TabDeleted}
	liveAndHeld   = []lifeline.Tab{lifeline.TabActive, lifeline.TabPending, lifeline.TabSuspended}
)

func userOp[O lifeline.Operation[lifeline.User]](f func(u lifeline.User) O) func(lifeline.User, lifeline.Person, string) lifeline.Operation[lifeline.User] {
	return func(u lifeline.User, _ lifeline.Person, _ string) lifeline.Operation[lifeline.User] { return f(u) }
}

var bulkKinds = []bulkKind{
	{Key: "suspend", Label: "Suspend", Tabs: liveTabs, spec: lifeline.Suspend{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.Suspend { return lifeline.Suspend{UserID: u.ID} })},
	{Key: "reinstate", Label: "Reinstate", Tabs: suspendedTabs, spec: lifeline.Reinstate{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.Reinstate { return lifeline.Reinstate{UserID: u.ID} })},
	{Key: "restore", Label: "Restore", Tabs: deletedTabs, spec: lifeline.Restore{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.Restore { return lifeline.Restore{UserID: u.ID} })},
	{Key: "reset", Label: "Reset (every field)", Tabs: liveTabs, spec: lifeline.Reset{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.Reset { return lifeline.Reset{UserID: u.ID, Fields: lifecycle.FieldsAll} })},
	{Key: "reset-recycle", Label: "Reset and recycle", Tabs: liveTabs, NeedsPerson: true, spec: lifeline.ResetAndRecycle{}.Spec(),
		build: func(u lifeline.User, p lifeline.Person, email string) lifeline.Operation[lifeline.User] {
			return lifeline.ResetAndRecycle{UserID: u.ID, Person: p, Email: email}
		}},
	{Key: "welcome-email", Label: "Send welcome email", Tabs: liveTabs, spec: lifeline.SendWelcomeEmail{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.SendWelcomeEmail { return lifeline.SendWelcomeEmail{UserID: u.ID} })},
	{Key: "force-password-reset", Label: "Force password reset", Tabs: liveTabs, spec: lifeline.ForcePasswordReset{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.ForcePasswordReset { return lifeline.ForcePasswordReset{UserID: u.ID} })},
	{Key: "grant-admin", Label: "Make office admin of their office", Tabs: liveTabs, spec: lifeline.GrantRole{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.GrantRole {
			return lifeline.GrantRole{UserID: u.ID, Role: lifeline.RoleOfficeAdmin, Offices: []string{u.OfficeID}}
		})},
	{Key: "revoke-admin", Label: "Remove admin role", Tabs: liveTabs, spec: lifeline.GrantRole{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.GrantRole {
			return lifeline.GrantRole{UserID: u.ID, Role: lifeline.RoleMember}
		})},
	{Key: "grant-analytics", Label: "Grant analytics", Tabs: liveTabs, spec: lifeline.SetAnalytics{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.SetAnalytics { return lifeline.SetAnalytics{UserID: u.ID, On: true} })},
	{Key: "revoke-analytics", Label: "Remove analytics", Tabs: liveTabs, spec: lifeline.SetAnalytics{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.SetAnalytics { return lifeline.SetAnalytics{UserID: u.ID, On: false} })},
	{Key: "delete", Label: "Delete", Tabs: liveAndHeld, spec: lifeline.Delete{}.Spec(),
		build: userOp(func(u lifeline.User) lifeline.Delete { return lifeline.Delete{UserID: u.ID} })},
}

func bulkKindOf(key string) (bulkKind, bool) {
	i := slices.IndexFunc(bulkKinds, func(k bulkKind) bool { return k.Key == key })
	if i < 0 {
		return bulkKind{}, false
	}
	return bulkKinds[i], true
}

// bulkKindsFor lists the bulk actions of a tab that the actor's role may
// take on other users at all, read from the access matrix
// (access.ScopeOf), not restated here: a role that reaches only itself has
// no list to act on. Each item is still authorized on its own when it runs.
func (p *portal) bulkKindsFor(ctx context.Context, actor lifeline.Actor, tab lifeline.Tab) []bulkKind {
	role := p.roleOf(ctx, actor)
	var out []bulkKind
	for _, k := range bulkKinds {
		if !slices.Contains(k.Tabs, tab) {
			continue
		}
		if sc := access.ScopeOf(role, k.spec.Permission); sc != access.ScopeNone && sc != access.ScopeSelf {
			out = append(out, k)
		}
	}
	return out
}

// bulkRow is one selected user on the confirmation page.
type bulkRow struct {
	U       lifeline.User
	Verdict string
	OK      bool
}

type bulkConfirmData struct {
	Kind bulkKind
	Rows []bulkRow
	OK   int
	// Stage: the role may stage the action as a change set instead.
	Stage bool
}

// bulkConfirm is the confirmation step: the selected users, and, for
// actions that need nothing more, what a dry run (ValidateBulk) says of
// each item, so every problem shows before anything changes.
func (p *portal) bulkConfirm(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor := r.Context(), p.actor(s)
	kind, ok := bulkKindOf(r.PostForm.Get("action"))
	if !ok {
		return portalError(errs.Invalid, "choose a bulk action")
	}
	users, err := p.selected(ctx, actor, r.PostForm["user"])
	if err != nil {
		return err
	}
	d := bulkConfirmData{Kind: kind, Stage: p.mayStage(ctx, actor)}
	for _, u := range users {
		d.Rows = append(d.Rows, bulkRow{U: u})
	}
	if !kind.NeedsPerson {
		_, err := lifeline.ValidateBulk(ctx, p.svc, actor, p.items(kind, users, nil), lifeline.BulkOptions{Total: len(users)},
			func(res lifeline.BulkResult[lifeline.User]) {
				row := &d.Rows[res.Index]
				if res.Err != nil {
					row.Verdict = describe(res.Err).Detail
					return
				}
				row.OK, row.Verdict = true, "will apply"
				d.OK++
			})
		if err != nil {
			return err
		}
	}
	return p.render(w, s, http.StatusOK, "bulkconfirm", "Confirm: "+kind.Label, d)
}

// selected reads the users a bulk form names, as the actor sees them.
func (p *portal) selected(ctx context.Context, actor lifeline.Actor, ids []string) ([]lifeline.User, error) {
	if len(ids) == 0 {
		return nil, portalError(errs.Invalid, "select at least one user")
	}
	if len(ids) > maxBulkItems {
		return nil, portalError(errs.Invalid, "select at most "+strconv.Itoa(maxBulkItems)+" users")
	}
	users := make([]lifeline.User, 0, len(ids))
	for _, id := range ids {
		u, err := p.svc.GetUser(ctx, actor, id)
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	return users, nil
}

// newPerson is the new person of item i of a reset-and-recycle form.
type newPerson struct {
	Person lifeline.Person
	Email  string
}

// peopleOf reads the new person of each of n items from a bulk form, for
// the actions that need one.
func peopleOf(f url.Values, kind bulkKind, n int) []newPerson {
	if !kind.NeedsPerson {
		return nil
	}
	people := make([]newPerson, n)
	for i := range people {
		k := strconv.Itoa(i)
		people[i] = newPerson{
			Person: lifeline.Person{FirstName: strings.TrimSpace(f.Get("first" + k)), LastName: strings.TrimSpace(f.Get("last" + k))},
			Email:  strings.TrimSpace(f.Get("email" + k)),
		}
	}
	return people
}

// items yields the operations of a bulk action, one per user, built when
// the runner asks for them.
func (p *portal) items(kind bulkKind, users []lifeline.User, people []newPerson) iter.Seq[lifeline.Operation[lifeline.User]] {
	return func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for i, u := range users {
			var np newPerson
			if i < len(people) {
				np = people[i]
			}
			if !yield(kind.build(u, np.Person, np.Email)) {
				return
			}
		}
	}
}

// bulkJob is a bulk run in progress or finished, as its progress view
// shows it.
type bulkJob struct {
	id    string
	owner string
	Kind  bulkKind

	mu       sync.Mutex
	items    []bulkItem
	progress lifeline.BulkProgress
	finished bool
	started  time.Time
	problem  *problem
}

// bulkItem is one item's line in the results.
type bulkItem struct {
	Extension string
	UserID    string
	Name      string
	State     string // "waiting", "done", "refused", "not run"
	Message   string
}

// jobView is a consistent copy of a job for a template.
type jobView struct {
	ID       string
	Kind     bulkKind
	Items    []bulkItem
	Done     int
	Failed   int
	Total    int
	Finished bool
	Problem  *problem
}

func (j *bulkJob) view() jobView {
	j.mu.Lock()
	defer j.mu.Unlock()
	return jobView{ID: j.id, Kind: j.Kind, Items: slices.Clone(j.items), Done: j.progress.Done, Failed: j.progress.Failed,
		Total: len(j.items), Finished: j.finished, Problem: j.problem}
}

// bulkForm reads the bulk action and the users a bulk form chose, for
// running it or staging it.
func (p *portal) bulkForm(r *http.Request, actor lifeline.Actor) (bulkKind, []lifeline.User, error) {
	kind, ok := bulkKindOf(r.PostForm.Get("action"))
	if !ok {
		return kind, nil, portalError(errs.Invalid, "choose a bulk action")
	}
	users, err := p.selected(r.Context(), actor, r.PostForm["user"])
	return kind, users, err
}

// bulkRun starts the run in the background and sends the browser to its
// progress view. The run does not depend on the request: closing the tab
// does not stop it.
func (p *portal) bulkRun(w http.ResponseWriter, r *http.Request, s *session) error {
	actor := p.actor(s)
	kind, users, err := p.bulkForm(r, actor)
	if err != nil {
		return err
	}
	people := peopleOf(r.PostForm, kind, len(users))
	job := &bulkJob{id: randomID(), owner: actor.ID, Kind: kind, started: time.Now()}
	for _, u := range users {
		job.items = append(job.items, bulkItem{Extension: u.Extension, UserID: u.ID, Name: displayName(u), State: "waiting"})
	}
	job.progress.Total = len(users)
	p.mu.Lock()
	p.jobs[job.id] = job
	if len(p.jobs) > 100 {
		p.dropOldJobs()
	}
	p.mu.Unlock()
	go p.runJob(job, actor, p.items(kind, users, people))
	http.Redirect(w, r, "/bulk/"+job.id, http.StatusSeeOther)
	return nil
}

// bulkStepDelay paces a bulk run so that a person watching the progress
// view sees it move; a real host leaves it out.
var bulkStepDelay = 150 * time.Millisecond

// runJob runs the items one per transaction, so the progress view moves
// as each finishes, and records every item's outcome.
func (p *portal) runJob(job *bulkJob, actor lifeline.Actor, items iter.Seq[lifeline.Operation[lifeline.User]]) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	paced := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for op := range items {
			if bulkStepDelay > 0 {
				time.Sleep(bulkStepDelay)
			}
			if !yield(op) {
				return
			}
		}
	}
	_, err := lifeline.RunBulk(ctx, p.svc, actor, paced, lifeline.BulkOptions{Total: len(job.items), BatchSize: 1,
		Progress: func(pr lifeline.BulkProgress) {
			job.mu.Lock()
			job.progress = pr
			job.mu.Unlock()
		}},
		func(res lifeline.BulkResult[lifeline.User]) {
			job.mu.Lock()
			defer job.mu.Unlock()
			it := &job.items[res.Index]
			switch {
			case res.Err == nil:
				it.State, it.Message = "done", "applied"
				it.Name = displayName(res.Value)
			case errors.Is(res.Err, lifeline.ErrNotRun):
				it.State, it.Message = "not run", describe(res.Err).Detail
			default:
				it.State, it.Message = "refused", describe(res.Err).Detail
			}
		})
	job.mu.Lock()
	defer job.mu.Unlock()
	job.finished = true
	if err != nil {
		pr := describe(err)
		job.problem = &pr
		p.log.Error("bulk run failed", "kind", pr.Kind)
	}
}

// dropOldJobs forgets the oldest finished jobs; p.mu is held.
func (p *portal) dropOldJobs() {
	for len(p.jobs) > 50 {
		var oldest *bulkJob
		for _, j := range p.jobs {
			j.mu.Lock()
			done := j.finished
			j.mu.Unlock()
			if done && (oldest == nil || j.started.Before(oldest.started)) {
				oldest = j
			}
		}
		if oldest == nil {
			return
		}
		delete(p.jobs, oldest.id)
	}
}

// jobOf returns the job the path names, if the signed-in account started
// it; anyone else's is not found.
func (p *portal) jobOf(r *http.Request, s *session) (*bulkJob, error) {
	actor := p.actor(s)
	p.mu.Lock()
	job, ok := p.jobs[r.PathValue("job")]
	p.mu.Unlock()
	if !ok || job.owner != actor.ID {
		return nil, portalError(errs.NotFound, "no such bulk action")
	}
	return job, nil
}

// bulkPage is the progress view, then the per-item results.
func (p *portal) bulkPage(w http.ResponseWriter, r *http.Request, s *session) error {
	job, err := p.jobOf(r, s)
	if err != nil {
		return err
	}
	return p.render(w, s, http.StatusOK, "bulk", job.Kind.Label, job.view())
}

// bulkProgress is the fragment the progress view polls for.
func (p *portal) bulkProgress(w http.ResponseWriter, r *http.Request, s *session) error {
	job, err := p.jobOf(r, s)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return p.pages["bulk"].ExecuteTemplate(w, "progress", job.view())
}
