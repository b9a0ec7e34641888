package report

import (
	"regexp"
	"strings"
)

// Colour is added as a last pass over the plain text of a report, so that a
// report reads the same with colour as without, but for escape sequences.
// Only kpgen's own markers are coloured, found by their place in a line: the
// text they stand beside is as printable made it, with no escape left in it.

const (
	red    = "\x1b[31m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// colouriseDiagnostic colours one diagnostic as Text writes it: the
// severity that heads its first line ("Error", "Warning"), and the carets
// under each numbered source line, red for an error and yellow for a
// warning. Its detail, one line that may begin with anything (a file name,
// say), is left as it is.
func colouriseDiagnostic(text string) string {
	lines := strings.SplitAfter(text, "\n")
	col, sev := red, "Error"
	if strings.HasPrefix(lines[0], "Warning: ") {
		col, sev = yellow, "Warning"
	}
	lines[0] = col + bold + sev + reset + strings.TrimPrefix(lines[0], sev)
	for i := 2; i < len(lines); i++ {
		body := strings.TrimSuffix(lines[i], "\n")
		marks := strings.TrimLeft(body, " ")
		if marks != "" && strings.Trim(marks, "^") == "" && sourceLine.MatchString(lines[i-1]) {
			lines[i] = body[:len(body)-len(marks)] + col + marks + reset + lines[i][len(body):]
		}
	}
	return strings.Join(lines, "")
}

// sourceLine is a line of a snippet: the line's number, then the line.
var sourceLine = regexp.MustCompile(`^ *[0-9]+: `)

// colouriseDiff colours the signs of a diff report: + (added, gained)
// green, - (removed, lost) and ! (a key replaced or a replica removed) red,
// ~ (changed) yellow, in the legend, at the start of a key's line and at the
// start of an access or warning line under it.
func colouriseDiff(text string) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		switch {
		case l == legend+"\n":
			lines[i] = strings.NewReplacer(
				"Legend: +", "Legend: "+green+"+"+reset,
				", -", ", "+red+"-"+reset,
				", ~", ", "+yellow+"~"+reset,
			).Replace(l)
		case strings.HasPrefix(l, "+ "), strings.HasPrefix(l, "    + "):
			lines[i] = paintSign(l, green)
		case strings.HasPrefix(l, "- "), strings.HasPrefix(l, "    - "), strings.HasPrefix(l, "    ! "):
			lines[i] = paintSign(l, red)
		case strings.HasPrefix(l, "~ "):
			lines[i] = paintSign(l, yellow)
		}
	}
	return strings.Join(lines, "")
}

// paintSign colours the first character after the indent of line l.
func paintSign(l, col string) string {
	n := len(l) - len(strings.TrimLeft(l, " "))
	return l[:n] + col + l[n:n+1] + reset + l[n+1:]
}
