package schema

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hcled"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/testorg"
)

// parseWith parses files whole on one CPU, or in pieces on four.
func parseWith(t *testing.T, whole bool, files map[string][]byte) (*Spec, []string) {
	t.Helper()
	procs, size := 4, chunkSize
	if whole {
		procs, size = 1, 1<<40
	}
	prevProcs, prevSize := runtime.GOMAXPROCS(procs), chunkSize
	chunkSize = size
	defer func() { runtime.GOMAXPROCS(prevProcs); chunkSize = prevSize }()
	var names []string
	var srcs [][]byte
	for _, n := range sortedNames(files) {
		names = append(names, n)
		srcs = append(srcs, files[n])
	}
	spec, diags := Parse("", names, srcs)
	var ds []string
	for _, d := range diags {
		ds = append(ds, fmt.Sprintf("%s %s", d.Subject, d.Summary))
	}
	return spec, ds
}

func sortedNames(files map[string][]byte) []string {
	return slices.Sorted(maps.Keys(files))
}

// TestParseInPieces: a large file parsed in pieces on several CPUs gives
// the same spec, ranges and all, as parsed whole on one.
func TestParseInPieces(t *testing.T) {
	files := testorg.Files(500)
	if len(files["apps-0000.kp.hcl"]) < 4*chunkSize {
		t.Fatalf("the test file is too small to be split")
	}
	whole, wd := parseWith(t, true, files)
	pieces, pd := parseWith(t, false, files)
	if len(wd)+len(pd) > 0 {
		t.Fatalf("diagnostics: %v %v", wd, pd)
	}
	if diff := cmp.Diff(whole, pieces, cmpopts.IgnoreFields(Spec{}, "Files")); diff != "" {
		t.Errorf("spec parsed in pieces differs (-whole +pieces):\n%s", diff)
	}
	// The enclosing block of an offset is found in the right piece.
	app := pieces.Applications[250]
	f := pieces.Files[app.DefRange.Filename]
	if got, want := hcled.ContextString(f, app.Keys[0].DefRange.Start.Byte), `application "app250"`; got != want {
		t.Errorf("context of a block in a later piece: %q, want %q", got, want)
	}
}

// TestParseInPiecesFallsBack: pieces split inside a heredoc, or a syntax
// error anywhere, make the file be parsed whole: the same spec, the same
// diagnostics.
func TestParseInPiecesFallsBack(t *testing.T) {
	files := testorg.Files(500)
	src := string(files["apps-0000.kp.hcl"])
	// A block comment whose lines start with letters in column 1, long
	// enough to hold a split point, in the middle of the file.
	var comment strings.Builder
	comment.WriteString("/*\n")
	for i := range 5000 {
		fmt.Fprintf(&comment, "application \"x%d\" {\n", i)
	}
	comment.WriteString("*/\n")
	mid := strings.Index(src[len(src)/2:], "\napplication ") + len(src)/2 + 1
	files["apps-0000.kp.hcl"] = []byte(src[:mid] + comment.String() + src[mid:])
	whole, wd := parseWith(t, true, files)
	pieces, pd := parseWith(t, false, files)
	if len(wd)+len(pd) > 0 {
		t.Fatalf("diagnostics: %v %v", wd, pd)
	}
	if diff := cmp.Diff(whole, pieces, cmpopts.IgnoreFields(Spec{}, "Files")); diff != "" {
		t.Errorf("spec differs (-whole +pieces):\n%s", diff)
	}
	if len(pieces.Applications) != 500 {
		t.Errorf("%d applications, want 500: the comment was read as blocks", len(pieces.Applications))
	}

	// A syntax error near the end of a large file.
	broken := strings.Replace(src, "    key            = \"orders\"\n  }\n  data \"customers\"", "    key            = = \"orders\"\n  }\n  data \"customers\"", 1)
	broken = broken[:len(broken)-200] + strings.Replace(broken[len(broken)-200:], "}", "", 1)
	files["apps-0000.kp.hcl"] = []byte(broken)
	_, wd = parseWith(t, true, files)
	_, pd = parseWith(t, false, files)
	if len(wd) == 0 {
		t.Fatal("the broken file parsed")
	}
	if diff := cmp.Diff(wd, pd); diff != "" {
		t.Errorf("diagnostics differ (-whole +pieces):\n%s", diff)
	}

	// One top-level argument set in two pieces: HCL's error for it.
	files["apps-0000.kp.hcl"] = []byte("x = 1\n" + src + "x = 2\n")
	_, wd = parseWith(t, true, files)
	_, pd = parseWith(t, false, files)
	if !slices.ContainsFunc(wd, func(d string) bool { return strings.HasSuffix(d, "Attribute redefined") }) {
		t.Fatalf("parsed whole, the file has no Attribute redefined error: %v", wd)
	}
	if diff := cmp.Diff(wd, pd); diff != "" {
		t.Errorf("diagnostics of an argument set twice differ (-whole +pieces):\n%s", diff)
	}
}

