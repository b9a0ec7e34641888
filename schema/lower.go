package schema

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/par"
)

// blockDef describes the attributes and nested blocks one block type may hold.
// The types, enums and ranges of the values are the JSON Schema's business;
// this table only says what may be written where.
type blockDef struct {
	attrs  []string
	blocks []nestedDef
}

type nestedDef struct {
	typ     string
	labeled bool
	many    bool // lowered to an array; otherwise at most one, lowered to an object
	def     *blockDef
}

var (
	budgetDef = &blockDef{attrs: []string{"max_keys", "max_monthly_usd", "lint_ignore"}}
	orgDef    = &blockDef{
		attrs: []string{"strategy", "partition", "regions", "org_id", "security_team",
			"key_account", "alias_prefix", "deployer", "lint_ignore"},
		blocks: []nestedDef{{typ: "budget", def: budgetDef}},
	}
	stageDef = &blockDef{attrs: []string{"account", "production", "lint_ignore"}}
	dataDef  = &blockDef{attrs: []string{"classification", "services", "users", "key", "key_type", "lint_ignore"}}
	keyDef   = &blockDef{attrs: []string{"description", "users", "administrators", "services", "spec",
		"usage", "rotation_days", "deletion_window_days", "regions", "origin", "encryption_context",
		"iam_delegation", "shared_across_stages", "tags", "lint_ignore"}}
	appDef = &blockDef{
		attrs: []string{"team", "lint_ignore"},
		blocks: []nestedDef{
			{typ: "stage", labeled: true, many: true, def: stageDef},
			{typ: "data", labeled: true, many: true, def: dataDef},
			{typ: "key", labeled: true, many: true, def: keyDef},
		},
	}
	// topDef is a file's body. kpgen and organization are lowered to objects,
	// so a second one, in any file, is a duplicate.
	topDef = &blockDef{
		blocks: []nestedDef{
			{typ: "kpgen", def: &blockDef{attrs: []string{"version", "lint_ignore"}}},
			{typ: "organization", labeled: true, def: orgDef},
			{typ: "account", labeled: true, many: true, def: &blockDef{attrs: []string{"id", "deployer", "lint_ignore"}}},
			{typ: "classification", labeled: true, many: true, def: &blockDef{attrs: []string{"rank",
				"min_key_type", "rotation", "iam_delegation", "regions", "lint_ignore"}}},
			{typ: "team", labeled: true, many: true, def: &blockDef{attrs: []string{"administrators", "lint_ignore"}}},
			{typ: "application", labeled: true, many: true, def: appDef},
		},
	}
)

// defTypes names each block type's definition; the top level of a file is
// "".
var defTypes = sync.OnceValue(func() map[*blockDef]string {
	out := map[*blockDef]string{topDef: ""}
	var walk func(d *blockDef)
	walk = func(d *blockDef) {
		for _, nd := range d.blocks {
			out[nd.def] = nd.typ
			walk(nd.def)
		}
	}
	walk(topDef)
	return out
})

var unsupportedName = regexp.MustCompile(`(?:argument named|Blocks of type) "([^"]+)"`)

// adviseUnsupported adds to HCL's "Unsupported argument" and "Unsupported
// block type" what may be written in the block instead, and where the name
// belongs when another block takes it (rotation_days goes in a key block,
// a classification block at the top level). HCL's own did-you-mean, when it
// has one, is advice enough.
func adviseUnsupported(d *hcl.Diagnostic, def *blockDef) {
	isBlock := d.Summary == "Unsupported block type"
	if d.Summary != "Unsupported argument" && !isBlock || strings.Contains(d.Detail, "Did you mean") {
		return
	}
	m := unsupportedName.FindStringSubmatch(d.Detail)
	if m == nil {
		return
	}
	name := m[1]
	var homes []string
	for other, typ := range defTypes() {
		takes := slices.Contains(other.attrs, name)
		if isBlock {
			takes = slices.ContainsFunc(other.blocks, func(nd nestedDef) bool { return nd.typ == name })
		}
		if other == def || !takes {
			continue
		}
		if typ == "" {
			homes = append(homes, "the top level of a spec file")
		} else {
			homes = append(homes, article(typ)+" block")
		}
	}
	slices.Sort(homes)
	if len(homes) > 0 {
		d.Detail += fmt.Sprintf(" %q belongs in %s.", name, strings.Join(homes, " or "))
	}
	here := slices.Clone(def.attrs)
	for _, nd := range def.blocks {
		here = append(here, nd.typ+" {}")
	}
	if typ := defTypes()[def]; typ != "" {
		d.Detail += fmt.Sprintf(" %s block holds: %s.", strings.ToUpper(article(typ)[:1])+article(typ)[1:], strings.Join(here, ", "))
	} else {
		d.Detail += fmt.Sprintf(" A spec file holds the blocks %s.", strings.Join(here, ", "))
	}
}

