package model

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/schema"
)

// PrincipalKind says how a principal appears in a key policy.
type PrincipalKind int

const (
	// IAM is an IAM role or user, written in the policy as its ARN.
	IAM PrincipalKind = iota
	// AWSService is a service principal such as logs.<region>.amazonaws.com.
	AWSService
	// IdentityCenter is the roles IAM Identity Center makes for a permission
	// set: Principal "*" narrowed by aws:PrincipalArn and aws:PrincipalAccount.
	IdentityCenter
)

// PrincipalRef is a principal as written in the spec, checked but not yet
// bound to an account: role/NAME and user/NAME name a role or user in the
// account of the key instance that uses them.
type PrincipalRef struct {
	Text  string
	Range hcl.Range
	Kind  PrincipalKind
	// For IAM: Resource is "role/NAME" or "user/NAME"; Account is set when
	// the spec wrote a full ARN.
	Resource string
	Account  string
	// For AWSService: the catalogue entry; for IdentityCenter: the permission
	// set name.
	Service       *ServicePrincipal
	PermissionSet string
}

// Principal is a principal bound to an account, as a key policy names it.
type Principal struct {
	Ref     *PrincipalRef
	Kind    PrincipalKind
	Account string // the account the principal belongs to
	// ARN is the role or user ARN (IAM), or the aws:PrincipalArn pattern
	// (IdentityCenter). Empty for AWSService.
	ARN string
}

// String is how plan output names the principal.
func (p Principal) String() string {
	switch p.Kind {
	case AWSService:
		return "service:" + p.Ref.Service.Name
	default:
		return p.ARN
	}
}

// Key returns a string that identifies the principal within a key policy.
func (p Principal) Key() string {
	if p.Kind == AWSService {
		return "service:" + p.Ref.Service.Name + "@" + p.Account
	}
	return p.ARN
}

// Bind resolves a reference in the account with id account.
func (r *PrincipalRef) Bind(partition, account string) Principal {
	switch r.Kind {
	case AWSService:
		return Principal{Ref: r, Kind: AWSService, Account: account}
	case IdentityCenter:
		return Principal{Ref: r, Kind: IdentityCenter, Account: account,
			ARN: IdentityCenterPattern(partition, account, r.PermissionSet)}
	}
	if r.Account != "" {
		account = r.Account
	}
	return Principal{Ref: r, Kind: IAM, Account: account,
		ARN: fmt.Sprintf("arn:%s:iam::%s:%s", partition, account, r.Resource)}
}

// IdentityCenterPattern is the ARN pattern of the roles that IAM Identity
// Center creates in account for a permission set; their names end in a random
// suffix, so the pattern ends in a wildcard.
func IdentityCenterPattern(partition, account, permissionSet string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_%s_*", partition, account, permissionSet)
}

// principalUse says where a principal is written, which decides which kinds
// it may be.
type principalUse int

const (
	useUser principalUse = iota
	useAdministrator
	useDeployer
)

// IAM's limits on role and user names and paths.
const (
	maxIAMName = 64
	maxIAMPath = 512
)

var (
	iamPath    = `[\w+=,.@-]+(?:/[\w+=,.@-]+)*`
	relativeRe = regexp.MustCompile(`^(role|user)/(` + iamPath + `)$`)
	arnRe      = regexp.MustCompile(`^arn:([a-z-]+):iam::([0-9]{12}):(role|user)/(` + iamPath + `)$`)
	rootRe     = regexp.MustCompile(`^(arn:[a-z-]+:iam::[0-9]{12}:root|[0-9]{12})$`)
	permSetRe  = regexp.MustCompile(`^[\w+=,.@-]{1,32}$`)
)

// hintFor is what may be written where a principal is used: services only
// among users, Identity Center permission sets anywhere but as a deployer.
// A relative name is a role or user of the stage's account for a user, of
// the account where the key lives for the others.
func hintFor(use principalUse) string {
	switch use {
	case useUser:
		return "Write role/NAME or user/NAME for a role or user in the stage's account, a full ARN such as arn:aws:iam::123456789012:role/NAME, service:NAME for an AWS service, or sso:PERMISSION_SET for IAM Identity Center."
	case useDeployer:
		return "Write role/NAME or user/NAME for a role or user in the account where the keys live, or a full ARN such as arn:aws:iam::123456789012:role/NAME."
	}
	return "Write role/NAME or user/NAME for a role or user in the account where the key lives, a full ARN such as arn:aws:iam::123456789012:role/NAME, or sso:PERMISSION_SET for IAM Identity Center."
}

