package report

import (
	"regexp"
	"strings"
	"testing"
)

var escapes = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestColourise: colour marks kpgen's own signs, by their place in a line,
// and nothing else; without its escapes the text is the plain text.
func TestColourise(t *testing.T) {
	tests := []struct {
		name      string
		colourise func(string) string
		plain     string
		want      []string // lines, with R, G, Y, B and 0 for the escapes
	}{
		{
			name:      "error",
			colourise: colouriseDiagnostic,
			plain:     "Error: Principal shared [KP201]\n\n  on a.kp.hcl:3:5:\n   3: x = \"^^\"\n          ^^^^\n\nWarning: p.json is not valid JSON.\n\n",
			want: []string{
				"RBError0: Principal shared [KP201]", "", "  on a.kp.hcl:3:5:", `   3: x = "^^"`, "          R^^^^0", "",
				"Warning: p.json is not valid JSON.", "", "",
			},
		},
		{
			name:      "warning",
			colourise: colouriseDiagnostic,
			plain:     "Warning: Cost [KP601]\n\n  on a.kp.hcl:9:1:\n   9: y\n      ^\n  10: z\n      ^^\n\n^^^\n\n",
			want: []string{
				"YBWarning0: Cost [KP601]", "", "  on a.kp.hcl:9:1:", "   9: y", "      Y^0", "  10: z", "      Y^^0", "", "^^^", "", "",
			},
		},
		{
			name:      "diff",
			colourise: colouriseDiff,
			plain: legend + "\n\n~ a/dev/k (alias/a) changed\n    ! replaces the key: spec\n    spec: A → B\n" +
				"    + role/x gained kms:Decrypt\n          via s3\n    - role/y lost kms:Encrypt\n          via s3\n" +
				"+ a/dev/n (alias/n) added\n- a/dev/o (alias/o) removed\n    ! removes its replica in eu-west-1: gone\n\nKeys: 1 to add, 1 to change, 1 to destroy.\n",
			want: []string{
				"Legend: G+0 key added or access gained, R-0 key removed or access lost, Y~0 key changed", "",
				"Y~0 a/dev/k (alias/a) changed", "    R!0 replaces the key: spec", "    spec: A → B",
				"    G+0 role/x gained kms:Decrypt", "          via s3", "    R-0 role/y lost kms:Encrypt", "          via s3",
				"G+0 a/dev/n (alias/n) added", "R-0 a/dev/o (alias/o) removed", "    R!0 removes its replica in eu-west-1: gone", "",
				"Keys: 1 to add, 1 to change, 1 to destroy.", "",
			},
		},
	}
	marks := strings.NewReplacer(red, "R", green, "G", yellow, "Y", bold, "B", reset, "0")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.colourise(tt.plain)
			if stripped := escapes.ReplaceAllString(got, ""); stripped != tt.plain {
				t.Errorf("without its escapes the text changed:\n%s\nwant\n%s", stripped, tt.plain)
			}
			lines := strings.Split(marks.Replace(got), "\n")
			if strings.Join(lines, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("coloured:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
