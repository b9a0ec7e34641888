package schema

import (
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/diag"
)

// fromHCL converts HCL's diagnostics, adding to the ones whose detail says
// what is wrong but not how to fix it a sentence that does.
func fromHCL(hds hcl.Diagnostics) diag.Diagnostics {
	ds := diag.FromHCL(hds)
	for _, d := range ds {
		if hint := hclHint(d.Summary, d.Detail); hint != "" && !strings.Contains(d.Detail, hint) {
			d.Detail = strings.TrimSpace(d.Detail + " " + hint)
		}
	}
	return ds
}

// withoutEchoes drops the errors that only echo an unterminated string: once
// a quoted string is left open, HCL's scanner reads every later line of the
// file as part of it and reports each ("Invalid multi-line string", also
// where the string opens), which buries the one error that says what to
// fix: the unterminated string, with its hint.
func withoutEchoes(hds hcl.Diagnostics) hcl.Diagnostics {
	var open *hcl.Range
	for _, d := range hds {
		if d.Summary == "Unterminated template string" && d.Subject != nil && (open == nil || d.Subject.Start.Byte < open.Start.Byte) {
			open = d.Subject
		}
	}
	if open == nil {
		return hds
	}
	out := make(hcl.Diagnostics, 0, len(hds))
	for _, d := range hds {
		if d.Summary == "Invalid multi-line string" && d.Subject != nil && d.Subject.Filename == open.Filename && d.Subject.Start.Byte >= open.Start.Byte {
			continue
		}
		out = append(out, d)
	}
	return out
}

func hclHint(summary, detail string) string {
	switch {
	case summary == "Argument or block definition required":
		return "Each item of a spec is an argument (NAME = value) or a block (TYPE \"NAME\" { ... }); look here, or just before, for a stray closing brace, an unclosed /* comment or a line that is neither."
	case summary == "Unterminated template string":
		return "A quoted string or a heredoc opened earlier is never closed: end a quoted string with \" on the same line, and a heredoc (<<EOT) with its marker alone on a line."
	case summary == "Unclosed configuration block":
		return "Add the closing } of the block, or remove an extra { inside it."
	case summary == "Invalid escape sequence":
		return "In a quoted string a backslash starts an escape: \\n, \\r, \\t, \\\", \\\\, \\uNNNN or \\UNNNNNNNN. Write \\\\ for a backslash itself."
	case summary == "Missing newline after argument":
		return "Put each argument on a line of its own, and write a string as one quoted value (\"a b\", not \"a\" \"b\")."
	case summary == "Missing attribute separator":
		return "Separate the entries of a map with a comma or a new line: { a = \"1\", b = \"2\" }."
	case summary == "Missing item separator":
		return "Separate the values of a list with commas: [\"a\", \"b\"]."
	case summary == "Missing key/value separator":
		return "Write each entry of a map as KEY = \"value\"."
	case summary == "Invalid character", summary == "Invalid expression", summary == "Missing expression":
		return "A value is a quoted string, a number, true, false, null, a list [...] or a map { ... }; put a string in double quotes."
	case summary == "Invalid number literal":
		return "Write the number in decimal digits, such as 30, or quote the value if it is a string."
	case summary == "Invalid argument name":
		return "Write the argument's name without quotes: NAME = value."
	case summary == "Invalid block definition":
		return "A block is TYPE \"NAME\" { ... } with no equals sign; an argument is NAME = value."
	case summary == "Unclosed template interpolation sequence":
		return "kpgen takes no ${...} in strings: write $${ for the characters themselves."
	case strings.HasPrefix(summary, "Missing name for "):
		typ := strings.TrimPrefix(summary, "Missing name for ")
		return "Write it as " + typ + " \"NAME\" { ... }."
	case strings.HasPrefix(summary, "Extraneous label for ") && strings.HasPrefix(detail, "No labels are expected"):
		typ := strings.TrimPrefix(summary, "Extraneous label for ")
		return "A " + typ + " block has no name: " + typ + " { ... }."
	case strings.HasPrefix(summary, "Extraneous label for "):
		typ := strings.TrimPrefix(summary, "Extraneous label for ")
		return "Each " + typ + " block has one name: " + typ + " \"NAME\" { ... }."
	}
	return ""
}
