package schema

import (
	"github.com/agext/levenshtein"
)

// DidYouMean returns the candidate closest to given, or "" when none is close
// enough to be the likely intent. Earlier candidates win ties.
func DidYouMean(given string, candidates []string) string {
	best, bestDist := "", 0
	limit := max(3, len(given)/3+1)
	for _, c := range candidates {
		d := levenshtein.Distance(given, c, nil)
		if d < limit && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}
