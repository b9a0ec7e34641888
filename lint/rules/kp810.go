package rules

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp810.md
var kp810Doc string

// KP810 refuses principals AWS does not take: wildcards inside them,
// surrounding spaces, IAM groups, and values of no principal's form.
var KP810 = &lint.Rule{
	ID:        "KP810",
	Name:      "malformed-principal",
	Principle: "Policy hygiene",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "a principal is not one AWS takes: a wildcard other than a lone \"*\", spaces around it, an IAM group, or no principal's form",
	Doc:       kp810Doc,
	Policy: func(p *lint.PolicyPass) {
		for i, s := range p.Document.Statement {
			for _, f := range principalElements(s) {
				if f.principal == nil {
					continue
				}
				for _, kind := range []struct {
					name   string
					values policy.Values
					check  func(string) string
					fix    string
				}{
					{"AWS", f.principal.AWS, awsPrincipalProblem, awsFix},
					{"Service", f.principal.Service, servicePrincipalProblem, "Name each service on its own, as NAME.amazonaws.com."},
					{"Federated", f.principal.Federated, otherPrincipalProblem, "Name the identity provider exactly."},
					{"CanonicalUser", f.principal.CanonicalUser, otherPrincipalProblem, awsFix},
				} {
					for _, v := range kind.values {
						if v == "" {
							continue // KP808's finding
						}
						if problem := kind.check(v); problem != "" {
							p.Report(i, f.name, "Malformed principal",
								"Statement %s names %s principal %q, %s, so AWS rejects the policy. %s",
								sidOf(s, i), kind.name, v, problem, kind.fix)
						}
					}
				}
			}
		}
	},
}

const awsFix = "Name an account, or the ARN of one role or user; to admit several, use {\"AWS\": \"*\"} narrowed by an ArnLike condition on aws:PrincipalArn in named accounts."

// awsPrincipalProblem says what is wrong with an AWS principal, or "" when
// nothing is: "*", a 12-digit account ID, the ARN of an account root, IAM
// user or role, assumed-role session or federated user, or the unique ID
// AWS shows in place of a deleted user or role.
func awsPrincipalProblem(v string) string {
	if v == "*" {
		return "" // everyone: KP801's finding unless a condition narrows it
	}
	if problem := otherPrincipalProblem(v); problem != "" {
		return problem
	}
	if accountID.MatchString(v) || uniqueIDPattern.MatchString(v) {
		return ""
	}
	fields := strings.SplitN(v, ":", 6)
	if len(fields) < 6 || fields[0] != "arn" {
		return "which is neither an account ID nor an ARN"
	}
	partition, service, region, account, resource := fields[1], fields[2], fields[3], fields[4], fields[5]
	switch {
	case !awsPartition.MatchString(partition):
		return fmt.Sprintf("whose partition %q is not one of AWS's", partition)
	case region != "":
		return fmt.Sprintf("which names region %q, where an IAM or STS ARN names none", region)
	case !accountID.MatchString(account):
		return fmt.Sprintf("whose account %q is not 12 digits", account)
	case service == "iam" && strings.HasPrefix(resource, "group/"):
		return "an IAM group, which is never a principal (name its members' roles)"
	case service == "iam" && resource == "root":
		return ""
	case service == "iam" && hasNamedPrefix(resource, "role/", "user/", "federated-user/"),
		service == "sts" && hasNamedPrefix(resource, "assumed-role/", "federated-user/"):
		return ""
	}
	return "which is not the ARN of an account, IAM role or user, or session"
}

// servicePrincipalProblem: a service principal is a lowercase host name
// of AWS, such as logs.us-east-1.amazonaws.com.
func servicePrincipalProblem(v string) string {
	if problem := otherPrincipalProblem(v); problem != "" {
		return problem
	}
	if !servicePrincipal.MatchString(v) {
		return "which is not the name of an AWS service (NAME.amazonaws.com)"
	}
	return ""
}

// otherPrincipalProblem: no principal but the lone AWS "*" holds a
// wildcard, and none has spaces around it.
func otherPrincipalProblem(v string) string {
	switch {
	case strings.TrimSpace(v) != v:
		return "which has spaces around it"
	case strings.ContainsAny(v, "*?"):
		return "which holds a wildcard (AWS matches principals exactly; only a lone \"*\" stands for everyone)"
	}
	return ""
}

// hasNamedPrefix reports whether s is one of prefixes followed by a name:
// role/NAME or role/PATH/NAME, never role/ or role/PATH/.
func hasNamedPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest != "" && !strings.HasSuffix(rest, "/")
		}
	}
	return false
}

var (
	accountID        = regexp.MustCompile(`^[0-9]{12}$`)
	awsPartition     = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	servicePrincipal = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$`)
)
