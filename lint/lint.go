// Package lint is kpgen's rule engine: rules are values in one registry
// (package lint/rules), each checks the resolved model and the built key
// policies, and findings can be silenced with lint_ignore on the block at
// fault or a block around it.
package lint

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/par"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/schema"
)

// Rule is one lint rule. Rules are values, listed in one registry sorted by
// ID; their documentation is embedded beside their code.
type Rule struct {
	ID        string
	Name      string // kebab-case, e.g. "classification-mix"
	Principle string // "P1".."P4", or the group: "Key types", "Cost", "Strategy", "Policy hygiene"
	Severity  diag.Severity
	Summary   string // one line: when the rule fires
	Doc       string // markdown: Why, Bad, Good, How to fix
	// Check inspects the model and the generated policies.
	Check func(*Pass)
	// Policy, when set, inspects one key policy document; the rule then
	// also runs on hand-written policies (kpgen lint-policy).
	Policy func(*PolicyPass)
	// Absolute rules guard what the spec language states without
	// exception, or what AWS itself would refuse: lint_ignore cannot
	// silence them, so build never writes what they report.
	Absolute bool
}

// Pass is what a rule's Check sees, and how it reports.
type Pass struct {
	Model    *model.Model
	Policies []*policy.KeyPolicy
	rule     *Rule
	diags    diag.Diagnostics
}

// Report records a finding of the rule at rng. Detail says how to fix it.
func (p *Pass) Report(rng hcl.Range, summary, detail string, args ...any) {
	d := diag.New(p.rule.Severity, rng, summary, fmt.Sprintf(detail, args...))
	d.Rule = p.rule.ID
	p.diags = append(p.diags, d)
}

// PolicyPass is what a rule's Policy check sees: one policy document.
type PolicyPass struct {
	Document *policy.Document
	// Size is the document's size in bytes as AWS counts it: the compact
	// JSON that templates submit, or a hand-written file as it is.
	Size int
	// Instance is the key instance the policy was generated for; nil for
	// a hand-written policy.
	Instance *model.KeyInstance
	report   func(stmt int, field, summary, detail string)
}

// Report records a finding in statement stmt (-1 for the whole document)
// at field ("Principal", "Action", …; "" for the statement itself).
func (p *PolicyPass) Report(stmt int, field, summary, detail string, args ...any) {
	p.report(stmt, field, summary, fmt.Sprintf(detail, args...))
}

// Locator finds the range of a statement's field in a policy file.
type Locator func(stmt int, field string) hcl.Range

// Run runs every rule over a model and its policies and applies the spec's
// suppressions. The diagnostics come back sorted.
func Run(m *model.Model, pols []*policy.KeyPolicy, rules []*Rule) diag.Diagnostics {
	// Rules are independent and only read the model: they run on every
	// CPU, each collecting its own findings.
	found := make([]diag.Diagnostics, len(rules))
	par.Each(len(rules), func(i int) {
		r := rules[i]
		if r.Check != nil {
			p := &Pass{Model: m, Policies: pols, rule: r}
			r.Check(p)
			found[i] = append(found[i], p.diags...)
		}
		if r.Policy != nil {
			for _, kp := range pols {
				rng := kp.Instance.Key.Range()
				found[i] = append(found[i], RunPolicy(r, kp.Document, kp.Size, kp.Instance, func(int, string) hcl.Range { return rng })...)
			}
		}
	})
	var all diag.Diagnostics
	for _, ds := range found {
		all = append(all, ds...)
	}
	all = suppress(m.Spec, all, rules)
	all.Sort()
	return all
}

// Check runs one rule's Check on the model, without lint_ignore, which
// cannot silence the absolute rules it is for: a command that needs one
// rule's verdict (plan needs KP701's) runs it alone.
func Check(m *model.Model, r *Rule) diag.Diagnostics {
	if r.Check == nil {
		return nil
	}
	p := &Pass{Model: m, rule: r}
	r.Check(p)
	p.diags.Sort()
	return p.diags
}

