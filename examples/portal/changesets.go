package main

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
)

// fakeCarrier is the demo's carrier account: the lines a real host would
// read from its carrier's API. It is a lifeline.Provider.
type fakeCarrier struct {
	mu    sync.Mutex
	lines map[string][]lifeline.CarrierLine // by company
	calls int
}

var _ lifeline.Provider = (*fakeCarrier)(nil)

func newFakeCarrier(d demo) *fakeCarrier {
	c := &fakeCarrier{lines: map[string][]lifeline.CarrierLine{}}
	for _, l := range d.Carrier {
		c.lines[d.Company.ID] = append(c.lines[d.Company.ID], lifeline.CarrierLine{E164: l.E164, OfficeID: l.OfficeID, Plan: "business", Recorded: l.Recorded})
	}
	return c
}

// Lines implements lifeline.Provider.
func (c *fakeCarrier) Lines(ctx context.Context, companyID string) ([]lifeline.CarrierLine, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	return slices.Clone(c.lines[companyID]), ctx.Err()
}

func (p *portal) changeSetRoutes(m *http.ServeMux) {
	m.Handle("GET /changesets", p.auth(p.changeSetsPage))
	m.Handle("GET /changesets/{id}", p.auth(p.changeSetPage))
	m.Handle("POST /changesets/{id}/confirm", p.auth(p.confirmChangeSet))
	m.Handle("POST /changesets/{id}/discard", p.auth(p.discardChangeSet))
	m.Handle("POST /changesets/resync", p.auth(p.resync))
	m.Handle("POST /bulk/stage", p.auth(p.bulkStage))
}

type changeSetRow struct {
	lifeline.ChangeSet
	By string
}

type changeSetsData struct {
	Sets   []changeSetRow
	Resync bool
}

// mayResync reads from the access matrix whether the signed-in role may
// re-sync with the carrier at all; the facade decides again when it runs.
func (p *portal) mayResync(ctx context.Context, actor lifeline.Actor) bool {
	return access.ScopeOf(p.roleOf(ctx, actor), lifeline.SyncCarrier{}.Spec().Permission) != access.ScopeNone
}

// mayStage reads from the access matrix whether the signed-in role may
// stage change sets beyond itself.
func (p *portal) mayStage(ctx context.Context, actor lifeline.Actor) bool {
	sc := access.ScopeOf(p.roleOf(ctx, actor), lifeline.StageChanges{}.Spec().Permission)
	return sc != access.ScopeNone && sc != access.ScopeSelf
}

// changeSetsPage lists the company's change sets, newest first, and the
// re-sync button.
func (p *portal) changeSetsPage(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor := r.Context(), p.actor(s)
	sets, err := p.svc.ListChangeSets(ctx, actor, p.demo.Company.ID, "")
	if err != nil {
		return err
	}
	d := changeSetsData{Resync: p.mayResync(ctx, actor)}
	names := p.namer(ctx, actor)
	for i := len(sets) - 1; i >= 0; i-- {
		d.Sets = append(d.Sets, changeSetRow{ChangeSet: sets[i], By: names(sets[i].StagedBy)})
	}
	return p.render(w, s, http.StatusOK, "changesets", "Change sets", d)
}

type userPreviewRow struct {
	lifeline.UserPreview
	Name string
}

type changeSetData struct {
	Set     lifeline.ChangeSet
	By      string
	Closer  string
	Items   []effectsView
	Users   []userPreviewRow
	Open    bool
	Problem *problem
}

