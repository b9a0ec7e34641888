package schema

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/par"
)

// JSON is the JSON Schema (draft 2020-12) of the lowered spec, as printed by
// `kpgen schema`.
//
//go:embed kpgen.schema.json
var JSON []byte

const schemaURL = "https://kpgen.dev/schema/v1/spec.json"

// schemas are the whole spec's schema and that of one application.
type schemas struct {
	spec, application *jsonschema.Schema
}

var compiled = sync.OnceValues(func() (schemas, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource(schemaURL, bytes.NewReader(JSON)); err != nil {
		return schemas{}, err
	}
	spec, err := c.Compile(schemaURL)
	if err != nil {
		return schemas{}, err
	}
	app, err := c.Compile(schemaURL + "#/properties/application/items")
	return schemas{spec, app}, err
})

// validate checks the lowered document against the JSON Schema and maps every
// error back to the HCL range of the offending value. Applications, most of
// a large spec, are validated on every CPU, each against the schema of an
// application; the rest of the document, with its first application,
// against the whole schema.
func validate(doc map[string]any, index *ranges, fallback hcl.Range) diag.Diagnostics {
	s, err := compiled()
	if err != nil {
		// The schema is embedded and compiled by the tests; this cannot happen
		// in a released binary.
		panic(fmt.Sprintf("kpgen: embedded JSON Schema does not compile: %v", err))
	}
	apps, _ := doc["application"].([]any)
	rest := maps.Clone(doc)
	if len(apps) > 1 {
		rest["application"] = apps[:1]
	}
	errs := make([]error, max(len(apps), 1))
	par.Each(len(errs), func(i int) {
		if i == 0 {
			errs[0] = s.spec.Validate(rest)
			return
		}
		errs[i] = s.application.Validate(apps[i])
	})
	v := &validator{doc: doc, index: index, fallback: fallback, seen: map[string]bool{}}
	for i, err := range errs {
		if err == nil {
			continue
		}
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			v.diags = append(v.diags, diag.New(diag.Error, fallback, "Spec does not validate", err.Error()))
			continue
		}
		unescapeLocations(ve)
		if i > 0 {
			prefix(ve, "/application/"+strconv.Itoa(i))
		}
		v.walk(ve)
	}
	// The validator visits object properties in map order.
	v.diags.Sort()
	return v.diags
}

// prefix moves an application's errors to where the application is in the
// whole document.
func prefix(ve *jsonschema.ValidationError, ptr string) {
	ve.InstanceLocation = ptr + ve.InstanceLocation
	for _, c := range ve.Causes {
		prefix(c, ptr)
	}
}

// unescapeLocations turns the instance locations of jsonschema, whose
// tokens are percent-encoded, into plain JSON pointers, as the index of
// ranges holds them ("a b", not "a%20b").
func unescapeLocations(ve *jsonschema.ValidationError) {
	if loc, err := url.PathUnescape(ve.InstanceLocation); err == nil {
		ve.InstanceLocation = loc
	}
	for _, c := range ve.Causes {
		unescapeLocations(c)
	}
}

type validator struct {
	doc      map[string]any
	index    *ranges
	fallback hcl.Range
	diags    diag.Diagnostics
	seen     map[string]bool
}

func (v *validator) walk(ve *jsonschema.ValidationError) {
	kw := keyword(ve.KeywordLocation)
	// anyOf and not carry causes that only make sense together: report the
	// combined error once, with the hint that explains the allowed values.
	if len(ve.Causes) == 0 || kw == "anyOf" || kw == "not" {
		v.leaf(ve, kw)
		return
	}
	for _, c := range ve.Causes {
		v.walk(c)
	}
}

func keyword(loc string) string {
	return loc[strings.LastIndex(loc, "/")+1:]
}

var quoted = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)

