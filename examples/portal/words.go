package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// actionWords are the library's operation names and outbox event kinds as
// an administrator reads them. A name missing here is still written in
// words by opWords; the map holds the ones whose words differ from the
// name's.
var actionWords = map[string]string{
	"audit.list":                     "Read the audit trail",
	"changeset.stage":                "Stage a change set",
	"changeset.confirm":              "Confirm a change set",
	"changeset.discard":              "Discard a change set",
	"company.bootstrap":              "Set up the company",
	"company.create":                 "Create the company",
	"company.set-tier":               "Change the company's plan",
	"office.create":                  "Create an office",
	"user.delete":                    "Delete",
	"user.restore":                   "Restore",
	"user.erase":                     "Erase for good",
	"user.anonymize":                 "Anonymize",
	"recording.purge":                "Delete expired recordings",
	"user.export":                    "Export the user's data",
	"user.export-request":            "Request a data export",
	"license.set-pool-total":         "Change the number of licenses",
	"license.assign":                 "Give a license",
	"license.remove":                 "Take a license back",
	"license.transfer":               "Move licenses between offices",
	"number.add":                     "Add numbers",
	"number.assign":                  "Assign a number",
	"number.assign-to-user":          "Give a number",
	"number.unassign":                "Move a number to the reserved pool",
	"number.release":                 "Release a number to the carrier",
	"recording.set-plan":             "Change the recording plan",
	"recording.set-retention":        "Change how long recordings are kept",
	"recording.register":             "Record a call",
	"recording.place-hold":           "Place a legal hold",
	"recording.release-hold":         "Release a legal hold",
	"user.offboard":                  "Off-board",
	"account.resync":                 "Re-sync with the carrier",
	"user.transfer":                  "Move to another office",
	"user.create":                    "Create",
	"user.invite":                    "Invite",
	"user.create-empty":              "Create an empty extension",
	"user.update":                    "Edit details",
	"user.set-password":              "Set the password",
	"user.force-password-reset":      "Force a password reset",
	"user.set-voicemail-pin":         "Set the voicemail PIN",
	"user.set-devices":               "Change devices",
	"user.set-settings":              "Change settings",
	"user.reset":                     "Reset",
	"user.recycle":                   "Recycle for a new person",
	"user.suspend":                   "Suspend",
	"user.reinstate":                 "Reinstate",
	"user.grant-role":                "Change the role",
	"user.set-analytics":             "Change analytics access",
	"user.set-proxy-access":          "Change proxy access",
	"user.send-welcome-email":        "Send the welcome email",
	"user.reset-recycle":             "Reset and recycle",
	lifeline.EventDeleteAudio:        "Delete the recordings' audio",
	lifeline.EventNumberReleased:     "Tell the carrier a number is released",
	lifeline.EventWelcomeEmail:       "Send the welcome email",
	lifeline.EventInvitationEmail:    "Send the invitation email",
	lifeline.EventPasswordResetEmail: "Send the password reset email",
	lifeline.EventUserAnonymized:     "Tell connected systems the person's data is gone",
}

// opWords writes an operation name or event kind in words: from
// actionWords, or else from the name itself ("user.set-devices" reads
// "Set devices"), so that no page ever shows the name.
func opWords(name string) string {
	if w, ok := actionWords[name]; ok {
		return w
	}
	_, verb, _ := strings.Cut(name, ".")
	if verb == "" {
		verb = name
	}
	verb = strings.NewReplacer("-", " ", "_", " ").Replace(verb)
	if verb == "" {
		return "Other change"
	}
	return strings.ToUpper(verb[:1]) + verb[1:]
}

// stateWords writes a state an audit record stored, a user's or a
// number's, as people read it: "password_required" reads "Password
// Required", a number's "reserved" stays as it is.
func stateWords(s string) string {
	if st := lifecycle.State(s); st.Valid() {
		return st.String()
	}
	return strings.ReplaceAll(s, "_", " ")
}

// kindWords says what sort of user u is, and whether it is billed.
func kindWords(u lifeline.User) string {
	who := "A person of the company"
	if u.Kind == lifecycle.External {
		who = "Someone outside the company"
	}
	if u.Billing == lifecycle.Paid {
		return who + ", on a paid seat"
	}
	return who + ", free of charge"
}

// duration writes d in words, in its two largest units: "11 minutes",
// "1 hour 5 minutes", "3 days 2 hours", "40 seconds".
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	if d <= 0 {
		return "0 seconds"
	}
	units := []struct {
		n    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}}
	var parts []string
	for _, u := range units {
		if n := int(d / u.n); n > 0 || len(parts) > 0 {
			d -= time.Duration(n) * u.n
			if n > 0 {
				parts = append(parts, plural(n, u.name))
			}
			if len(parts) == 2 || (len(parts) == 1 && n == 0) {
				break
			}
		}
	}
	return strings.Join(parts, " ")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// effectsView is a preview's effects as an administrator reads them:
