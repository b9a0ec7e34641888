package policy_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode"

	"github.com/kpgen/kpgen/internal/fixture"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
)

// TestIdentityPolicies: under centralized, one policy per principal of
// another account than the key account, none for the key account's own;
// under the other strategies, none.
func TestIdentityPolicies(t *testing.T) {
	for name, want := range map[string]bool{"centralized": true, "retail": false, "healthcare": false} {
		m, _ := fixture.Load(t, name)
		ips := policy.IdentityPolicies(m)
		if (len(ips) > 0) != want {
			t.Errorf("%s: %d identity policies, want some: %v", name, len(ips), want)
		}
		for _, ip := range ips {
			for _, ki := range ip.Keys {
				if ip.Principal.Account == ki.Account.ID {
					t.Errorf("%s: an identity policy for %s, of the account of key %s", name, ip.Principal.ARN, ki.ID())
				}
			}
			if m.Organization.Strategy != model.Centralized {
				t.Errorf("%s: identity policies under %s", name, m.Organization.Strategy)
			}
		}
	}
}

// TestChars: a document's size is counted as IAM counts it, without white
// space, and each kms:ViaService value appears once.
func TestChars(t *testing.T) {
	m, _ := fixture.Load(t, "centralized")
	for _, ip := range policy.IdentityPolicies(m) {
		data := ip.Document.JSON()
		var compact bytes.Buffer
		if err := json.Compact(&compact, data); err != nil {
			t.Fatal(err)
		}
		want := len([]rune(strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, compact.String())))
		if got := ip.Document.Chars(); got != want {
			t.Errorf("%s: %d characters, want %d", ip.Principal.ARN, got, want)
		}
		for _, s := range ip.Document.Statement {
			for _, kv := range s.Condition {
				seen := map[string]bool{}
				for _, v := range kv[policy.ViaService] {
					if seen[v] {
						t.Errorf("%s: %s twice in %s", ip.Principal.ARN, v, s.Sid)
					}
					seen[v] = true
				}
			}
		}
	}
}
