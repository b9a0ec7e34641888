// Package specdiff compares two resolved specs: which key instances were
// added or removed, which of their properties changed, and who gained or
// lost which KMS actions, under which conditions, as the policy evaluator
// decides it. It builds the model of changes; internal/report formats it.
package specdiff

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/par"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/schema"
)

// Side is one spec of the comparison: its model and its built policies.
type Side struct {
	Name     string // how the user named it: a directory or git:REF[:DIR]
	Model    *model.Model
	Policies []*policy.KeyPolicy
}

// Change kinds of a key instance.
const (
	Added   = "added"
	Removed = "removed"
	Changed = "changed"
)

// Report is everything that changed between two specs.
type Report struct {
	Base, Head string
	Keys       []*KeyChange
	// Monthly cost of all keys before and after.
	MonthlyBefore, MonthlyAfter float64
}

// Replaced counts the changed keys that AWS replaces.
func (r *Report) Replaced() int {
	n := 0
	for _, k := range r.Keys {
		if len(k.Replaces) > 0 {
			n++
		}
	}
	return n
}

// Counts returns the number of keys added, removed and changed.
func (r *Report) Counts() (added, removed, changed int) {
	for _, k := range r.Keys {
		switch k.Change {
		case Added:
			added++
		case Removed:
			removed++
		default:
			changed++
		}
	}
	return
}

// Empty reports whether nothing changed.
func (r *Report) Empty() bool { return len(r.Keys) == 0 }

// KeyChange is what happened to one key instance.
type KeyChange struct {
	Application, Stage, Key string
	Alias                   string
	Change                  string
	// Replaces says why a changed key cannot be changed in place: AWS
	// creates a new key, and the old one, with the data it protects,
	// is left to be deleted.
	Replaces      []string
	Properties    []PropertyChange
	Access        []AccessChange
	MonthlyBefore float64
	MonthlyAfter  float64
}

// ID is "app/stage/key" (or "app/key" for a key shared across stages).
func (k *KeyChange) ID() string {
	if k.Stage == "" {
		return k.Application + "/" + k.Key
	}
	return k.Application + "/" + k.Stage + "/" + k.Key
}

