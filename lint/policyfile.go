package lint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/policy"
)

// ReadPolicy reads a hand-written key policy and returns it with a locator
// that maps statements and their fields to ranges in the file. A file that
// is not a policy document comes back as diagnostics.
func ReadPolicy(name string, data []byte) (*policy.Document, Locator, diag.Diagnostics) {
	whole := hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}
	bad := func(off int64, summary, detail string) (*policy.Document, Locator, diag.Diagnostics) {
		pos := diag.Position(data, int(off))
		rng := hcl.Range{Filename: name, Start: pos, End: hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: pos.Byte + 1}}
		return nil, nil, diag.Diagnostics{diag.New(diag.Error, rng, summary, detail)}
	}
	// Editors on Windows may start a UTF-8 file with a byte order mark;
	// JSON has no place for it, and it says nothing about the policy.
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		return bad(0, "Invalid character encoding", name+" is not valid UTF-8 text. Save the policy as UTF-8 JSON.")
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return bad(se.Offset-1, "Invalid JSON", fmt.Sprintf("%s is not valid JSON: %v.", name, se))
		}
		return bad(0, "Not a policy document", name+" is not a JSON object; a key policy is an object with Version and Statement.")
	}
	if at, first, ok := repeatedKey(data); ok {
		key, end := jsonKeyAt(data, at)
		prev, _ := jsonKeyAt(data, first)
		line := diag.Position(data, first).Line
		what := fmt.Sprintf("The key %q is written a second time in one object (first at line %d).", key, line)
		if key != prev {
			what = fmt.Sprintf("The key %q differs only in case from the key %q at line %d of the same object, and names that differ only in case are read as one.", key, prev, line)
		}
		d := diag.New(diag.Error, hcl.Range{Filename: name, Start: diag.Position(data, at), End: diag.Position(data, end)}, "Key written twice",
			what+" JSON readers keep one of the two and drop the other without a word, so what the policy allows depends on which one AWS keeps. Write each key once.")
		return nil, nil, diag.Diagnostics{d}
	}
	// A policy may hold one statement as an object rather than a list.
	if st := bytes.TrimSpace(top["Statement"]); len(st) > 0 && st[0] == '{' {
		top["Statement"] = append(append([]byte{'['}, st...), ']')
	}
	marks := statementMarks(data)
	locate := func(stmt int, field string) hcl.Range {
		off, ok := marks[fmt.Sprint(stmt, ".", field)]
		if !ok {
			off, ok = marks[fmt.Sprint(stmt, ".")]
		}
		if !ok {
			return whole
		}
		pos := diag.Position(data, off)
		return hcl.Range{Filename: name, Start: pos, End: hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: pos.Byte + 1}}
	}
	var list []json.RawMessage
	if json.Unmarshal(top["Statement"], &list) == nil {
		for i, raw := range list {
			if raw = bytes.TrimSpace(raw); len(raw) == 0 || raw[0] != '{' {
				return nil, nil, diag.Diagnostics{diag.New(diag.Error, locate(i, ""), "Not a policy document",
					fmt.Sprintf("%s does not have the shape of a key policy: statement #%d is %s, not an object. Remove it, or write the statement as an object with Effect, Principal, Action and Resource.", name, i+1, jsonValueKind(raw)))}
			}
		}
	}
	fixed, _ := json.Marshal(top)
	var doc policy.Document
	if err := json.Unmarshal(fixed, &doc); err != nil {
		return nil, nil, diag.Diagnostics{shapeError(name, top["Statement"], err, whole, locate)}
	}
	if len(doc.Statement) == 0 {
		return nil, nil, diag.Diagnostics{diag.New(diag.Error, whole, "Not a policy document", name+" has no Statement list.")}
	}
	// encoding/json matches field names in any case, so a list under
	// "statement" reaches here unchecked: no statement may be null.
	for i, st := range doc.Statement {
		if st == nil {
			return nil, nil, diag.Diagnostics{diag.New(diag.Error, locate(i, ""), "Not a policy document",
				fmt.Sprintf("%s does not have the shape of a key policy: statement #%d is null, not an object. Remove it, or write the statement as an object with Effect, Principal, Action and Resource.", name, i+1))}
		}
	}
	return &doc, locate, nil
}

// shapeError describes a policy file that is JSON but not a policy
// document, at the statement field at fault when there is one.
func shapeError(name string, statements json.RawMessage, err error, whole hcl.Range, locate Locator) *diag.Diagnostic {
	i := faultyStatement(statements)
	at := func(field string) hcl.Range {
		if i < 0 {
			return whole
		}
		return locate(i, field)
	}
	where := ""
	if i >= 0 {
		where = fmt.Sprintf("statement #%d: ", i+1)
	}
	rng, detail := at(""), fmt.Sprintf("%s does not have the shape of a key policy: %s%v.", name, where, err)
	var ce *policy.ConditionError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ce):
		rng = at("Condition")
	case errors.As(err, &te):
		field, _, _ := strings.Cut(strings.TrimPrefix(te.Field, "Statement."), ".")
		rng = at(field)
		detail = fmt.Sprintf("%s does not have the shape of a key policy: %s%s must be %s.", name, where, te.Field, jsonKind(te.Type.String()))
	}
	return diag.New(diag.Error, rng, "Not a policy document", detail)
}

