package policy_test

import (
	"strings"
	"testing"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/policy"
)

// TestChinaPartition: in aws-cn, kms:ViaService values end in amazonaws.com,
// as the AWS KMS Developer Guide gives them in every partition, while
// CloudWatch Logs' per-region principal is under amazonaws.com.cn; the other
// service principals are SERVICE.amazonaws.com there too.
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
	for _, want := range []string{`"s3.cn-north-1.amazonaws.com"`, `"logs.cn-north-1.amazonaws.com.cn"`, `"cloudtrail.amazonaws.com"`, `arn:aws-cn:logs:cn-north-1:333333333333:*`} {
		if !strings.Contains(doc, want) {
			t.Errorf("the policy has no %s:\n%s", want, doc)
		}
	}
	for _, bad := range []string{"s3.cn-north-1.amazonaws.com.cn", "logs.cn-north-1.amazonaws.com\""} {
		if strings.Contains(doc, bad) {
			t.Errorf("the policy names %s", bad)
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
	req.Context = map[string][]string{"kms:ViaService": {"s3.cn-north-1.amazonaws.com"}, "kms:CallerAccount": {"333333333333"}}
	if got := policy.Evaluate(pols[0].Document, req); got != policy.Allowed {
		t.Errorf("role/app through S3 in cn-north-1: %v, want allowed", got)
	}
}

// TestElastiCacheHosts: ElastiCache calls KMS under two kms:ViaService
// names, and the AWS KMS Developer Guide asks for both; a user reaches the
// key through either and through no other service, in the key policy and,
// under centralized, in the identity policy.
func TestElastiCacheHosts(t *testing.T) {
	m, pols := fixture.Build(t, `
kpgen {
  version = 1
}
organization "o" {
  strategy      = "centralized"
  regions       = ["eu-west-1"]
  security_team = "sec"
  key_account   = "keys"
  deployer      = "role/deploy"
}
account "keys" {
  id = "111111111111"
}
account "prod" {
  id = "333333333333"
}
classification "internal" {
  rank = 1
}
team "sec" {
  administrators = ["role/KeyAdmin"]
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "app" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  data "sessions" {
    classification = "internal"
    services       = ["elasticache"]
    users          = ["role/app"]
  }
}
`)
	if len(pols) != 1 {
		t.Fatalf("%d policies, want 1", len(pols))
	}
	want := `["dax.eu-west-1.amazonaws.com","elasticache.eu-west-1.amazonaws.com"]`
	if doc := string(pols[0].JSON()); !strings.Contains(strings.Join(strings.Fields(doc), ""), `"kms:ViaService":`+want) {
		t.Errorf("the key policy does not name %s:\n%s", want, doc)
	}
	ids := policy.IdentityPolicies(m)
	if len(ids) != 1 {
		t.Fatalf("%d identity policies, want 1", len(ids))
	}
	if doc := string(ids[0].Document.JSON()); !strings.Contains(strings.Join(strings.Fields(doc), ""), `"kms:ViaService":`+want) {
		t.Errorf("the identity policy does not name %s:\n%s", want, doc)
	}
	for via, wantDecision := range map[string]policy.Decision{
		"elasticache.eu-west-1.amazonaws.com": policy.Allowed,
		"dax.eu-west-1.amazonaws.com":         policy.Allowed,
		"s3.eu-west-1.amazonaws.com":          policy.ImplicitlyDenied,
	} {
		req := policy.Request{
			Principal: "arn:aws:iam::333333333333:role/app",
			Action:    "kms:Decrypt",
			Context:   map[string][]string{"kms:ViaService": {via}, "kms:CallerAccount": {"333333333333"}},
		}
		if got := policy.Evaluate(pols[0].Document, req); got != wantDecision {
			t.Errorf("role/app through %s: %v, want %v", via, got, wantDecision)
		}
	}
}
