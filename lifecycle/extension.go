package lifecycle

import (
	"strconv"
	"strings"

	"github.com/lifeline-go/lifeline/errs"
)

// FirstExtension is the extension the first user of a company gets when
// none is given, and the least one [NextExtension] hands out.
const FirstExtension = "100"

// CompareExtensions orders extensions numerically, as the portal lists
// them: a shorter one first, then by text. For extensions that pass
// [ValidateExtension] (digits without a leading zero) this is the order of
// their numbers. It returns -1, 0 or +1.
func CompareExtensions(a, b string) int {
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// NextExtension returns the extension a new user gets when none is given:
// one more than highest, the company's highest extension (in the order of
// [CompareExtensions]) held by a user who is not anonymized, and
// [FirstExtension] when there is none or one more would be below it. The
// result may be longer than [ValidateExtension] allows, which the caller
// reports. A highest extension that is not a number is a damaged record,
// not bad input: its error is of kind errs.Other.
func NextExtension(highest string) (string, error) {
	if highest == "" {
		return FirstExtension, nil
	}
	n, err := strconv.ParseUint(highest, 10, 63)
	if err != nil {
		return "", errs.Wrap(errs.Other, "lifecycle.NextExtension", err, "the stored extension %q is not a number", errs.Clip(highest))
	}
	return strconv.FormatUint(max(n+1, 100), 10), nil
}