// TestDeepNestingRefused: values nested thousands of levels deep would
// overflow the stack of HCL's parser, a crash no recover catches; they are
// refused with a located error before HCL parses them, by Parse and Format.
func TestDeepNestingRefused(t *testing.T) {
	const n = 100000
	for name, value := range map[string]string{
		"parentheses":   strings.Repeat("(", n) + "1" + strings.Repeat(")", n),
		"brackets":      strings.Repeat("[", n) + strings.Repeat("]", n),
		"braces":        strings.Repeat("{a=", n) + "1" + strings.Repeat("}", n),
		"interpolation": strings.Repeat(`"${`, n) + "1" + strings.Repeat(`}"`, n),
		"minus signs":   strings.Repeat("-", n) + "1",
		"negations":     strings.Repeat("!", n) + "true",
		"conditionals":  strings.Repeat("true ? 1 : ", n) + "1",
		// Lines that begin with a letter split the file into small pieces,
		// each unbalanced: the file is then parsed whole.
		"across pieces": strings.Repeat(strings.Repeat("(", 1000)+"\nx\n", n/1000) + "1",
	} {
		t.Run(name, func(t *testing.T) {
			src := []byte("kpgen {\n  version = " + value + "\n}\n")
			want := "Value nested too deeply"
			if strings.ContainsAny(value[:1], "-!") || strings.Contains(value, "?") {
				want = "Too many operators"
			}
			_, diags := Parse("spec", []string{"main.kp.hcl"}, [][]byte{src})
			if len(diags) != 1 || diags[0].Summary != want || diags[0].Subject.Start.Line != 2 {
				t.Errorf("Parse: %v, want %q", diags, want)
			}
			if _, diags := Format(src, "main.kp.hcl"); len(diags) != 1 || diags[0].Summary != want {
				t.Errorf("Format: %v, want %q", diags, want)
			}
		})
	}
}

// TestSyntaxErrorHints: HCL's syntax errors say what is wrong; kpgen adds
// how to fix it.
func TestSyntaxErrorHints(t *testing.T) {
	for src, want := range map[string]string{
		"kpgen {\n  version = 1\n}\naccount {\n}\n":             `Write it as account "NAME" { ... }.`,
		"kpgen {\n  version = 1\n}\n}\n":                        "look here, or just before, for a stray closing brace",
		"kpgen {\n  version = 1\n}\n/* open\n":                  "an unclosed /* comment",
		"kpgen {\n  version = 1\n  x = <<EOT\nabc\n}\n":         "a heredoc (<<EOT) with its marker alone on a line",
		"kpgen {\n  version = 1\n}\naccount \"a\" \"b\" {\n}\n": `Each account block has one name`,
		"kpgen \"x\" {\n  version = 1\n}\n":                     `A kpgen block has no name: kpgen { ... }.`,
		"kpgen {\n  version = 1\n  x = \"a \\q\"\n}\n":          `Write \\ for a backslash itself.`,
		"kpgen {\n  version = 1 x = 2\n}\n":                     "Put each argument on a line of its own",
		"kpgen {\n  x = { a = \"1\" b = \"2\" }\n}\n":           "Separate the entries of a map with a comma or a new line",
		"kpgen {\n  x = [\"a\" \"b\"]\n}\n":                     "Separate the values of a list with commas",
		"kpgen {\n  x = { a \"1\" }\n}\n":                       `Write each entry of a map as KEY = "value".`,
		"kpgen {\n  x = @\n}\n":                                 "put a string in double quotes",
		"kpgen {\n  \"x\" = 1\n}\n":                             "without quotes",
		"kpgen {\n  x y = 2\n}\n":                               "with no equals sign",
		"kpgen {\n  x = \"${a\"\n}\n":                           "write $${ for the characters themselves",
	} {
		_, diags := Parse("", []string{"main.kp.hcl"}, [][]byte{[]byte(src)})
		if !slices.ContainsFunc(diags, func(d *diag.Diagnostic) bool { return strings.Contains(d.Detail, want) }) {
			t.Errorf("%q: %v; want a detail saying %q", src, diags, want)
		}
	}
}

