package scim

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/lifeline-go/lifeline"
)

// mediaType is SCIM's media type, which every response carries.
const mediaType = "application/scim+json"

// DefaultMaxBodyBytes is the largest request body the endpoint reads
// unless [Config] says otherwise: a User resource or a PATCH of a few
// dozen operations is a few kilobytes.
const DefaultMaxBodyBytes = 64 << 10

// Config configures the endpoint.
type Config struct {
	// Principal authenticates a request and returns who provisions: a
	// principal of one company, [lifeline.SystemFor] (recommended: the
	// audit trail names it "system:name") or a lifeline user with the
	// rights to manage users, such as a company admin kept for the
	// integration. Everything the endpoint does runs as this actor, so it
	// is authorized and audited by lifeline; the endpoint never sees
	// another company's users. An error answers 401, or 403 when it
	// matches lifeline.ErrForbidden. Required.
	Principal func(*http.Request) (lifeline.Actor, error)
	// Office returns the office a user created through the endpoint
	// belongs to. Nil means the company's first office, in the order
	// ListOffices returns them.
	Office func(r *http.Request, companyID string) (string, error)
	// MaxBodyBytes bounds a request body; 0 means DefaultMaxBodyBytes.
	// A longer body is refused with 413.
	MaxBodyBytes int64
	// Logger receives the causes of 500 responses, which the response
	// itself does not reveal. Nil means slog.Default().
	Logger *slog.Logger
}

// handler is the endpoint.
type handler struct {
	svc *lifeline.Service
	cfg Config
	// claims serializes the writes that claim a userName, from the check
	// that no other User holds it to the commit. Lifeline keeps emails
	// unique itself, but not usernames; the lock covers one process, and
	// several processes serving one company could still race.
	claims sync.Mutex

	users, user, spConfig, types, typ, schemaList, schemaOne func(http.ResponseWriter, *http.Request, string)
}

// New returns the SCIM endpoint for svc. The host mounts it under a
// prefix of its choice, stripped before the handler sees the request:
//
//	h, err := scim.New(svc, scim.Config{Principal: auth})
//	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
func New(svc *lifeline.Service, cfg Config) (http.Handler, error) {
	if svc == nil {
		return nil, errors.New("scim.New: no lifeline service")
	}
	if cfg.Principal == nil {
		return nil, errors.New("scim.New: Config.Principal is required: the host authenticates every request")
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &handler{svc: svc, cfg: cfg}
	h.users = h.route(map[string]endpoint{http.MethodGet: h.list, http.MethodPost: h.create})
	h.user = h.route(map[string]endpoint{
		http.MethodGet: h.get, http.MethodPut: h.replace, http.MethodPatch: h.patch, http.MethodDelete: h.delete,
	})
	h.spConfig = h.route(map[string]endpoint{http.MethodGet: h.serviceProviderConfig})
	h.types = h.route(map[string]endpoint{http.MethodGet: h.resourceTypes})
	h.typ = h.route(map[string]endpoint{http.MethodGet: h.resourceType})
	h.schemaList = h.route(map[string]endpoint{http.MethodGet: h.schemas})
	h.schemaOne = h.route(map[string]endpoint{http.MethodGet: h.schema})
	return h, nil
}

// ServeHTTP implements http.Handler. It routes by hand rather than with a
// ServeMux, whose answers to unclean paths (a redirect with an HTML body)
// are not SCIM errors. A panic below it is a bug; it is logged and
// answered 500 as a SCIM error rather than a dropped connection.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "scim: panic serving a request (a bug in lifeline)",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("panic", v))
			writeError(w, errors.New("panic"))
		}
	}()
	p := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/")
	first, rest, nested := strings.Cut(p, "/")
	var fn func(http.ResponseWriter, *http.Request, string)
	switch {
	case first == "Users" && !nested:
		fn = h.users
	case first == "Users" && rest != "":
		fn = h.user
	case first == "ServiceProviderConfig" && !nested:
		fn = h.spConfig
	case first == "ResourceTypes" && !nested:
		fn = h.types
	case first == "ResourceTypes" && rest != "":
		fn = h.typ
	case first == "Schemas" && !nested:
		fn = h.schemaList
	case first == "Schemas" && rest != "":
		fn = h.schemaOne
	default:
		writeError(w, &scimError{status: http.StatusNotFound, detail: "no such endpoint; this server serves /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas"})
		return
	}
	fn(w, r, rest)
}

