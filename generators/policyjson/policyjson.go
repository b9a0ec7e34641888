// Package policyjson writes the key policies as JSON files, and under the
// centralized strategy the identity policies that consuming roles need in
// their own accounts.
package policyjson

import (
	"path"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
)

// Generate returns policies/APP/STAGE/KEY.json for every key instance, and
// under the centralized strategy iam/ACCOUNT/ROLE.json (user/NAME.json,
// sso/PERMISSION_SET.json) for every principal that uses a key of another
// account.
func Generate(m *model.Model, pols []*policy.KeyPolicy) ([]output.File, diag.Diagnostics) {
	var files []output.File
	for _, kp := range pols {
		files = append(files, output.File{Path: kp.Instance.PolicyFile, Render: kp.JSON, Source: kp.Instance.Key.Range()})
	}
	var ids []output.File
	for _, ip := range policy.IdentityPolicies(m) {
		ids = append(ids, output.File{Path: IdentityPolicyPath(ip.Principal), Data: ip.Document.JSON(), Source: ip.Principal.Ref.Range})
	}
	slices.SortStableFunc(ids, func(a, b output.File) int { return strings.Compare(a.Path, b.Path) })
	return append(files, ids...), nil
}

// IdentityPolicyPath is where the identity policy of a consuming principal
// goes: iam/ACCOUNT/ROLE.json for a role (IAM role names are unique in an
// account, whatever their path), iam/ACCOUNT/user/NAME.json for an IAM
// user, iam/ACCOUNT/sso/PERMISSION_SET.json for an Identity Center
// permission set (to attach to the permission set). A role name holds no
// slash, so no two kinds of principal meet in one path.
func IdentityPolicyPath(p model.Principal) string {
	switch {
	case p.Kind == model.IdentityCenter:
		return path.Join("iam", p.Account, "sso", p.Ref.PermissionSet+".json")
	case strings.HasPrefix(p.Ref.Resource, "user/"):
		return path.Join("iam", p.Account, "user", path.Base(p.Ref.Resource)+".json")
	}
	return path.Join("iam", p.Account, path.Base(p.Ref.Resource)+".json")
}
