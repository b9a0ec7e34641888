package policy

import (
	"encoding/json"
	"testing"
)

func TestEvaluate(t *testing.T) {
	const doc = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Use", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"},
     "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:ViaService": ["s3.us-east-1.amazonaws.com", "rds.us-east-1.amazonaws.com"]}}},
    {"Sid": "Sso", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Encrypt", "Resource": "*",
     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Dev_*"}}},
    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:Sign", "Resource": "*"},
    {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"}, "Action": "kms:Encrypt*", "Resource": "*",
     "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:111111111111:*"}}},
    {"Sid": "IfExists", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/tagger"}, "Action": "kms:TagResource", "Resource": "*",
     "Condition": {"StringEqualsIfExists": {"aws:RequestTag/team": "web"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}},
    {"Sid": "Untag", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/tagger"}, "Action": "kms:UntagResource", "Resource": "*"},
    {"Sid": "KeepTeam", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111111111111:role/tagger"}, "Action": "kms:UntagResource", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:TagKeys": "team"}}},
    {"Sid": "Short", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Verify", "Resource": "*",
     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111111111111"}}},
    {"Sid": "Guard", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}, "Bool": {"aws:PrincipalIsAWSService": "false"}}}
  ]
}`
	var d Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatal(err)
	}
	org := []string{"o-abcdefghij"}
	tests := []struct {
		name string
		req  Request
		want Decision
	}{
		{"through a listed service", Request{Principal: "arn:aws:iam::111111111111:role/app", Action: "kms:Decrypt",
			Context: map[string][]string{"kms:ViaService": {"rds.us-east-1.amazonaws.com"}, "aws:PrincipalOrgID": org}}, Allowed},
		{"action wildcard, case-insensitive", Request{Principal: "arn:aws:iam::111111111111:role/app", Action: "KMS:generatedatakeywithoutplaintext",
			Context: map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}, "aws:PrincipalOrgID": org}}, Allowed},
		{"condition key missing", Request{Principal: "arn:aws:iam::111111111111:role/app", Action: "kms:Decrypt",
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, ImplicitlyDenied},
		{"action not granted", Request{Principal: "arn:aws:iam::111111111111:role/app", Action: "kms:Encrypt",
			Context: map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}, "aws:PrincipalOrgID": org}}, ImplicitlyDenied},
		{"explicit deny wins: outside the organization", Request{Principal: "arn:aws:iam::111111111111:role/app", Action: "kms:Decrypt",
			Context: map[string][]string{"kms:ViaService": {"s3.us-east-1.amazonaws.com"}}}, ExplicitlyDenied},
		{"Identity Center role by pattern", Request{Principal: "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Dev_abc123", Action: "kms:Encrypt",
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, Allowed},
		{"ArnLike is case-sensitive", Request{Principal: "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/awsreservedsso_dev_abc123", Action: "kms:Encrypt",
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, ImplicitlyDenied},
		{"pattern does not span ARN segments", Request{Principal: "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_x", Action: "kms:Encrypt",
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, ImplicitlyDenied},
		{"root delegates only with an identity policy", Request{Principal: "arn:aws:iam::111111111111:role/any", Action: "kms:Sign",
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, ImplicitlyDenied},
		{"root delegation with an identity policy", Request{Principal: "arn:aws:iam::111111111111:role/any", Action: "kms:Sign", IdentityAllows: true,
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, Allowed},
		{"root delegation is per account", Request{Principal: "arn:aws:iam::222222222222:role/any", Action: "kms:Sign", IdentityAllows: true,
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, ImplicitlyDenied},
		{"service principal, not under the guard", Request{Principal: "logs.us-east-1.amazonaws.com", Action: "kms:Encrypt",
			Context: map[string][]string{"kms:EncryptionContext:aws:logs:arn": {"arn:aws:logs:us-east-1:111111111111:log-group:x"}}}, Allowed},
		{"service principal for another account", Request{Principal: "logs.us-east-1.amazonaws.com", Action: "kms:Encrypt",
			Context: map[string][]string{"kms:EncryptionContext:aws:logs:arn": {"arn:aws:logs:us-east-1:999999999999:log-group:x"}}}, ImplicitlyDenied},
		{"IfExists holds without the key", Request{Principal: "arn:aws:iam::111111111111:role/tagger", Action: "kms:TagResource",
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, Allowed},
		{"ForAllValues: every value must match", Request{Principal: "arn:aws:iam::111111111111:role/tagger", Action: "kms:TagResource",
			Context: map[string][]string{"aws:PrincipalOrgID": org, "aws:TagKeys": {"team", "owner"}}}, ImplicitlyDenied},
		{"IfExists with a wrong value", Request{Principal: "arn:aws:iam::111111111111:role/tagger", Action: "kms:TagResource",
			Context: map[string][]string{"aws:PrincipalOrgID": org, "aws:RequestTag/team": {"ops"}}}, ImplicitlyDenied},
		{"negated operator: no value may match", Request{Principal: "arn:aws:iam::111111111111:role/tagger", Action: "kms:UntagResource",
			Context: map[string][]string{"aws:PrincipalOrgID": org, "aws:TagKeys": {"team", "env"}}}, Allowed},
		{"negated operator: none matches", Request{Principal: "arn:aws:iam::111111111111:role/tagger", Action: "kms:UntagResource",
			Context: map[string][]string{"aws:PrincipalOrgID": org, "aws:TagKeys": {"env"}}}, ExplicitlyDenied},
		{"an ARN pattern of five fields matches no role", Request{Principal: "arn:aws:iam::111111111111:role/x", Action: "kms:Verify",
			Context: map[string][]string{"aws:PrincipalOrgID": org}}, ImplicitlyDenied},
	}
	for _, tt := range tests {
		if got := Evaluate(&d, tt.req); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestEvaluateNotElements: NotAction and NotPrincipal invert what they name;
// a NotResource of "*" leaves a statement nothing to apply to.
func TestEvaluateNotElements(t *testing.T) {
	const doc = `{"Statement": [
    {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:role/app", "arn:aws:iam::111111111111:role/admin"]}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111111111111:role/app"}, "NotAction": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111111111111:role/other", "arn:aws:iam::111111111111:root"]}, "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
    {"Effect": "Deny", "NotPrincipal": {"AWS": ["arn:aws:iam::111111111111:role/admin", "111111111111"]}, "Action": "kms:ScheduleKeyDeletion", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/other"}, "Action": "kms:Decrypt", "NotResource": "*"}
  ]}`
	var d Document
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatal(err)
	}
	const app, admin, other = "arn:aws:iam::111111111111:role/app", "arn:aws:iam::111111111111:role/admin", "arn:aws:iam::111111111111:role/other"
	tests := []struct {
		principal, action string
		want              Decision
	}{
		{app, "kms:Decrypt", Allowed},
		{app, "kms:GenerateDataKeyPair", Allowed},
		{app, "kms:Encrypt", ExplicitlyDenied},                                 // not in NotAction: denied
		{app, "kms:ScheduleKeyDeletion", ExplicitlyDenied},                     // and not the excluded principal
		{admin, "kms:ScheduleKeyDeletion", Allowed},                            // NotPrincipal excludes it from the Deny
		{other, "kms:Decrypt", ImplicitlyDenied},                               // NotResource "*": applies to nothing
		{other, "kms:ScheduleKeyDeletion", ExplicitlyDenied},                   // allowed, but not excluded from the Deny
		{"arn:aws:iam::111111111111:root", "kms:ScheduleKeyDeletion", Allowed}, // an account ID names its root
	}
	for _, tt := range tests {
		if got := Evaluate(&d, Request{Principal: tt.principal, Action: tt.action}); got != tt.want {
			t.Errorf("%s %s: got %v, want %v", tt.principal, tt.action, got, tt.want)
		}
	}
	// An account in NotPrincipal excludes its root, not the roles its
	// identity policies would let in.
	if got := Evaluate(&d, Request{Principal: other, Action: "kms:ScheduleKeyDeletion", IdentityAllows: true}); got != ExplicitlyDenied {
		t.Errorf("%s with an identity policy: got %v, want ExplicitlyDenied", other, got)
	}
	if got := Decision(7).String(); got != "Decision(7)" {
		t.Errorf("an unknown decision prints %q", got)
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"kms:*", "kms:Decrypt", true},
		{"kms:Re?ncrypt*", "kms:ReEncryptFrom", true},
		{"kms:Describe*", "kms:Decrypt", false},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"*", "", true},
		{"", "x", false},
		// A pathological pattern finishes quickly.
		{"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s, false); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}

func TestValuesJSON(t *testing.T) {
	one, _ := json.Marshal(Values{"kms:Decrypt"})
	two, _ := json.Marshal(Values{"a", "b"})
	if string(one) != `"kms:Decrypt"` || string(two) != `["a","b"]` {
		t.Errorf("Values encode as %s and %s", one, two)
	}
}

func BenchmarkBuild1000(b *testing.B) {
	m := bigModel(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if pols := Build(m); len(pols) != 9000 {
			b.Fatalf("%d policies", len(pols))
		}
	}
}