// faultyStatement returns the index of the first statement that does not
// read as one, or -1 when each does (or Statement is not a list).
func faultyStatement(statements json.RawMessage) int {
	var list []json.RawMessage
	if json.Unmarshal(statements, &list) != nil {
		return -1
	}
	for i, raw := range list {
		var s policy.Statement
		if json.Unmarshal(raw, &s) != nil {
			return i
		}
	}
	return -1
}

// jsonValueKind names the kind of a raw JSON value.
func jsonValueKind(raw json.RawMessage) string {
	switch {
	case len(raw) == 0:
		return "empty"
	case raw[0] == '[':
		return "a list"
	case raw[0] == '"':
		return "a string"
	case string(raw) == "null":
		return "null"
	case string(raw) == "true" || string(raw) == "false":
		return "a boolean"
	}
	return "a number"
}

func jsonKind(goType string) string {
	switch goType {
	case "string":
		return "a string"
	case "policy.Values", "[]string":
		return "a string or a list of strings"
	case "[]*policy.Statement":
		return "a statement or a list of statements"
	}
	return "an object"
}

// statementFields are the names of a statement's fields as the findings
// name them. encoding/json matches a file's keys to them in any case, and
// so do the marks.
var statementFields = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// fieldName is key as a statement field's name, when it is one in any case.
func fieldName(key string) string {
	for _, f := range statementFields {
		if strings.EqualFold(key, f) {
			return f
		}
	}
	return key
}

// statementMarks records the byte offset of each statement ("i.") and of
// each of its fields ("i.Field"), following the token stream of the file.
// Keys are matched in any case, as encoding/json matches them (ReadPolicy
// refuses a file in which two keys of one object match one name).
func statementMarks(data []byte) map[string]int {
	type frame struct {
		object  bool
		wantKey bool
		key     string // the key whose value is being read, in an object
	}
	marks := map[string]int{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // a number too large for a float64 is still a token
	var stack []*frame
	stmt, stmtDepth := -1, -1
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return marks
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if key, isString := tok.(string); isString && top != nil && top.object && top.wantKey {
			top.key, top.wantKey = key, false
			if len(stack) == stmtDepth {
				marks[fmt.Sprint(stmt, ".", fieldName(key))] = tokenStart(data, before)
			}
			continue
		}
		// A statement is a value in the root's Statement list, or the
		// root's Statement object itself. Values that are not objects are
		// counted too, so that the indexes match the list's.
		inList := len(stack) == 2 && !stack[1].object && strings.EqualFold(stack[0].key, "Statement")
		switch tok {
		case json.Delim('{'), json.Delim('['):
			obj := tok == json.Delim('{')
			single := len(stack) == 1 && strings.EqualFold(stack[0].key, "Statement")
			stack = append(stack, &frame{object: obj, wantKey: obj})
			if inList || obj && single {
				stmt++
				stmtDepth = len(stack)
				marks[fmt.Sprint(stmt, ".")] = tokenStart(data, before)
			}
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].wantKey = true
			}
		default:
			if inList {
				stmt++
				marks[fmt.Sprint(stmt, ".")] = tokenStart(data, before)
			}
			if top != nil && top.object {
				top.wantKey = true
			}
		}
	}
}

// repeatedKey finds the first key of an object in data (valid JSON) that
// matches an earlier key of the same object, in any case, and returns the
// offsets of both.
func repeatedKey(data []byte) (at, first int, ok bool) {
	type object struct {
		keys    map[string]int // folded key: offset of its first writing
		wantKey bool
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()     // a number too large for a float64 is still a token
	var stack []*object // nil entries are lists
	for {
		before := int(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return 0, 0, false
		}
		var top *object
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if key, isString := tok.(string); isString && top != nil && top.wantKey {
			top.wantKey = false
			off, folded := tokenStart(data, before), foldKey(key)
			if prev, seen := top.keys[folded]; seen {
				return off, prev, true
			}
			top.keys[folded] = off
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &object{keys: map[string]int{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, nil)
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				stack[len(stack)-1].wantKey = true
			}
		default:
			if top != nil {
				top.wantKey = true
			}
		}
	}
}

// foldKey maps key to one spelling of all those strings.EqualFold holds
// equal to it (the equality encoding/json matches field names with): each
// rune becomes the least of its case-folding orbit.
func foldKey(key string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, key)
}

// jsonKeyAt decodes the JSON string that starts at off in data, and returns
// it with the offset where it ends.
func jsonKeyAt(data []byte, off int) (key string, end int) {
	dec := json.NewDecoder(bytes.NewReader(data[off:]))
	_ = dec.Decode(&key)
	return key, off + int(dec.InputOffset())
}

// tokenStart skips the separators before a token.
func tokenStart(data []byte, off int) int {
	for off < len(data) && (data[off] == ' ' || data[off] == '\n' || data[off] == '\r' || data[off] == '\t' || data[off] == ',' || data[off] == ':') {
		off++
	}
	return off
}

// RunPolicyFile runs the policy rules among rules on one hand-written policy.
func RunPolicyFile(name string, data []byte, rules []*Rule) diag.Diagnostics {
	doc, locate, ds := ReadPolicy(name, data)
	if ds.HasErrors() {
		return ds
	}
	for _, r := range rules {
		if r.Policy != nil {
			ds = append(ds, RunPolicy(r, doc, len(data), (*model.KeyInstance)(nil), locate)...)
		}
	}
	ds.Sort()
	return ds
}