// article is "a TYPE" or "an TYPE".
func article(typ string) string {
	if strings.ContainsRune("aeiou", rune(typ[0])) {
		return "an " + typ
	}
	return "a " + typ
}

func (d *blockDef) bodySchema() *hcl.BodySchema {
	s := &hcl.BodySchema{}
	for _, a := range d.attrs {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: a})
	}
	for _, b := range d.blocks {
		bs := hcl.BlockHeaderSchema{Type: b.typ}
		if b.labeled {
			bs.LabelNames = []string{"name"}
		}
		s.Blocks = append(s.Blocks, bs)
	}
	return s
}

// maxDepth bounds how deeply a value may nest. No attribute of the language
// nests deeper than a map of strings; the bound keeps hostile input from
// costing more than it takes to reject it.
const maxDepth = 4

// lowerer turns HCL bodies into the JSON document the schema validates, and
// records for every JSON pointer the HCL range it came from.
type lowerer struct {
	index map[string]hcl.Range
	diags diag.Diagnostics
}

func (l *lowerer) record(ptr string, rng hcl.Range) {
	l.index[ptr] = rng
}

// unknownMark marks, after a block's pointer, the name of an argument or
// block it holds that kpgen does not know (PTR#unknown/NAME), so that the
// schema does not also report a misspelt required name as missing.
const unknownMark = "#unknown/"

func (l *lowerer) recordUnknown(ptr string, d *hcl.Diagnostic) {
	if d.Summary != "Unsupported argument" && d.Summary != "Unsupported block type" {
		return
	}
	if m := unsupportedName.FindStringSubmatch(d.Detail); m != nil && d.Subject != nil {
		l.record(ptr+unknownMark+m[1], *d.Subject)
	}
}

// body lowers the content of one block (or file) into obj.
func (l *lowerer) body(ptr string, body hcl.Body, def *blockDef, obj map[string]any) {
	content, hds := body.Content(def.bodySchema())
	for _, d := range hds {
		adviseUnsupported(d, def)
		l.recordUnknown(ptr, d)
	}
	l.diags = append(l.diags, fromHCL(hds)...)
	if content == nil {
		return
	}
	for name, attr := range content.Attributes {
		p := ptr + "/" + name
		l.record(p, attr.Expr.Range())
		l.record(p+"#attr", attr.Range)
		if v, ok := l.value(p, attr.Expr); ok {
			obj[name] = v
		}
	}
	for _, nd := range def.blocks {
		if nd.many {
			if _, ok := obj[nd.typ]; !ok {
				obj[nd.typ] = []any{}
			}
		}
	}
	for _, blk := range content.Blocks {
		var nd nestedDef
		for _, d := range def.blocks {
			if d.typ == blk.Type {
				nd = d
			}
		}
		child := map[string]any{}
		var cp string
		if nd.many {
			arr := obj[nd.typ].([]any)
			cp = ptr + "/" + nd.typ + "/" + strconv.Itoa(len(arr))
			obj[nd.typ] = append(arr, child)
		} else {
			cp = ptr + "/" + nd.typ
			if _, dup := obj[nd.typ]; dup {
				where := "in " + article(defTypes()[def]) + " block"
				l.diags = l.diags.Errorf(blk.DefRange, fmt.Sprintf("Duplicate %s block", nd.typ),
					"Only one %s block is allowed %s; the first one is at %s. Merge the two.",
					nd.typ, where, rangeString(l.index[cp]))
				continue
			}
			obj[nd.typ] = child
		}
		l.block(cp, blk, nd, child)
	}
}

