package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/schema"
)

// fixtures are the example specs every key of which is checked against the
// access table of docs/policies.md.
var fixtures = []string{"centralized", "ecommerce", "healthcare", "keytypes", "retail"}

// allKMSActions is every KMS action that takes a key: what "anyone else" is
// denied, and the administrators' and operators' limits are checked against.
var allKMSActions = []string{
	"kms:CancelKeyDeletion", "kms:CreateAlias", "kms:CreateGrant", "kms:Decrypt", "kms:DeleteAlias",
	"kms:DeleteImportedKeyMaterial", "kms:DeriveSharedSecret", "kms:DescribeKey", "kms:DisableKey",
	"kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation", "kms:Encrypt",
	"kms:GenerateDataKey", "kms:GenerateDataKeyPair", "kms:GenerateDataKeyPairWithoutPlaintext",
	"kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac", "kms:GetKeyLastUsage", "kms:GetKeyPolicy",
	"kms:GetKeyRotationStatus", "kms:GetParametersForImport", "kms:GetPublicKey",
	"kms:ImportKeyMaterial", "kms:ListGrants", "kms:ListKeyPolicies", "kms:ListKeyRotations",
	"kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ReEncryptFrom", "kms:ReEncryptTo",
	"kms:ReplicateKey", "kms:RetireGrant", "kms:RevokeGrant", "kms:RotateKeyOnDemand",
	"kms:ScheduleKeyDeletion", "kms:Sign", "kms:TagResource", "kms:UntagResource", "kms:UpdateAlias",
	"kms:UpdateKeyDescription", "kms:UpdatePrimaryRegion", "kms:Verify", "kms:VerifyMac",
}

// expandActions lists the concrete actions a statement's action patterns
// cover, from allKMSActions.
func expandActions(patterns []string) []string {
	var out []string
	for _, a := range allKMSActions {
		if actionMatches(patterns, a) {
			out = append(out, a)
		}
	}
	return out
}

// accessCase is one request with the decision the access table requires.
type accessCase struct {
	Name   string
	Req    Request
	Expect Decision
}

