package model

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// MaxAliasLength is AWS's limit on an alias name, "alias/" included.
const MaxAliasLength = 256

// instantiate makes the key instances: each key once per stage of its
// application, or once for all stages when shared.
func (b *builder) instantiate() {
	m := b.m
	for _, app := range m.Applications {
		for _, d := range app.Data {
			if d.KeyType < CustomerManaged {
				m.AWSKeyData = append(m.AWSKeyData, d)
			}
		}
		for _, k := range app.Keys {
			if k.SharedAcrossStages {
				m.Keys = append(m.Keys, b.instance(k, nil, app.Stages))
				continue
			}
			for _, st := range app.Stages {
				m.Keys = append(m.Keys, b.instance(k, st, []*Stage{st}))
			}
		}
	}
	slices.SortFunc(m.Keys, func(a, b *KeyInstance) int {
		if c := cmp.Compare(a.App.Name, b.App.Name); c != 0 {
			return c
		}
		if c := cmp.Compare(a.StageName(), b.StageName()); c != 0 {
			return c
		}
		return cmp.Compare(a.Key.Name, b.Key.Name)
	})
	for _, ki := range m.Keys {
		m.Totals.Keys++
		m.Totals.Replicas += len(ki.ReplicaRegions)
		m.Totals.MonthlyUSD += ki.MonthlyUSD
	}
	b.oneSpellingPerName()
}

// oneSpellingPerName refuses two spellings of one IAM role or user. IAM
// names are unique within an account whatever their case (and path), so
// role/KeyAdmin and role/keyadmin of one account are one role; a policy
// compares ARNs as written, and so do the separation-of-duties rules, which
// would see two principals where there is one.
func (b *builder) oneSpellingPerName() {
	first := map[string]Principal{}
	reported := map[hcl.Range]bool{}
	for _, ki := range b.m.Keys {
		for _, list := range [][]Principal{ki.PolicyAdministrators, ki.Operators, ki.Users} {
			for _, p := range list {
				if p.Kind != IAM || p.Ref == nil {
					continue
				}
				kind, rest, _ := strings.Cut(p.Ref.Resource, "/")
				name := rest[strings.LastIndex(rest, "/")+1:]
				id := p.Account + ":" + strings.ToLower(kind) + "/" + strings.ToLower(name)
				seen, ok := first[id]
				if !ok {
					first[id] = p
					continue
				}
				if seen.ARN == p.ARN || reported[p.Ref.Range] {
					continue
				}
				reported[p.Ref.Range] = true
				b.errorf(p.Ref.Range, "One IAM name spelt two ways",
					"%s and %s (at %s:%d:%d) name one %s of account %s: IAM names are unique in an account whatever their case and path, but a key policy and kpgen's checks compare them as written. Write the name the way IAM has it, everywhere.",
					p.ARN, seen.ARN, seen.Ref.Range.Filename, seen.Ref.Range.Start.Line, seen.Ref.Range.Start.Column, kind, p.Account)
			}
		}
	}
}