// block lowers one block into obj, at pointer ptr.
func (l *lowerer) block(ptr string, blk *hcl.Block, nd nestedDef, obj map[string]any) {
	l.record(ptr, blk.DefRange)
	if sb, ok := blk.Body.(*hclsyntax.Body); ok {
		l.record(ptr+"#block", hcl.RangeBetween(blk.DefRange, sb.SrcRange))
	}
	if nd.labeled {
		obj["name"] = blk.Labels[0]
		l.record(ptr+"/name", blk.LabelRanges[0])
	}
	l.body(ptr, blk.Body, nd.def, obj)
}

// lowerFiles lowers the bodies of every file of a spec into one document.
// The blocks of the repeatable top-level types (accounts, classifications,
// teams, applications: nearly all of a large spec) are lowered in parallel,
// each recording its ranges in a map of its own.
func lowerFiles(bodies []hcl.Body) (map[string]any, *ranges, diag.Diagnostics) {
	r := &ranges{top: map[string]hcl.Range{}, blocks: map[string]map[string]hcl.Range{}}
	top := &lowerer{index: r.top}
	doc := map[string]any{}
	type job struct {
		ptr string
		blk *hcl.Block
		nd  nestedDef
		obj map[string]any
		l   *lowerer
	}
	var jobs []*job
	for _, nd := range topDef.blocks {
		if nd.many {
			doc[nd.typ] = []any{}
		}
	}
	schema := topDef.bodySchema()
	for _, body := range bodies {
		content, hds := body.Content(schema)
		for _, d := range hds {
			adviseUnsupported(d, topDef)
			top.recordUnknown("", d)
		}
		top.diags = append(top.diags, fromHCL(hds)...)
		if content == nil {
			continue
		}
		for _, blk := range content.Blocks {
			var nd nestedDef
			for _, d := range topDef.blocks {
				if d.typ == blk.Type {
					nd = d
				}
			}
			obj := map[string]any{}
			if !nd.many {
				ptr := "/" + nd.typ
				if _, dup := doc[nd.typ]; dup {
					top.diags = top.diags.Errorf(blk.DefRange, fmt.Sprintf("Duplicate %s block", nd.typ),
						"Only one %s block is allowed in a spec; the first one is at %s. Merge the two.",
						nd.typ, rangeString(r.top[ptr]))
					continue
				}
				doc[nd.typ] = obj
				top.block(ptr, blk, nd, obj)
				continue
			}
			arr := doc[nd.typ].([]any)
			ptr := "/" + nd.typ + "/" + strconv.Itoa(len(arr))
			doc[nd.typ] = append(arr, obj)
			jobs = append(jobs, &job{ptr: ptr, blk: blk, nd: nd, obj: obj, l: &lowerer{index: map[string]hcl.Range{}}})
		}
	}
	par.Each(len(jobs), func(i int) {
		j := jobs[i]
		j.l.block(j.ptr, j.blk, j.nd, j.obj)
	})
	diags := top.diags
	for _, j := range jobs {
		r.blocks[j.ptr] = j.l.index
		diags = append(diags, j.l.diags...)
	}
	return doc, r, diags
}

// ranges maps the JSON pointers of a lowered document to the HCL ranges they
// came from. The pointers inside each repeatable top-level block are kept
// in a map of their own, as that block was lowered.
type ranges struct {
	top    map[string]hcl.Range
	blocks map[string]map[string]hcl.Range // by the block's pointer: "/application/3"
}

// get returns the range of a pointer.
func (r *ranges) get(ptr string) (hcl.Range, bool) {
	if b := blockPointer(ptr); b != "" {
		rng, ok := r.blocks[b][ptr]
		return rng, ok
	}
	rng, ok := r.top[ptr]
	return rng, ok
}

