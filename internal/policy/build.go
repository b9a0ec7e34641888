package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/par"
)

// Statement IDs, in the order they appear in every key policy. A statement
// whose principals are IAM Identity Center permission sets carries the
// suffix IdentityCenter; service principals get Service<Name>.
const (
	SidAdministration = "KeyAdministration"
	SidOperation      = "KeyOperation"
	SidUsage          = "KeyUsage"
	SidUsageDescribe  = "KeyUsageDescribe"
	SidGrants         = "GrantsForAWSResources"
	SidService        = "Service"
	SidIAMDelegation  = "EnableIAMPolicies"
	SidOrgGuard       = "DenyOutsideOrganization"
	identityCenter    = "IdentityCenter"
)

// Condition keys kpgen uses.
const (
	CallerAccount          = "kms:CallerAccount"
	ViaService             = "kms:ViaService"
	EncryptionContext      = "kms:EncryptionContext:"
	GrantIsForAWSResource  = "kms:GrantIsForAWSResource"
	PrincipalArn           = "aws:PrincipalArn"
	PrincipalAccount       = "aws:PrincipalAccount"
	PrincipalOrgID         = "aws:PrincipalOrgID"
	PrincipalIsAWSService  = "aws:PrincipalIsAWSService"
	SourceAccount          = "aws:SourceAccount"
	maxKeyPolicyBytes      = 32768
	identityCenterOperator = "ArnLike"
)

// MaxSize is AWS's limit on the size of a key policy, in bytes.
const MaxSize = maxKeyPolicyBytes

// KeyPolicy is the policy of one key instance, built once; every output
// carries this document.
type KeyPolicy struct {
	Instance *model.KeyInstance
	Document *Document
	// Size is the policy's size as CloudFormation and Terraform submit it
	// (compact JSON): what AWS's limit applies to.
	Size int
}

// JSON is the policy as the policy files hold it. It is rendered on each
// call, when a file is written, rather than kept for every key.
func (kp *KeyPolicy) JSON() []byte { return kp.Document.JSON() }

// Build makes the key policy of every key instance of the model, in the
// model's order.
func Build(m *model.Model) []*KeyPolicy {
	out := make([]*KeyPolicy, len(m.Keys))
	par.Each(len(m.Keys), func(i int) {
		ki := m.Keys[i]
		doc := ForInstance(m.Organization, ki)
		out[i] = &KeyPolicy{Instance: ki, Document: doc, Size: doc.compactSize()}
	})
	return out
}

// ForInstance builds the key policy of one key instance. The statements are
// those of docs/policies.md, in that order; a statement with nobody to name
// is left out.
func ForInstance(org *model.Organization, ki *model.KeyInstance) *Document {
	k := ki.Key
	doc := &Document{Version: Version, ID: "kpgen/" + ki.ID()}
	add := func(ss ...*Statement) { doc.Statement = append(doc.Statement, ss...) }

	add(grant(SidAdministration, ki.PolicyAdministrators, AdminActions(k), nil, false)...)
	add(grant(SidOperation, ki.Operators, OperatorActions(k), nil, false)...)

	users, services := splitServices(ki.Users)
	regions := append([]string{ki.Region}, ki.ReplicaRegions...)
	crypto, other := UserActions(k)
	use := Conditions{}
	if len(ki.Services) > 0 {
		use.Add("StringEquals", ViaService, viaService(ki.Services, regions)...)
	}
	if len(k.EncryptionContext) > 0 && k.Spec == "SYMMETRIC_DEFAULT" {
		// Only the cryptographic actions carry an encryption context, so
		// the describe actions go into a statement of their own.
		ctx := clone(use)
		for _, kv := range k.EncryptionContext {
			ctx.Add("StringEquals", EncryptionContext+kv.Key, kv.Value)
		}
		add(grant(SidUsage, users, crypto, ctx, true)...)
		add(grant(SidUsageDescribe, users, other, use, true)...)
	} else {
		add(grant(SidUsage, users, append(slices.Clone(crypto), other...), use, true)...)
	}
	// AWS services make grants for their resources with symmetric
	// encryption keys only; for any other key the statement would be an
	// unused right.
	if k.Spec == "SYMMETRIC_DEFAULT" {
		grants := clone(use)
		grants.Add("Bool", GrantIsForAWSResource, "true")
		add(grant(SidGrants, users, grantActions, grants, true)...)
	}

	add(servicePrincipals(org.Partition, k, services, regions)...)

	if k.IAMDelegation {
		add(&Statement{
			Sid: SidIAMDelegation, Effect: Allow,
			Principal: &Principal{AWS: Values{fmt.Sprintf("arn:%s:iam::%s:root", org.Partition, ki.Account.ID)}},
			Action:    Values{"kms:*"}, Resource: thisKey,
		})
	}
	if org.OrgID != "" {
		c := Conditions{}
		c.Add("StringNotEquals", PrincipalOrgID, org.OrgID)
		c.Add("Bool", PrincipalIsAWSService, "false")
		add(&Statement{
			Sid: SidOrgGuard, Effect: Deny,
			Principal: &Principal{AWS: Values{"*"}},
			Action:    Values{"kms:*"}, Resource: thisKey, Condition: c,
		})
	}
	return doc
}