// RunPolicy runs one rule's Policy check on a document; locate gives the
// range of what the rule reports.
func RunPolicy(r *Rule, doc *policy.Document, size int, ki *model.KeyInstance, locate Locator) diag.Diagnostics {
	var ds diag.Diagnostics
	pp := &PolicyPass{Document: doc, Size: size, Instance: ki}
	pp.report = func(stmt int, field, summary, detail string) {
		if ki != nil {
			where := "the key policy"
			if stmt >= 0 && stmt < len(doc.Statement) {
				where = fmt.Sprintf("statement %s of the key policy", doc.Statement[stmt].Sid)
			}
			detail = fmt.Sprintf("In %s of %s: %s", where, ki.ID(), detail)
		}
		d := diag.New(r.Severity, locate(stmt, field), summary, detail)
		d.Rule = r.ID
		ds = append(ds, d)
	}
	r.Policy(pp)
	return ds
}

type suppression struct {
	schema.Suppression
	scope hcl.Range
	used  bool
}

// suppress drops findings silenced by lint_ignore, and reports suppressions
// that name no rule or silenced nothing.
func suppress(spec *schema.Spec, ds diag.Diagnostics, rules []*Rule) diag.Diagnostics {
	known := map[string]*Rule{}
	var ids []string
	for _, r := range rules {
		known[r.ID] = r
		ids = append(ids, r.ID)
	}
	var sups []*suppression
	var out diag.Diagnostics
	for _, b := range blocks(spec) {
		for _, s := range b.LintIgnore {
			r := known[s.Rule]
			if r == nil {
				detail := fmt.Sprintf("lint_ignore names %s, which is not a kpgen rule (kpgen rules lists them).", s.Rule)
				if sug := schema.DidYouMean(s.Rule, ids); sug != "" {
					detail += fmt.Sprintf(" Did you mean %s?", sug)
				}
				out = append(out, diag.New(diag.Error, s.Range, "Unknown rule in lint_ignore", detail))
				continue
			}
			if r.Absolute {
				out = append(out, diag.New(diag.Error, s.Range, "Rule cannot be silenced",
					fmt.Sprintf("lint_ignore cannot silence %s (%s): it guards a rule the spec language states without exception, or a policy AWS would refuse, so kpgen never writes what it reports. Remove this entry and fix the spec as the finding says.", r.ID, r.Summary)))
				continue
			}
			sups = append(sups, &suppression{Suppression: s, scope: b.Range})
		}
	}
	for _, d := range ds {
		if d.Rule != "" && d.Subject != nil && silenced(sups, d) {
			continue
		}
		out = append(out, d)
	}
	for _, s := range sups {
		if !s.used {
			out = append(out, diag.New(diag.Warning, s.Range, "Unused lint_ignore",
				fmt.Sprintf("Nothing here breaks %s any more, so this suppression silences nothing. Remove it, so that a future finding is not hidden.", s.Rule)))
		}
	}
	return out
}

func silenced(sups []*suppression, d *diag.Diagnostic) bool {
	hit := false
	for _, s := range sups {
		if s.Rule == d.Rule && within(*d.Subject, s.scope) {
			s.used = true
			hit = true
		}
	}
	return hit
}

func within(r, scope hcl.Range) bool {
	return r.Filename == scope.Filename && !before(r.Start, scope.Start) && !before(scope.End, r.End)
}

func before(a, b hcl.Pos) bool {
	return a.Line < b.Line || (a.Line == b.Line && a.Column < b.Column)
}

// blocks lists every block of the spec that may carry lint_ignore.
func blocks(spec *schema.Spec) []*schema.Block {
	out := []*schema.Block{&spec.Header, &spec.Organization.Block}
	if spec.Organization.Budget != nil {
		out = append(out, &spec.Organization.Budget.Block)
	}
	for _, a := range spec.Accounts {
		out = append(out, &a.Block)
	}
	for _, c := range spec.Classifications {
		out = append(out, &c.Block)
	}
	for _, t := range spec.Teams {
		out = append(out, &t.Block)
	}
	for _, app := range spec.Applications {
		out = append(out, &app.Block)
		for _, s := range app.Stages {
			out = append(out, &s.Block)
		}
		for _, d := range app.Data {
			out = append(out, &d.Block)
		}
		for _, k := range app.Keys {
			out = append(out, &k.Block)
		}
	}
	return out
}
