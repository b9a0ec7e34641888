// Package policyjson writes the key policies as JSON files, and under the
// centralized strategy the identity policies that consuming roles need in
// their own accounts.
package policyjson

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
)

// Generate returns policies/APP/STAGE/KEY.json for every key instance, and
// under the centralized strategy iam/ACCOUNT/ROLE.json (user/NAME.json,
// sso/PERMISSION_SET.json) for every principal that uses a key of another
// account.
func Generate(m *model.Model, pols []*policy.KeyPolicy) ([]output.File, diag.Diagnostics) {
	var files []output.File
	for _, kp := range pols {
		files = append(files, output.File{Path: kp.Instance.PolicyFile, Render: kp.JSON, Source: kp.Instance.Key.Range()})
	}
	var diags diag.Diagnostics
	if m.Organization.Strategy == model.Centralized {
		ids, ds := identityPolicies(m)
		files, diags = append(files, ids...), ds
	}
	return files, diags
}

// managedPolicyChars is IAM's limit on a managed policy, in characters
// other than white space. (All of a role's inline policies together may
// hold 10,240.)
const managedPolicyChars = 6144

// policyChars counts a policy's characters as IAM does against its size
// limits: white space is not counted.
func policyChars(data []byte) int {
	n := 0
	for _, r := range string(data) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// identityPolicies makes, for each principal that uses keys of another
// account, the identity policy its account must attach: a key policy alone
// does not let another account use a key. Keys are matched by alias
// (kms:ResourceAliases), since their ids are only known once created.
func identityPolicies(m *model.Model) ([]output.File, diag.Diagnostics) {
	type use struct {
		principal model.Principal
		keys      []*model.KeyInstance
	}
	// One policy per principal: two principals whose files would meet in
	// one path are the build's "Two outputs at one path" error, never one
	// policy granting both principals' keys.
	byPrincipal := map[string]*use{}
	for _, ki := range m.Keys {
		for _, p := range ki.Users {
			if p.Kind == model.AWSService || p.Account == ki.Account.ID {
				continue
			}
			u := byPrincipal[p.Key()]
			if u == nil {
				u = &use{principal: p}
				byPrincipal[p.Key()] = u
			}
			u.keys = append(u.keys, ki)
		}
	}
	var files []output.File
	var diags diag.Diagnostics
	for _, id := range slices.Sorted(maps.Keys(byPrincipal)) {
		u := byPrincipal[id]
		doc := IdentityPolicy(m.Organization, u.keys)
		f := output.File{Path: IdentityPolicyPath(u.principal), Data: doc.JSON(), Source: u.principal.Ref.Range}
		if n := policyChars(f.Data); n > managedPolicyChars {
			diags = append(diags, diag.New(diag.Warning, f.Source, "Identity policy over IAM's size limit",
				fmt.Sprintf("The identity policy of %s in account %s (%s), for its %d keys, is %d characters without white space. IAM takes at most 6,144 in a managed policy, and 10,240 in all of a role's inline policies together, so it cannot be attached as written. Let the principal use fewer keys of the key account (a role per task), fewer services or regions per key, or attach its statements as several policies.",
					u.principal.Ref.Text, u.principal.Account, f.Path, len(u.keys), n)))
		}
		files = append(files, f)
	}
	slices.SortStableFunc(files, func(a, b output.File) int { return strings.Compare(a.Path, b.Path) })
	return files, diags
}

// IdentityPolicyPath is where the identity policy of a consuming principal
// goes: iam/ACCOUNT/ROLE.json for a role (IAM role names are unique in an
// account, whatever their path), iam/ACCOUNT/user/NAME.json for an IAM
// user, iam/ACCOUNT/sso/PERMISSION_SET.json for an Identity Center
// permission set (to attach to the permission set). A role name holds no
// slash, so no two kinds of principal meet in one path.
func IdentityPolicyPath(p model.Principal) string {
	switch {
	case p.Kind == model.IdentityCenter:
		return path.Join("iam", p.Account, "sso", p.Ref.PermissionSet+".json")
	case strings.HasPrefix(p.Ref.Resource, "user/"):
		return path.Join("iam", p.Account, "user", path.Base(p.Ref.Resource)+".json")
	}
	return path.Join("iam", p.Account, path.Base(p.Ref.Resource)+".json")
}

// IdentityPolicy allows a principal what the key policies of keys allow it,
// on those keys only.
func IdentityPolicy(org *model.Organization, keys []*model.KeyInstance) *policy.Document {
	doc := &policy.Document{Version: policy.Version}
	used := map[string]bool{}
	for _, ki := range keys {
		crypto, other := policy.UserActions(ki.Key)
		var resources []string
		for _, r := range append([]string{ki.Region}, ki.ReplicaRegions...) {
			resources = append(resources, fmt.Sprintf("arn:%s:kms:%s:%s:key/*", org.Partition, r, ki.Account.ID))
		}
		slices.Sort(resources)
		sid := freeSid(used, sidFor(ki.ID()))
		alias := policy.Conditions{}
		alias.Add("ForAnyValue:StringEquals", "kms:ResourceAliases", ki.Alias)
		if len(ki.Services) > 0 {
			var via []string
			for _, s := range ki.Services {
				for _, r := range append([]string{ki.Region}, ki.ReplicaRegions...) {
					via = append(via, s.ViaServiceValue(r, org.Partition))
				}
			}
			slices.Sort(via)
			alias.Add("StringEquals", policy.ViaService, slices.Compact(via)...)
		}
		actions := append(slices.Clone(crypto), other...)
		slices.Sort(actions)
		doc.Statement = append(doc.Statement, &policy.Statement{
			Sid: "Use" + sid, Effect: policy.Allow, Action: actions, Condition: alias, Resource: resources,
		})
		// As in the key policy: AWS services make grants for their
		// resources with symmetric encryption keys only.
		if ki.Key.Spec != "SYMMETRIC_DEFAULT" {
			continue
		}
		grants := policy.Conditions{}
		for op, kv := range alias {
			for k, v := range kv {
				grants.Add(op, k, v...)
			}
		}
		grants.Add("Bool", policy.GrantIsForAWSResource, "true")
		doc.Statement = append(doc.Statement, &policy.Statement{
			Sid: "Grants" + sid, Effect: policy.Allow, Action: policy.Values{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"},
			Condition: grants, Resource: resources,
		})
	}
	return doc
}

// freeSid is sid, or when a statement already has it (two ids that differ
// only where sidFor drops a character), sid with the first number from 2 that
// makes it one no statement has: IAM refuses a policy whose Sids repeat.
func freeSid(used map[string]bool, sid string) string {
	free := sid
	for n := 2; used[free]; n++ {
		free = fmt.Sprintf("%s%d", sid, n)
	}
	used[free] = true
	return free
}

// sidFor turns "ledger/prod/transactions" into "LedgerProdTransactions":
// statement ids are letters and digits only.
func sidFor(id string) string {
	var b strings.Builder
	up := true
	for _, r := range id {
		switch {
		case r == '/' || r == '-':
			up = true
		case up:
			b.WriteString(strings.ToUpper(string(r)))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
