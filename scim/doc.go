// Package scim is a SCIM 2.0 endpoint (RFC 7643, RFC 7644) for the Users
// of one lifeline company: identity providers such as Microsoft Entra ID
// and Okta create, update, deactivate and delete phone users through it.
//
// [New] returns an http.Handler the host mounts under a prefix of its
// choice. Authentication is the host's: [Config].Principal maps each
// request to a provisioning principal of one company, usually
// lifeline.SystemFor("scim-entra", companyID). Everything the endpoint does
// is a lifeline operation run as that principal, so it is authorized
// against lifeline's rules and written to the audit trail ("system:name"),
// and users of other companies do not exist for it: asking for one is 404,
// exactly as for an id that exists nowhere.
//
// It uses only the root package's facade (and lifecycle's state names):
// no store, no SQL.
//
// # Endpoints
//
//	GET    /Users                  list; filter, startIndex, count
//	POST   /Users                  create
//	GET    /Users/{id}             read (ETag; If-None-Match gives 304)
//	PUT    /Users/{id}             replace (If-Match)
//	PATCH  /Users/{id}             modify (If-Match)
//	DELETE /Users/{id}             delete (If-Match)
//	GET    /ServiceProviderConfig  /ResourceTypes  /Schemas
//
// # Mapping
//
// A SCIM User is a lifeline user with a person: Active, Password Required
// or Suspended. Deleted users (inside their restore window) and anonymized
// ones are 404; a Setup Required extension is a seat no provider owns, so
// it is neither listed nor found.
//
//	SCIM                       lifeline
//	id                         User.ID (read-only)
//	userName                   User.Username when it is a valid username
//	                           (letters, digits, '.', '_', '-'); otherwise
//	                           it must be an email address and is
//	                           User.Email, the login. Read back: Username,
//	                           else Email, else the extension. Unique in the
//	                           company without regard to case: 409
//	                           uniqueness when taken (lifeline keeps emails
//	                           unique; the endpoint checks usernames under
//	                           a lock, which covers one process).
//	name.givenName             Person.FirstName (required by lifeline)
//	name.familyName            Person.LastName (required by lifeline)
//	name.formatted,
//	displayName                "First Last" (read-only)
//	emails                     User.Email: the work email, else the
//	                           primary, else the first. Lifeline keeps one
//	                           address per user, unique in the company; a
//	                           userName that is an address is that address,
//	                           and a different work email is then not kept.
//	externalId                 User.ExternalID (exact; not unique)
//	active: true               live and not suspended; setting it on a
//	                           Suspended user reinstates it (to its state
//	                           before the suspension)
//	active: false              Suspend: login blocked, recording off,
//	                           numbers, license and recordings kept; the
//	                           user stays readable
//	DELETE                     Delete: numbers to the reserved pool,
//	                           license back to the pool, restore window
//	                           (lifeline.Service.Restore); then 404
//	meta.version, ETag         W/"<version>" of the user
//	anything else              accepted and ignored (providers send every
//	                           attribute they map: title, phoneNumbers,
//	                           the enterprise extension, ...)
//
// A created user is a member in the principal's chosen office
// ([Config].Office), Password Required, with a seat license from the
// office's pool; without a free seat the creation is 409.
//
// # PATCH
//
// PATCH is tolerant of what providers send: op in any case ("Replace"),
// booleans as the strings "True" and "False", a path-less add or replace
// whose value map has dotted keys ("name.givenName"), and
// emails[type eq "work"].value replaced when no work email exists yet
// (it is added). The operations are applied in order to the user as read,
// and the result is one lifeline change: an UpdateUser of what changed and
// a Suspend or Reinstate when active changed, at the version read. A PUT
// or PATCH that changes nothing writes nothing.
//
// # Filters
//
// The filters providers send to find a user: userName eq, externalId eq
// and emails[type eq "work"].value eq, joined with and. Anything else is
// 400 invalidFilter, never a silently wider list. Results are in id
// order; startIndex and count page them; no match is an empty
// ListResponse (Entra's "Test connection" asks for a random userName).
//
// # Errors
//
// Every refusal is a SCIM Error resource. Lifeline's error kinds map to
// one status and scimType each: Invalid 400 invalidValue, NotFound and
// Gone 404, Conflict 409 uniqueness (a taken userName or email, and also
// an illegal transition or no free seat: the detail says which), Forbidden
// 403, Stale 412, Unavailable 503 with Retry-After. A body that is not a
// JSON object, or of another media type than application/scim+json or
// application/json, is 400 invalidSyntax; so is a body that is not UTF-8
// or escapes half of a surrogate pair (which a lenient decoder would keep
// as U+FFFD), and one with an object that names an attribute twice, even
// in different cases ("userName" and "username": SCIM names are
// case-insensitive), rather than keeping the last silently. One over
// [Config].MaxBodyBytes is 413. A failure inside lifeline is 500 with no detail of the cause,
// which goes to [Config].Logger.
//
// # What it does not do
//
// Groups, bulk, sorting, attribute projection (attributes and
// excludedAttributes are ignored: the whole User is returned), password
// changes and POST /Users/.search. A POST with active false creates and
// then suspends in two transactions, since the new user's id is known
// only once it exists.
package scim
