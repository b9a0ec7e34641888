package rules

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp207.md
var kp207Doc string

// productionWords are the words of a stage's name that say production:
// the names that make a stage production by default.
var productionWords = []string{"prod", "production", "prd", "live"}

// notProduction are the words that, before a production word, make the
// name say the opposite: pre-prod, non-prod, not-live.
var notProduction = []string{"pre", "non", "not"}

// KP207 warns about a stage whose name says production but which is not.
var KP207 = &lint.Rule{
	ID:        "KP207",
	Name:      "stage-named-like-production",
	Principle: "P2",
	Severity:  diag.Warning,
	Summary:   "a stage named like production (prod-eu, live-2) is not production and does not set production",
	Doc:       kp207Doc,
	Check: func(p *lint.Pass) {
		for _, app := range p.Model.Applications {
			for _, st := range app.Stages {
				if st.Production || st.Source.Production != nil {
					continue
				}
				// A word that says production, unless the word before
				// says the opposite (pre-prod, non-prod, not-live).
				word := ""
				words := strings.Split(st.Name, "-")
				for i, w := range words {
					if word == "" && slices.Contains(productionWords, w) && (i == 0 || !slices.Contains(notProduction, words[i-1])) {
						word = w
					}
				}
				if word == "" {
					continue
				}
				p.Report(st.Source.NameRange, "Stage named like production is not production",
					"Stage %q of application %q has %q in its name, but only stages named prod, production, prd or live are production unless they say otherwise, so its keys get none of production's safeguards: no principal of a non-production account is refused on them (KP205), a short deletion window passes (KP503), and the Terraform keys have no prevent_destroy. Set production = true if it is production, or production = false to say it is not.",
					st.Name, app.Name, word)
			}
		}
	},
}