// unknownNames are the names a block (at ptr) holds that kpgen does not
// know.
func (r *ranges) unknownNames(ptr string) []string {
	m := r.top
	if b := blockPointer(ptr); b != "" {
		m = r.blocks[b]
	}
	var names []string
	for k := range m {
		if name, ok := strings.CutPrefix(k, ptr+unknownMark); ok {
			names = append(names, name)
		}
	}
	return names
}

// at returns the range of a pointer, or the zero range.
func (r *ranges) at(ptr string) hcl.Range {
	rng, _ := r.get(ptr)
	return rng
}

// blockPointer is the "/type/N" prefix of a pointer into a repeatable
// top-level block, or "".
func blockPointer(ptr string) string {
	if len(ptr) < 2 || ptr[0] != '/' {
		return ""
	}
	i := strings.IndexByte(ptr[1:], '/')
	if i < 0 {
		return ""
	}
	switch ptr[1 : 1+i] {
	case "account", "classification", "team", "application":
	default:
		return ""
	}
	rest := ptr[2+i:]
	j := strings.IndexAny(rest, "/#")
	if j < 0 {
		j = len(rest)
	}
	return ptr[:2+i+j]
}

// value evaluates an attribute expression without variables or functions and
// converts it to the JSON document's types.
func (l *lowerer) value(ptr string, expr hcl.Expression) (any, bool) {
	if d := notLiteral(expr); d != nil {
		l.diags = append(l.diags, d)
		return nil, false
	}
	v, hds := expr.Value(nil)
	if hds.HasErrors() {
		l.diags = append(l.diags, fromHCL(hds)...)
		return nil, false
	}
	l.elementRanges(ptr, expr, 0)
	return l.convert(ptr, v, 0, expr.Range())
}

// MaxValues is the most values a list or map may hold. No attribute needs
// more, and each value costs HCL and the schema validator about two
// kilobytes, so a spec of a few megabytes of long lists would take
// gigabytes.
const MaxValues = 1000

var tooManyDetail = fmt.Sprintf("A list or map of a kpgen spec holds at most %d values; this one holds more, from here on. Split what it describes into several blocks.", MaxValues)

func tooMany(at hcl.Range) *diag.Diagnostic {
	return diag.New(diag.Error, at, "Too many values", tooManyDetail)
}

// notLiteral reports the first part of expr that is not a literal value: a
// spec holds strings without templates, numbers, booleans, and lists and
// maps of them. HCL would evaluate the rest (operators, conditionals, for
// expressions, templates), and a few nested template loops in a small file
// take minutes and gigabytes.
func notLiteral(expr hcl.Expression) *diag.Diagnostic {
	const fix = "A kpgen spec holds literal values only: strings, numbers, booleans, and lists and maps of them. Write the value itself, quoted if it is a string; kpgen evaluates no references, functions, operators or templates (write $${ or %%{ for a literal ${ or %{)."
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return nil
	case *hclsyntax.TemplateExpr:
		for _, part := range e.Parts {
			if _, ok := part.(*hclsyntax.LiteralValueExpr); !ok {
				return diag.New(diag.Error, part.Range(), "Templates not allowed", fix)
			}
		}
		return nil
	case *hclsyntax.TupleConsExpr:
		if len(e.Exprs) > MaxValues {
			return tooMany(e.Exprs[MaxValues].Range())
		}
		for _, el := range e.Exprs {
			if d := notLiteral(el); d != nil {
				return d
			}
		}
		return nil
	case *hclsyntax.ObjectConsExpr:
		if len(e.Items) > MaxValues {
			return tooMany(e.Items[MaxValues].KeyExpr.Range())
		}
		for _, item := range e.Items {
			key := item.KeyExpr
			if k, ok := key.(*hclsyntax.ObjectConsKeyExpr); ok {
				if hcl.ExprAsKeyword(k.Wrapped) != "" && !k.ForceNonLiteral {
					key = nil // a bare name: the key is its text
				} else {
					key = k.Wrapped
				}
			}
			if key != nil {
				if d := notLiteral(key); d != nil {
					return d
				}
			}
			if d := notLiteral(item.ValueExpr); d != nil {
				return d
			}
		}
		return nil
	case *hclsyntax.UnaryOpExpr:
		// A negative number; the schema says where it is out of range.
		if lit, ok := e.Val.(*hclsyntax.LiteralValueExpr); ok && e.Op == hclsyntax.OpNegate && lit.Val.Type() == cty.Number {
			return nil
		}
	case *hclsyntax.ScopeTraversalExpr:
		return diag.New(diag.Error, e.Range(), "Variables not allowed", fix)
	case *hclsyntax.FunctionCallExpr:
		return diag.New(diag.Error, e.Range(), "Function calls not allowed", fix)
	case *hclsyntax.TemplateWrapExpr:
		return diag.New(diag.Error, e.Range(), "Templates not allowed", fix)
	}
	return diag.New(diag.Error, expr.Range(), "Expressions not allowed", fix)
}

