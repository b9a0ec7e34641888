// Package schema is the kpgen spec language: it reads the *.kp.hcl files of a
// directory, lowers them to a JSON document, validates that document against
// the embedded JSON Schema and decodes it into the types below, keeping the
// HCL range of every block, attribute and list element.
package schema

import (
	"github.com/hashicorp/hcl/v2"
)

// Version is the only spec language version this kpgen understands.
const Version = 1

// Spec is one organization spec: every *.kp.hcl file of one directory.
type Spec struct {
	// Dir is the directory the files were read from.
	Dir string
	// Files are the parsed files by the name diagnostics use, for snippets.
	Files map[string]*hcl.File
	// FileNames lists the files in the order they were read.
	FileNames []string

	Version         int
	Header          Block // the kpgen block
	Organization    *Organization
	Accounts        []*Account
	Classifications []*Classification
	Teams           []*Team
	Applications    []*Application
}

// String is a string value with the range it was written at.
type String struct {
	Value string
	Range hcl.Range
}

// KV is one entry of a map attribute (tags, encryption_context): Range is
// its value's, KeyRange its key's.
type KV struct {
	Key      string
	Value    string
	Range    hcl.Range
	KeyRange hcl.Range
}

// Suppression is one entry of a lint_ignore map; Range is the rule ID's.
type Suppression struct {
	Rule   string
	Reason string
	Range  hcl.Range
}

// Block is what every spec block has: its type, its name label, where it
// stands, which attributes were written (and where), and its suppressions.
type Block struct {
	Type      string
	Name      string
	NameRange hcl.Range
	DefRange  hcl.Range
	// Range covers the whole block, header to closing brace: what a
	// lint_ignore on the block applies to.
	Range      hcl.Range
	Attrs      map[string]hcl.Range
	LintIgnore []Suppression
}

// Has reports whether the attribute was written in the block.
func (b *Block) Has(attr string) bool {
	_, ok := b.Attrs[attr]
	return ok
}

// AttrRange is the range of the attribute's value, or of the block header when
// the attribute was not written: the place a finding about it points at.
func (b *Block) AttrRange(attr string) hcl.Range {
	if r, ok := b.Attrs[attr]; ok {
		return r
	}
	return b.DefRange
}

// Organization is the organization block.
type Organization struct {
	Block
	Strategy     string
	Partition    string
	Regions      []String
	OrgID        string
	SecurityTeam String
	KeyAccount   String
	AliasPrefix  string
	Deployer     String
	Budget       *Budget
}

// Budget is the optional budget block of the organization.
type Budget struct {
	Block
	MaxKeys       *int
	MaxMonthlyUSD *float64
}

// Account is an AWS account.
type Account struct {
	Block
	ID       string
	Deployer String
}

// Classification is a data classification level.
type Classification struct {
	Block
	Rank          int
	MinKeyType    string
	Rotation      bool
	IAMDelegation bool
	Regions       []String
}

// Team is a team and its key administrators.
type Team struct {
	Block
	Administrators []String
}

// Application is an application with its stages, data and explicit keys.
type Application struct {
	Block
	Team   String
	Stages []*Stage
	Data   []*Data
	Keys   []*Key
}

// Stage maps an application stage to an account.
type Stage struct {
	Block
	Account    String
	Production *bool
}

// Data is a data set an application stores.
type Data struct {
	Block
	Classification String
	Services       []String
	Users          []String
	Key            String
	KeyType        String
}

// Key is an explicit key block.
type Key struct {
	Block
	Description        string
	Users              []String
	Administrators     []String
	Services           []String
	Spec               string
	Usage              string
	RotationDays       *int
	DeletionWindowDays *int
	Regions            []String
	Origin             string
	EncryptionContext  []KV
	IAMDelegation      bool
	SharedAcrossStages bool
	Tags               []KV
}
