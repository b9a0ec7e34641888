// Package rules holds every kpgen lint rule, one file per rule with its
// documentation embedded beside it, and the registry that lists them.
package rules

import (
	"github.com/kpgen/kpgen/lint"
)

// All is the registry: every rule, sorted by ID.
var All = []*lint.Rule{
	KP402,
	KP802,
}

// ByID returns the rule with the given ID, or nil.
func ByID(id string) *lint.Rule {
	for _, r := range All {
		if r.ID == id {
			return r
		}
	}
	return nil
}