// elementRanges records the ranges of list elements and map entries, so that
// a wrong element is reported where it is written rather than at the list.
func (l *lowerer) elementRanges(ptr string, expr hcl.Expression, depth int) {
	if depth > maxDepth {
		return
	}
	switch e := expr.(type) {
	case *hclsyntax.TupleConsExpr:
		for i, el := range e.Exprs {
			p := ptr + "/" + strconv.Itoa(i)
			l.record(p, el.Range())
			l.elementRanges(p, el, depth+1)
		}
	case *hclsyntax.ObjectConsExpr:
		seen := map[string]hcl.Range{}
		for _, item := range e.Items {
			k, hds := item.KeyExpr.Value(nil)
			if hds.HasErrors() || k.IsNull() || !k.IsKnown() {
				continue
			}
			// A key is a string to HCL: 1 and "1" are one key.
			if sk, err := convert.Convert(k, cty.String); err == nil {
				k = sk
			}
			if !k.Type().Equals(cty.String) {
				continue
			}
			// HCL keeps the last of two entries with one key, silently:
			// a tag or an encryption context value would change unseen.
			if first, dup := seen[k.AsString()]; dup {
				l.diags = l.diags.Errorf(item.KeyExpr.Range(), "Key written twice",
					"%q is already a key of this map, at %s:%d:%d; of the two, HCL would keep this one and drop the other without a word. Remove one of them.",
					k.AsString(), first.Filename, first.Start.Line, first.Start.Column)
			} else {
				seen[k.AsString()] = item.KeyExpr.Range()
			}
			p := ptr + "/" + escapePointer(k.AsString())
			l.record(p, item.ValueExpr.Range())
			l.record(p+"#key", item.KeyExpr.Range())
			l.elementRanges(p, item.ValueExpr, depth+1)
		}
	}
}