// accessTable derives, for one key instance, the requests that prove each
// row of the table: users allowed through each of their services and denied
// without one, from another account, or without the encryption context;
// administrators allowed to manage and denied every cryptographic action;
// operators denied policy changes and deletion; anyone else denied.
func accessTable(org *model.Organization, ki *model.KeyInstance) []accessCase {
	var cases []accessCase
	k := ki.Key
	orgCtx := OrgContext(org)
	ctx := func(kv ...string) map[string][]string {
		c := map[string][]string{}
		for key, v := range orgCtx {
			c[key] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = []string{kv[i+1]}
		}
		return c
	}
	add := func(name, principal, action string, c map[string][]string, want Decision) {
		cases = append(cases, accessCase{Name: name, Req: Request{Principal: principal, Action: action, Context: c}, Expect: want})
	}
	regions := append([]string{ki.Region}, ki.ReplicaRegions...)
	withCtx, without := UserActions(k)
	userActions := expandActions(append(slices.Clone(withCtx), without...))
	cryptoWithCtx := expandActions(withCtx)
	var ec []string
	if k.Spec == "SYMMETRIC_DEFAULT" {
		for _, kv := range k.EncryptionContext {
			ec = append(ec, EncryptionContext+kv.Key, kv.Value)
		}
	}

	// The paths a user may take: through each service in each region, or
	// directly when the key has no services.
	var vias []string
	for _, s := range ki.Services {
		for _, r := range regions {
			for _, h := range s.Hosts {
				vias = append(vias, fmt.Sprintf("%s.%s.amazonaws.com", h, r))
			}
		}
	}
	if len(vias) == 0 {
		vias = []string{""}
	}
	viaCtx := func(via, account string, extra ...string) map[string][]string {
		kv := append([]string{CallerAccount, account}, extra...)
		if via != "" {
			kv = append(kv, ViaService, via)
		}
		return ctx(kv...)
	}
	admin := map[string]bool{}
	for _, p := range append(slices.Clone(ki.PolicyAdministrators), ki.Operators...) {
		admin[CallerARN(p)] = true
	}

	for _, p := range ki.Users {
		if p.Kind == model.AWSService {
			cases = append(cases, serviceCases(org, ki, p)...)
			continue
		}
		arn := CallerARN(p)
		if admin[arn] {
			continue // KP401 rejects such a spec
		}
		for _, via := range vias {
			for _, a := range userActions {
				add("user may "+a+" via "+via, arn, a, viaCtx(via, p.Account, ec...), Allowed)
			}
			if ki.Key.Spec == "SYMMETRIC_DEFAULT" {
				add("user may have AWS resources granted via "+via, arn, "kms:CreateGrant", viaCtx(via, p.Account, append([]string{GrantIsForAWSResource, "true"}, ec...)...), Allowed)
			} else {
				add("user may not have grants made for a key AWS services cannot use, via "+via, arn, "kms:CreateGrant", viaCtx(via, p.Account, append([]string{GrantIsForAWSResource, "true"}, ec...)...), ImplicitlyDenied)
			}
		}
		via := vias[0]
		for _, a := range cryptoWithCtx {
			if via != "" {
				add("user may not "+a+" without a service", arn, a, ctx(append([]string{CallerAccount, p.Account}, ec...)...), ImplicitlyDenied)
				add("user may not "+a+" through another service", arn, a, viaCtx("ec2.mars-1.amazonaws.com", p.Account, ec...), ImplicitlyDenied)
			}
			add("user may not "+a+" calling from another account", arn, a, viaCtx(via, "999999999999", ec...), ImplicitlyDenied)
			other := strings.Replace(arn, ":"+p.Account+":", ":999999999999:", 1)
			add("same name in another account may not "+a, other, a, viaCtx(via, "999999999999", ec...), ImplicitlyDenied)
			if len(ec) > 0 {
				add("user may not "+a+" without the encryption context", arn, a, viaCtx(via, p.Account), ImplicitlyDenied)
				wrong := slices.Clone(ec)
				wrong[1] += "-other"
				add("user may not "+a+" with another encryption context", arn, a, viaCtx(via, p.Account, wrong...), ImplicitlyDenied)
			}
			if org.OrgID != "" {
				c := viaCtx(via, p.Account, ec...)
				c[PrincipalOrgID] = []string{"o-elsewhere1234"}
				add("user outside the organization may not "+a, arn, a, c, ExplicitlyDenied)
			}
		}
		add("user may not create a grant that is not for an AWS resource", arn, "kms:CreateGrant", viaCtx(via, p.Account, GrantIsForAWSResource, "false"), ImplicitlyDenied)
		for _, a := range []string{"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:TagResource"} {
			add("user may not "+a, arn, a, viaCtx(via, p.Account, ec...), ImplicitlyDenied)
		}
	}

	// Administrators manage the key and never use it, whatever the context.
	fullCtx := viaCtx(vias[0], ki.Account.ID, append([]string{GrantIsForAWSResource, "true"}, ec...)...)
	adminActions := expandActions(AdminActions(k))
	for _, p := range ki.PolicyAdministrators {
		arn := CallerARN(p)
		for _, a := range adminActions {
			add("administrator may "+a, arn, a, ctx(), Allowed)
		}
		for _, a := range append(slices.Clone(CryptoActions), "kms:CreateGrant") {
			c := maps.Clone(fullCtx)
			c[CallerAccount] = []string{p.Account}
			add("administrator may not "+a, arn, a, c, ImplicitlyDenied)
		}
	}
	// Operators run the key and may neither change its policy, delete it,
	// nor use it.
	for _, p := range ki.Operators {
		arn := CallerARN(p)
		for _, a := range expandActions(OperatorActions(k)) {
			add("operator may "+a, arn, a, ctx(), Allowed)
		}
		for _, a := range append(slices.Clone(CryptoActions), "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:CreateGrant", "kms:CreateAlias", "kms:DeleteAlias") {
			c := maps.Clone(fullCtx)
			c[CallerAccount] = []string{p.Account}
			add("operator may not "+a, arn, a, c, ImplicitlyDenied)
		}
	}
	// Anyone else: nothing, even with every context a user would bring.
	stranger := fmt.Sprintf("arn:%s:iam::%s:role/stranger", org.Partition, ki.Account.ID)
	for _, a := range allKMSActions {
		add("anyone else may not "+a, stranger, a, fullCtx, ImplicitlyDenied)
	}
	return cases
}

