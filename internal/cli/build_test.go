package cli

import "testing"

func TestWindowsDevice(t *testing.T) {
	for path, want := range map[string]string{
		"iam/1/CON.json":             "CON.json",
		"iam/1/con":                  "con",
		"terraform/dev/lpt9.tf":      "lpt9.tf",
		"iam/1/sso/Com1.json":        "Com1.json",
		"iam/1/console.json":         "",
		"iam/1/com.json":             "",
		"iam/1/comx.json":            "",
		"policies/app/dev/key.json":  "",
		"cloudformation/aux-dev.yml": "",
	} {
		if got := windowsDevice(path); got != want {
			t.Errorf("windowsDevice(%q) = %q, want %q", path, got, want)
		}
	}
}
