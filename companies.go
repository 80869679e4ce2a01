package lifeline

import (
	"context"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
)

// CreateCompany creates a company (the account) on a plan tier.
func (s *Service) CreateCompany(ctx context.Context, actor Actor, name string, tier licensing.Tier) (Company, error) {
	c := licensing.Company{ID: newID("cmp_"), Name: name, Tier: tier}
	if err := c.Validate(); err != nil {
		return Company{}, err
	}
	err := s.update(ctx, "lifeline.CreateCompany", actor, func(ctx context.Context, o *op) error {
		if err := o.tx.InsertCompany(ctx, c); err != nil {
			return err
		}
		return o.audit(ctx, store.AuditRecord{CompanyID: c.ID, TargetKind: "company", TargetID: c.ID, Detail: "tier " + string(tier)})
	})
	if err != nil {
		return Company{}, err
	}
	return c, nil
}

// SetCompanyTier changes a company's plan tier.
func (s *Service) SetCompanyTier(ctx context.Context, actor Actor, companyID string, tier licensing.Tier) (Company, error) {
	var c Company
	err := s.update(ctx, "lifeline.SetCompanyTier", actor, func(ctx context.Context, o *op) error {
		var err error
		if c, err = o.tx.GetCompany(ctx, companyID); err != nil {
			return err
		}
		from := c.Tier
		c.Tier = tier
		if err := c.Validate(); err != nil {
			return err
		}
		if err := o.tx.UpdateCompany(ctx, c); err != nil {
			return err
		}
		return o.audit(ctx, store.AuditRecord{CompanyID: c.ID, TargetKind: "company", TargetID: c.ID, Detail: "tier " + string(from) + " -> " + string(tier)})
	})
	return c, err
}

// GetCompany returns a company.
func (s *Service) GetCompany(ctx context.Context, actor Actor, id string) (Company, error) {
	var c Company
	err := s.view(ctx, "lifeline.GetCompany", actor, func(ctx context.Context, o *op) (err error) {
		c, err = o.tx.GetCompany(ctx, id)
		return err
	})
	return c, err
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

// CreateOffice creates an office of a company.
func (s *Service) CreateOffice(ctx context.Context, actor Actor, n NewOffice) (Office, error) {
	const opName = "lifeline.CreateOffice"
	country, err := licensing.NormalizeCountry(n.Country)
	if err != nil {
		return Office{}, err
	}
	if n.PriceLevel == "" {
		n.PriceLevel = "standard"
	}
	office := licensing.Office{ID: newID("off_"), CompanyID: n.CompanyID, Name: n.Name, Country: country, PriceLevel: n.PriceLevel}
	if err := office.Validate(); err != nil {
		return Office{}, err
	}
	err = s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		if _, err := o.tx.GetCompany(ctx, n.CompanyID); err != nil {
			return err
		}
		if err := o.tx.InsertOffice(ctx, office); err != nil {
			return err
		}
		return o.audit(ctx, store.AuditRecord{CompanyID: office.CompanyID, TargetKind: "office", TargetID: office.ID,
			Detail: "country " + office.Country + ", price level " + office.PriceLevel})
	})
	if err != nil {
		return Office{}, err
	}
	return office, nil
}

// GetOffice returns an office.
func (s *Service) GetOffice(ctx context.Context, actor Actor, id string) (Office, error) {
	var off Office
	err := s.view(ctx, "lifeline.GetOffice", actor, func(ctx context.Context, o *op) (err error) {
		off, err = o.tx.GetOffice(ctx, id)
		return err
	})
	return off, err
}

// ListOffices returns a company's offices.
func (s *Service) ListOffices(ctx context.Context, actor Actor, companyID string) ([]Office, error) {
	var list []Office
	err := s.view(ctx, "lifeline.ListOffices", actor, func(ctx context.Context, o *op) (err error) {
		if _, err := o.tx.GetCompany(ctx, companyID); err != nil {
			return err
		}
		list, err = o.tx.ListOffices(ctx, companyID)
		return err
	})
	return list, err
}

func notFoundAs(op string, err error, format string, args ...any) error {
	if errs.Is(err, errs.NotFound) {
		return errs.E(errs.NotFound, op, format, args...)
	}
	return err
}