// serviceCases check a service principal: allowed its actions for resources
// of its own account, denied for another account's.
func serviceCases(org *model.Organization, ki *model.KeyInstance, p model.Principal) []accessCase {
	sp := p.Ref.Service
	var cases []accessCase
	for _, r := range append([]string{ki.Region}, ki.ReplicaRegions...) {
		host := strings.ReplaceAll(sp.Host, "%s", r) + ".amazonaws.com"
		mk := func(account string) map[string][]string {
			c := map[string][]string{}
			if sp.ContextKey != "" {
				arn := strings.ReplaceAll(fmt.Sprintf(sp.ContextARN, org.Partition, r, account), "*", "resource")
				c[sp.ContextKey] = []string{arn}
			}
			if sp.SourceAccount {
				c[SourceAccount] = []string{account}
			}
			return c
		}
		for _, a := range expandActions(sp.Actions) {
			cases = append(cases,
				accessCase{"service " + sp.Name + " may " + a, Request{Principal: host, Action: a, Context: mk(p.Account)}, Allowed},
				accessCase{"service " + sp.Name + " may not " + a + " for another account", Request{Principal: host, Action: a, Context: mk("999999999999")}, ImplicitlyDenied})
		}
		for _, a := range []string{"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateGrant"} {
			cases = append(cases, accessCase{"service " + sp.Name + " may not " + a, Request{Principal: host, Action: a, Context: mk(p.Account)}, ImplicitlyDenied})
		}
	}
	return cases
}

func loadFixture(t testing.TB, name string) (*model.Model, []*KeyPolicy) {
	t.Helper()
	spec, diags, err := schema.Load(filepath.Join("..", "..", "fixtures", name))
	if err != nil || diags.HasErrors() {
		t.Fatalf("fixture %s does not load: %v %v", name, err, diags)
	}
	m, mdiags := model.Build(spec)
	if mdiags.HasErrors() {
		t.Fatalf("fixture %s does not resolve: %v", name, mdiags[0].Detail)
	}
	return m, Build(m)
}

// TestAccessTable proves the access table for every key of every fixture.
func TestAccessTable(t *testing.T) {
	for _, name := range fixtures {
		m, pols := loadFixture(t, name)
		total := 0
		for _, kp := range pols {
			cases := accessTable(m.Organization, kp.Instance)
			total += len(cases)
			for _, c := range cases {
				if got := Evaluate(kp.Document, c.Req); got != c.Expect {
					t.Errorf("%s %s: %s: %s as %s with %v: got %v, want %v", name, kp.Instance.ID(), c.Name, c.Req.Action, c.Req.Principal, c.Req.Context, got, c.Expect)
				}
			}
		}
		t.Logf("%s: %d keys, %d requests", name, len(pols), total)
		if total == 0 {
			t.Errorf("%s: no requests", name)
		}
	}
}

// TestExportForSimulator writes each fixture key's policy and requests in
// the format of the independent IAM simulator (tools/verify simulate), when
// KPGEN_EXPORT_REQUESTS names a directory.
func TestExportForSimulator(t *testing.T) {
	dir := os.Getenv("KPGEN_EXPORT_REQUESTS")
	if dir == "" {
		t.Skip("set KPGEN_EXPORT_REQUESTS=DIR to export requests for the IAM simulator")
	}
	type simRequest struct {
		Name      string            `json:"name"`
		Principal string            `json:"principal"`
		Action    string            `json:"action"`
		Context   map[string]string `json:"context,omitempty"`
		Expect    string            `json:"expect"`
	}
	for _, name := range fixtures {
		m, pols := loadFixture(t, name)
		for _, kp := range pols {
			base := filepath.Join(dir, name, strings.ReplaceAll(kp.Instance.ID(), "/", "_"))
			if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
				t.Fatal(err)
			}
			var reqs []simRequest
			for _, c := range accessTable(m.Organization, kp.Instance) {
				// The simulator's action catalogue predates the ML-KEM
				// operations and refuses them as input; kpgen's own
				// evaluator checks them in TestAccessTable.
				if c.Req.Action == "kms:Encapsulate" || c.Req.Action == "kms:Decapsulate" {
					continue
				}
				// The full context the evaluator saw, including the keys AWS
				// sets on every request (aws:PrincipalIsAWSService), which the
				// simulator does not fill in.
				sc := map[string]string{}
				for k, v := range c.Req.Context {
					sc[k] = v[0]
				}
				if _, ok := sc[PrincipalIsAWSService]; !ok {
					sc[PrincipalIsAWSService] = fmt.Sprint(isService(c.Req.Principal))
				}
				reqs = append(reqs, simRequest{c.Name, c.Req.Principal, c.Req.Action, sc, c.Expect.String()})
			}
			data, _ := json.MarshalIndent(reqs, "", " ")
			arn := fmt.Sprintf("arn:%s:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", m.Organization.Partition, kp.Instance.Region, kp.Instance.Account.ID)
			if err := os.WriteFile(base+".policy.json", kp.JSON(), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(base+".requests.json", data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(base+".arn", []byte(arn), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
