// Package rules holds every kpgen lint rule, one file per rule with its
// documentation embedded beside it, and the registry that lists them.
package rules

import (
	"github.com/kpgen/kpgen/lint"
)

// All is the registry: every rule, sorted by ID.
var All = []*lint.Rule{
	KP101, KP102, KP103,
	KP201, KP202, KP203, KP204, KP205, KP206, KP207, KP208,
	KP301, KP302, KP303,
	KP401, KP402, KP403, KP404, KP405, KP406, KP407, KP408,
	KP501, KP502, KP503, KP504, KP505, KP506, KP507, KP508, KP509,
	KP601, KP602, KP603, KP604,
	KP701, KP702, KP703, KP704,
	KP801, KP802, KP803, KP804, KP805, KP806, KP807, KP808, KP809, KP810, KP811, KP812,
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