func (v *validator) leaf(ve *jsonschema.ValidationError, kw string) {
	ptr := ve.InstanceLocation
	if kw == "required" {
		for _, name := range strings.Split(strings.TrimPrefix(ve.Message, "missing properties: "), ", ") {
			name = strings.Trim(name, "'")
			v.missing(ptr, name)
		}
		return
	}
	if kw == "propertyNames" || strings.Contains(ve.KeywordLocation, "/propertyNames/") {
		// The error names the map; the offending key is in the message's cause.
		v.badKey(ve)
		return
	}
	what := v.describe(ptr)
	prop := property(ptr)
	var summary, detail string
	switch kw {
	case "type":
		summary = "Incorrect value type"
		want, got, _ := strings.Cut(strings.TrimPrefix(ve.Message, "expected "), ", but got ")
		detail = fmt.Sprintf("%s must be %s, not %s.", what, hclType(want), hclType(got))
		if want == "integer" && got == "number" {
			detail = fmt.Sprintf("%s must be a whole number, not %v.", what, v.at(ptr))
		}
	case "enum", "const":
		summary = "Unsupported value"
		var allowed []string
		for _, m := range quoted.FindAllStringSubmatch(ve.Message, -1) {
			allowed = append(allowed, m[1])
		}
		detail = fmt.Sprintf("%s must be one of %s.", what, quoteList(allowed))
		if s, ok := v.at(ptr).(string); ok {
			if sug := DidYouMean(s, allowed); sug != "" {
				detail += fmt.Sprintf(" Did you mean %q?", sug)
			}
		}
	case "pattern":
		summary = "Invalid value"
		detail = fmt.Sprintf("%s has the value %q, which is not allowed here.", what, fmt.Sprint(v.at(ptr)))
		if prop == "name" {
			detail = fmt.Sprintf("%q is not a name kpgen accepts.", fmt.Sprint(v.at(ptr)))
		}
		if s, ok := v.at(ptr).(string); ok && (refersToName[prop] || prop == "name") {
			detail += nameAdvice(s, v.declared(prop, ptr))
		} else if lower := strings.ToLower(s); ok && (prop == "services" || prop == "regions") && lower != s && plainName.MatchString(lower) {
			detail += fmt.Sprintf(" Did you mean %q?", lower)
		}
	case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "anyOf":
		summary = "Value out of range"
		detail = fmt.Sprintf("%s is %v, which is out of range.", what, v.at(ptr))
	case "minLength", "maxLength":
		summary = "Invalid value length"
		detail = fmt.Sprintf("%s %s.", what, lengthMessage(ve.Message))
	case "minItems":
		summary = "Not enough values"
		detail = fmt.Sprintf("%s needs at least %s.", what, between(ve.Message, "minimum ", " items"))
		if _, isBlock := blockTypes[prop]; isBlock {
			v.missing(parent(ptr), prop)
			return
		}
	case "maxItems", "maxProperties":
		summary = "Too many values"
		detail = fmt.Sprintf("%s has too many entries; remove some.", what)
		if n := numbers.FindAllString(ve.Message, 2); len(n) == 2 {
			detail = fmt.Sprintf("%s has %s entries, but at most %s are allowed; remove some.", what, n[1], n[0])
		}
	case "uniqueItems":
		summary = "Duplicate value"
		detail = fmt.Sprintf("%s lists the same value twice; remove the duplicate.", what)
		if i := duplicateIndex(ve.Message); i != "" {
			ptr = ptr + "/" + i
		}
	case "not":
		summary = "Reserved value"
		detail = fmt.Sprintf("%s has the value %q, which is reserved.", what, fmt.Sprint(v.at(ptr)))
	default:
		summary = "Invalid value"
		detail = fmt.Sprintf("%s: %s.", what, ve.Message)
	}
	h := hints[prop]
	if kw == "pattern" && refersToName[prop] {
		h = hints["name"]
	}
	if h != "" && kw != "type" && kw != "required" {
		detail += " " + h
	}
	v.add(ptr, summary, detail)
}

func (v *validator) add(ptr, summary, detail string) {
	v.addOnce(ptr+"\x00"+summary, ptr, summary, detail)
}

// addOnce adds the diagnostic unless one with the same key was added: the
// schema can report one mistake through several of its rules.
func (v *validator) addOnce(key, ptr, summary, detail string) {
	if v.seen[key] {
		return
	}
	v.seen[key] = true
	v.diags = append(v.diags, diag.New(diag.Error, v.rangeOf(ptr), summary, detail))
}

