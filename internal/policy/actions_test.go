package policy

import (
	"slices"
	"testing"

	"github.com/kpgen/kpgen/internal/model"
)

// TestRotationActions: a key that rotates gets the rotation actions; a key
// of AWS's material that cannot rotate gets only GetKeyRotationStatus, which
// Terraform's AWS provider calls on every read of it; a symmetric
// single-Region key of imported material, which KMS rotates on demand once
// new material is imported, gives its administrators on-demand rotation
// and its operators the view of it; any other key of imported material
// gets none.
func TestRotationActions(t *testing.T) {
	all := []string{"kms:DisableKeyRotation", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:ListKeyRotations", "kms:RotateKeyOnDemand"}
	status := []string{"kms:GetKeyRotationStatus"}
	for _, tt := range []struct {
		name        string
		key         *model.Key
		admin, oper []string
	}{
		{"symmetric", &model.Key{Spec: "SYMMETRIC_DEFAULT", Origin: "aws_kms", Regions: []string{"us-east-1"}}, all, all},
		{"signing", &model.Key{Spec: "ECC_NIST_P256", Origin: "aws_kms", Regions: []string{"us-east-1"}}, status, status},
		{"hmac", &model.Key{Spec: "HMAC_256", Origin: "aws_kms", Regions: []string{"us-east-1"}}, status, status},
		{"imported", &model.Key{Spec: "SYMMETRIC_DEFAULT", Origin: "external", Regions: []string{"us-east-1"}},
			[]string{"kms:GetKeyRotationStatus", "kms:ListKeyRotations", "kms:RotateKeyOnDemand"}, []string{"kms:GetKeyRotationStatus", "kms:ListKeyRotations"}},
		{"imported multi-Region", &model.Key{Spec: "SYMMETRIC_DEFAULT", Origin: "external", Regions: []string{"us-east-1", "us-west-2"}}, nil, nil},
		{"imported RSA", &model.Key{Spec: "RSA_2048", Origin: "external", Regions: []string{"us-east-1"}}, nil, nil},
	} {
		for who, c := range map[string]struct{ actions, wants []string }{"administrators": {AdminActions(tt.key), tt.admin}, "operators": {OperatorActions(tt.key), tt.oper}} {
			var got []string
			for _, a := range c.actions {
				if slices.Contains(all, a) {
					got = append(got, a)
				}
			}
			if !slices.Equal(got, c.wants) {
				t.Errorf("%s key, %s: rotation actions %v, want %v", tt.name, who, got, c.wants)
			}
		}
	}
}
