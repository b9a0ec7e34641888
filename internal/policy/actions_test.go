package policy

import (
	"slices"
	"testing"

	"github.com/kpgen/kpgen/internal/model"
)

// TestRotationActions: a key that rotates gets the rotation actions; a key
// of AWS's material that cannot rotate gets only GetKeyRotationStatus, which
// Terraform's AWS provider calls on every read of it; a key of imported
// material gets none.
func TestRotationActions(t *testing.T) {
	all := []string{"kms:DisableKeyRotation", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:ListKeyRotations", "kms:RotateKeyOnDemand"}
	for _, tt := range []struct {
		name  string
		key   *model.Key
		wants []string
	}{
		{"symmetric", &model.Key{Spec: "SYMMETRIC_DEFAULT", Origin: "aws_kms", Regions: []string{"us-east-1"}}, all},
		{"signing", &model.Key{Spec: "ECC_NIST_P256", Origin: "aws_kms", Regions: []string{"us-east-1"}}, []string{"kms:GetKeyRotationStatus"}},
		{"hmac", &model.Key{Spec: "HMAC_256", Origin: "aws_kms", Regions: []string{"us-east-1"}}, []string{"kms:GetKeyRotationStatus"}},
		{"imported", &model.Key{Spec: "SYMMETRIC_DEFAULT", Origin: "external", Regions: []string{"us-east-1"}}, nil},
	} {
		for who, actions := range map[string][]string{"administrators": AdminActions(tt.key), "operators": OperatorActions(tt.key)} {
			var got []string
			for _, a := range actions {
				if slices.Contains(all, a) {
					got = append(got, a)
				}
			}
			if !slices.Equal(got, tt.wants) {
				t.Errorf("%s key, %s: rotation actions %v, want %v", tt.name, who, got, tt.wants)
			}
		}
	}
}
