package schema

import (
	"strings"

	"github.com/agext/levenshtein"
)

// DidYouMean returns the candidate closest to given, or "" when none is close
// enough to be the likely intent. Case does not count: rsa_2048 means
// RSA_2048. Earlier candidates win ties.
func DidYouMean(given string, candidates []string) string {
	best, bestDist := "", 0
	limit := max(3, len(given)/3+1)
	for _, c := range candidates {
		d := levenshtein.Distance(strings.ToLower(given), strings.ToLower(c), nil)
		if d < limit && (best == "" || d < bestDist) {
			best, bestDist = c, d
		}
	}
	return best
}