// PropertyChange is one key property before and after; "" means unset.
type PropertyChange struct {
	Name   string `json:"name"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// AccessChange is what one principal gained and lost on a key.
type AccessChange struct {
	Principal string
	Gained    []Grant
	Lost      []Grant
}

// Grant is a set of actions allowed under the same set of conditions.
type Grant struct {
	Actions []string
	// Where lists the request conditions under which the actions are
	// allowed (after a gain) or were allowed (before a loss), e.g.
	// "via s3.us-east-1.amazonaws.com with encryption context app=shop".
	Where []string
}

// Compare computes the report. Keys are matched by application, stage and
// key name.
func Compare(base, head *Side) *Report {
	r := &Report{Base: base.Name, Head: head.Name, MonthlyBefore: base.Model.Totals.MonthlyUSD, MonthlyAfter: head.Model.Totals.MonthlyUSD}
	old := index(base)
	cur := index(head)
	ids := sortedKeys(old, cur)
	// Each key is compared on its own, on every CPU: asking the evaluator
	// about every principal, action and path is the work of a diff.
	changes := make([]*KeyChange, len(ids))
	par.Each(len(ids), func(i int) {
		o, n := old[ids[i]], cur[ids[i]]
		var kc *KeyChange
		switch {
		case o == nil:
			kc = keyChange(n, Added, nil, n)
		case n == nil:
			kc = keyChange(o, Removed, o, nil)
		default:
			kc = keyChange(n, Changed, o, n)
			kc.Properties = properties(o.Instance, n.Instance)
			kc.Replaces = replacements(o.Instance, n.Instance)
		}
		kc.Access = access(base.Model.Organization, head.Model.Organization, o, n)
		if kc.Change != Changed || len(kc.Properties) > 0 || len(kc.Access) > 0 {
			changes[i] = kc
		}
	})
	for _, kc := range changes {
		if kc != nil {
			r.Keys = append(r.Keys, kc)
		}
	}
	return r
}

func index(s *Side) map[string]*policy.KeyPolicy {
	out := map[string]*policy.KeyPolicy{}
	for _, kp := range s.Policies {
		out[kp.Instance.ID()] = kp
	}
	return out
}

func sortedKeys(a, b map[string]*policy.KeyPolicy) []string {
	ids := slices.Collect(maps.Keys(a))
	for id := range b {
		if _, ok := a[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func keyChange(kp *policy.KeyPolicy, change string, o, n *policy.KeyPolicy) *KeyChange {
	ki := kp.Instance
	kc := &KeyChange{Application: ki.App.Name, Stage: ki.StageName(), Key: ki.Key.Name, Alias: ki.Alias, Change: change}
	if o != nil {
		kc.MonthlyBefore = o.Instance.MonthlyUSD
	}
	if n != nil {
		kc.MonthlyAfter = n.Instance.MonthlyUSD
	}
	return kc
}

// replacements lists why a changed key instance is, to AWS, another key:
// one in another account or region, or one whose spec, usage, origin or
// multi-Region setting differs, which KMS cannot change after creation.
func replacements(o, n *model.KeyInstance) []string {
	var out []string
	if o.Account.ID != n.Account.ID {
		out = append(out, fmt.Sprintf("it moves from account %s to %s", o.Account.ID, n.Account.ID))
	}
	if o.Region != n.Region {
		out = append(out, fmt.Sprintf("its primary region moves from %s to %s", o.Region, n.Region))
	}
	ok, nk := o.Key, n.Key
	if ok.MultiRegion() != nk.MultiRegion() {
		out = append(out, "a key cannot become multi-Region, or stop being one, once created")
	}
	for _, p := range []struct{ name, before, after string }{{"spec", ok.Spec, nk.Spec}, {"usage", ok.Usage, nk.Usage}, {"origin", ok.Origin, nk.Origin}} {
		if p.before != p.after {
			out = append(out, fmt.Sprintf("KMS cannot change a key's %s (%s → %s)", p.name, p.before, p.after))
		}
	}
	return out
}

// properties lists what changed in the key's own settings.
func properties(o, n *model.KeyInstance) []PropertyChange {
	var out []PropertyChange
	add := func(name, before, after string) {
		if before != after {
			out = append(out, PropertyChange{name, before, after})
		}
	}
	ok, nk := o.Key, n.Key
	add("account", o.Account.ID, n.Account.ID)
	add("alias", o.Alias, n.Alias)
	add("regions", strings.Join(ok.Regions, ", "), strings.Join(nk.Regions, ", "))
	add("spec", ok.Spec, nk.Spec)
	add("usage", ok.Usage, nk.Usage)
	add("origin", ok.Origin, nk.Origin)
	add("rotation_days", strconv.Itoa(ok.RotationDays), strconv.Itoa(nk.RotationDays))
	add("deletion_window_days", strconv.Itoa(ok.DeletionWindowDays), strconv.Itoa(nk.DeletionWindowDays))
	add("description", ok.Description, nk.Description)
	add("iam_delegation", strconv.FormatBool(ok.IAMDelegation), strconv.FormatBool(nk.IAMDelegation))
	add("encryption_context", kvs(ok.EncryptionContext), kvs(nk.EncryptionContext))
	add("tags", kvs(ok.Tags), kvs(nk.Tags))
	add("protects", dataNames(ok), dataNames(nk))
	return out
}

func kvs(list []schema.KV) string {
	var parts []string
	for _, kv := range list {
		parts = append(parts, kv.Key+"="+kv.Value)
	}
	return strings.Join(parts, ", ")
}

func dataNames(k *model.Key) string {
	var names []string
	for _, d := range k.Protects {
		names = append(names, d.Name)
	}
	return strings.Join(names, ", ")
}

// caller is a principal as the diff asks about it.
type caller struct {
	name    string // how the report names it
	arn     string // the principal the evaluator sees
	account string
	service *model.ServicePrincipal
	region  string // for a regional service principal
}

// Anywhere stands for "under every condition the diff tried": the action is
// not limited by service, context or path.
const Anywhere = "under any conditions"

// access compares who may do what on a key before and after. Requests are
// derived from both versions: every principal either names, every KMS
// action, through every service path either allows (and directly), with and
// without the encryption context either requires.
func access(oldOrg, newOrg *model.Organization, o, n *policy.KeyPolicy) []AccessChange {
	if o != nil && n != nil && bytes.Equal(o.JSON(), n.JSON()) {
		return nil
	}
	partition := newOrg.Partition
	callers := map[string]caller{}
	var vias []string
	ctxKeys := map[string]string{}
	var orgIDs []string
	for _, side := range []struct {
		org *model.Organization
		kp  *policy.KeyPolicy
	}{{oldOrg, o}, {newOrg, n}} {
		if side.kp == nil {
			continue
		}
		ki := side.kp.Instance
		for _, ps := range [][]model.Principal{ki.PolicyAdministrators, ki.Operators, ki.Users} {
			for _, p := range ps {
				for _, c := range callersOf(p, ki, partition) {
					callers[c.name] = c
				}
			}
		}
		for _, s := range ki.Services {
			for _, r := range append([]string{ki.Region}, ki.ReplicaRegions...) {
				if v := s.ViaServiceValue(r, partition); !slices.Contains(vias, v) {
					vias = append(vias, v)
				}
			}
		}
		for _, kv := range ki.Key.EncryptionContext {
			ctxKeys[policy.EncryptionContext+kv.Key] = kv.Value
		}
		if side.org.OrgID != "" && !slices.Contains(orgIDs, side.org.OrgID) {
			orgIDs = append(orgIDs, side.org.OrgID)
		}
	}
	slices.Sort(vias)
	type variant struct {
		label string
		ctx   map[string][]string
	}
	// The request shapes tried for IAM principals: each path, with and
	// without the encryption context.
	var variants []variant
	for _, path := range append([]string{""}, vias...) {
		for _, withCtx := range contextVariants(ctxKeys) {
			ctx := map[string][]string{}
			label := "directly"
			if path != "" {
				ctx[policy.ViaService] = []string{path}
				label = "via " + path
			}
			if withCtx && len(ctxKeys) > 0 {
				for k, v := range ctxKeys {
					ctx[k] = []string{v}
				}
				label += " with encryption context " + contextLabel(ctxKeys)
			} else if len(ctxKeys) > 0 {
				label += " without encryption context"
			}
			variants = append(variants, variant{label, ctx})
		}
	}
	var out []AccessChange
	for _, name := range slices.Sorted(maps.Keys(callers)) {
		c := callers[name]
		before, after := map[string][]string{}, map[string][]string{}
		for _, action := range policy.KMSActions {
			for _, v := range variants {
				ctx := maps.Clone(v.ctx)
				label := v.label
				if c.service != nil {
					ctx, label = serviceContext(c, partition), "as an AWS service"
				}
				if len(orgIDs) > 0 {
					ctx[policy.PrincipalOrgID] = []string{orgIDs[0]}
				}
				if c.account != "" && c.service == nil {
					ctx[policy.CallerAccount] = []string{c.account}
				}
				if action == "kms:CreateGrant" || action == "kms:ListGrants" || action == "kms:RevokeGrant" {
					ctx[policy.GrantIsForAWSResource] = []string{"true"}
					if c.service == nil {
						label += ", grants for AWS resources only"
					}
				}
				req := policy.Request{Principal: c.arn, Action: action, Context: ctx}
				if o != nil && policy.Evaluate(o.Document, req) == policy.Allowed && !slices.Contains(before[action], label) {
					before[action] = append(before[action], label)
				}
				if n != nil && policy.Evaluate(n.Document, req) == policy.Allowed && !slices.Contains(after[action], label) {
					after[action] = append(after[action], label)
				}
			}
		}
		all := len(variants)
		if c.service != nil {
			all = 1
		}
		ac := AccessChange{
			Principal: name,
			Gained:    group(after, before, all),
			Lost:      group(before, after, all),
		}
		if len(ac.Gained) > 0 || len(ac.Lost) > 0 {
			out = append(out, ac)
		}
	}
	return out
}

func contextVariants(ctx map[string]string) []bool {
	if len(ctx) == 0 {
		return []bool{true}
	}
	return []bool{true, false}
}

func contextLabel(ctx map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(ctx)) {
		parts = append(parts, strings.TrimPrefix(k, policy.EncryptionContext)+"="+ctx[k])
	}
	return strings.Join(parts, ",")
}

// callersOf turns a principal of a key instance into the callers that
// represent it.
func callersOf(p model.Principal, ki *model.KeyInstance, partition string) []caller {
	switch p.Kind {
	case model.AWSService:
		var out []caller
		for _, r := range append([]string{ki.Region}, ki.ReplicaRegions...) {
			host := p.Ref.Service.Principal(r, partition)
			out = append(out, caller{name: host + " for account " + p.Account, arn: host, account: p.Account, service: p.Ref.Service, region: r})
		}
		return out
	case model.IdentityCenter:
		return []caller{{name: p.ARN, arn: policy.CallerARN(p), account: p.Account}}
	}
	return []caller{{name: p.ARN, arn: p.ARN, account: p.Account}}
}

// serviceContext is the context a service principal sends: its source
// account and the encryption context that names a resource of that account.
func serviceContext(c caller, partition string) map[string][]string {
	ctx := map[string][]string{policy.SourceAccount: {c.account}}
	if sp := c.service; sp.ContextKey != "" {
		arn := fmt.Sprintf(sp.ContextARN, partition, c.region, c.account)
		ctx[sp.ContextKey] = []string{strings.ReplaceAll(arn, "*", "resource")}
	}
	return ctx
}

// group collects the actions allowed in a under conditions b did not allow
// them, grouping actions whose conditions are the same. Conditions that
// cover every request shape tried become Anywhere.
func group(a, b map[string][]string, all int) []Grant {
	groups := map[string]*Grant{}
	var order []string
	for _, action := range policy.KMSActions {
		where := minus(a[action], b[action])
		if len(where) == 0 {
			continue
		}
		if len(where) == all && len(b[action]) == 0 {
			where = []string{Anywhere}
		}
		slices.Sort(where)
		key := strings.Join(where, "|")
		g, ok := groups[key]
		if !ok {
			g = &Grant{Where: where}
			groups[key] = g
			order = append(order, key)
		}
		g.Actions = append(g.Actions, action)
	}
	var out []Grant
	for _, k := range order {
		out = append(out, *groups[k])
	}
	slices.SortStableFunc(out, func(a, b Grant) int { return cmp.Compare(a.Actions[0], b.Actions[0]) })
	return out
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
