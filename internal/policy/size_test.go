package policy

import (
	"encoding/json"
	"testing"
)

// encodedSize is the size of the document as json.Marshal writes it:
// compact, with HTML escaping, as Terraform's jsonencode does.
func encodedSize(t testing.TB, d *Document) int {
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return len(data)
}

// TestCompactSize holds the counted size to the encoder's, on every fixture
// policy and on strings that need every kind of escape.
func TestCompactSize(t *testing.T) {
	for _, name := range fixtures {
		_, pols := loadFixture(t, name)
		for _, kp := range pols {
			if got, want := kp.Size, encodedSize(t, kp.Document); got != want {
				t.Errorf("%s %s: counted %d bytes, encoded %d", name, kp.Instance.ID(), got, want)
			}
		}
	}
	odd := []string{"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr\bbs\fff", "\x00\x01\x1f\x7f",
		"<html> & 'x'", "Zürich ☃ 𝄞", "\u2028\u2029", "bad \xff\xfe utf-8", "${x} %{y}"}
	for _, s := range odd {
		d := &Document{Version: s, ID: s, Statement: []*Statement{
			{Sid: s, Effect: s, Principal: &Principal{AWS: Values{s, s}, Service: Values{s}}, Action: Values{s},
				Resource: Values{}, Condition: Conditions{s: {s: Values{s, s}}, "Bool": {"k": Values{s}}}},
			{Sid: s, Effect: Deny, Principal: &Principal{All: true}, Action: nil, Resource: Values{"*"},
				NotPrincipal: &Principal{Federated: Values{s}}, NotAction: Values{s}, NotResource: Values{s, "x"}},
			{Effect: Allow, Principal: &Principal{}, Action: Values{"a", "b", "c"}, Resource: Values{"*"}},
		}}
		if got, want := d.compactSize(), encodedSize(t, d); got != want {
			t.Errorf("%q: counted %d bytes, encoded %d", s, got, want)
		}
	}
	if got, want := (&Document{Version: Version}).compactSize(), encodedSize(t, &Document{Version: Version}); got != want {
		t.Errorf("a document without statements: counted %d, encoded %d", got, want)
	}
}

func FuzzCompactSize(f *testing.F) {
	f.Add("kms:Decrypt", "arn:aws:iam::111111111111:role/x")
	f.Add("\u2028\xff\"", "<&>")
	f.Fuzz(func(t *testing.T, a, b string) {
		d := &Document{Version: a, ID: b, Statement: []*Statement{{Sid: a, Effect: b,
			Principal: &Principal{AWS: Values{a, b}}, Action: Values{a}, Resource: Values{b, a},
			Condition: Conditions{a: {b: Values{a}}}}}}
		if got, want := d.compactSize(), encodedSize(t, d); got != want {
			t.Fatalf("%q %q: counted %d bytes, encoded %d", a, b, got, want)
		}
	})
}
