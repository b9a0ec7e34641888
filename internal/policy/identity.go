package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/kpgen/kpgen/internal/model"
)

// An IdentityPolicy is what a principal's own account must allow it under
// the centralized strategy, for it to use keys of the key account: a key
// policy alone does not let another account use a key.
type IdentityPolicy struct {
	Principal model.Principal
	// Keys are the key instances of another account the principal uses.
	Keys     []*model.KeyInstance
	Document *Document
}

// IdentityPolicies makes, under the centralized strategy, the identity
// policy of each principal that uses keys of another account, in the order
// of the principals' keys (Principal.Key). Keys are matched by alias
// (kms:ResourceAliases), since their ids are only known once created.
func IdentityPolicies(m *model.Model) []*IdentityPolicy {
	if m.Organization.Strategy != model.Centralized {
		return nil
	}
	// One policy per principal: two principals whose files would meet in
	// one path are the build's "Two outputs at one path" error, never one
	// policy granting both principals' keys.
	byPrincipal := map[string]*IdentityPolicy{}
	for _, ki := range m.Keys {
		for _, p := range ki.Users {
			if p.Kind == model.AWSService || p.Account == ki.Account.ID {
				continue
			}
			ip := byPrincipal[p.Key()]
			if ip == nil {
				ip = &IdentityPolicy{Principal: p}
				byPrincipal[p.Key()] = ip
			}
			ip.Keys = append(ip.Keys, ki)
		}
	}
	var out []*IdentityPolicy
	for _, id := range slices.Sorted(maps.Keys(byPrincipal)) {
		ip := byPrincipal[id]
		ip.Document = identityDocument(m.Organization, ip.Keys)
		out = append(out, ip)
	}
	return out
}

// Chars counts the characters of the document as IAM does against its
// size limits: white space is not counted.
func (d *Document) Chars() int {
	n := 0
	for _, r := range string(d.JSON()) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// identityDocument allows a principal what the key policies of keys allow
// it, on those keys only.
func identityDocument(org *model.Organization, keys []*model.KeyInstance) *Document {
	doc := &Document{Version: Version}
	used := map[string]bool{}
	for _, ki := range keys {
		crypto, other := UserActions(ki.Key)
		var resources []string
		for _, r := range append([]string{ki.Region}, ki.ReplicaRegions...) {
			resources = append(resources, fmt.Sprintf("arn:%s:kms:%s:%s:key/*", org.Partition, r, ki.Account.ID))
		}
		slices.Sort(resources)
		sid := freeSid(used, sidFor(ki.ID()))
		alias := Conditions{}
		alias.Add("ForAnyValue:StringEquals", "kms:ResourceAliases", ki.Alias)
		if len(ki.Services) > 0 {
			var via []string
			for _, s := range ki.Services {
				for _, r := range append([]string{ki.Region}, ki.ReplicaRegions...) {
					via = append(via, s.ViaServiceValues(r)...)
				}
			}
			slices.Sort(via)
			alias.Add("StringEquals", ViaService, slices.Compact(via)...)
		}
		actions := append(slices.Clone(crypto), other...)
		slices.Sort(actions)
		doc.Statement = append(doc.Statement, &Statement{
			Sid: "Use" + sid, Effect: Allow, Action: actions, Condition: alias, Resource: resources,
		})
		// As in the key policy: AWS services make grants for their
		// resources with symmetric encryption keys only.
		if ki.Key.Spec != "SYMMETRIC_DEFAULT" {
			continue
		}
		grants := Conditions{}
		for op, kv := range alias {
			for k, v := range kv {
				grants.Add(op, k, v...)
			}
		}
		grants.Add("Bool", GrantIsForAWSResource, "true")
		doc.Statement = append(doc.Statement, &Statement{
			Sid: "Grants" + sid, Effect: Allow, Action: Values{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"},
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
