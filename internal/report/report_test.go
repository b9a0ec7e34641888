package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/specdiff"
)

// TestTextEscapesControls: user text in a diagnostic (a file name, a value
// quoted in a detail, a source line) cannot clear a terminal or start a
// line of its own in a CI log.
func TestTextEscapesControls(t *testing.T) {
	name := "spec/x\x1b[31m.kp.hcl"
	src := Sources{name: &hcl.File{Bytes: []byte("description = \"a\x1b]0;title\x07b\"\n")}}
	rng := hcl.Range{Filename: name, Start: hcl.Pos{Line: 1, Column: 1, Byte: 0}, End: hcl.Pos{Line: 1, Column: 12, Byte: 11}}
	ds := diag.Diagnostics{diag.New(diag.Error, rng, "Bad\rvalue", "The value is \"x\n::error file=a::injected\u2028y\".")}
	var out bytes.Buffer
	if err := Text(&out, ds, src, false); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u2028"} {
		if strings.Contains(got, bad) {
			t.Errorf("output holds %q:\n%s", bad, got)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "::") {
			t.Errorf("a line of the output is a workflow command: %q", line)
		}
	}
	for _, want := range []string{`spec/x\x1b[31m.kp.hcl:1:1`, `Bad\x0dvalue`, `"x\x0a::error file=a::injected\u2028y"`, `a\x1b]0;title\x07b`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestGitHubEscapesControls: the workflow commands of --format github
// carry no control character of a file name, summary or detail, and a
// detail's line breaks stay GitHub's escapes.
func TestGitHubEscapesControls(t *testing.T) {
	rng := hcl.Range{Filename: "spec/a\x1b[2J\xffb.kp.hcl", Start: hcl.Pos{Line: 1, Column: 1}, End: hcl.Pos{Line: 1, Column: 2}}
	ds := diag.Diagnostics{diag.New(diag.Error, rng, "Bad\x1bvalue", "First\nsecond \x1b[31mred\u2028.")}
	var out bytes.Buffer
	if err := GitHub(&out, ds); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, bad := range []string{"\x1b", "\xff", "\u2028"} {
		if strings.Contains(got, bad) {
			t.Errorf("output holds %q:\n%s", bad, got)
		}
	}
	for _, want := range []string{`file=spec/a\x1b[2J`, `title=Bad\x1bvalue`, `First%0Asecond \x1b[31mred\u2028.`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestCaretsUnderEscapes: the carets mark the span as shown, escapes of
// control characters included.
func TestCaretsUnderEscapes(t *testing.T) {
	src := "account = \"\x1b[0mdev\" # x\n"
	from := strings.Index(src, `"`) + 1
	to := strings.LastIndex(src, `"`) + 2
	rng := hcl.Range{Filename: "m.kp.hcl", Start: hcl.Pos{Line: 1, Column: from}, End: hcl.Pos{Line: 1, Column: to}}
	var out bytes.Buffer
	if err := Text(&out, diag.Diagnostics{diag.New(diag.Error, rng, "Bad", "")}, Sources{"m.kp.hcl": &hcl.File{Bytes: []byte(src)}}, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "   1: ") {
			continue
		}
		quoted := `"\x1b[0mdev"`
		want := strings.Repeat(" ", strings.Index(l, quoted)) + strings.Repeat("^", len(quoted))
		if i+1 >= len(lines) || lines[i+1] != want {
			t.Fatalf("carets\n%q\nunder\n%q\nwant\n%q", lines[i+1], l, want)
		}
		return
	}
	t.Fatalf("no source line in:\n%s", out.String())
}

// TestPrintableText: a diff of a file someone else wrote keeps its lines
// and tabs, and shows what would act on a terminal or a CI log.
func TestPrintableText(t *testing.T) {
	in := "--- a/x\x1b]8;;http://e\x07.json\n-\t\"Version\": 1,\r::error file=a::forged\n+\tok\u2028\n"
	want := "--- a/x\\x1b]8;;http://e\\x07.json\n-\t\"Version\": 1,\\x0d::error file=a::forged\n+\tok\\u2028\n"
	if got := PrintableText(in); got != want {
		t.Errorf("PrintableText =\n%q\nwant\n%q", got, want)
	}
	if plain := "--- a/x\n+\ty\n"; PrintableText(plain) != plain {
		t.Errorf("PrintableText changed %q", plain)
	}
}

func TestMarkdownEscapesRowBreaks(t *testing.T) {
	got := mdEscape("a\r| injected | row |\r## Heading\n`x` <b>")
	if strings.ContainsAny(got, "\r\n") || strings.Count(got, "|") != strings.Count(got, `\|`) || strings.Contains(got, "<b>") {
		t.Errorf("mdEscape left markup: %q", got)
	}
}

func TestBidiCharactersEscaped(t *testing.T) {
	if got, want := printable("admin\u202e\u2066x\u200fy"), `admin\u202e\u2066x\u200fy`; got != want {
		t.Errorf("printable = %q, want %q", got, want)
	}
	if got := mdEscape("a\u202eb"); got != "a b" {
		t.Errorf("mdEscape = %q, want the override as a space", got)
	}
}

func TestMarkdownMakesNoMentionsOrLinks(t *testing.T) {
	for in, want := range map[string]string{
		"ask @security-team":        "ask @<!-- -->security-team",
		"see org/repo#12":           "see org/repo#<!-- -->12",
		"https://evil.example/x":    "https:<!-- -->//evil.example/x",
		"www.example.com":           "www<!-- -->.example.com",
		"ping &commat;team &num;12": "ping &amp;commat;team &amp;num;12",
		"mail bob@example.com now":  "mail bob@<!-- -->example.com now",
		"plain text, no markup 1.0": "plain text, no markup 1.0",
		// A backslash of the text must not escape kpgen's own escapes.
		`\[ok\](//evil.example)`: `\\\[ok\\\](//evil.example)`,
		"~~struck~~":             `\~\~struck\~\~`,
	} {
		if got := mdEscape(in); got != want {
			t.Errorf("mdEscape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileURI(t *testing.T) {
	for name, want := range map[string]string{
		"fixtures/retail/main.kp.hcl": "fixtures/retail/main.kp.hcl",
		"odd #1 ?x=%41.json":          "odd%20%231%20%3Fx=%2541.json",
		"a:b.json":                    "./a:b.json",
		"/tmp/spec/main.kp.hcl":       "file:///tmp/spec/main.kp.hcl",
	} {
		if got := fileURI(name); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestLongLineSnippet: a snippet shows a window of a long line around the
// span, marked with ellipses, with the carets under the span.
func TestLongLineSnippet(t *testing.T) {
	line := "rank = " + strings.Repeat("1", 100000) + "X" + strings.Repeat("2", 100000)
	col := len("rank = ") + 100000 + 1 // the X
	src := Sources{"a.kp.hcl": &hcl.File{Bytes: []byte(line + "\n")}}
	rng := hcl.Range{Filename: "a.kp.hcl", Start: hcl.Pos{Line: 1, Column: col, Byte: col - 1}, End: hcl.Pos{Line: 1, Column: col + 1, Byte: col}}
	var out bytes.Buffer
	if err := Text(&out, diag.Diagnostics{diag.New(diag.Error, rng, "Bad", "Fix it.")}, src, false); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if out.Len() > 1000 || len(lines) < 5 {
		t.Fatalf("output of %d bytes:\n%s", out.Len(), out.String())
	}
	shown, carets := lines[3], lines[4]
	if !strings.HasPrefix(shown, "   1: …") || !strings.HasSuffix(shown, "…") {
		t.Errorf("source line %q is not a window with ellipses", shown)
	}
	at := strings.Index(carets, "^")
	if r := []rune(shown); at < 0 || at >= len(r) || r[at] != 'X' || strings.Count(carets, "^") != 1 {
		t.Errorf("carets %q do not mark the X of %q", carets, shown)
	}
}

// TestDiffDataMoves: every move of a removed key is listed, in order, in
// the text and the pull-request comment, with how to keep the key; in JSON
// a key that moves nothing has an empty list, not null.
func TestDiffDataMoves(t *testing.T) {
	r := &specdiff.Report{Base: "a", Head: "b", Keys: []*specdiff.KeyChange{
		{Application: "shop", Stage: "prod", Key: "receipts", Alias: "alias/shop/prod/receipts", Change: specdiff.Removed,
			DataMoves: []specdiff.DataMove{{Data: "receipts", To: "shop/prod/confidential"}, {Data: "images", To: "shop/prod/confidential"}}},
		{Application: "shop", Stage: "prod", Key: "orders", Alias: "alias/shop/prod/orders", Change: specdiff.Changed,
			Properties: []specdiff.PropertyChange{{Name: "rotation_days", Before: "365", After: "180"}}},
	}}
	const moves = `its data moves to another key (receipts to shop/prod/confidential, images to shop/prod/confidential): what is encrypted under this key can be read only while the key exists. To keep it, declare it (key "receipts") and set key = "receipts" on its data;`
	var text, md, js strings.Builder
	if err := DiffText(&text, r, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "\n    ! "+moves) {
		t.Errorf("text:\n%s\nwant a line %q", text.String(), moves)
	}
	if err := DiffMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "\nI"+moves[1:]) {
		t.Errorf("markdown:\n%s\nwant a paragraph %q", md.String(), moves)
	}
	if err := DiffJSONReport(&js, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Keys []struct {
			DataMoves []specdiff.DataMove `json:"data_moves"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(js.String()), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Keys) != 2 || len(doc.Keys[0].DataMoves) != 2 || doc.Keys[0].DataMoves[1].Data != "images" {
		t.Errorf("JSON keys %+v", doc.Keys)
	}
	if strings.Count(js.String(), `"data_moves": []`) != 1 || strings.Contains(js.String(), `"data_moves": null`) {
		t.Errorf("JSON of the changed key:\n%s\nwant \"data_moves\": []", js.String())
	}
	// A key that changes its stages under the same name is kept by
	// changing them back.
	r = &specdiff.Report{Base: "a", Head: "b", Keys: []*specdiff.KeyChange{
		{Application: "shop", Key: "main", Change: specdiff.Removed,
			DataMoves: []specdiff.DataMove{{Data: "orders", To: "shop/prod/main"}}},
	}}
	text.Reset()
	if err := DiffText(&text, r, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "To keep it, set its shared_across_stages back as it was;") {
		t.Errorf("text:\n%s\nwant the advice to set shared_across_stages back", text.String())
	}
}

// TestPrintableInvalidUTF8: a byte that is no UTF-8 is shown as \xNN, since
// a terminal reading Latin-1 takes 0x9b for a control sequence.
func TestPrintableInvalidUTF8(t *testing.T) {
	if got, want := printable("x\x9b2J\x9b31m"), `x\x9b2J\x9b31m`; got != want {
		t.Errorf("printable = %q, want %q", got, want)
	}
	if got, want := PrintableText("-a\x9b1\n+b\tc\n"), "-a\\x9b1\n+b\tc\n"; got != want {
		t.Errorf("PrintableText = %q, want %q", got, want)
	}
	if got := printable("é€"); got != "é€" {
		t.Errorf("printable changed valid text: %q", got)
	}
}

// TestDiffMarkdownCutsLongCells: a long property value is cut in the
// pull-request comment, so that it cannot push the access tables out.
func TestDiffMarkdownCutsLongCells(t *testing.T) {
	long := strings.Repeat("@", 8192)
	r := &specdiff.Report{Base: "a", Head: "b", Keys: []*specdiff.KeyChange{{Application: "shop", Stage: "prod", Key: "k", Change: specdiff.Changed,
		Properties: []specdiff.PropertyChange{{Name: "description", Before: "", After: long}}}}}
	var md strings.Builder
	if err := DiffMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(md.String(), "@"); n != maxCell {
		t.Errorf("the comment shows %d characters of the value, want %d", n, maxCell)
	}
	if !strings.Contains(md.String(), "…") {
		t.Error("the cut is not marked")
	}
	// Values that differ past the window show where they differ.
	before, after := cells(strings.Repeat("a", 300)+"ledger"+strings.Repeat("z", 300), strings.Repeat("a", 300)+"payments"+strings.Repeat("z", 300))
	if !strings.Contains(before, "ledger") || !strings.Contains(after, "payments") || !strings.HasPrefix(before, "…") || !strings.HasSuffix(after, "…") {
		t.Errorf("cells cut to %q and %q, want the difference shown", before, after)
	}
	if n := len([]rune(strings.Trim(after, "…"))); n != maxCell {
		t.Errorf("the window holds %d characters, want %d", n, maxCell)
	}
	if b, a := cells("(none)", strings.Repeat("x", 500)); b != "(none)" || len([]rune(a)) != maxCell+1 {
		t.Errorf("a short value beside a long one: %q and %d characters", b, len([]rune(a)))
	}
}
