package lifeline

import (
	"context"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// The company and office operations, declared once.
var (
	specBootstrap      = declare("company.bootstrap", "", true)
	specCreateCompany  = declare("company.create", "", true)
	specSetCompanyTier = declare("company.set-tier", "", true)
	specGetCompany     = declare("company.get", access.ReadCompany, false)
	specCreateOffice   = declare("office.create", access.ManageCompany, true)
	specGetOffice      = declare("office.get", access.ReadCompany, false)
	specListOffices    = declare("office.list", access.ReadCompany, false)
)

// Bootstrap creates a company with its first office and its first company
// admin, who can then do everything else. It is how a tenant starts, and so
// a system operation: run it as [System] (the host's sign-up flow). The
// office gets one seat for the admin; add more with SetPoolTotal.
type Bootstrap struct {
	CompanyName string
	Tier        Tier
	Office      NewOffice
	// Admin is the first company admin. OfficeID is ignored: the admin
	// belongs to the new office.
	Admin NewUser
	// AdminPassword, when set, is the first admin's password (hashed
	// before the transaction, like SetPassword's): the admin starts Active
	// and can act at once. Without it the admin starts Password Required,
	// and may do nothing but set its own password until it has.
	AdminPassword string
}

// Bootstrapped is what [Bootstrap] created.
type Bootstrapped struct {
	Company Company
	Office  Office
	Admin   User
}

// Spec implements Operation.
func (Bootstrap) Spec() OpSpec { return specBootstrap }

func (x Bootstrap) prepare(ctx context.Context, s *Service) (step[Bootstrapped], error) {
	const opName = "company.bootstrap"
	c := licensing.Company{ID: newID("cmp_"), Name: x.CompanyName, Tier: x.Tier}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	x.Office.CompanyID = c.ID
	office, err := newOffice(x.Office)
	if err != nil {
		return nil, err
	}
	admin := x.Admin
	admin.OfficeID = office.ID
	if err := validateNewUser(opName, lifecycle.EventCreate, &admin); err != nil {
		return nil, err
	}
	status, err := lifecycle.Start(lifecycle.EventCreate)
	if err != nil {
		return nil, err
	}
	var hash string
	if x.AdminPassword != "" {
		if err := lifecycle.ValidatePassword(x.AdminPassword); err != nil {
			return nil, err
		}
		if status, err = status.Apply(lifecycle.EventSetPassword); err != nil {
			return nil, err
		}
		if hash, err = s.hashSecret(ctx, opName, x.AdminPassword); err != nil {
			return nil, err
		}
	}
	return func(o *op) (Bootstrapped, error) {
		if err := o.authorize(access.Target{CompanyID: c.ID}); err != nil {
			return Bootstrapped{}, err
		}
		if err := o.insertCompany(c); err != nil {
			return Bootstrapped{}, err
		}
		if err := o.insertOffice(office); err != nil {
			return Bootstrapped{}, err
		}
		seats, err := o.tx.GetPool(o.ctx, office.ID, licensing.Seat)
		if err != nil {
			return Bootstrapped{}, err
		}
		more, err := seats.SetTotal(seats.Total + 1)
		if err != nil {
			return Bootstrapped{}, err
		}
		if err := o.putPool(seats, &more); err != nil {
			return Bootstrapped{}, err
		}
		u, err := o.newUser(office, admin, lifecycle.Internal, status)
		if err != nil {
			return Bootstrapped{}, err
		}
		u.Role = access.CompanyAdmin
		u.PasswordHash = hash
		if err := o.writeUser(&u); err != nil {
			return Bootstrapped{}, err
		}
		if err := o.recordUser(lifecycle.User{}, u, "first company admin, extension "+u.Extension, personalOf(u)); err != nil {
			return Bootstrapped{}, err
		}
		return Bootstrapped{Company: c, Office: office, Admin: viewOf(u)}, nil
	}, nil
}

// Bootstrap creates a company, its first office and its first company
// admin. See [Bootstrap].
func (s *Service) Bootstrap(ctx context.Context, actor Actor, b Bootstrap) (Bootstrapped, error) {
	return Do(ctx, s, actor, b)
}

func (o *op) insertCompany(c licensing.Company) error {
	if err := o.tx.InsertCompany(o.ctx, c); err != nil {
		return err
	}
	return o.audit(o.ctx, store.AuditRecord{CompanyID: c.ID, TargetKind: "company", TargetID: c.ID, Detail: "tier " + string(c.Tier)})
}

func (o *op) insertOffice(office licensing.Office) error {
	if err := o.tx.InsertOffice(o.ctx, office); err != nil {
		return err
	}
	return o.audit(o.ctx, store.AuditRecord{CompanyID: office.CompanyID, TargetKind: "office", TargetID: office.ID,
		Detail: "country " + office.Country + ", price level " + office.PriceLevel})
}

// CreateCompany creates a company (the account) on a plan tier, with no
// user: a system operation. Most hosts want [Bootstrap] instead.
type CreateCompany struct {
	Name string
	Tier Tier
}

// Spec implements Operation.
func (CreateCompany) Spec() OpSpec { return specCreateCompany }

func (x CreateCompany) prepare(context.Context, *Service) (step[Company], error) {
	c := licensing.Company{ID: newID("cmp_"), Name: x.Name, Tier: x.Tier}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return func(o *op) (Company, error) {
		if err := o.authorize(access.Target{CompanyID: c.ID}); err != nil {
			return Company{}, err
		}
		return c, o.insertCompany(c)
	}, nil
}

// CreateCompany creates a company. See [CreateCompany].
func (s *Service) CreateCompany(ctx context.Context, actor Actor, name string, tier licensing.Tier) (Company, error) {
	return Do(ctx, s, actor, CreateCompany{Name: name, Tier: tier})
}

// SetCompanyTier changes a company's plan tier: a system operation, since
// the plan is what the customer pays for.
type SetCompanyTier struct {
	CompanyID string
	Tier      Tier
}

// Spec implements Operation.
func (SetCompanyTier) Spec() OpSpec { return specSetCompanyTier }

func (x SetCompanyTier) prepare(context.Context, *Service) (step[Company], error) {
	return func(o *op) (Company, error) {
		c, err := o.loadCompany(x.CompanyID)
		if err != nil {
			return Company{}, err
		}
		if err := o.authorize(access.Target{CompanyID: c.ID}); err != nil {
			return Company{}, err
		}
		from := c.Tier
		c.Tier = x.Tier
		if err := c.Validate(); err != nil {
			return Company{}, err
		}
		if err := o.tx.UpdateCompany(o.ctx, c); err != nil {
			return Company{}, err
		}
		return c, o.audit(o.ctx, store.AuditRecord{CompanyID: c.ID, TargetKind: "company", TargetID: c.ID,
			Detail: "tier " + string(from) + " -> " + string(x.Tier)})
	}, nil
}

// SetCompanyTier changes a company's plan tier. See [SetCompanyTier].
func (s *Service) SetCompanyTier(ctx context.Context, actor Actor, companyID string, tier licensing.Tier) (Company, error) {
	return Do(ctx, s, actor, SetCompanyTier{CompanyID: companyID, Tier: tier})
}

// GetCompany reads a company.
type GetCompany struct{ CompanyID string }

// Spec implements Operation.
func (GetCompany) Spec() OpSpec { return specGetCompany }

func (x GetCompany) prepare(context.Context, *Service) (step[Company], error) {
	return func(o *op) (Company, error) {
		c, err := o.loadCompany(x.CompanyID)
		if err != nil {
			return Company{}, err
		}
		return c, o.authorize(access.Target{CompanyID: c.ID})
	}, nil
}

// GetCompany returns a company.
func (s *Service) GetCompany(ctx context.Context, actor Actor, id string) (Company, error) {
	return Do(ctx, s, actor, GetCompany{CompanyID: id})
}

// NewOffice describes an office to create.
type NewOffice struct {
	CompanyID string
	Name      string
	// Country is an ISO 3166-1 alpha-2 code; "us" and "UK" are normalised.
	Country string
	// PriceLevel groups offices billed alike; licenses and users move only
	// between offices of one price level. Default "standard".
	PriceLevel string
}

func newOffice(n NewOffice) (licensing.Office, error) {
	country, err := licensing.NormalizeCountry(n.Country)
	if err != nil {
		return licensing.Office{}, err
	}
	if n.PriceLevel == "" {
		n.PriceLevel = "standard"
	}
	office := licensing.Office{ID: newID("off_"), CompanyID: n.CompanyID, Name: n.Name, Country: country, PriceLevel: n.PriceLevel}
	return office, office.Validate()
}

// CreateOffice creates an office of a company.
type CreateOffice struct{ NewOffice }

// Spec implements Operation.
func (CreateOffice) Spec() OpSpec { return specCreateOffice }

func (x CreateOffice) prepare(context.Context, *Service) (step[Office], error) {
	if err := checkID(specCreateOffice.Name, "company id", x.CompanyID); err != nil {
		return nil, err
	}
	office, err := newOffice(x.NewOffice)
	if err != nil {
		return nil, err
	}
	return func(o *op) (Office, error) {
		c, err := o.loadCompany(x.CompanyID)
		if err != nil {
			return Office{}, err
		}
		if err := o.authorize(access.Target{CompanyID: c.ID}); err != nil {
			return Office{}, err
		}
		return office, o.insertOffice(office)
	}, nil
}

// CreateOffice creates an office of a company. See [CreateOffice].
func (s *Service) CreateOffice(ctx context.Context, actor Actor, n NewOffice) (Office, error) {
	return Do(ctx, s, actor, CreateOffice{n})
}

// GetOffice reads an office.
type GetOffice struct{ OfficeID string }

// Spec implements Operation.
func (GetOffice) Spec() OpSpec { return specGetOffice }

func (x GetOffice) prepare(context.Context, *Service) (step[Office], error) {
	return func(o *op) (Office, error) {
		off, err := o.loadOffice(x.OfficeID)
		if err != nil {
			return Office{}, err
		}
		return off, o.authorizeOffice(off)
	}, nil
}

// GetOffice returns an office.
func (s *Service) GetOffice(ctx context.Context, actor Actor, id string) (Office, error) {
	return Do(ctx, s, actor, GetOffice{OfficeID: id})
}

// ListOffices lists a company's offices.
type ListOffices struct{ CompanyID string }

// Spec implements Operation.
func (ListOffices) Spec() OpSpec { return specListOffices }

func (x ListOffices) prepare(context.Context, *Service) (step[[]Office], error) {
	return func(o *op) ([]Office, error) {
		c, err := o.loadCompany(x.CompanyID)
		if err != nil {
			return nil, err
		}
		if err := o.authorize(access.Target{CompanyID: c.ID}); err != nil {
			return nil, err
		}
		return o.tx.ListOffices(o.ctx, c.ID)
	}, nil
}

// ListOffices returns a company's offices.
func (s *Service) ListOffices(ctx context.Context, actor Actor, companyID string) ([]Office, error) {
	return Do(ctx, s, actor, ListOffices{CompanyID: companyID})
}