// grant allows actions to principals: IAM roles and users by ARN in one
// statement, Identity Center permission sets in a second one that names
// Principal "*" narrowed to their role ARN patterns and accounts. With
// callerAccount, each statement also requires kms:CallerAccount to be an
// account of its principals.
func grant(sid string, ps []model.Principal, actions []string, cond Conditions, callerAccount bool) []*Statement {
	var out []*Statement
	var arns, patterns, arnAccounts, ssoAccounts []string
	for _, p := range ps {
		switch p.Kind {
		case model.IAM:
			arns = append(arns, p.ARN)
			arnAccounts = appendUnique(arnAccounts, p.Account)
		case model.IdentityCenter:
			patterns = append(patterns, p.ARN)
			ssoAccounts = appendUnique(ssoAccounts, p.Account)
		}
	}
	if len(arns) > 0 {
		c := clone(cond)
		if callerAccount {
			c.Add("StringEquals", CallerAccount, sorted(arnAccounts)...)
		}
		out = append(out, &Statement{Sid: sid, Effect: Allow, Principal: &Principal{AWS: sorted(arns)},
			Action: actions, Resource: thisKey, Condition: nilIfEmpty(c)})
	}
	if len(patterns) > 0 {
		c := clone(cond)
		c.Add(identityCenterOperator, PrincipalArn, sorted(patterns)...)
		c.Add("StringEquals", PrincipalAccount, sorted(ssoAccounts)...)
		if callerAccount {
			c.Add("StringEquals", CallerAccount, sorted(ssoAccounts)...)
		}
		out = append(out, &Statement{Sid: sid + identityCenter, Effect: Allow, Principal: &Principal{AWS: Values{"*"}},
			Action: actions, Resource: thisKey, Condition: c})
	}
	return out
}

// servicePrincipals allows AWS services named as users to use the key for
// resources of the accounts they were named in, with the conditions each
// service documents. The services of the catalogue encrypt only with
// symmetric encryption keys: any other key k gets no statement for them
// (KP508 warns).
func servicePrincipals(partition string, k *model.Key, ps []model.Principal, regions []string) []*Statement {
	if k.Spec != "SYMMETRIC_DEFAULT" {
		return nil
	}
	var out []*Statement
	for _, sp := range model.ServicePrincipals {
		var accounts []string
		for _, p := range ps {
			if p.Ref.Service == sp {
				accounts = appendUnique(accounts, p.Account)
			}
		}
		if len(accounts) == 0 {
			continue
		}
		slices.Sort(accounts)
		var hosts []string
		for _, r := range regions {
			hosts = appendUnique(hosts, sp.Principal(r, partition))
		}
		sid := SidService + strings.ToUpper(sp.Name[:1]) + sp.Name[1:]
		source := Conditions{}
		if sp.SourceAccount {
			source.Add("StringEquals", SourceAccount, accounts...)
		}
		c := clone(source)
		if sp.ContextKey != "" {
			var arns []string
			for _, r := range regions {
				for _, a := range accounts {
					arns = appendUnique(arns, fmt.Sprintf(sp.ContextARN, partition, r, a))
				}
			}
			c.Add(sp.ContextOperator, sp.ContextKey, arns...)
		}
		out = append(out, &Statement{Sid: sid, Effect: Allow, Principal: &Principal{Service: hosts},
			Action: sp.Actions, Resource: thisKey, Condition: nilIfEmpty(c)})
		if sp.Describe {
			out = append(out, &Statement{Sid: sid + "Describe", Effect: Allow, Principal: &Principal{Service: hosts},
				Action: Values{"kms:DescribeKey"}, Resource: thisKey, Condition: nilIfEmpty(source)})
		}
	}
	return out
}

// viaService is the kms:ViaService values of services in regions.
func viaService(services []*model.Service, regions []string) []string {
	var out []string
	for _, s := range services {
		for _, r := range regions {
			for _, v := range s.ViaServiceValues(r) {
				out = appendUnique(out, v)
			}
		}
	}
	slices.Sort(out)
	return out
}

func splitServices(ps []model.Principal) (principals, services []model.Principal) {
	for _, p := range ps {
		if p.Kind == model.AWSService {
			services = append(services, p)
		} else {
			principals = append(principals, p)
		}
	}
	return principals, services
}

func clone(c Conditions) Conditions {
	out := Conditions{}
	for op, keys := range c {
		for k, v := range keys {
			out.Add(op, k, v...)
		}
	}
	return out
}

func nilIfEmpty(c Conditions) Conditions {
	if len(c) == 0 {
		return nil
	}
	return c
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

func sorted(s []string) Values {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