func (b *builder) instance(k *Key, st *Stage, stages []*Stage) *KeyInstance {
	org := b.m.Organization
	ki := &KeyInstance{
		Key:            k,
		App:            k.App,
		Stage:          st,
		Stages:         stages,
		Region:         k.Regions[0],
		ReplicaRegions: k.Regions[1:],
		Services:       k.Services,
	}
	// A shared key lives in the account of the application's first stage.
	ki.Account = stages[0].Account
	if org.Strategy == Centralized && org.KeyAccount != nil {
		ki.Account = org.KeyAccount
	}
	if cls := k.Classifications(); len(cls) > 0 {
		ki.Classification = cls[0]
	}

	parts := []string{"alias"}
	if org.AliasPrefix != "" {
		parts = append(parts, org.AliasPrefix)
	}
	parts = append(parts, k.App.Name)
	if st != nil {
		parts = append(parts, st.Name)
	}
	ki.Alias = strings.Join(append(parts, k.Name), "/")
	if len(ki.Alias) > MaxAliasLength {
		b.errorf(k.Range(), "Alias too long",
			"The alias of %s, %s, is %d characters; AWS takes aliases of at most %d. Shorten the alias_prefix, or the names of the application, stage, key or the data it is derived from.",
			ki.ID(), ki.Alias, len(ki.Alias), MaxAliasLength)
	}
	if st != nil {
		ki.PolicyFile = path.Join("policies", k.App.Name, st.Name, k.Name+".json")
	} else {
		ki.PolicyFile = path.Join("policies", k.App.Name, k.Name+".json")
	}

	p := org.Partition
	keyAccount := ki.Account.ID
	var admins, operators, users []Principal
	if k.AdministratorsSet {
		admins = b.administrators(k.Administrators, ki)
	} else {
		admins = b.strategyAdministrators(ki)
	}
	if org.Strategy == Hybrid && k.App.Team != nil {
		operators = bindAll(k.App.Team.Administrators, p, keyAccount)
	}
	for _, s := range stages {
		if s.Account == nil {
			continue
		}
		for _, d := range k.Protects {
			users = append(users, bindAll(d.Users, p, s.Account.ID)...)
		}
		users = append(users, bindAll(k.Users, p, s.Account.ID)...)
	}
	ki.PolicyAdministrators = uniquePrincipals(admins)
	ki.Operators = uniquePrincipals(operators)
	if org.Strategy == Hybrid && k.App.Team != nil && k.App.Team == org.SecurityTeam {
		// The security team's own applications: those of its
		// administrators who administer the key hold every operator
		// action already, and are not named twice. (Had the key
		// administrators of its own, the team still operates it.)
		ki.Operators = slices.DeleteFunc(ki.Operators, func(o Principal) bool {
			return slices.ContainsFunc(ki.PolicyAdministrators, func(a Principal) bool { return a.Key() == o.Key() })
		})
	}
	ki.Users = uniquePrincipals(users)
	ki.MonthlyUSD = Prices.Monthly(k)
	return ki
}

// strategyAdministrators are the policy administrators the strategy gives
// key instance ki when its key names none: its team's under decentralized,
// the security team's otherwise, and the deployer of its account.
func (b *builder) strategyAdministrators(ki *KeyInstance) []Principal {
	var refs []*PrincipalRef
	org, app := b.m.Organization, ki.App
	switch {
	case org.Strategy == Decentralized && app.Team != nil:
		refs = app.Team.Administrators
	case org.Strategy != Decentralized && org.SecurityTeam != nil:
		refs = org.SecurityTeam.Administrators
	}
	return b.administrators(refs, ki)
}

// administrators are refs bound in key instance ki's account, and the
// deployer of that account.
func (b *builder) administrators(refs []*PrincipalRef, ki *KeyInstance) []Principal {
	p, keyAccount := b.m.Organization.Partition, ki.Account.ID
	admins := bindAll(refs, p, keyAccount)
	if dep := b.deployer(ki.Account); dep != nil {
		admins = append(admins, dep.Bind(p, keyAccount))
	}
	return admins
}

// deployer is the principal that applies the generated templates in an
// account: the account's own deployer, else the organization's.
func (b *builder) deployer(a *Account) *PrincipalRef {
	if a.Deployer != nil {
		return a.Deployer
	}
	return b.m.Organization.Deployer
}

func bindAll(refs []*PrincipalRef, partition, account string) []Principal {
	out := make([]Principal, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.Bind(partition, account))
	}
	return out
}

func uniquePrincipals(ps []Principal) []Principal {
	slices.SortStableFunc(ps, func(a, b Principal) int { return cmp.Compare(a.Key(), b.Key()) })
	return slices.CompactFunc(ps, func(a, b Principal) bool { return a.Key() == b.Key() })
}
