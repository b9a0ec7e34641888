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

	"github.com/kpgen/kpgen/generators/cloudformation"
	"github.com/kpgen/kpgen/generators/terraform"
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

// ReplicasRemoved counts the replicas that changed keys no longer have.
func (r *Report) ReplicasRemoved() int {
	n := 0
	for _, k := range r.Keys {
		n += len(k.ReplicasRemoved)
	}
	return n
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
	Replaces []string
	// ReplicasRemoved lists the regions of replicas a key changed in
	// place (Replaces is empty) no longer has: each is a key of its own,
	// which Terraform destroys once its block leaves the configuration.
	ReplicasRemoved []string
	// DataMoves lists, for a removed key, the data it protected that a
	// key of the new spec protects instead: what is encrypted under the
	// removed key can be read only while that key exists.
	DataMoves     []DataMove
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

// DataMove is a data set of a removed key and the key that protects it now.
type DataMove struct {
	Data string `json:"data"`
	To   string `json:"to"` // the key's ID, app/stage/key
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
	modules := map[string]bool{} // the Terraform root modules head writes
	for _, kp := range head.Policies {
		modules[terraform.ModuleDir(kp.Instance)] = true
	}
	ids := sortedKeys(old, cur)
	byApp := map[string][]*model.KeyInstance{}
	for _, kp := range head.Policies {
		byApp[kp.Instance.App.Name] = append(byApp[kp.Instance.App.Name], kp.Instance)
	}
	apps := map[string]*model.Application{}
	for _, app := range head.Model.Applications {
		apps[app.Name] = app
	}
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
			kc.DataMoves = dataMoves(o.Instance, byApp[o.Instance.App.Name], apps[o.Instance.App.Name])
		default:
			kc = keyChange(n, Changed, o, n)
			kc.Properties = properties(base.Model.Organization, head.Model.Organization, o.Instance, n.Instance)
			kc.Replaces = replacements(base.Model.Organization, head.Model.Organization, o.Instance, n.Instance, modules)
			// Of a key changed in place: a replaced key's replicas go
			// the way of the old key.
			if len(kc.Replaces) == 0 {
				for _, r := range o.Instance.ReplicaRegions {
					if !slices.Contains(n.Instance.ReplicaRegions, r) {
						kc.ReplicasRemoved = append(kc.ReplicasRemoved, r)
					}
				}
				slices.Sort(kc.ReplicasRemoved)
			}
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

// dataMoves finds, among the new spec's key instances of its application,
// those that protect the data of removed instance o, for the stages it
// served; and the data of o that an AWS owned or AWS managed key protects
// now ("aws_owned", "aws_managed"). Data sets are matched by name: a
// renamed one is not followed.
func dataMoves(o *model.KeyInstance, head []*model.KeyInstance, app *model.Application) []DataMove {
	serves := func(ki *model.KeyInstance) bool {
		for _, s := range ki.Stages {
			if slices.ContainsFunc(o.Stages, func(t *model.Stage) bool { return t.Name == s.Name }) {
				return true
			}
		}
		return false
	}
	var out []DataMove
	for _, d := range o.Key.Protects {
		for _, ki := range head {
			m := DataMove{Data: d.Name, To: ki.ID()}
			if serves(ki) && slices.ContainsFunc(ki.Key.Protects, func(e *model.Data) bool { return e.Name == d.Name }) && !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
		if app == nil {
			continue
		}
		for _, e := range app.Data {
			if e.Name == d.Name && e.Key == nil {
				out = append(out, DataMove{Data: d.Name, To: e.KeyType.String()})
			}
		}
	}
	return out
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
func replacements(oldOrg, newOrg *model.Organization, o, n *model.KeyInstance, modules map[string]bool) []string {
	var out []string
	if o.Account.ID != n.Account.ID {
		out = append(out, fmt.Sprintf("it moves from account %s to %s", o.Account.ID, n.Account.ID))
	}
	if o.Region != n.Region {
		out = append(out, fmt.Sprintf("its primary region moves from %s to %s", o.Region, n.Region))
	}
	// Where the outputs declare it: another stack or root module makes a
	// new key there, and the old one stays where it was.
	if before, after := cloudformation.StackName(oldOrg, o), cloudformation.StackName(newOrg, n); before != after {
		out = append(out, fmt.Sprintf("CloudFormation declares it in stack %s instead of %s, which creates a new key and keeps the old one", after, before))
	}
	if before, after := terraform.ModuleDir(o), terraform.ModuleDir(n); before != after {
		if modules[before] {
			// The module stays, without the key's block: its plan
			// destroys the key, prevent_destroy or not.
			out = append(out, fmt.Sprintf("Terraform declares it in %s instead of %s, whose plan destroys the old key (its block, and any prevent_destroy, are gone): the new module creates another", after, before))
		} else {
			out = append(out, fmt.Sprintf("Terraform declares it in %s instead of %s, whose state still holds the old key, with no configuration left to plan its destruction: the new module creates another", after, before))
		}
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

// properties lists what changed in the key's own settings, and in the
// organization's that its policy and outputs follow.
func properties(oldOrg, newOrg *model.Organization, o, n *model.KeyInstance) []PropertyChange {
	var out []PropertyChange
	add := func(name, before, after string) {
		if before != after {
			out = append(out, PropertyChange{name, before, after})
		}
	}
	ok, nk := o.Key, n.Key
	add("account", o.Account.ID, n.Account.ID)
	add("org_id", oldOrg.OrgID, newOrg.OrgID)
	add("classification", className(o), className(n))
	add("production", strconv.FormatBool(o.Production()), strconv.FormatBool(n.Production()))
	add("cloudformation_stack", cloudformation.StackName(oldOrg, o), cloudformation.StackName(newOrg, n))
	add("terraform_module", terraform.ModuleDir(o), terraform.ModuleDir(n))
	add("alias", o.Alias, n.Alias)
	// The primary region, then the replicas, whose order changes nothing.
	add("regions", regions(o), regions(n))
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

func regions(ki *model.KeyInstance) string {
	return strings.Join(append([]string{ki.Region}, slices.Sorted(slices.Values(ki.ReplicaRegions))...), ", ")
}

func className(ki *model.KeyInstance) string {
	if ki.Classification == nil {
		return ""
	}
	return ki.Classification.Name
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
	// identity: any role of account whose IAM policy allows the call,
	// which the key policy's delegation to the account root admits.
	identity bool
}

// Anywhere stands for "under every condition the diff tried": the action is
// not limited by service, context or path.
const Anywhere = "under any conditions"

// grantsOnly qualifies the grant operations, which the diff asks about for
// grants for AWS resources only: what it says holds for those, not for
// grants of every kind.
const grantsOnly = ", grants for AWS resources only"

// otherService is the kms:ViaService host the diff tries for "a service
// the key does not name": no AWS service has it.
const otherService = "another-service"

// variant is one shape of request the diff tries, and how it names it.
type variant struct {
	label string
	ctx   map[string][]string
}

// access compares who may do what on a key before and after. Requests are
// derived from both versions: every principal either names (and, where
// either delegates to IAM, any role of the key's account), every action on
// a key either version's key allows, directly and through every service
// either allows and one neither names, with the encryption context of each
// version and without one. Principals belong to the organization each
// version names (org_id is a property of its own).
func access(oldOrg, newOrg *model.Organization, o, n *policy.KeyPolicy) []AccessChange {
	if o != nil && n != nil && bytes.Equal(o.JSON(), n.JSON()) {
		return nil
	}
	partition := newOrg.Partition
	callers := map[string]caller{}
	var vias, actions []string
	var contexts []map[string]string
	region := ""
	for _, side := range []struct {
		org *model.Organization
		kp  *policy.KeyPolicy
	}{{oldOrg, o}, {newOrg, n}} {
		if side.kp == nil {
			continue
		}
		ki := side.kp.Instance
		region = ki.Region
		for _, ps := range [][]model.Principal{ki.PolicyAdministrators, ki.Operators, ki.Users} {
			for _, p := range ps {
				for _, c := range callersOf(p, ki, partition) {
					callers[c.name] = c
				}
			}
		}
		if ki.Key.IAMDelegation {
			c := caller{
				name:     fmt.Sprintf("IAM policies of account %s (arn:%s:iam::%s:root)", ki.Account.ID, partition, ki.Account.ID),
				arn:      fmt.Sprintf("arn:%s:iam::%s:role/any-role", partition, ki.Account.ID),
				account:  ki.Account.ID,
				identity: true,
			}
			callers[c.name] = c
		}
		for _, s := range ki.Services {
			for _, r := range append([]string{ki.Region}, ki.ReplicaRegions...) {
				for _, v := range s.ViaServiceValues(r) {
					if !slices.Contains(vias, v) {
						vias = append(vias, v)
					}
				}
			}
		}
		if ctx := contextOf(ki.Key); len(ctx) > 0 && !slices.ContainsFunc(contexts, func(c map[string]string) bool { return maps.Equal(c, ctx) }) {
			contexts = append(contexts, ctx)
		}
		actions = append(actions, policy.KeyActions(ki.Key)...)
	}
	slices.Sort(vias)
	slices.Sort(actions)
	actions = slices.Compact(actions)
	paths := append([]string{""}, vias...)
	if len(vias) > 0 {
		// A service neither version names: allowed only where a
		// version does not limit the key to its services.
		paths = append(paths, otherService+"."+region+".amazonaws.com")
	}
	var variants []variant
	for _, path := range paths {
		ctx := map[string][]string{}
		label := "directly"
		switch {
		case strings.HasPrefix(path, otherService+"."):
			ctx[policy.ViaService] = []string{path}
			label = "via a service the key does not name"
		case path != "":
			ctx[policy.ViaService] = []string{path}
			label = "via " + path
		}
		for _, ec := range contexts {
			v := variant{label + " with encryption context " + contextLabel(ec), maps.Clone(ctx)}
			for k, val := range ec {
				v.ctx[k] = []string{val}
			}
			variants = append(variants, v)
		}
		if len(contexts) > 0 {
			label += " without encryption context"
		}
		variants = append(variants, variant{label, ctx})
	}
	// Each version is asked from the organization it names (the other's
	// when it names none): moving to another organization changes no one's
	// access by itself.
	orgOf := func(org, other *model.Organization) string { return cmp.Or(org.OrgID, other.OrgID) }
	oldOrgID, newOrgID := orgOf(oldOrg, newOrg), orgOf(newOrg, oldOrg)
	keyAccount := func(kp *policy.KeyPolicy) string {
		if kp == nil {
			return ""
		}
		return kp.Instance.Account.ID
	}
	var out []AccessChange
	for _, name := range slices.Sorted(maps.Keys(callers)) {
		c := callers[name]
		tries := variants
		if c.service != nil {
			tries = []variant{{"as an AWS service", serviceContext(c, partition)}}
		}
		before, after := map[string][]string{}, map[string][]string{}
		for _, action := range actions {
			for _, v := range tries {
				for _, forAWS := range grantKinds(action, c) {
					ctx := maps.Clone(v.ctx)
					label := v.label
					if c.account != "" && c.service == nil {
						ctx[policy.CallerAccount] = []string{c.account}
					}
					if c.service != nil && c.service.ContextKey != "" && !policy.CarriesEncryptionContext(action) {
						// DescribeKey and the like carry no encryption
						// context, so a condition on one never holds for them.
						delete(ctx, c.service.ContextKey)
					}
					if forAWS != "" {
						ctx[policy.GrantIsForAWSResource] = []string{forAWS}
						if forAWS == "true" && c.service == nil {
							label += grantsOnly
						}
					}
					req := policy.Request{Principal: c.arn, Action: action, Context: ctx, IdentityAllows: c.identity}
					if allowed(o, keyAccount(o), c, inOrg(req, oldOrgID)) && !slices.Contains(before[action], label) {
						before[action] = append(before[action], label)
					}
					if allowed(n, keyAccount(n), c, inOrg(req, newOrgID)) && !slices.Contains(after[action], label) {
						after[action] = append(after[action], label)
					}
				}
			}
		}
		// A service principal is asked in one shape only, which stands
		// for its own conditions, not for every condition.
		all := func(action string) int {
			if c.service != nil {
				return -1
			}
			return len(tries) * len(grantKinds(action, c))
		}
		ac := AccessChange{
			Principal: name,
			Gained:    group(after, before, actions, all),
			Lost:      group(before, after, actions, all),
		}
		if len(ac.Gained) > 0 || len(ac.Lost) > 0 {
			out = append(out, ac)
		}
	}
	return out
}

// grantKinds are the values of kms:GrantIsForAWSResource the diff asks a
// grant operation with: a grant for an AWS resource, and one of any other
// kind ("" for an operation that is not about grants). A service
// principal makes grants for its own resources only.
func grantKinds(action string, c caller) []string {
	if action != "kms:CreateGrant" && action != "kms:ListGrants" && action != "kms:RevokeGrant" {
		return []string{""}
	}
	if c.service != nil {
		return []string{"true"}
	}
	return []string{"true", "false"}
}

// inOrg is req from a principal of organization org ("" for none).
func inOrg(req policy.Request, org string) policy.Request {
	if org == "" {
		return req
	}
	req.Context = maps.Clone(req.Context)
	req.Context[policy.PrincipalOrgID] = []string{org}
	return req
}

// allowed reports whether the key policy kp (of a key in account) allows
// the request, as KMS decides it: a principal of another account may call
// only the operations KMS lets across accounts.
func allowed(kp *policy.KeyPolicy, account string, c caller, req policy.Request) bool {
	if kp == nil {
		return false
	}
	if c.service == nil && c.account != account && !slices.Contains(policy.CrossAccountActions, req.Action) {
		return false
	}
	return policy.Evaluate(kp.Document, req) == policy.Allowed
}

// contextOf is the encryption context the key's policy requires, with its
// condition keys.
func contextOf(k *model.Key) map[string]string {
	ctx := map[string]string{}
	for _, kv := range k.EncryptionContext {
		ctx[policy.EncryptionContext+kv.Key] = kv.Value
	}
	return ctx
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

// group collects the actions (of actions) allowed in a under conditions b
// did not allow them, grouping actions whose conditions are the same.
// Conditions that cover every request shape tried for an action (all)
// become Anywhere; those that cover every shape of a grant for an AWS
// resource, and no other grant, become Anywhere so qualified. A shape that
// holds for grants of any kind says so without the qualifier, and the
// qualified one beside it goes.
func group(a, b map[string][]string, actions []string, all func(action string) int) []Grant {
	groups := map[string]*Grant{}
	var order []string
	for _, action := range actions {
		where := minus(a[action], b[action])
		if len(where) == 0 {
			continue
		}
		qualified := !slices.ContainsFunc(where, func(w string) bool { return !strings.HasSuffix(w, grantsOnly) })
		switch n := all(action); {
		case len(b[action]) > 0:
		case len(where) == n:
			where = []string{Anywhere}
		case qualified && 2*len(where) == n:
			where = []string{Anywhere + grantsOnly}
		}
		var kept []string
		for _, w := range where {
			if plain, ok := strings.CutSuffix(w, grantsOnly); !ok || !slices.Contains(where, plain) {
				kept = append(kept, w)
			}
		}
		where = kept
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