// changeSetPage shows a change set: for an open one, what confirming it
// would do now, item by item and user by user.
func (p *portal) changeSetPage(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor, id := r.Context(), p.actor(s), r.PathValue("id")
	set, err := p.svc.GetChangeSet(ctx, actor, id)
	if err != nil {
		return err
	}
	names := p.namer(ctx, actor)
	d := changeSetData{Set: set, By: names(set.StagedBy), Closer: names(set.ClosedBy), Open: set.Status == lifeline.ChangeSetOpen}
	if d.Open {
		pv, err := p.svc.PreviewChangeSet(ctx, actor, id)
		if err != nil {
			pr := describe(err)
			d.Problem = &pr
		} else {
			for _, e := range pv.Items {
				d.Items = append(d.Items, p.effectsWords(ctx, actor, e))
			}
			for _, u := range pv.Users {
				d.Users = append(d.Users, userPreviewRow{UserPreview: u, Name: names(u.UserID)})
			}
		}
	}
	return p.render(w, s, http.StatusOK, "changeset", "Change set: "+set.Name, d)
}

func (p *portal) confirmChangeSet(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PathValue("id")
	pv, err := p.svc.ConfirmChangeSet(r.Context(), p.actor(s), id)
	if err != nil {
		return err
	}
	return p.redirect(w, r, s, "/changesets/"+id, "Confirmed: "+strconv.Itoa(len(pv.Items))+" change(s) applied.")
}

func (p *portal) discardChangeSet(w http.ResponseWriter, r *http.Request, s *session) error {
	id := r.PathValue("id")
	if _, err := p.svc.DiscardChangeSet(r.Context(), p.actor(s), id); err != nil {
		return err
	}
	return p.redirect(w, r, s, "/changesets/"+id, "Discarded.")
}

// resync reconciles the company with the demo carrier. It discards every
// open change set: what they were previewed against may no longer hold.
func (p *portal) resync(w http.ResponseWriter, r *http.Request, s *session) error {
	rep, err := p.svc.Resync(r.Context(), p.actor(s), p.demo.Company.ID, p.carrier)
	if err != nil {
		return err
	}
	msg := "Re-synced with the carrier: " + strconv.Itoa(len(rep.Added)) + " number(s) added, " +
		strconv.Itoa(len(rep.Released)) + " released, " + strconv.Itoa(len(rep.Conflicts)) + " conflict(s), " +
		strconv.Itoa(len(rep.Plans)) + " recording plan(s) changed; " + strconv.Itoa(len(rep.Discarded)) + " open change set(s) discarded."
	return p.redirect(w, r, s, "/changesets", msg)
}

// bulkStage stages a bulk action as a change set instead of running it:
// the same operations, confirmed later from the change sets page.
func (p *portal) bulkStage(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx, actor := r.Context(), p.actor(s)
	f := r.PostForm
	kind, users, err := p.bulkForm(r, actor)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(f.Get("name"))
	if name == "" {
		name = kind.Label + " of " + strconv.Itoa(len(users)) + " user(s)"
	}
	var items []lifeline.AnyOperation
	for op := range p.items(kind, users, peopleOf(f, kind, len(users))) {
		items = append(items, lifeline.Any(op))
	}
	pv, err := p.svc.StageChanges(ctx, actor, lifeline.StageChanges{CompanyID: p.demo.Company.ID, Name: name, Items: items})
	if err != nil {
		return err
	}
	return p.redirect(w, r, s, "/changesets/"+pv.Set.ID, "Staged. Nothing has changed yet: confirm or discard it here.")
}

// namer returns a function naming an actor or user id as the pages show
// it, reading each once.
func (p *portal) namer(ctx context.Context, actor lifeline.Actor) func(string) string {
	names := map[string]string{}
	return func(id string) string {
		if id == "" {
			return ""
		}
		if n, ok := names[id]; ok {
			return n
		}
		// An id is never shown: a user the actor may not read is
		// "someone outside your offices", a system principal "the system".
		n := "someone outside your offices"
		if who, as, ok := strings.Cut(id, " as "); ok {
			n = p.namer(ctx, actor)(who) + " as " + p.namer(ctx, actor)(as)
		} else if strings.HasPrefix(id, "system:") {
			n = "the system"
		} else if u, err := p.svc.GetUser(ctx, actor, id); err == nil {
			n = displayName(u)
		}
		names[id] = n
		return n
	}
}