// request is one authenticated request.
type request struct {
	*http.Request
	actor   lifeline.Actor
	company string
	// id is the path's second segment: a user id, a resource type's name
	// or a schema's id.
	id string
}

type endpoint func(w http.ResponseWriter, r *request) error

// route dispatches on the method, authenticates, and writes every error
// as a SCIM Error resource.
func (h *handler) route(methods map[string]endpoint) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, id string) {
		fn, ok := methods[r.Method]
		if !ok {
			allow := make([]string, 0, len(methods))
			for m := range methods {
				allow = append(allow, m)
			}
			slices.Sort(allow)
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, &scimError{status: http.StatusMethodNotAllowed, detail: r.Method + " is not supported here"})
			return
		}
		req, err := h.authenticate(r)
		if err == nil {
			req.id = id
			err = fn(w, req)
		}
		if err != nil {
			if se := toSCIM(err); se.status == http.StatusInternalServerError {
				h.cfg.Logger.LogAttrs(r.Context(), slog.LevelError, "scim: request failed",
					slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("error", err.Error()))
			}
			writeError(w, err)
		}
	}
}

// authenticate asks the host who provisions and finds its company.
func (h *handler) authenticate(r *http.Request) (*request, error) {
	actor, err := h.cfg.Principal(r)
	if err != nil {
		if errors.Is(err, lifeline.ErrForbidden) {
			return nil, &scimError{status: http.StatusForbidden, detail: "the provisioning principal is refused"}
		}
		return nil, &scimError{status: http.StatusUnauthorized, detail: "the request is not authenticated"}
	}
	req := &request{Request: r, actor: actor}
	switch {
	case actor.SystemCompany() != "":
		req.company = actor.SystemCompany()
	case actor.IsSystem():
		return nil, &scimError{status: http.StatusForbidden, detail: "the provisioning principal must be scoped to one company (lifeline.SystemFor), not trusted across companies"}
	default:
		self, err := h.svc.GetUser(r.Context(), actor, actor.ID)
		if err != nil {
			return nil, err
		}
		req.company = self.CompanyID
	}
	return req, nil
}

// body reads a request body: a JSON media type (or none), at most
// MaxBodyBytes, a JSON object.
func (h *handler) body(w http.ResponseWriter, r *request) (object, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != mediaType && mt != "application/json") {
			return nil, &scimError{status: http.StatusBadRequest, scimType: "invalidSyntax",
				detail: "the body must be application/scim+json or application/json, not " + clipQuote(ct)}
		}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &scimError{status: http.StatusRequestEntityTooLarge,
				detail: "the body is longer than " + strconv.FormatInt(h.cfg.MaxBodyBytes, 10) + " bytes"}
		}
		return nil, &scimError{status: http.StatusBadRequest, scimType: "invalidSyntax", detail: "the body could not be read"}
	}
	return decodeObject(b)
}

// base is the URL the endpoint is mounted at, for meta.location: the
// request's scheme and host and the prefix the host stripped.
func base(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	prefix := ""
	// RequestURI is what the client sent, before the host stripped its
	// prefix from URL.Path; it may be in absolute form.
	if u, err := url.ParseRequestURI(r.RequestURI); err == nil {
		if full, path := u.EscapedPath(), r.URL.EscapedPath(); strings.HasSuffix(full, path) {
			prefix = strings.TrimSuffix(full, path)
		}
	}
	return scheme + "://" + r.Host + prefix
}

// writeUser writes a User resource with its ETag.
func writeUser(w http.ResponseWriter, r *request, status int, u lifeline.User) {
	j := toJSON(u, base(r.Request))
	w.Header().Set("ETag", j.Meta.Version)
	if status == http.StatusCreated {
		w.Header().Set("Location", j.Meta.Location)
	}
	writeJSON(w, status, j)
}

// ctx is the request's context.
func (r *request) ctx() context.Context { return r.Context() }