// people by name, changes in words.
type effectsView struct {
	Users, Numbers, Licenses, Recordings, Messages []string
}

// effectsWords writes eff in words, naming people as actor may see them.
func (p *portal) effectsWords(ctx context.Context, actor lifeline.Actor, eff lifeline.Effects) effectsView {
	names := p.namer(ctx, actor)
	var v effectsView
	for _, u := range eff.Users {
		from := "new"
		if u.From != "" {
			from = u.From.String()
		}
		v.Users = append(v.Users, fmt.Sprintf("%s: %s (%s → %s)", names(u.UserID), opWords(u.Action), from, u.To.String()))
	}
	for _, n := range eff.Numbers {
		line := fmt.Sprintf("%s: %s → %s", formatNumber(n.E164, ""), n.From, n.To)
		if n.ToHolder != "" {
			line += ", to " + names(n.ToHolder)
		} else if n.FromHolder != "" {
			line += ", from " + names(n.FromHolder)
		}
		v.Numbers = append(v.Numbers, line)
	}
	for _, l := range eff.Licenses {
		verb := "takes"
		if l.Freed {
			verb = "gives back"
		}
		v.Licenses = append(v.Licenses, fmt.Sprintf("%s %s a %s license", names(l.UserID), verb, l.Type))
	}
	deleted := map[string]int{}
	var owners []string
	for _, r := range eff.Recordings {
		if r.Deleted {
			if deleted[r.UserID] == 0 {
				owners = append(owners, r.UserID)
			}
			deleted[r.UserID]++
			continue
		}
		v.Recordings = append(v.Recordings, fmt.Sprintf("%s: recording %s, %s", names(r.UserID), onOff(r.To.Recording), billed(r.To.Billed)))
	}
	for _, o := range owners {
		v.Recordings = append(v.Recordings, fmt.Sprintf("%s: %s deleted", names(o), plural(deleted[o], "recorded call")))
	}
	kinds := map[string]int{}
	var order []string
	for _, e := range eff.Events {
		if kinds[e.Kind] == 0 {
			order = append(order, e.Kind)
		}
		kinds[e.Kind]++
	}
	for _, k := range order {
		line := opWords(k)
		if kinds[k] > 1 {
			line += fmt.Sprintf(" (%d times)", kinds[k])
		}
		v.Messages = append(v.Messages, line)
	}
	return v
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func billed(b bool) string {
	if b {
		return "billed"
	}
	return "not billed"
}

var (
	detailIDRE   = regexp.MustCompile(`\b(usr|off|cmp|rec|chg|evt|hld|lease)_[0-9a-f]{6,}`)
	detailDurRE  = regexp.MustCompile(`\b\d+h\d+m\d+(\.\d+)?s\b|\b\d+m\d+(\.\d+)?s\b`)
	detailNameRE = regexp.MustCompile(`\b[a-z]+\.[a-z-]+\b`)
	detailRoleRE = regexp.MustCompile(`\b(company_admin|office_admin|office_manager)\b`)
	// detailFlags are the key=value pairs of a recording plan's detail.
	detailFlags = strings.NewReplacer("recording=true", "recording on,", "recording=false", "recording off,",
		"billed=true", "billed,", "billed=false", "not billed,", "retention=", "kept for ", " -> ", " → ")
)

// detailWords rewrites an audit record's detail, which the library keeps
// for developers, so a person can read it: users and offices by name,
// other ids as what they are, durations and operation names in words.
func (p *portal) detailWords(names func(string) string, offices map[string]string, detail string) string {
	detail = detailIDRE.ReplaceAllStringFunc(detail, func(id string) string {
		switch prefix, _, _ := strings.Cut(id, "_"); prefix {
		case "usr":
			return names(id)
		case "off":
			if n, ok := offices[id]; ok {
				return n
			}
			return "another office"
		case "rec":
			return "a recording"
		case "chg":
			return "a change set"
		case "hld":
			return "a legal hold"
		case "cmp":
			return "the company"
		}
		return "an item"
	})
	detail = detailDurRE.ReplaceAllStringFunc(detail, func(s string) string {
		if d, err := time.ParseDuration(s); err == nil {
			return duration(d)
		}
		return s
	})
	detail = detailFlags.Replace(detail)
	detail = detailRoleRE.ReplaceAllStringFunc(detail, func(s string) string { return roleLabel(access.Role(s)) })
	return detailNameRE.ReplaceAllStringFunc(detail, func(s string) string {
		if w, ok := actionWords[s]; ok {
			return strings.ToLower(w)
		}
		return s
	})
}