func (l *lowerer) convert(ptr string, v cty.Value, depth int, rng hcl.Range) (any, bool) {
	if depth > maxDepth {
		l.diags = l.diags.Errorf(rng, "Value nested too deeply",
			"No kpgen attribute takes values nested more than %d levels; write a string, a list of strings or a map of strings.", maxDepth)
		return nil, false
	}
	if v.IsNull() {
		return nil, false
	}
	t := v.Type()
	switch {
	case t == cty.String:
		str := v.AsString()
		if strings.Contains(str, "{{resolve:") {
			l.diags = l.diags.Errorf(rng, "Dynamic reference not allowed", dynamicReference)
			return nil, false
		}
		if d := hiddenCharacter(str, rng); d != nil {
			l.diags = append(l.diags, d)
			return nil, false
		}
		if strings.Contains(ptr, "/encryption_context/") && strings.Contains(str, "${") {
			l.diags = l.diags.Errorf(rng, "Policy variable not allowed",
				"An encryption context value goes into the key policy, where IAM reads ${...} as a policy variable, so the required value would be, for example, the caller's name. Write the value without \"${\".")
			return nil, false
		}
		return str, true
	case t == cty.Number:
		f := v.AsBigFloat()
		text := f.Text('f', -1)
		if new(big.Float).Abs(f).Cmp(hugeNumber) >= 0 {
			text = f.Text('g', 6) // out of every range: say it short
		}
		return json.Number(text), true
	case t == cty.Bool:
		return v.True(), true
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		out := []any{}
		i := 0
		for it := v.ElementIterator(); it.Next(); i++ {
			_, ev := it.Element()
			p := ptr + "/" + strconv.Itoa(i)
			er, ok := l.index[p]
			if !ok {
				er = rng
			}
			x, ok := l.convert(p, ev, depth+1, er)
			if !ok {
				if ev.IsNull() {
					l.diags = l.diags.Errorf(er, "Null value in list", "Remove the null element or write a value.")
				}
				return nil, false
			}
			out = append(out, x)
		}
		return out, true
	case t.IsMapType() || t.IsObjectType():
		out := map[string]any{}
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			p := ptr + "/" + escapePointer(k.AsString())
			er, ok := l.index[p]
			if !ok {
				er = rng
			}
			if strings.Contains(k.AsString(), "{{resolve:") {
				kr, ok := l.index[p+"#key"]
				if !ok {
					kr = er
				}
				l.diags = l.diags.Errorf(kr, "Dynamic reference not allowed", dynamicReference)
				return nil, false
			}
			if d := hiddenCharacter(k.AsString(), l.keyRange(p, er)); d != nil {
				l.diags = append(l.diags, d)
				return nil, false
			}
			x, ok := l.convert(p, ev, depth+1, er)
			if !ok {
				if ev.IsNull() {
					// Dropping the entry would lose a lint_ignore's
					// missing reason, or a required encryption context
					// value, without a word.
					l.diags = l.diags.Errorf(er, "Null value in map",
						"%q has no value: remove the entry, or write its value.", k.AsString())
				}
				return nil, false
			}
			out[k.AsString()] = x
		}
		return out, true
	}
	l.diags = l.diags.Errorf(rng, "Unsupported value", "Write a string, number, bool, list or map.")
	return nil, false
}

// keyRange is where the key of the map entry at ptr is written, else rng.
func (l *lowerer) keyRange(ptr string, rng hcl.Range) hcl.Range {
	if kr, ok := l.index[ptr+"#key"]; ok {
		return kr
	}
	return rng
}

// hiddenCharacter refuses a string with a character that changes how text
// is shown without being seen: a control character other than tab and
// newline, or a bidirectional embedding, override or isolate (the "Trojan
// Source" characters). Outputs would carry it, and a reviewer of the spec
// or of a generated template would read other text than AWS gets.
func hiddenCharacter(s string, rng hcl.Range) *diag.Diagnostic {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b >= 0x20 && b != 0x7f && b != 0xc2 && b != 0xe2 {
			continue // the first byte of no hidden character
		}
		r, _ := utf8.DecodeRuneInString(s[i:])
		var what string
		switch {
		case r == '\t' || r == '\n':
			continue
		case unicode.IsControl(r):
			what = "a control character"
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			what = "a bidirectional formatting character"
		default:
			continue
		}
		return diag.New(diag.Error, rng, "Hidden character in a string",
			fmt.Sprintf("This string holds %U, %s, %s: it changes how the text around it is shown without being seen, so the spec and the generated outputs would read otherwise than what AWS gets. Remove it; write text in the order it is read, and a line break as a new line of a heredoc.", r, what, diag.Place(s[:i])))
	}
	return nil
}

// hugeNumber is beyond every range of the schema: a number this large is
// written short in messages, rather than in forty digits or more.
var hugeNumber = big.NewFloat(1e40)

const dynamicReference = "CloudFormation reads {{resolve:...}} in a template as a reference to a parameter or secret and puts its value there, so spec text may not hold it. Write the text without \"{{resolve:\"."

// escapePointer escapes one JSON pointer reference token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func rangeString(r hcl.Range) string {
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