// arnProblem says what keeps an ARN from being an IAM role or user ARN,
// where a part of it can say: its number of parts, its service, a region,
// its account ID, or its kind of resource.
func arnProblem(t string) string {
	parts := strings.SplitN(t, ":", 6)
	switch {
	case len(parts) < 6:
		return fmt.Sprintf("It has %d of the 6 parts of arn:PARTITION:iam::ACCOUNT_ID:role/NAME (parts are separated by colons, and the region part of an IAM ARN is empty). ", len(parts))
	case parts[2] != "iam":
		return fmt.Sprintf("It is an ARN of service %q; a principal is an IAM role or user, arn:PARTITION:iam::ACCOUNT_ID:role/NAME. ", parts[2])
	case parts[3] != "":
		return fmt.Sprintf("It names region %q; IAM is global, and its ARNs have an empty region part (\"iam::\"). ", parts[3])
	case !accountIDRe.MatchString(parts[4]):
		return fmt.Sprintf("Its account ID %q is not 12 digits. ", parts[4])
	case strings.HasPrefix(parts[5], "group/"):
		return groupProblem
	}
	return ""
}

var accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)

const groupProblem = "IAM groups are not principals: a key policy cannot name one. Name the roles or users of its members. "

// parsePrincipal checks one principal string of the spec.
func parsePrincipal(s schema.String, use principalUse, partition string) (*PrincipalRef, *diag.Diagnostic) {
	t := s.Value
	ref := &PrincipalRef{Text: t, Range: s.Range}
	bad := func(summary, detail string, args ...any) (*PrincipalRef, *diag.Diagnostic) {
		return nil, diag.New(diag.Error, s.Range, summary, fmt.Sprintf(detail, args...))
	}
	switch {
	case strings.Contains(t, "*"):
		return bad("Wildcard principal", "%q is not accepted: kpgen never grants to \"*\" or to a wildcard ARN. Name the roles that need the key. %s", t, hintFor(use))
	case rootRe.MatchString(t):
		return bad("Account principal", "%q names a whole account, which would let every IAM policy of that account grant access to the key. Name the roles instead; to let IAM policies of the key's own account grant access, set iam_delegation = true on the key.", t)
	case strings.HasPrefix(t, "service:"):
		name := strings.TrimPrefix(t, "service:")
		if use != useUser {
			return bad("Service principal not allowed here", "%q is a service principal; services may only be users of a key. Name an IAM role or user here.", t)
		}
		sp := LookupServicePrincipal(name)
		if sp == nil {
			detail := fmt.Sprintf("%q is not in kpgen's catalogue of service principals (%s).", name, strings.Join(ServicePrincipalNames(), ", "))
			if sug := schema.DidYouMean(name, ServicePrincipalNames()); sug != "" {
				detail += fmt.Sprintf(" Did you mean \"service:%s\"?", sug)
			}
			if LookupService(name) != nil {
				detail += fmt.Sprintf(" %s uses keys on a caller's behalf: list %q in the data's services and its callers in users.", LookupService(name).Title, name)
			}
			return bad("Unknown service principal", "%s", detail)
		}
		ref.Kind, ref.Service = AWSService, sp
	case strings.HasPrefix(t, "sso:"):
		name := strings.TrimPrefix(t, "sso:")
		if use == useDeployer {
			return bad("Identity Center principal not allowed here", "The deployer must be one IAM role or user, not %q.", t)
		}
		if !permSetRe.MatchString(name) {
			return bad("Invalid permission set name", "%q is not a permission set name: 1 to 32 letters, digits and + = , . @ _ -.", name)
		}
		ref.Kind, ref.PermissionSet = IdentityCenter, name
	case strings.HasPrefix(t, "arn:"):
		m := arnRe.FindStringSubmatch(t)
		if m == nil {
			return bad("Invalid principal ARN", "%q is not an IAM role or user ARN. %s%s", t, arnProblem(t), hintFor(use))
		}
		if m[1] != partition {
			return bad("Principal in another partition", "%q is in partition %q, but the organization's partition is %q. Write an ARN of partition %q, or set the organization's partition.", t, m[1], partition, partition)
		}
		ref.Kind, ref.Account, ref.Resource = IAM, m[2], m[3]+"/"+m[4]
	default:
		m := relativeRe.FindStringSubmatch(t)
		if m == nil {
			problem := ""
			if strings.HasPrefix(t, "group/") {
				problem = groupProblem
			}
			return bad("Invalid principal", "%q is not a principal. %s%s", t, problem, hintFor(use))
		}
		ref.Kind, ref.Resource = IAM, t
	}
	if ref.Kind == IAM {
		segs := strings.Split(ref.Resource, "/")
		for _, seg := range segs {
			if seg == "." || seg == ".." {
				return bad("Invalid principal", "%q has a path segment %q, which no IAM role or user name has.", t, seg)
			}
		}
		// IAM's limits: a role or user name of at most 64 characters, a
		// path (from its first slash to its last) of at most 512.
		kind, name := segs[0], segs[len(segs)-1]
		if len(name) > maxIAMName {
			return bad("Invalid principal", "%q names an IAM %s of %d characters; IAM allows at most %d.", t, kind, len(name), maxIAMName)
		}
		if p := len(ref.Resource) - len(kind) - len(name); p > maxIAMPath {
			return bad("Invalid principal", "%q has an IAM path of %d characters; IAM allows at most %d.", t, p, maxIAMPath)
		}
	}
	return ref, nil
}
