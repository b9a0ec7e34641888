package report

import "strings"

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

// colouriseDiagnostics colours the severity that heads each diagnostic
// ("Error:", "Warning:") and the carets under its span, red for errors and
// yellow for warnings.
func colouriseDiagnostics(text string) string {
	lines := strings.SplitAfter(text, "\n")
	col := red
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "Error: "):
			col = red
			lines[i] = col + bold + "Error" + reset + strings.TrimPrefix(l, "Error")
		case strings.HasPrefix(l, "Warning: "):
			col = yellow
			lines[i] = col + bold + "Warning" + reset + strings.TrimPrefix(l, "Warning")
		default:
			body := strings.TrimSuffix(l, "\n")
			marks := strings.TrimLeft(body, " ")
			if marks != "" && strings.Trim(marks, "^") == "" {
				lines[i] = body[:len(body)-len(marks)] + col + marks + reset + l[len(body):]
			}
		}
	}
	return strings.Join(lines, "")
}

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
