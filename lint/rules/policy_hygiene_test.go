package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
	"github.com/kpgen/kpgen/lint/rules"
)

// statementFile is a policy file of one statement, its Principal on line 4
// and its Condition on line 5.
func statementFile(principal, condition string) []byte {
	return fmt.Appendf(nil, `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow",
   "Action": "kms:Decrypt", "Resource": "*",
   "Principal": %s,
   "Condition": %s}
]}
`, principal, condition)
}

func TestKP801Narrowing(t *testing.T) {
	tests := []struct {
		condition string
		narrows   bool
	}{
		// Conditions that name a narrowing key but pin nothing.
		{`{"StringLike": {"aws:PrincipalArn": "*"}}`, false},
		{`{"Null": {"aws:PrincipalArn": "false"}}`, false},
		{`{"StringLike": {"kms:CallerAccount": "*"}}`, false},
		{`{"ForAllValues:StringEquals": {"aws:PrincipalAccount": "111111111111"}}`, false},
		{`{"StringLike": {"aws:PrincipalAccount": "1111111111?1"}}`, false},
		{`{"StringEquals": {"aws:PrincipalAccount": ["111111111111", "*"]}}`, false},
		{`{"StringEquals": {"aws:PrincipalAccount": []}}`, false},
		{`{"StringEqualsIfExists": {"aws:PrincipalAccount": "111111111111"}}`, false},
		{`{"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`, false},
		{`{"ForAnyValue:StringNotLike": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`, false},
		{`{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/app"}}`, false},
		{`{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam:::role/app"}}`, false},
		{`{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::1111111111*:role/app"}}`, false},
		{`{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111"}}`, false},
		{`{"StringLike": {"aws:PrincipalArn": "arn:*:iam::111111111111:role/app"}}`, false},
		{`{"StringLike": {"aws:PrincipalArn": "arn:aws:111111111111:role/app"}}`, false},
		{`{"StringLike": {"aws:SourceArn": "arn:aws:logs:*:111111111111:*"}}`, false},
		{`{"StringLike": {"aws:PrincipalOrgID": "o-*"}}`, false},
		{`{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-*/r-ab12/*"}}`, false},
		{`{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "*"}}`, false},
		{`{"StringLike": {"aws:userid": "*"}}`, false},
		{`{"StringLike": {"aws:username": "*?*"}}`, false},
		{`{"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}`, false},
		{`{"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}`, false},
		{`{"Bool": {"aws:PrincipalIsAWSService": "false"}}`, false},
		// Conditions that narrow.
		{`{"StringEquals": {"aws:PrincipalAccount": "111111111111"}}`, true},
		{`{"StringEquals": {"AWS:PRINCIPALACCOUNT": "111111111111"}}`, true},
		{`{"StringEquals": {"kms:CallerAccount": ["111111111111", "222222222222"]}}`, true},
		{`{"StringEquals": {"aws:SourceAccount": "111111111111"}}`, true},
		{`{"ForAnyValue:StringEquals": {"aws:PrincipalAccount": "111111111111"}}`, true},
		{`{"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`, true},
		{`{"StringEqualsIgnoreCase": {"aws:SourceOrgID": "o-a1b2c3d4e5"}}`, true},
		{`{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}}`, true},
		{`{"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_KeyAdmins_*"}}`, true},
		{`{"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/app"}}`, true},
		{`{"ArnLike": {"aws:SourceArn": "arn:aws:logs:*:111111111111:*"}}`, true},
		{`{"ArnLike": {"aws:PrincipalArn": "arn:*:iam::111111111111:role/app"}}`, true},
		{`{"StringLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/*"}}`, true},
		{`{"StringLike": {"aws:userid": "AROA1234567890EXAMPLE:*"}}`, true},
		{`{"StringEquals": {"aws:userid": "AIDA1234567890EXAMPLE"}}`, true},
		{`{"StringEquals": {"aws:username": "alice"}}`, false},
		{`{"StringLike": {"aws:userid": "AIDA*"}}`, false},
		{`{"StringEquals": {"aws:userid": "AROAABCDEFGHIJKL"}}`, false}, // too short for a unique ID
		{`{"StringLike": {"aws:userid": "*:x"}}`, false},
		{`{"StringEquals": {"aws:PrincipalAccount": "${aws:ResourceAccount}"}}`, true},
		// One narrowing condition is enough: conditions all hold together.
		{`{"StringLike": {"aws:PrincipalArn": "*"}, "StringEquals": {"kms:CallerAccount": "111111111111"}}`, true},
		{`{"StringLike": {"aws:PrincipalArn": "*", "aws:PrincipalAccount": "111111111111"}}`, true},
	}
	for _, principal := range []string{`"*"`, `{"AWS": "*"}`} {
		for _, tt := range tests {
			t.Run(principal+" "+tt.condition, func(t *testing.T) {
				var want []finding
				if !tt.narrows {
					want = []finding{{4, "KP801"}}
				}
				ds := lint.RunPolicyFile("p.json", statementFile(principal, tt.condition), []*lint.Rule{rules.KP801})
				if diff := cmp.Diff(want, findings(t, ds)); diff != "" {
					t.Errorf("findings (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestGeneratedPoliciesLintClean: the key policies kpgen writes for the
// example specs, read back as hand-written files, break no rule. They name
// Principal {"AWS": "*"} narrowed by Identity Center role patterns, accounts
// and the organization.
func TestGeneratedPoliciesLintClean(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/*/generated/policies/*/*/*.json")
	if len(files) < 10 {
		t.Fatalf("found only %d generated policies", len(files))
	}
	everyone := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, _, ds := lint.ReadPolicy(f, data)
		if ds.HasErrors() {
			t.Fatalf("%s: %s", f, ds[0].Detail)
		}
		for _, s := range doc.Statement {
			if s.Effect == policy.Allow && s.Principal.Everyone() {
				everyone++
			}
		}
		for _, d := range lint.RunPolicyFile(f, data, rules.All) {
			t.Errorf("%s: %s %s: %s", f, d.Rule, d.Summary, d.Detail)
		}
	}
	if everyone == 0 {
		t.Error("no generated policy allows principal \"*\": the test checks no narrowing")
	}
}

func TestConditionValues(t *testing.T) {
	tests := []struct {
		condition string
		want      policy.Conditions
		wantErr   string // in the detail of a "Not a policy document" at line 5
	}{
		{
			condition: `{"Bool": {"kms:GrantIsForAWSResource": true}}`,
			want:      policy.Conditions{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
		},
		{
			condition: `{"Bool": {"kms:GrantIsForAWSResource": [false]}}`,
			want:      policy.Conditions{"Bool": {"kms:GrantIsForAWSResource": {"false"}}},
		},
		{
			condition: `{"NumericLessThan": {"kms:MultiRegion": 3, "aws:MultiFactorAuthAge": [3600, 1.5e3, -2]}}`,
			want: policy.Conditions{"NumericLessThan": {
				"kms:MultiRegion": {"3"}, "aws:MultiFactorAuthAge": {"3600", "1.5e3", "-2"},
			}},
		},
		{
			condition: `{"StringEquals": {"kms:CallerAccount": ["111111111111", 222222222222]}}`,
			want:      policy.Conditions{"StringEquals": {"kms:CallerAccount": {"111111111111", "222222222222"}}},
		},
		{
			condition: `null`,
		},
		{
			condition: `{"StringEquals": {"kms:CallerAccount": null}}`,
			wantErr:   `statement #1: the value of condition key "kms:CallerAccount" under "StringEquals" must be a string, number or boolean, or a list of them, not null.`,
		},
		{
			condition: `{"StringEquals": {"kms:CallerAccount": ["111111111111", null]}}`,
			wantErr:   `not null in a list.`,
		},
		{
			condition: `{"StringEquals": {"kms:CallerAccount": {"a": "111111111111"}}}`,
			wantErr:   `under "StringEquals" must be a string, number or boolean, or a list of them, not an object.`,
		},
		{
			condition: `{"StringEquals": {"kms:CallerAccount": [["111111111111"]]}}`,
			wantErr:   `not a list inside a list.`,
		},
		{
			condition: `{"StringEquals": null}`,
			wantErr:   `Condition operator "StringEquals" must be an object of condition keys, not null.`,
		},
		{
			condition: `{"Bool": true}`,
			wantErr:   `Condition operator "Bool" must be an object of condition keys, not a boolean.`,
		},
		{
			condition: `[{"Bool": {"kms:GrantIsForAWSResource": true}}]`,
			wantErr:   `Condition must be an object of condition operators, not a list.`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.condition, func(t *testing.T) {
			doc, _, ds := lint.ReadPolicy("p.json", statementFile(`{"AWS": "arn:aws:iam::111111111111:role/app"}`, tt.condition))
			if tt.wantErr != "" {
				if len(ds) != 1 || ds[0].Summary != "Not a policy document" || !strings.Contains(ds[0].Detail, tt.wantErr) {
					t.Fatalf("want one Not a policy document saying %q, got %v", tt.wantErr, ds)
				}
				if got := ds[0].Subject.Start.Line; got != 5 {
					t.Errorf("reported at line %d, want 5 (the Condition)", got)
				}
				return
			}
			if ds.HasErrors() {
				t.Fatalf("not read: %s", ds[0].Detail)
			}
			if diff := cmp.Diff(tt.want, doc.Statement[0].Condition); diff != "" {
				t.Errorf("conditions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConditionValuesAreOnlyForConditions: booleans and numbers are condition
// values; Action and Resource still take strings only.
func TestConditionValuesAreOnlyForConditions(t *testing.T) {
	data := []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow", "Principal": "*",
   "Action": true, "Resource": "*"}
]}`)
	_, _, ds := lint.ReadPolicy("p.json", data)
	if len(ds) != 1 || ds[0].Summary != "Not a policy document" || !strings.Contains(ds[0].Detail, "Statement.Action must be a string or a list of strings") {
		t.Fatalf("want Not a policy document about Action, got %v", ds)
	}
	if got := ds[0].Subject.Start.Line; got != 3 {
		t.Errorf("reported at line %d, want 3 (the Action)", got)
	}
}

// TestPolicyWithByteOrderMark: a UTF-8 byte order mark before the JSON is
// skipped, as kpgen skips it before a spec.
func TestPolicyWithByteOrderMark(t *testing.T) {
	data := []byte("\uFEFF" + `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"},
   "Action": "kms:Decrypt", "Resource": "*"}
]}`)
	doc, _, ds := lint.ReadPolicy("p.json", data)
	if ds.HasErrors() || len(doc.Statement) != 1 {
		t.Fatalf("want the policy read, got %v", ds)
	}
}

// TestStatementsMustBeObjects: a statement that is null, a string or a list
// is refused where it is written, not read as an empty statement.
func TestStatementsMustBeObjects(t *testing.T) {
	for _, tt := range []struct{ value, kind string }{
		{"null", "null"}, {`"x"`, "a string"}, {"[]", "a list"}, {"3", "a number"}, {"true", "a boolean"},
	} {
		data := []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"},
   "Action": "kms:Decrypt", "Resource": "*"},
  ` + tt.value + `
]}`)
		_, _, ds := lint.ReadPolicy("p.json", data)
		want := "statement #2 is " + tt.kind + ", not an object"
		if len(ds) != 1 || ds[0].Summary != "Not a policy document" || !strings.Contains(ds[0].Detail, want) {
			t.Fatalf("%s: want one Not a policy document saying %q, got %v", tt.value, want, ds)
		}
		if got := ds[0].Subject.Start; got.Line != 4 || got.Column != 3 {
			t.Errorf("%s: reported at %d:%d, want 4:3", tt.value, got.Line, got.Column)
		}
	}
}

func TestKP808EmptyPrincipal(t *testing.T) {
	tests := []struct {
		principal string
		want      []finding
	}{
		{`{}`, []finding{{4, "KP808"}}},
		{`{"AWS": []}`, []finding{{4, "KP808"}}},
		{`{"AWS": null}`, []finding{{4, "KP808"}}},
		{`{"AWS": [], "Service": []}`, []finding{{4, "KP808"}}},
		{`{"AWS": ""}`, []finding{{4, "KP808"}}},
		{`{"AWS": ["", ""]}`, []finding{{4, "KP808"}}},
		{`null`, []finding{{2, "KP808"}}}, // no Principal at all: at the statement
		{`{"AWS": "arn:aws:iam::111111111111:role/app"}`, nil},
		{`{"Service": ["logs.us-east-1.amazonaws.com"]}`, nil},
		{`{"Federated": "cognito-identity.amazonaws.com"}`, nil},
		{`{"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}`, nil},
		{`"*"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.principal, func(t *testing.T) {
			data := statementFile(tt.principal, `{"StringEquals": {"kms:CallerAccount": "111111111111"}}`)
			ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP808})
			if diff := cmp.Diff(tt.want, findings(t, ds)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestKP808EmptyNotPrincipal(t *testing.T) {
	data := []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Others", "Effect": "Deny", "Action": "kms:*", "Resource": "*",
   "NotPrincipal": {"AWS": []}}
]}`)
	ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP808})
	if diff := cmp.Diff([]finding{{3, "KP808"}}, findings(t, ds)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestKP805Patterns: patterns that between them match every KMS action
// grant as much as kms:*.
func TestKP805Patterns(t *testing.T) {
	tests := []struct {
		action string
		want   []finding
	}{
		{`"kms:*"`, []finding{{3, "KP805"}}},
		{`"KMS:*"`, []finding{{3, "KP805"}}},
		{`"kms:**"`, []finding{{3, "KP805"}}},
		{`"k?s:*"`, []finding{{3, "KP805"}}},
		{`["kms:*crypt*", "kms:*e*", "kms:List*", "kms:Get*", "kms:Sign", "kms:Verify", "kms:VerifyMac", "kms:ReplicateKey"]`, []finding{{3, "KP805"}}},
		{`["kms:Decrypt", "kms:Encrypt"]`, nil},
		{`"kms:*crypt*"`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			data := []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"},
   "Action": ` + tt.action + `, "Resource": "*"}
]}`)
			ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP805})
			if diff := cmp.Diff(tt.want, findings(t, ds)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestKP805AccountRoots: kms:* to one account's root is the default
// delegation to IAM; to the roots of two accounts it hands the key to the
// IAM policies of an account it does not belong to.
func TestKP805AccountRoots(t *testing.T) {
	tests := []struct {
		principal string
		want      []finding
	}{
		{`{"AWS": "arn:aws:iam::111111111111:root"}`, nil},
		{`{"AWS": ["arn:aws:iam::111111111111:root", "111111111111"]}`, nil},
		{`{"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"]}`, []finding{{3, "KP805"}}},
		{`{"AWS": ["111111111111", "222222222222"]}`, []finding{{3, "KP805"}}},
		{`{"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:role/ops"]}`, []finding{{3, "KP805"}}},
	}
	for _, tt := range tests {
		t.Run(tt.principal, func(t *testing.T) {
			data := []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Root", "Effect": "Allow", "Principal": ` + tt.principal + `,
   "Action": "kms:*", "Resource": "*"}
]}`)
			ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP805})
			if diff := cmp.Diff(tt.want, findings(t, ds)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestKP809Operators: IfExists goes with every operator but Null.
func TestKP809Operators(t *testing.T) {
	for op, want := range map[string][]finding{
		"StringEqualsIfExists":           nil,
		"ForAnyValue:StringLikeIfExists": nil,
		"Null":                           nil,
		"NullIfExists":                   {{5, "KP809"}},
		"StringEqualz":                   {{5, "KP809"}},
		"ForSomeValues:StringEquals":     {{5, "KP809"}},
	} {
		data := statementFile(`{"AWS": "arn:aws:iam::111111111111:role/app"}`, `{"`+op+`": {"kms:CallerAccount": "111111111111"}}`)
		ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP809})
		if diff := cmp.Diff(want, findings(t, ds)); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", op, diff)
		}
	}
}

// TestKP809SaysWhatAMissingKeyDoes: the message says whether a condition on
// a key no request carries always or never holds, by its operator.
func TestKP809SaysWhatAMissingKeyDoes(t *testing.T) {
	for op, want := range map[string]string{
		"StringEquals":                "never holds and the Allow never applies",
		"StringEqualsIfExists":        "always holds: the guard is off",
		"StringNotEquals":             "always holds: the guard is off",
		"ForAllValues:StringLike":     "always holds: the guard is off",
		"ForAnyValue:StringEquals":    "never holds",
		"ForAnyValue:StringNotEquals": "never holds",
	} {
		data := statementFile(`{"AWS": "arn:aws:iam::111111111111:role/app"}`, `{"`+op+`": {"kms:ViaServic": "s3.us-east-1.amazonaws.com"}}`)
		ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP809})
		if len(ds) != 1 || !strings.Contains(ds[0].Detail, want) {
			t.Errorf("%s: want one finding saying %q, got %v", op, want, ds)
		}
	}
}

// TestStatementKeyInAnyCase: JSON field names match in any case, so a null
// statement under "StateMent" is refused too, not read as a statement.
func TestStatementKeyInAnyCase(t *testing.T) {
	_, _, ds := lint.ReadPolicy("p.json", []byte(`{"StateMent":[null]}`))
	if len(ds) != 1 || ds[0].Summary != "Not a policy document" || !strings.Contains(ds[0].Detail, "statement #1 is null") {
		t.Fatalf("want one Not a policy document about statement #1, got %v", ds)
	}
}

// TestLocationsWithKeysInAnyCase: a policy whose element names are in
// another case (encoding/json reads them all the same) has its findings
// located at the element, not at the start of the file.
func TestLocationsWithKeysInAnyCase(t *testing.T) {
	data := `{"version":"2012-10-17","statement":[{"sid":"a","effect":"Allow","PRINCIPAL":"*","action":"kms:Decrypt","resource":"*"}]}`
	ds := lint.RunPolicyFile("p.json", []byte(data), []*lint.Rule{rules.KP801})
	want := strings.Index(data, `"PRINCIPAL"`) + 1
	if len(ds) != 1 || ds[0].Subject.Start.Line != 1 || ds[0].Subject.Start.Column != want {
		t.Fatalf("want one KP801 at 1:%d, got %v", want, ds)
	}
}

// TestKP807ViaService: CreateGrant under a kms:ViaService condition (the
// shape of AWS's own managed-key policies) is still reported, as the rule's
// summary says, but the message does not say that anyone may be handed the
// key.
func TestKP807ViaService(t *testing.T) {
	for cond, want := range map[string]string{
		`{"StringEquals": {"kms:ViaService": "ec2.us-west-2.amazonaws.com"}}`: "Its kms:ViaService condition already limits the call",
		`{"stringequals": {"kms:viaservice": "ec2.us-west-2.amazonaws.com"}}`: "Its kms:ViaService condition already limits the call",
		`{"StringEquals": {"kms:CallerAccount": "111111111111"}}`:             "can hand the key's use to any other principal",
	} {
		data := []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"},
   "Action": ["kms:Decrypt", "kms:CreateGrant"], "Resource": "*", "Condition": ` + cond + `}
]}`)
		ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP807})
		if len(ds) != 1 || !strings.Contains(ds[0].Detail, want) {
			t.Errorf("%s: want one KP807 saying %q, got %v", cond, want, ds)
		}
	}
}

// TestKP803KnowsMLKEM: the ML-KEM operations are KMS actions.
func TestKP803KnowsMLKEM(t *testing.T) {
	data := []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"},
   "Action": ["kms:Encapsulate", "kms:Decapsulate", "kms:GetPublicKey"], "Resource": "*"}
]}`)
	if ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP803}); len(ds) != 0 {
		t.Errorf("want no finding, got %v", ds)
	}
}

// TestKP802Limit: a policy of exactly AWS's limit passes, one byte more
// does not.
func TestKP802Limit(t *testing.T) {
	base := `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"},
   "Action": "kms:Decrypt", "Resource": "*"}
]}`
	for size, want := range map[int][]finding{policy.MaxSize: nil, policy.MaxSize + 1: {{1, "KP802"}}} {
		data := []byte(base + strings.Repeat(" ", size-len(base)))
		ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP802})
		if diff := cmp.Diff(want, findings(t, ds)); diff != "" {
			t.Errorf("%d bytes: findings (-want +got):\n%s", size, diff)
		}
	}
}

// TestKP806AnyCase: condition keys and operators are matched in any case.
func TestKP806AnyCase(t *testing.T) {
	for _, condition := range []string{
		`{"ForAnyValue:StringEquals": {"kms:EncryptionContext:tenant": ["a", "b"]}}`,
		`{"ForAnyValue:StringEquals": {"KMS:EncryptionContext:tenant": ["a", "b"]}}`,
		`{"forallvalues:StringEquals": {"kms:encryptioncontext:tenant": "a"}}`,
	} {
		data := statementFile(`{"AWS": "arn:aws:iam::111111111111:role/app"}`, condition)
		ds := lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP806})
		if diff := cmp.Diff([]finding{{5, "KP806"}}, findings(t, ds)); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", condition, diff)
		}
	}
}

// TestKP806Order: findings of one statement, which share a range, come out
// in one order, whatever order Go gives the condition's map.
func TestKP806Order(t *testing.T) {
	data := statementFile(`{"AWS": "arn:aws:iam::111111111111:role/app"}`,
		`{"ForAllValues:StringEquals": {"kms:EncryptionContext:c": "1", "kms:EncryptionContext:a": "1", "kms:EncryptionContext:b": "1"}, "ForAnyValue:StringEquals": {"kms:EncryptionContext:d": "1"}}`)
	var first []string
	for range 20 {
		var got []string
		for _, d := range lint.RunPolicyFile("p.json", data, []*lint.Rule{rules.KP806}) {
			got = append(got, d.Detail)
		}
		if len(got) != 4 {
			t.Fatalf("%d findings, want 4", len(got))
		}
		if first == nil {
			first = got
		} else if diff := cmp.Diff(first, got); diff != "" {
			t.Fatalf("findings in another order (-first +now):\n%s", diff)
		}
	}
}

// TestKP810Forms: the principal forms AWS takes pass; near misses do not.
func TestKP810Forms(t *testing.T) {
	for principal, ok := range map[string]bool{
		`{"AWS": "111122223333"}`:                                       true,
		`{"AWS": "arn:aws:iam::111122223333:root"}`:                     true,
		`{"AWS": "arn:aws:iam::111122223333:role/team/app"}`:            true,
		`{"AWS": "arn:aws:iam::111122223333:user/alice"}`:               true,
		`{"AWS": "arn:aws:sts::111122223333:assumed-role/app/session"}`: true,
		`{"AWS": "arn:aws:sts::111122223333:federated-user/alice"}`:     true,
		`{"AWS": "arn:aws-us-gov:iam::111122223333:role/app"}`:          true,
		`{"AWS": "AROA1234567890EXAMPLE"}`:                              true,
		`{"Service": "logs.us-east-1.amazonaws.com"}`:                   true,
		`{"Service": "logs.cn-north-1.amazonaws.com.cn"}`:               true,
		`{"Federated": "arn:aws:iam::111122223333:saml-provider/corp"}`: true,
		`{"AWS": "arn:aws:iam::111122223333:role/app "}`:                false,
		`{"AWS": "arn:aws:iam::*:root"}`:                                false,
		`{"AWS": "arn:aws:iam::111122223333:role/app-?"}`:               false,
		`{"AWS": "arn:aws:iam::111122223333:group/admins"}`:             false,
		`{"AWS": "arn:aws:iam::11112222333:root"}`:                      false,
		`{"AWS": "arn:aws:iam:us-east-1:111122223333:role/app"}`:        false,
		`{"AWS": "arn:aws:iam::111122223333:role/"}`:                    false,
		`{"AWS": "arn:aws:s3:::bucket"}`:                                false,
		`{"AWS": "alice"}`:                                              false,
		`{"Service": "S3"}`:                                             false,
		`{"Service": "*"}`:                                              false,
		`{"Federated": "*"}`:                                            false,
		`{"CanonicalUser": "*"}`:                                        false,
	} {
		var want []finding
		if !ok {
			want = []finding{{4, "KP810"}}
		}
		ds := lint.RunPolicyFile("p.json", statementFile(principal, "{}"), []*lint.Rule{rules.KP810})
		if diff := cmp.Diff(want, findings(t, ds)); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", principal, diff)
		}
	}
}

// TestKP811Characters: what the KMS API takes (tab, line feed, carriage
// return, U+0020 to U+00FF) passes; anything else, escaped in the JSON or
// not, does not.
func TestKP811Characters(t *testing.T) {
	for value, ok := range map[string]bool{
		`plain ~text~`: true,
		`Zürich ÿ`:     true,
		`\u00a0`:       true,
		`\t\n\r`:       true,
		`\u0100`:       false,
		`東京`:           false,
		`\u20ac`:       false,
		`€`:            false,
		`a\u007f`:      true,
		`\u0085`:       true,
		`\u001f`:       false,
		`\u0000`:       false,
		`\u2028`:       false,
		`🔑`:            false,
	} {
		var want []finding
		if !ok {
			want = []finding{{5, "KP811"}}
		}
		condition := fmt.Sprintf(`{"StringEquals": {"kms:EncryptionContext:k": "%s"}}`, value)
		ds := lint.RunPolicyFile("p.json", statementFile(`{"AWS": "111122223333"}`, condition), []*lint.Rule{rules.KP811})
		if diff := cmp.Diff(want, findings(t, ds)); diff != "" {
			t.Errorf("%q: findings (-want +got):\n%s", value, diff)
		}
	}
}

// TestKP807And809Edges: a GrantIsForAWSResource condition that also admits
// false limits nothing; a condition key that is only a prefix is unknown,
// and aws:PrincipalOrgPaths is known.
func TestKP807And809Edges(t *testing.T) {
	grant := `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Grant", "Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*",
   "Principal": {"AWS": "arn:aws:iam::111122223333:role/app"},
   "Condition": {"Bool": {"kms:GrantIsForAWSResource": ["true", "false"]}}}
]}
`
	if diff := cmp.Diff([]finding{{2, "KP807"}}, findings(t, lint.RunPolicyFile("p.json", []byte(grant), []*lint.Rule{rules.KP807}))); diff != "" {
		t.Errorf("GrantIsForAWSResource true or false: findings (-want +got):\n%s", diff)
	}
	for condition, want := range map[string][]finding{
		`{"StringEquals": {"aws:PrincipalTag/": "x"}}`:                            {{5, "KP809"}},
		`{"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3d4e5/*"}}`: nil,
	} {
		ds := lint.RunPolicyFile("p.json", statementFile(`{"AWS": "arn:aws:iam::111122223333:role/app"}`, condition), []*lint.Rule{rules.KP809})
		if diff := cmp.Diff(want, findings(t, ds)); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", condition, diff)
		}
	}
}

// TestKP811Everywhere: a character KMS refuses is found in every element of
// a statement, condition operators and keys included.
func TestKP811Everywhere(t *testing.T) {
	for _, stmt := range []string{
		`{"Sid": "€", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*"}`,
		`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "€"}`,
		`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt€", "Resource": "*"}`,
		`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals€": {"kms:CallerAccount": "111122223333"}}}`,
		`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "kms:Decrypt", "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:€": "x"}}}`,
	} {
		doc := `{"Version": "2012-10-17", "Statement": [` + stmt + `]}`
		ds := lint.RunPolicyFile("p.json", []byte(doc), []*lint.Rule{rules.KP811})
		if len(ds) != 1 || ds[0].Rule != "KP811" {
			t.Errorf("%s: %v, want one KP811 finding", stmt, ds)
		}
	}
}

// TestPolicyKeyWrittenTwice: a policy in which one object holds a key twice,
// or two keys that differ only in case, is refused at the second key, since
// which of the two counts decides what the policy allows. Keys that only
// look alike are not refused.
func TestPolicyKeyWrittenTwice(t *testing.T) {
	const root = `{"AWS": "arn:aws:iam::111111111111:root"}`
	tests := []struct {
		name, principal, condition string
		wantLine                   int // 4 or 5, where principal or condition is; 0: the policy is read
		wantCol                    int
		want                       string // in the detail
	}{
		{"principal twice", `"*", "Principal": ` + root, `null`, 4, 22,
			`The key "Principal" is written a second time in one object (first at line 4).`},
		{"principal in another case", `"*", "principal": ` + root, `null`, 4, 22,
			`The key "principal" differs only in case from the key "Principal" at line 4`},
		{"AWS twice", `{"AWS": "*", "aws": "arn:aws:iam::111111111111:root"}`, `null`, 4, 30, `"aws" differs only in case from the key "AWS"`},
		{"condition operator twice", root, `{"StringEquals": {}, "StringEquals": {"kms:CallerAccount": "111111111111"}}`, 5, 38, `"StringEquals" is written a second time`},
		{"condition key in another case", root, `{"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5", "aws:principalorgid": "o-z"}}`, 5, 73, `"aws:principalorgid" differs only in case`},
		{"long s, which folds to s", root, `{"StringEquals": {"kms:CallerAccount": "1", "kmſ:CallerAccount": "2"}}`, 5, 61, `"kmſ:CallerAccount" differs only in case from the key "kms:CallerAccount"`},
		{"after a number no float64 holds", root, `{"NumericLessThan": {"kms:X": 1e400}, "Bool": {}, "Bool": {"kms:GrantIsForAWSResource": "true"}}`, 5, 67, `"Bool" is written a second time`},
		{"escaped", root, `{"Bool": {"kms:GrantIsForAWSResource": "true", "kms:GrantIsForAWS\u0052esource": "false"}}`, 5, 64, `"kms:GrantIsForAWSResource" is written a second time`},
		{"alike, not the same", root, `{"StringEquals": {"aws:PrincipalAccount": "111111111111", "aws:PrincipalArn": "x"}, "Null": {"aws:PrincipalArn": "false"}}`, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, ds := lint.ReadPolicy("p.json", statementFile(tt.principal, tt.condition))
			if tt.wantLine == 0 {
				if ds.HasErrors() {
					t.Fatalf("not read: %s", ds[0].Detail)
				}
				return
			}
			if len(ds) != 1 || ds[0].Summary != "Key written twice" || !strings.Contains(ds[0].Detail, tt.want) {
				t.Fatalf("want one Key written twice saying %q, got %v", tt.want, ds)
			}
			if got := ds[0].Subject.Start; got.Line != tt.wantLine || got.Column != tt.wantCol {
				t.Errorf("reported at %d:%d, want %d:%d", got.Line, got.Column, tt.wantLine, tt.wantCol)
			}
		})
	}
}

// TestPolicyKeyWrittenTwiceAcrossLines: the message names the line of the
// first key, and the range covers the second key whole.
func TestPolicyKeyWrittenTwiceAcrossLines(t *testing.T) {
	data := []byte(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "Use", "Effect": "Allow",
   "Action": "kms:Decrypt", "Resource": "*",
   "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
   "Principal": "*"}
]}`)
	_, _, ds := lint.ReadPolicy("p.json", data)
	if len(ds) != 1 || !strings.Contains(ds[0].Detail, `(first at line 4)`) {
		t.Fatalf("want one finding naming line 4, got %v", ds)
	}
	if s, e := ds[0].Subject.Start, ds[0].Subject.End; s.Line != 5 || s.Column != 4 || e.Line != 5 || e.Column != 15 {
		t.Errorf("range %d:%d-%d:%d, want 5:4-5:15", s.Line, s.Column, e.Line, e.Column)
	}
}
