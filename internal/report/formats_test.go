package report_test

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/report"
	"github.com/kpgen/kpgen/lint"
)

// TestPlanNamesEveryClassification: a key that protects data of two
// classifications (which KP101 reports) is not shown as protecting only the
// most sensitive; every format names both.
func TestPlanNamesEveryClassification(t *testing.T) {
	m, _ := fixture.Build(t, `
kpgen {
  version = 1
}
organization "o" {
  strategy = "decentralized"
  regions  = ["us-east-1"]
  deployer = "role/deploy"
}
account "prod" {
  id = "333333333333"
}
classification "public" {
  rank = 0
}
classification "confidential" {
  rank = 2
}
team "web" {
  administrators = ["role/WebAdmin"]
}
application "app" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  data "pub" {
    classification = "public"
    services       = ["s3"]
    key            = "mixed"
  }
  data "conf" {
    classification = "confidential"
    services       = ["s3"]
    key            = "mixed"
  }
  key "mixed" {}
}
`)
	p := report.NewPlan(m)
	if len(p.Keys) != 1 {
		t.Fatalf("%d keys, want 1", len(p.Keys))
	}
	k := p.Keys[0]
	if k.Classification != "confidential" || !slices.Equal(k.Classifications, []string{"confidential", "public"}) {
		t.Errorf("classification %q, classifications %q; want confidential, and confidential then public", k.Classification, k.Classifications)
	}
	text, md, js := renderPlan(t, p)
	if !strings.Contains(text, "protects        pub, conf (confidential, public)") {
		t.Errorf("text does not name both classifications:\n%s", text)
	}
	if !strings.Contains(md, "| confidential, public |") {
		t.Errorf("markdown does not name both classifications:\n%s", md)
	}
	var back struct {
		Keys []struct {
			Classifications []string `json:"classifications"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(js), &back); err != nil || len(back.Keys) != 1 || len(back.Keys[0].Classifications) != 2 {
		t.Errorf("json classifications: %v %+v", err, back)
	}
}

// TestSARIFRuleProperties: lint rules carry what GitHub code scanning ranks
// security alerts by; the rule of kpgen's own checks is no security rule.
func TestSARIFRuleProperties(t *testing.T) {
	rules := []*lint.Rule{
		{ID: "KP101", Name: "one-classification-per-key", Principle: "P1", Severity: diag.Error, Summary: "s", Doc: "d"},
		{ID: "KP503", Name: "short-deletion-window", Principle: "Lifecycle", Severity: diag.Warning, Summary: "s", Doc: "d"},
	}
	var b bytes.Buffer
	if err := report.SARIF(&b, nil, rules, "test"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		got[r.ID] = r.Properties
	}
	want := map[string]map[string]any{
		"KP101":              {"principle": "P1", "tags": []any{"security", "kms"}, "precision": "high", "security-severity": "8.0"},
		"KP503":              {"principle": "Lifecycle", "tags": []any{"security", "kms"}, "precision": "high", "security-severity": "5.0"},
		report.SpecCheckRule: {"principle": "Spec"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rule properties (-want +got):\n%s", diff)
	}
}

// TestPlanMarksManagersOfAnotherAccount: administrators and operators of
// another account than the key's are marked in the text and markdown
// plans, whom KMS refuses key management; those of the key's account, and
// users, are not; the JSON plan is the contract's shape, unmarked.
func TestPlanMarksManagersOfAnotherAccount(t *testing.T) {
	m, _ := fixture.Build(t, `
kpgen {
  version = 1
}
organization "o" {
  strategy      = "hybrid"
  regions       = ["us-east-1"]
  security_team = "security"
  deployer      = "role/deploy"
}
account "prod" {
  id = "333333333333"
}
classification "public" {
  rank = 0
}
team "security" {
  administrators = ["arn:aws:iam::111111111111:role/KeyAdmin"]
}
team "web" {
  administrators = ["arn:aws:iam::222222222222:role/WebOps"]
}
application "shop" {
  team = "web"
  stage "prod" {
    account = "prod"
  }
  data "catalog" {
    classification = "public"
    services       = ["s3"]
    users          = ["arn:aws:iam::444444444444:role/reader"]
  }
}
`)
	p := report.NewPlan(m)
	text, md, js := renderPlan(t, p)
	const note = " (another account: may not manage the key)"
	for name, out := range map[string]string{"text": text, "markdown": md} {
		for _, marked := range []string{"111111111111:role/KeyAdmin", "222222222222:role/WebOps"} {
			if !strings.Contains(out, marked+"`"+note) && !strings.Contains(out, marked+note) {
				t.Errorf("%s: %s is not marked:\n%s", name, marked, out)
			}
		}
		for _, plain := range []string{"333333333333:role/deploy", "444444444444:role/reader"} {
			if strings.Contains(out, plain+note) || strings.Contains(out, plain+"`"+note) {
				t.Errorf("%s: %s is marked:\n%s", name, plain, out)
			}
		}
	}
	if strings.Contains(js, "another account") {
		t.Errorf("the JSON plan carries the mark:\n%s", js)
	}
}

// renderPlan writes p as text, markdown and JSON.
func renderPlan(t *testing.T, p *report.Plan) (text, md, js string) {
	t.Helper()
	var out [3]bytes.Buffer
	for i, render := range []func(io.Writer, *report.Plan) error{report.PlanText, report.PlanMarkdown, report.PlanJSON} {
		if err := render(&out[i], p); err != nil {
			t.Fatal(err)
		}
	}
	return out[0].String(), out[1].String(), out[2].String()
}