func (v *validator) missing(ptr, name string) {
	// A name written wrong is reported as unknown, with HCL's did-you-mean;
	// the right name is then not also missing.
	if unknown := v.index.unknownNames(ptr); slices.Contains(unknown, name) || DidYouMean(name, unknown) != "" {
		return
	}
	// team, account and classification are blocks of the spec and, inside
	// an application, a stage and a data block, arguments naming one.
	if _, isBlock := blockTypes[name]; isBlock && (ptr == "" || !refersToName[name]) {
		what := "The spec"
		if ptr != "" {
			what = v.describe(ptr)
		}
		v.addOnce(ptr+"\x00missing\x00"+name, ptr, fmt.Sprintf("Missing %s block", name), fmt.Sprintf("%s needs %s.", what, blockTypes[name]))
		return
	}
	detail := fmt.Sprintf("The argument %q is required in %s; add it.", name, strings.ToLower(v.describe(ptr)[:1])+v.describe(ptr)[1:])
	if h := hints[name]; h != "" {
		detail += " " + h
	}
	// Each missing argument of a block is a mistake of its own.
	v.addOnce(ptr+"\x00missing\x00"+name, ptr, "Missing required argument", detail)
}

func (v *validator) badKey(ve *jsonschema.ValidationError) {
	// jsonschema reports propertyNames failures at the map with the key as
	// the cause's instance location.
	ptr := ve.InstanceLocation
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
		if ve.InstanceLocation != "" {
			ptr = ve.InstanceLocation
		}
	}
	if m, isMap := v.at(ptr).(map[string]any); isMap {
		if _, empty := m[""]; empty {
			ptr += "/" // the error is at the map itself: the key is the empty one
		}
	}
	i := strings.LastIndex(ptr, "/")
	name, mapPtr := ptr[i+1:], ptr[:i]
	name = strings.ReplaceAll(strings.ReplaceAll(name, "~1", "/"), "~0", "~")
	what := v.describe(mapPtr)
	detail := fmt.Sprintf("%s has the key %q, which is not allowed.", what, name)
	if h := keyHints[property(mapPtr)]; h != "" {
		detail += " " + h
	}
	if up := strings.ToUpper(name); property(mapPtr) == "lint_ignore" && up != name && ruleID.MatchString(up) {
		detail += fmt.Sprintf(" Rule IDs are written in upper case: %s.", up)
	}
	if r, ok := v.index.get(ptr + "#key"); ok {
		// A key that breaks two of the schema's rules is one mistake.
		if key := ptr + "#key"; !v.seen[key] {
			v.seen[key] = true
			v.diags = append(v.diags, diag.New(diag.Error, r, "Invalid key", detail))
		}
		return
	}
	v.add(mapPtr, "Invalid key", detail)
}

// rangeOf finds the HCL range of a JSON pointer, walking up to the nearest
// parent that was recorded while lowering.
func (v *validator) rangeOf(ptr string) hcl.Range {
	for p := ptr; ; p = parent(p) {
		if r, ok := v.index.get(p); ok {
			return r
		}
		if p == "" {
			return v.fallback
		}
	}
}

