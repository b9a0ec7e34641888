package policy_test

import (
	"strings"
	"testing"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/policy"
)

// TestChinaPartition: in aws-cn, kms:ViaService names the services' hosts
// under amazonaws.com.cn, as does CloudWatch Logs' per-region principal;
// the other service principals are SERVICE.amazonaws.com there too.
func TestChinaPartition(t *testing.T) {
	_, pols := fixture.Build(t, `
kpgen {
  version = 1
}
organization "o" {
  strategy  = "decentralized"
  partition = "aws-cn"
  regions   = ["cn-north-1"]
  deployer  = "role/deploy"
}
account "prod" {
  id = "333333333333"
}
classification "internal" {
  rank = 1
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "app" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  data "logs" {
    classification = "internal"
    services       = ["s3"]
    users          = ["role/app", "service:logs", "service:cloudtrail"]
  }
}
`)
	if len(pols) != 1 {
		t.Fatalf("%d policies, want 1", len(pols))
	}
	doc := string(pols[0].JSON())
	for _, want := range []string{`"s3.cn-north-1.amazonaws.com.cn"`, `"logs.cn-north-1.amazonaws.com.cn"`, `"cloudtrail.amazonaws.com"`, `arn:aws-cn:logs:cn-north-1:333333333333:*`} {
		if !strings.Contains(doc, want) {
			t.Errorf("the policy has no %s:\n%s", want, doc)
		}
	}
	for _, bad := range []string{"s3.cn-north-1.amazonaws.com\"", "logs.cn-north-1.amazonaws.com\""} {
		if strings.Contains(doc, bad) {
			t.Errorf("the policy names %s, the form of the aws partition", bad)
		}
	}
	req := policy.Request{
		Principal: "logs.cn-north-1.amazonaws.com.cn",
		Action:    "kms:GenerateDataKey",
		Context:   map[string][]string{"kms:EncryptionContext:aws:logs:arn": {"arn:aws-cn:logs:cn-north-1:333333333333:log-group:app"}},
	}
	if got := policy.Evaluate(pols[0].Document, req); got != policy.Allowed {
		t.Errorf("CloudWatch Logs in cn-north-1: %v, want allowed", got)
	}
	req.Principal = "arn:aws-cn:iam::333333333333:role/app"
	req.Context = map[string][]string{"kms:ViaService": {"s3.cn-north-1.amazonaws.com.cn"}, "kms:CallerAccount": {"333333333333"}}
	if got := policy.Evaluate(pols[0].Document, req); got != policy.Allowed {
		t.Errorf("role/app through S3 in cn-north-1: %v, want allowed", got)
	}
}
