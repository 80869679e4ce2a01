package lifelinetest

import (
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/accessoracle"
	"github.com/lifeline-go/lifeline/licensing"
)

// opTarget is what an operation of the matrix suite touches, as its case in
// accessCalls sets it up in the target office.
type opTarget uint8

const (
	// aUser: a fresh member of the target office.
	aUser opTarget = iota
	// onMovingUser: a fresh member of the target office, moved to the
	// destination office.
	onMovingUser
	// onOffice: the target office itself (its numbers, pools, settings, a
	// new user in it).
	onOffice
	// onOffices: the target office and the destination office.
	onOffices
	// onCompany: the company as a whole.
	onCompany
	// inQuery: a list whose scope goes into the query: whoever may read
	// at all gets what it may see, not a refusal.
	inQuery
	// inQueryOffice: a list of the target office whose scope goes into the
	// query. Naming an office it is not given is refused to an office
	// admin or manager ("an office outside its scope is forbidden"); a
	// member, which reaches no office but itself, gets itself or nothing.
	inQueryOffice
	// systemOnly: only lifeline itself and the host's system principals
	// run it; an actor is refused.
	systemOnly
)

// opAccess is one operation as the oracle sees it: the action of
// DESIGN.md's matrix it is, what it touches, and, for a user target, the
// role of that user and the role granted to it.
type opAccess struct {
	action          access.Action
	on              opTarget
	userRole, grant access.Role
}

// opOracle is, written by hand, the action each operation is and what the
// case of the matrix suite has it touch. The matrix suite checks that
// lifeline declares each operation with the same action, and takes the
// outcome of each from the access oracle, not from the access package.
var opOracle = map[string]opAccess{
	"user.create":               {action: access.CreateUser, on: onOffice},
	"user.invite":               {action: access.CreateUser, on: onOffice},
	"user.create-empty":         {action: access.CreateUser, on: onOffice},
	"user.get":                  {action: access.ReadUser},
	"user.list":                 {action: access.ReadUser, on: inQueryOffice},
	"user.search":               {action: access.ReadUser, on: onOffice},
	"user.count-by-tab":         {action: access.ReadUser, on: onOffice},
	"user.verify-password":      {action: access.SetCredentials},
	"user.export":               {action: access.ReadUser},
	"user.export-request":       {action: access.ReadUser},
	"license.list-user":         {action: access.ReadUser},
	"user.update":               {action: access.UpdateUser},
	"user.set-devices":          {action: access.UpdateUser},
	"user.set-settings":         {action: access.UpdateUser},
	"user.set-password":         {action: access.SetCredentials},
	"user.force-password-reset": {action: access.SetCredentials},
	"user.set-voicemail-pin":    {action: access.SetCredentials},
	"user.send-welcome-email":   {action: access.SetCredentials},
	"user.suspend":              {action: access.SuspendUser},
	"user.reinstate":            {action: access.SuspendUser},
	"user.reset":                {action: access.ResetUser},
	"user.recycle":              {action: access.ResetUser},
	"user.reset-recycle":        {action: access.ResetUser},
	"user.delete":               {action: access.DeleteUser},
	"user.restore":              {action: access.DeleteUser},
	"user.erase":                {action: access.DeleteUser},
	"user.transfer":             {action: access.TransferUser, on: onMovingUser},
	"user.grant-role":           {action: access.GrantRole, grant: access.OfficeManager},
	"user.set-analytics":        {action: access.GrantAnalytics},
	"user.set-proxy-access":     {action: access.GrantProxy, userRole: access.OfficeManager},
	"number.list":               {action: access.ReadNumbers, on: onOffice},
	"number.assign":             {action: access.AssignNumbers},
	"number.assign-to-user":     {action: access.AssignNumbers},
	"number.unassign":           {action: access.AssignNumbers},
	"number.add":                {action: access.ManageInventory, on: onOffice},
	"number.release":            {action: access.ManageInventory, on: onOffice},
	"license.list-pools":        {action: access.ReadLicenses, on: onOffice},
	"license.set-pool-total":    {action: access.ManageLicenses, on: onOffice},
	"license.assign":            {action: access.ManageLicenses},
	"license.remove":            {action: access.ManageLicenses},
	"license.transfer":          {action: access.TransferLicenses, on: onOffices},
	"company.get":               {action: access.ReadCompany, on: onCompany},
	"office.get":                {action: access.ReadCompany, on: onOffice},
	"office.list":               {action: access.ReadCompany, on: onCompany},
	"office.create":             {action: access.ManageCompany, on: onCompany},
	"audit.list":                {action: access.ReadAudit},
	"recording.set-plan":        {action: access.ManageRecording},
	"recording.set-retention":   {action: access.ManageRecording, on: onOffice},
	"recording.register":        {action: access.ManageRecording},
	"user.offboard":             {action: access.ManageRecording},
	"recording.get-plan":        {action: access.ReadRecordings},
	"recording.list":            {action: access.ReadRecordings},
	"recording.place-hold":      {action: access.PlaceHold},
	"recording.release-hold":    {action: access.PlaceHold},
	"recording.list-holds":      {action: access.PlaceHold},
	"changeset.stage":           {action: access.StageChanges},
	"changeset.confirm":         {action: access.StageChanges},
	"changeset.discard":         {action: access.StageChanges},
	"changeset.get":             {action: access.StageChanges},
	"changeset.list":            {action: access.StageChanges, on: inQuery},
	"account.resync":            {action: access.ResyncAccount, on: onCompany},
	"company.bootstrap":         {on: systemOnly},
	"company.create":            {on: systemOnly},
	"company.set-tier":          {on: systemOnly},
	"user.authenticate":         {on: systemOnly},
	"outbox.claim":              {on: systemOnly},
	"outbox.ack":                {on: systemOnly},
	"outbox.fail":               {on: systemOnly},
	"outbox.list-dead":          {on: systemOnly},
	"outbox.renew":              {on: systemOnly},
	"user.anonymize":            {on: systemOnly},
	"recording.purge":           {on: systemOnly},
}

