// Package testorg generates large organization specs for benchmarks and
// scale tests: a hybrid organization of n applications, each with three
// stages in accounts of their own, four data sets in two classifications and
// one explicit key, which gives three keys per stage and nine per
// application. It writes what the benchmark's genorg.py writes, byte for
// byte, so that the benchmarks here and the comparison with conftest measure
// the same spec.
package testorg

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Sizes returns the numbers of applications the benchmarks measure: 1,000
// and 2,000, or only 10 with -short, which runs every benchmark once and
// quickly, so that CI keeps them working.
func Sizes() []int {
	if testing.Short() {
		return []int{10}
	}
	return []int{1000, 2000}
}

// AppsPerFile is how many applications each generated file holds.
const AppsPerFile = 500

// Files returns the spec's files by name.
func Files(n int) map[string][]byte {
	teams := max(1, n/10)
	files := map[string][]byte{}
	var b strings.Builder
	b.WriteString("kpgen {\n  version = 1\n}\n\norganization \"big\" {\n  strategy      = \"hybrid\"\n  regions       = [\"us-east-1\"]\n  security_team = \"security\"\n}\n\n")
	b.WriteString("account \"security\" {\n  id = \"100000000000\"\n}\n")
	for i := range n {
		for k, s := range []string{"dev", "staging", "prod"} {
			fmt.Fprintf(&b, "account \"a%d-%s\" {\n  id = \"%d%011d\"\n}\n", i, s, k+1, i)
		}
	}
	b.WriteString("classification \"internal\" {\n  rank = 1\n}\nclassification \"confidential\" {\n  rank         = 2\n  min_key_type = \"customer_managed\"\n  rotation     = true\n}\n")
	b.WriteString("team \"security\" {\n  administrators = [\"arn:aws:iam::100000000000:role/KeyAdministrator\"]\n}\n")
	for t := range teams {
		fmt.Fprintf(&b, "team \"t%d\" {\n  administrators = [\"role/T%dKeyAdmin\"]\n}\n", t, t)
	}
	files["org.kp.hcl"] = []byte(b.String())
	for start := 0; start < n; start += AppsPerFile {
		b.Reset()
		for i := start; i < min(n, start+AppsPerFile); i++ {
			fmt.Fprintf(&b, appTemplate, i, i%teams)
		}
		files[fmt.Sprintf("apps-%04d.kp.hcl", start/AppsPerFile)] = []byte(b.String())
	}
	return files
}

// Write writes the spec of n applications into dir.
func Write(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, src := range Files(n) {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

const appTemplate = `application "app%[1]d" {
  team = "t%[2]d"
  stage "dev" {
    account = "a%[1]d-dev"
  }
  stage "staging" {
    account = "a%[1]d-staging"
  }
  stage "prod" {
    account = "a%[1]d-prod"
  }
  data "orders" {
    classification = "confidential"
    services       = ["dynamodb", "lambda"]
    users          = ["role/app%[1]d-api"]
    key            = "orders"
  }
  data "customers" {
    classification = "confidential"
    services       = ["rds"]
    users          = ["role/app%[1]d-api"]
  }
  data "catalog" {
    classification = "internal"
    services       = ["s3"]
    users          = ["role/app%[1]d-web"]
  }
  data "images" {
    classification = "internal"
    services       = ["s3", "sqs"]
    users          = ["role/app%[1]d-web"]
  }
  key "orders" {
    description = "Orders of app%[1]d"
  }
}
`