// at returns the document value at a JSON pointer.
func (v *validator) at(ptr string) any {
	var cur any = v.doc
	for _, tok := range tokens(ptr) {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// describe names what a pointer refers to in the words of the spec language:
// `The argument "id" of account "prod"`, `Application "web"`.
func (v *validator) describe(ptr string) string {
	toks := tokens(ptr)
	var where []string
	var attr string
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		if _, err := strconv.Atoi(tok); err == nil && attr != "" {
			continue // an element of a list attribute: name the attribute
		}
		// A block type is followed by its index, except the blocks that
		// appear once; "key" is also an attribute of data.
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		_, indexed := strconv.Atoi(next)
		if _, isBlock := blockTypes[tok]; isBlock && attr == "" && (indexed == nil || tok == "kpgen" || tok == "organization" || tok == "budget") {
			p := "/" + strings.Join(toks[:i+1], "/")
			if i+1 < len(toks) {
				if _, err := strconv.Atoi(toks[i+1]); err == nil {
					p += "/" + toks[i+1]
					i++
				}
			}
			if name, ok := v.at(p + "/name").(string); ok {
				where = append(where, fmt.Sprintf("%s %q", tok, name))
			} else {
				where = append(where, tok)
			}
			continue
		}
		if attr == "" {
			attr = tok
		} else {
			attr += "." + tok
		}
	}
	slices.Reverse(where)
	in := strings.Join(where, " of ")
	switch {
	case attr == "name":
		return fmt.Sprintf("The name of %s", in)
	case attr != "" && in != "":
		return fmt.Sprintf("The argument %q of %s", attr, in)
	case attr != "":
		return fmt.Sprintf("The argument %q", attr)
	case in != "":
		return strings.ToUpper(in[:1]) + in[1:]
	}
	return "The spec"
}

func tokens(ptr string) []string {
	if ptr == "" || ptr == "/" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

func parent(ptr string) string {
	if i := strings.LastIndex(ptr, "/"); i >= 0 {
		return ptr[:i]
	}
	return ""
}

// property is the attribute name a pointer is about: its last token that is
// not a list index.
func property(ptr string) string {
	toks := tokens(ptr)
	for i := len(toks) - 1; i >= 0; i-- {
		if _, err := strconv.Atoi(toks[i]); err != nil {
			if i > 0 && (toks[i-1] == "tags" || toks[i-1] == "encryption_context" || toks[i-1] == "lint_ignore") {
				return toks[i-1]
			}
			return toks[i]
		}
	}
	return ""
}

func hclType(t string) string {
	switch t {
	case "object":
		return "a map"
	case "array":
		return "a list"
	case "integer":
		return "a whole number"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	case "string":
		return "a string"
	}
	return t
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, s := range vs {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// numbers finds the limit and the count in the JSON Schema library's
// messages ("maximum 16 properties allowed, but found 17 properties",
// "length must be <= 64, but got 65"), which speak of properties and
// lengths rather than of map entries and characters.
var numbers = regexp.MustCompile(`\d+`)

func lengthMessage(msg string) string {
	if strings.HasPrefix(msg, "length must be >= ") {
		return "must not be empty"
	}
	if n := numbers.FindAllString(msg, 2); len(n) == 2 {
		return fmt.Sprintf("is %s characters long, but at most %s are allowed", n[1], n[0])
	}
	return "is too long"
}

func between(s, before, after string) string {
	_, rest, _ := strings.Cut(s, before)
	out, _, _ := strings.Cut(rest, after)
	return out
}

var dupItems = regexp.MustCompile(`items at index (\d+) and (\d+) are equal`)

func duplicateIndex(msg string) string {
	if m := dupItems.FindStringSubmatch(msg); m != nil {
		return m[2]
	}
	return ""
}

// blockTypes names the block types and how a missing one is described.
var blockTypes = map[string]string{
	"kpgen":          "a kpgen block with the spec language version (kpgen { version = 1 })",
	"organization":   "exactly one organization block",
	"account":        "at least one account block",
	"classification": "at least one classification block",
	"team":           "at least one team block",
	"application":    "at least one application block",
	"stage":          "at least one stage block",
	"data":           "",
	"key":            "",
	"budget":         "",
}

// plainName is the form of service names and region codes.
var plainName = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// hints say, per attribute, what a valid value looks like.
var hints = map[string]string{
	"name":                 "Names are 1 to 63 lowercase letters, digits and hyphens, starting with a letter or digit, so that no name can form a path; the names Windows keeps for devices (con, prn, aux, nul, com0-com9, lpt0-lpt9) are reserved.",
	"team":                 "Name a team block of the spec.",
	"account":              "Name an account block of the spec.",
	"classification":       "Name a classification block of the spec.",
	"key":                  "Name a key block of the same application.",
	"security_team":        "Name a team block of the spec.",
	"key_account":          "Name an account block of the spec.",
	"id":                   "An account id is exactly 12 digits, written as a string, e.g. \"123456789012\".",
	"regions":              "Regions are AWS region codes such as \"us-east-1\" or \"eu-central-1\".",
	"org_id":               "An AWS Organizations id looks like \"o-a1b2c3d4e5\".",
	"alias_prefix":         "An alias prefix is letters, digits, '_' and '-', optionally in parts joined by '/', and must not have \"aws\" as its first part, in any case: alias/aws/ is AWS's, and alias/AWS/… would pass for it at a glance.",
	"rotation_days":        "Set 0 to turn automatic rotation off, or a period from 90 to 2560 days (default 365).",
	"deletion_window_days": "The deletion waiting period is 7 to 30 days (default 30).",
	"rank":                 "Ranks are whole numbers from 0 to 100; higher is more sensitive.",
	"services":             "Services are names from kpgen's service catalogue, such as \"s3\", \"rds\" or \"dynamodb\".",
	"users":                "A principal is role/NAME, user/NAME, a full IAM role or user ARN, service:NAME or sso:PERMISSION_SET.",
	"administrators":       "A principal is role/NAME, user/NAME, a full IAM role or user ARN or sso:PERMISSION_SET.",
	"deployer":             "A principal is role/NAME, user/NAME or a full IAM role or user ARN.",
	"lint_ignore":          "Each entry is a rule ID such as KP203 with a non-empty reason: lint_ignore = { KP203 = \"why\" }.",
	"tags":                 "Tag keys are 1 to 128 characters and must not start with \"aws:\" or \"kpgen:\" in any case; values are at most 256 characters.",
	"encryption_context":   "Encryption context keys are 1 to 128 letters, digits and _ . : / -, and must not start with \"aws:\" in any case; values are at most 1,024 characters.",
	"description":          "A description is at most 8,192 characters.",
	"version":              "This kpgen reads spec language version 1.",
	"max_keys":             "A key budget is a whole number of keys, from 0 to 100,000,000.",
	"max_monthly_usd":      "A cost budget is a number of US dollars per month, from 0 to 1,000,000,000.",
}

// nameAdvice points at what makes s no name: a character that is not
// ASCII (a look-alike such as Cyrillic "е"), or capitals; and suggests the
// declared name s was probably meant to be.
func nameAdvice(s string, declared []string) string {
	var out string
	for _, r := range s {
		if r > unicode.MaxASCII {
			out = fmt.Sprintf(" It holds %q (U+%04X), which is not an ASCII letter, digit or hyphen.", string(r), r)
			break
		}
	}
	valid := slices.DeleteFunc(slices.Clone(declared), func(n string) bool { return !validName.MatchString(n) })
	if sug := DidYouMean(strings.ToLower(s), valid); sug != "" {
		out += fmt.Sprintf(" Did you mean %q?", sug)
	}
	return out
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// declared lists the names of the blocks that attribute prop at ptr may
// name: teams, accounts, classifications, or the keys of its application.
func (v *validator) declared(prop, ptr string) []string {
	typ := map[string]string{"team": "team", "security_team": "team", "account": "account", "key_account": "account", "classification": "classification"}[prop]
	var blocks []any
	switch {
	case typ != "":
		blocks, _ = v.doc[typ].([]any)
	case prop == "key":
		if toks := tokens(ptr); len(toks) > 1 && toks[0] == "application" {
			if app, ok := v.at("/application/" + toks[1]).(map[string]any); ok {
				blocks, _ = app["key"].([]any)
			}
		}
	}
	var names []string
	for _, b := range blocks {
		if m, ok := b.(map[string]any); ok {
			if n, ok := m["name"].(string); ok {
				names = append(names, n)
			}
		}
	}
	return names
}

// refersToName lists the attributes whose value is the name of a block.
var refersToName = map[string]bool{
	"team": true, "account": true, "classification": true, "key": true,
	"security_team": true, "key_account": true,
}

// ruleID is the form of a rule ID, as the schema gives it for the keys of
// lint_ignore.
var ruleID = regexp.MustCompile(`^KP[0-9]{3}$`)

var keyHints = map[string]string{
	"lint_ignore":        hints["lint_ignore"],
	"tags":               hints["tags"],
	"encryption_context": hints["encryption_context"],
}