// expectAccess is the outcome the oracle gives role r of company A (its
// own office us; an office admin's or manager's offices us and us2, as
// newAccessWorld makes them) running operation name on a target at w: nil
// for allowed, else the refusal's kind. The company is on the Premium plan.
func expectAccess(r access.Role, name string, w where) error {
	o := opOracle[name]
	if o.on == systemOnly {
		if w == otherCompany && namesObject[name] {
			return errs.ErrNotFound
		}
		return errs.ErrForbidden
	}
	if w == otherCompany {
		return errs.ErrNotFound
	}
	switch reach := accessoracle.ReachOf(r, o.action); {
	case o.on == inQuery || o.on == inQueryOffice && reach == accessoracle.Self:
		if reach == accessoracle.Never {
			return errs.ErrForbidden
		}
		return nil
	}
	p := access.Principal{UserID: "actor", CompanyID: "A", OfficeID: "us", Role: r}
	if r == access.OfficeAdmin || r == access.OfficeManager {
		p.Offices = []string{"us", "us2"}
	}
	off, dest := "us", "us2"
	if w == otherOffice {
		off, dest = "gb", "us"
	}
	t := access.Target{CompanyID: "A"}
	switch o.on {
	case aUser, onMovingUser:
		t.OfficeIDs, t.UserID, t.UserRole, t.GrantRole = []string{off}, "target", o.userRole, o.grant
		if o.on == onMovingUser {
			t.OfficeIDs = append(t.OfficeIDs, dest)
		}
	case onOffice, inQueryOffice:
		t.OfficeIDs = []string{off}
	case onOffices:
		t.OfficeIDs = []string{off, dest}
	}
	if accessoracle.Decide(p, o.action, t, licensing.Premium) != nil {
		return errs.ErrForbidden
	}
	return nil
}
