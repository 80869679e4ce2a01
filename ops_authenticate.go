package lifeline

import (
	"context"
	"strings"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
)

var specAuthenticate = declare("user.authenticate", "", false)

// signInRefused is the message of the one refusal of Authenticate: the same kind and message
// whatever was wrong.
const signInRefused = "the login or the password is wrong, or the account cannot sign in"

// findLogin reads the user a login names in a company, with the hash its
// password is checked against. It runs as a system principal of that
// company: the person signing in is nobody yet.
type findLogin struct {
	CompanyID string
	Login     string
}

func (findLogin) Spec() OpSpec { return specAuthenticate }

func (x findLogin) prepare(context.Context, *Service) (step[lifecycle.User], error) {
	return func(o *op) (lifecycle.User, error) {
		if err := o.authorize(access.Target{CompanyID: x.CompanyID}); err != nil {
			return lifecycle.User{}, err
		}
		if strings.Contains(x.Login, "@") {
			u, err := o.tx.FindUserByEmail(o.ctx, x.CompanyID, lifecycle.NormalizeEmail(x.Login))
			if errs.Is(err, errs.NotFound) || err == nil && !canSignIn(u) {
				return lifecycle.User{}, nil
			}
			return u, err
		}
		users, err := o.tx.FindUsersByUsername(o.ctx, x.CompanyID, x.Login)
		if err != nil {
			return lifecycle.User{}, err
		}
		var found lifecycle.User
		n := 0
		for _, u := range users {
			if canSignIn(u) {
				found, n = u, n+1
			}
		}
		if n != 1 {
			// A username two users share signs neither in: which one
			// was meant cannot be told.
			return lifecycle.User{}, nil
		}
		return found, nil
	}, nil
}

// canSignIn reports whether u may sign in with a password: it must be in a
// state that acts fully and have a password.
func canSignIn(u lifecycle.User) bool {
	return u.State().Agency() == lifecycle.FullAgency && u.PasswordHash != ""
}

// Authenticate signs a person in by what they type: login is the email (in
// any case) or the username (in any case) of a user of company companyID,
// and password its password. It returns that user, for the host to start a
// session for [Actor]{ID: user.ID}.
//
// Emails are unique only within a company, so the host names the company
// (from the sign-in page's address, say). Only an Active user with a
// password signs in; a username that two Active users of the company share
// signs neither in (they use their emails). Every refusal is the same
// errs.Unauthenticated error with the same message, whether the login is
// unknown, the password wrong or the user unable to sign in (Password
// Required, Suspended, gone), and costs the same: an unknown login is
// checked against a dummy hash, as a wrong password is against the real
// one. The check runs after the read, in a slot of the service's hash
// limit ([WithHashConcurrency]); a caller whose context ends while waiting
// gets an errs.Unavailable error. A malformed companyID is errs.Invalid: it
// comes from the host, not from the person. It is no operation value of
// its own: it reads the user in an operation run as a system principal
// ("user.authenticate") and checks the password after that transaction,
// so [Do] cannot run it.
func (s *Service) Authenticate(ctx context.Context, companyID, login, password string) (User, error) {
	const opName = "user.authenticate"
	if err := checkID(opName, "company id", companyID); err != nil {
		return User{}, err
	}
	var u lifecycle.User
	if login != "" && len(login) <= lifecycle.MaxEmailLen {
		var err error
		if u, err = Do(ctx, s, SystemFor("sign-in", companyID), findLogin{CompanyID: companyID, Login: login}); err != nil {
			return User{}, err
		}
	}
	if len(password) > lifecycle.MaxPasswordLen {
		password, u = password[:lifecycle.MaxPasswordLen], lifecycle.User{}
	}
	ok, err := s.verifySecret(ctx, opName, u.PasswordHash, password)
	if err != nil {
		return User{}, err
	}
	if !ok || u.ID == "" {
		return User{}, errs.E(errs.Unauthenticated, opName, signInRefused).
			Say("The login or the password is wrong, or this account cannot sign in.")
	}
	return viewOf(u), nil
}
