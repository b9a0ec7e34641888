package policy

import (
	"fmt"
	"slices"
	"strings"
)

// Decision is the outcome of evaluating a request against a key policy.
type Decision int

// Decisions, as the IAM policy simulator names them.
const (
	ImplicitlyDenied Decision = iota
	Allowed
	ExplicitlyDenied
)

// String names the decision as the IAM policy simulator does.
func (d Decision) String() string {
	switch d {
	case ImplicitlyDenied:
		return "ImplicitlyDenied"
	case Allowed:
		return "Allowed"
	case ExplicitlyDenied:
		return "ExplicitlyDenied"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// Request is one call to KMS on the key the policy belongs to.
type Request struct {
	// Principal is an IAM role or user ARN, or a service principal such as
	// logs.us-east-1.amazonaws.com.
	Principal string
	Action    string
	// Context holds the request's condition keys. aws:PrincipalArn,
	// aws:PrincipalAccount and aws:PrincipalIsAWSService are filled in from
	// Principal when absent.
	Context map[string][]string
	// IdentityAllows says the caller's own identity policy allows the call:
	// what a statement naming the account root delegates to.
	IdentityAllows bool
}

// Evaluate decides a request under the key policy alone: an explicit Deny
// wins, then any Allow; anything else is implicitly denied. It understands
// the statements kpgen emits and the hand-written policies lint-policy reads:
// Principal and NotPrincipal with AWS (ARNs, account roots, "*") and Service,
// Action and NotAction with wildcards, and the condition operators
// String(Not)Equals(IgnoreCase), String(Not)Like, Arn(Not)Equals,
// Arn(Not)Like and Bool, each with IfExists and the ForAnyValue/ForAllValues
// qualifiers. The request is on the key the policy belongs to: Resource is
// not compared (in a key policy it is "*"), and a NotResource of "*" leaves
// the statement nothing to apply to. NotPrincipal excludes the principals
// it names by name: an account in it excludes the account's root, not its
// roles. It does not model grants, SCPs or identity policies beyond
// IdentityAllows.
func Evaluate(doc *Document, req Request) Decision {
	ctx := requestContext(req)
	allowed := false
	for _, s := range doc.Statement {
		if !statementApplies(s, req) || !conditionsHold(s.Condition, ctx) {
			continue
		}
		if s.Effect == Deny {
			return ExplicitlyDenied
		}
		if s.Effect == Allow {
			allowed = true
		}
	}
	if allowed {
		return Allowed
	}
	return ImplicitlyDenied
}

// statementApplies reports whether the statement's principal, action and
// resource elements cover the request.
func statementApplies(s *Statement, req Request) bool {
	switch {
	case s.NotPrincipal != nil:
		if principalMatches(s.NotPrincipal, Request{Principal: req.Principal}) {
			return false
		}
	case !principalMatches(s.Principal, req):
		return false
	}
	if s.NotAction != nil {
		if actionMatches(s.NotAction, req.Action) {
			return false
		}
	} else if !actionMatches(s.Action, req.Action) {
		return false
	}
	return !slices.Contains(s.NotResource, "*")
}

func isService(principal string) bool {
	return strings.HasSuffix(principal, ".amazonaws.com") || strings.HasSuffix(principal, ".amazonaws.com.cn")
}

// context holds a request's condition keys. Keys are case-insensitive; a
// request carries a handful, so a search beats a map of lower-cased keys.
type context []contextEntry

type contextEntry struct {
	key    string
	values []string
}

func (c context) get(key string) []string {
	for _, e := range c {
		if strings.EqualFold(e.key, key) {
			return e.values
		}
	}
	return nil
}

// requestContext is the request's context with the keys AWS sets for every
// request added.
func requestContext(req Request) context {
	ctx := make(context, 0, len(req.Context)+3)
	for k, v := range req.Context {
		ctx = append(ctx, contextEntry{k, v})
	}
	set := func(k, v string) {
		if ctx.get(k) == nil {
			ctx = append(ctx, contextEntry{k, []string{v}})
		}
	}
	if isService(req.Principal) {
		set(PrincipalIsAWSService, "true")
	} else {
		set(PrincipalIsAWSService, "false")
		set(PrincipalArn, req.Principal)
		if acct := arnAccount(req.Principal); acct != "" {
			set(PrincipalAccount, acct)
		}
	}
	return ctx
}

func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func principalMatches(p *Principal, req Request) bool {
	if p == nil {
		return false
	}
	if p.All {
		return true
	}
	if isService(req.Principal) {
		for _, s := range p.Service {
			if s == req.Principal {
				return true
			}
		}
		for _, a := range p.AWS {
			if a == "*" {
				return true
			}
		}
		return false
	}
	if slices.Contains(p.AWS, req.Principal) || slices.Contains(p.AWS, "*") {
		return true
	}
	// An account ID stands for the account's root.
	if strings.HasSuffix(req.Principal, ":root") && slices.Contains(p.AWS, arnAccount(req.Principal)) {
		return true
	}
	if !req.IdentityAllows {
		return false
	}
	// An account principal delegates to the account's IAM policies: it
	// admits a principal of that account only when its identity policy
	// allows the call.
	for _, a := range p.AWS {
		if strings.HasSuffix(a, ":root") || IsAccountID(a) {
			acct := a
			if !IsAccountID(a) {
				acct = arnAccount(a)
			}
			if arnAccount(req.Principal) == acct {
				return true
			}
		}
	}
	return false
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func actionMatches(actions Values, action string) bool {
	for _, a := range actions {
		if globMatch(a, action, true) {
			return true
		}
	}
	return false
}

// ArnLike reports whether arn matches pattern as the ArnLike condition
// operator compares them: * and ? are wildcards, case counts.
func ArnLike(pattern, arn string) bool { return globMatch(pattern, arn, false) }

// globMatch matches * (any run of characters) and ? (one character) in time
// proportional to len(pattern)*len(s), whatever the pattern. With fold it
// ignores ASCII case, as IAM matches actions.
func globMatch(pattern, s string, fold bool) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i] || fold && lower(pattern[p]) == lower(s[i])):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func conditionsHold(c Conditions, ctx context) bool {
	for op, keys := range c {
		for key, want := range keys {
			if !conditionHolds(op, ctx.get(key), want) {
				return false
			}
		}
	}
	return true
}

func conditionHolds(op string, got []string, want Values) bool {
	qualifier := ""
	if q, rest, ok := strings.Cut(op, ":"); ok {
		qualifier, op = q, rest
	}
	ifExists := strings.HasSuffix(op, "IfExists")
	op = strings.TrimSuffix(op, "IfExists")
	positive := strings.Replace(op, "Not", "", 1)
	negated := positive != op
	if len(got) == 0 {
		switch {
		case ifExists, qualifier == "ForAllValues":
			return true
		case qualifier == "ForAnyValue":
			return false
		}
		// A missing key satisfies only a negated operator.
		return negated
	}
	test := func(v string) bool {
		m := false
		for _, w := range want {
			if valueMatches(positive, v, w) {
				m = true
				break
			}
		}
		return m != negated
	}
	all, some := true, false
	for _, v := range got {
		if test(v) {
			some = true
		} else {
			all = false
		}
	}
	switch {
	case qualifier == "ForAllValues":
		return all
	case qualifier == "ForAnyValue":
		return some
	case negated:
		return all
	}
	return some
}

// valueMatches applies a positive operator to one value.
func valueMatches(op, got, want string) bool {
	switch op {
	case "StringEquals":
		return got == want
	case "StringEqualsIgnoreCase":
		return strings.EqualFold(got, want)
	case "StringLike":
		return globMatch(want, got, false)
	case "ArnLike", "ArnEquals": // IAM gives both the same wildcard semantics
		return arnLike(want, got)
	case "Bool":
		return strings.EqualFold(got, want)
	}
	return false
}

// arnLike matches an ARN pattern segment by segment, as IAM does: a
// wildcard never spans the colons between partition, service, region,
// account and resource.
func arnLike(pattern, arn string) bool {
	ps := strings.SplitN(pattern, ":", 6)
	as := strings.SplitN(arn, ":", 6)
	if len(ps) != len(as) {
		return false
	}
	for i := range ps {
		if !globMatch(ps[i], as[i], false) {
			return false
		}
	}
	return true
}
