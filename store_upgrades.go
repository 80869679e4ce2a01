package lifeline

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// The store's optional upgrades, each beside its fallback. A Tx that
// implements an upgrade answers in fewer statements (or from an index); a
// Tx without it gets the same answer from the required methods. Both
// stores of this module implement every upgrade, so the fallbacks run for
// a third-party store and for wrappers that embed store.Tx; lifelinetest
// runs its suite over such a wrapper to keep them right.

// getUsers reads the users of ids that exist, by id.
func getUsers(ctx context.Context, tx store.Tx, ids ...string) (map[string]lifecycle.User, error) {
	if r, ok := tx.(store.UserBatchReader); ok {
		return r.GetUsers(ctx, ids...)
	}
	out := make(map[string]lifecycle.User, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		u, err := tx.GetUser(ctx, id)
		if errors.Is(err, errs.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = u
	}
	return out, nil
}

// userLicensePools reads, for each license type a user holds in order, the
// office's pool of that type.
func userLicensePools(ctx context.Context, tx store.Tx, userID, officeID string) ([]licensing.Pool, error) {
	if r, ok := tx.(store.UserPoolReader); ok {
		return r.UserLicensePools(ctx, userID, officeID)
	}
	types, err := tx.UserLicenses(ctx, userID)
	if err != nil {
		return nil, err
	}
	pools := make([]licensing.Pool, 0, len(types))
	for _, t := range types {
		p, err := tx.GetPool(ctx, officeID, t)
		if err != nil {
			return nil, err
		}
		pools = append(pools, p)
	}
	return pools, nil
}

// nextExtension returns the extension a new user of the company gets when
// none is given (lifecycle.NextExtension decides it from the highest).
func nextExtension(ctx context.Context, tx store.Tx, companyID string) (string, error) {
	var highest string
	if r, ok := tx.(store.ExtensionReader); ok {
		var err error
		if highest, err = r.HighestExtension(ctx, companyID); err != nil {
			return "", err
		}
	} else {
		users, err := tx.ListUsers(ctx, store.UserFilter{CompanyID: companyID})
		if err != nil {
			return "", err
		}
		for _, u := range users {
			if u.State() != lifecycle.Anonymized && lifecycle.CompareExtensions(u.Extension, highest) > 0 {
				highest = u.Extension
			}
		}
	}
	return lifecycle.NextExtension(highest)
}

// pageNumbers returns the numbers matching f in E.164 order, those after
// afterE164 only, at most limit (0: no bound).
func pageNumbers(ctx context.Context, tx store.Tx, f store.NumberFilter, afterE164 string, limit int) ([]numbers.Number, error) {
	if r, ok := tx.(store.NumberPager); ok {
		return r.PageNumbers(ctx, f, afterE164, limit)
	}
	list, err := tx.ListNumbers(ctx, f)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b numbers.Number) int { return strings.Compare(a.E164, b.E164) })
	if afterE164 != "" {
		i, _ := slices.BinarySearchFunc(list, afterE164, func(n numbers.Number, e string) int {
			if n.E164 <= e {
				return -1
			}
			return 1
		})
		list = list[i:]
	}
	if limit > 0 && len(list) > limit {
		list = list[:limit]
	}
	return list, nil
}

// searchUsers returns the users matching f in extension order, those after
// f.AfterExtension only, at most f.Limit.
func searchUsers(ctx context.Context, tx store.Tx, f store.UserSearch) ([]lifecycle.User, error) {
	if s, ok := tx.(store.Search); ok {
		return s.SearchUsers(ctx, f)
	}
	list, err := searchFallback(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	// order compares two users as the list is sorted: by extension, or
	// with f.ByName by reversed name key, then extension.
	order := func(aKey, aExt, bKey, bExt string) int {
		if f.ByName {
			if c := strings.Compare(aKey, bKey); c != 0 {
				return c
			}
		}
		return lifecycle.CompareExtensions(aExt, bExt)
	}
	rname := func(u lifecycle.User) string { return text.SearchKey(u.Person.LastName + " " + u.Person.FirstName) }
	out := list[:0]
	for _, u := range list {
		if f.Tab != "" && lifecycle.TabOf(u.State()) != f.Tab {
			continue
		}
		if f.AfterExtension != "" && order(rname(u), u.Extension, f.AfterName, f.AfterExtension) <= 0 {
			continue
		}
		out = append(out, u)
	}
	slices.SortStableFunc(out, func(a, b lifecycle.User) int { return order(rname(a), a.Extension, rname(b), b.Extension) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// countUsersByTab counts the users matching f (Tab, AfterExtension and
// Limit aside) per tab; a tab without users is absent.
func countUsersByTab(ctx context.Context, tx store.Tx, f store.UserSearch) (map[lifecycle.Tab]int, error) {
	if s, ok := tx.(store.Search); ok {
		return s.CountUsersByTab(ctx, f)
	}
	list, err := searchFallback(ctx, tx, f)
	if err != nil {
		return nil, err
	}
	out := map[lifecycle.Tab]int{}
	for _, u := range list {
		out[lifecycle.TabOf(u.State())]++
	}
	return out, nil
}

// searchFallback lists the company's users that are not anonymized and
// match f's filters and text, Tab, AfterExtension and Limit aside, as the
// store.UserSearch contract says: reads the company's users once, and the
// licenses of each candidate when f names a license type.
func searchFallback(ctx context.Context, tx store.Tx, f store.UserSearch) ([]lifecycle.User, error) {
	all, err := tx.ListUsers(ctx, store.UserFilter{CompanyID: f.CompanyID, OfficeIDs: f.OfficeIDs, UserID: f.UserID})
	if err != nil {
		return nil, err
	}
	digits := strings.TrimSpace(f.Text)
	key := text.SearchKey(digits)
	if !allDigits(digits) {
		digits = ""
	}
	var out []lifecycle.User
	for _, u := range all {
		if u.CompanyID != f.CompanyID || u.State() == lifecycle.Anonymized {
			continue
		}
		switch {
		case f.Role == access.Member && u.Role != access.Member && u.Role != "":
			continue
		case f.Role != "" && f.Role != access.Member && u.Role != f.Role:
			continue
		case f.Analytics != nil && u.Analytics != *f.Analytics:
			continue
		case key != "" && !matchesText(u, key, digits):
			continue
		}
		if f.LicenseType != "" {
			types, err := tx.UserLicenses(ctx, u.ID)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(types, f.LicenseType) {
				continue
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// matchesText reports whether u's full name, reversed full name, email or
// username starts with key (folded by text.SearchKey), or, when digits is
// set, its extension starts with digits.
func matchesText(u lifecycle.User, key, digits string) bool {
	for _, k := range []string{
		text.SearchKey(u.Person.FirstName + " " + u.Person.LastName),
		text.SearchKey(u.Person.LastName + " " + u.Person.FirstName),
		text.SearchKey(u.Email),
		text.SearchKey(u.Username),
	} {
		if strings.HasPrefix(k, key) {
			return true
		}
	}
	return digits != "" && strings.HasPrefix(u.Extension, digits)
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