// TestUnterminatedStringReportedOnce: a quoted string left open is one
// error, not one per later line of the file; another file's errors stay.
func TestUnterminatedStringReportedOnce(t *testing.T) {
	open := "kpgen {\n  version = 1\n}\naccount \"a\" {\n  id = \"1111\n}\n\naccount \"b\" {\n  id = \"2222\"\n}\n"
	other := "kpgen {\n  x = \"split\nhere\"\n}\n"
	_, diags := Parse("", []string{"a.kp.hcl", "b.kp.hcl"}, [][]byte{[]byte(open), []byte(other)})
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s:%d %s", d.Subject.Filename, d.Subject.Start.Line, d.Summary))
	}
	want := []string{"a.kp.hcl:5 Unterminated template string", "b.kp.hcl:2 Unterminated template string"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

// TestTooManyValuesBeforeParsing: a list longer than MaxValues is refused
// from its tokens, before HCL builds a syntax tree of it, at its first value
// too many; a list of MaxValues values passes, with or without a trailing
// comma, and so do nested lists that are short each.
func TestTooManyValuesBeforeParsing(t *testing.T) {
	list := func(n int, trailing string) string {
		return "regions = [\n" + strings.Repeat("  \"us-east-1\",\n", n-1) + "  \"us-east-1\"" + trailing + "\n]\n"
	}
	nested := "x = [" + strings.Repeat(`["a", "b"], `, 600) + "]\n"
	for src, wantLine := range map[string]int{
		list(MaxValues+1, ""):  MaxValues + 2,
		list(MaxValues+1, ","): MaxValues + 2,
		list(MaxValues, ""):    0,
		list(MaxValues, ","):   0,
		nested:                 0,
	} {
		if len(src) <= deepCheckSize {
			t.Fatalf("a case of %d bytes is too small to be checked", len(src))
		}
		ds := tooDeep([]byte(src), "t.kp.hcl", hcl.InitialPos)
		switch {
		case wantLine == 0 && ds != nil:
			t.Errorf("%.40q…: %v, want nothing", src, ds)
		case wantLine != 0 && (len(ds) != 1 || ds[0].Summary != "Too many values" || ds[0].Subject.Start.Line != wantLine):
			t.Errorf("%.40q…: %v, want Too many values at line %d", src, ds, wantLine)
		}
	}
}

// TestDidYouMeanLimit: a candidate within the distance a typo makes is
// suggested, whatever its case; one as far as the limit is not.
func TestDidYouMeanLimit(t *testing.T) {
	for given, want := range map[string]string{
		"decentralised": "decentralized", // distance 1
		"HYBRID":        "hybrid",        // case only
		"hxbxix":        "",              // distance 3 = the limit for 6 characters
		"hybri":         "hybrid",        // distance 1
	} {
		if got := DidYouMean(given, []string{"decentralized", "centralized", "hybrid"}); got != want {
			t.Errorf("DidYouMean(%q) = %q, want %q", given, got, want)
		}
	}
}
