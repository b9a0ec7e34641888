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

func hclHint(summary, detail string) string {
	switch {
	case summary == "Argument or block definition required":
		return "Each item of a spec is an argument (NAME = value) or a block (TYPE \"NAME\" { ... }); look here, or just before, for a stray closing brace, an unclosed /* comment or a line that is neither."
	case summary == "Unterminated template string":
		return "A quoted string or a heredoc opened earlier is never closed: end a quoted string with \" on the same line, and a heredoc (<<EOT) with its marker alone on a line."
	case summary == "Unclosed configuration block":
		return "Add the closing } of the block, or remove an extra { inside it."
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
