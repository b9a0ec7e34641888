package rules

import (
	_ "embed"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/lint"
)

//go:embed kp509.md
var kp509Doc string

// callerContext are the services that let the caller add encryption context
// pairs of its own to the calls they make to KMS: Amazon S3's
// x-amz-server-side-encryption-context. Every other service of the
// catalogue sends a context of its own (the resource's ARN or id) and no
// other.
var callerContext = map[string]bool{"s3": true}

// KP509 refuses an encryption context that the key's services or service
// principals could never send.
var KP509 = &lint.Rule{
	ID:        "KP509",
	Name:      "context-not-sent",
	Principle: "Key types",
	Severity:  diag.Error,
	Absolute:  true,
	Summary:   "encryption_context is set on a key used through a service, or by a service principal, that sends an encryption context of its own and never the required one",
	Doc:       kp509Doc,
	Check: func(p *lint.Pass) {
		once := reportOnce{}
		for _, ki := range p.Model.Keys {
			k := ki.Key
			if len(k.EncryptionContext) == 0 {
				continue
			}
			for _, u := range ki.Users {
				if u.Kind == model.AWSService && once.first(u.Ref.Range, k.Name) {
					p.Report(u.Ref.Range, "Service principal cannot send the encryption context",
						"%s is a user of the %s, which requires the encryption context %s, but the service sends a context of its own. Its statement cannot require yours, so it would be the one user the requirement does not bind. Give the service's data a key without encryption_context.",
						u.Ref.Text, keyName(k), contextPairs(k))
				}
			}
		}
		for _, k := range keys(p.Model) {
			if len(k.EncryptionContext) == 0 {
				continue
			}
			var fixed []string
			for _, s := range k.Services {
				if !callerContext[s.Name] {
					fixed = append(fixed, s.Name)
				}
			}
			if len(fixed) == 0 {
				continue
			}
			p.Report(attrRange(k, "encryption_context"), "Services cannot send the encryption context",
				"The %s requires the encryption context %s on every cryptographic call, but its users reach it through %s (kms:ViaService), which send an encryption context of their own and never yours, so the calls they make for its users would be denied. Remove encryption_context; or, if the users encrypt on the client and call KMS themselves, set services = [] on the key; or keep it on a key used only through Amazon S3.",
				keyName(k), contextPairs(k), quoteAll(fixed))
		}
	},
}

// contextPairs writes a key's encryption context as KEY=VALUE pairs.
func contextPairs(k *model.Key) string {
	var out []string
	for _, kv := range k.EncryptionContext {
		out = append(out, kv.Key+"="+kv.Value)
	}
	return quoteAll(out)
}
