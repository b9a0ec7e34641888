// Package model resolves a decoded spec into the organization it describes:
// every reference checked, every principal bound to an account, and every key
// instance that must exist, with who administers, operates and uses it and
// what it costs. Everything is sorted and carries the range it came from.
package model

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/schema"
)

// Strategies of key administration.
const (
	Decentralized = "decentralized"
	Centralized   = "centralized"
	Hybrid        = "hybrid"
)

// KeyType orders the kinds of KMS keys from least to most control.
type KeyType int

// Key types, weakest first.
const (
	AWSOwned KeyType = iota
	AWSManaged
	CustomerManaged
	External
)

var keyTypeNames = []string{"aws_owned", "aws_managed", "customer_managed", "external"}

// String returns the spec's name of the key type.
func (t KeyType) String() string { return keyTypeNames[t] }

func parseKeyType(s string) KeyType {
	for i, n := range keyTypeNames {
		if n == s {
			return KeyType(i)
		}
	}
	return AWSOwned
}

// Model is a resolved spec.
type Model struct {
	Spec            *schema.Spec
	Organization    *Organization
	Accounts        []*Account
	Classifications []*Classification
	Teams           []*Team
	Applications    []*Application
	// Keys lists every key instance, sorted by application, stage and key.
	Keys []*KeyInstance
	// AWSKeyData lists data kept on AWS owned or AWS managed keys, for which
	// kpgen makes no key.
	AWSKeyData []*Data
	Totals     Totals
}

// Organization is the organization block, resolved.
type Organization struct {
	Name         string
	Strategy     string
	Partition    string
	Regions      []string
	OrgID        string
	AliasPrefix  string
	SecurityTeam *Team    // nil when not declared
	KeyAccount   *Account // nil when not declared
	Deployer     *PrincipalRef
	Source       *schema.Organization
}

// Account is an AWS account.
type Account struct {
	Name     string
	ID       string
	Deployer *PrincipalRef // nil: the organization's deployer, if any
	Source   *schema.Account
}

// Classification is a data classification level.
type Classification struct {
	Name          string
	Rank          int
	MinKeyType    KeyType
	Rotation      bool
	IAMDelegation bool
	Regions       []string // residency; empty means anywhere
	Source        *schema.Classification
}

// Team is a team and the principals that administer its keys.
type Team struct {
	Name           string
	Administrators []*PrincipalRef
	Source         *schema.Team
}

// Application is an application with its stages, data and keys.
type Application struct {
	Name   string
	Team   *Team
	Stages []*Stage
	Data   []*Data
	// Keys holds the explicit keys in spec order, then the derived keys.
	Keys   []*Key
	Source *schema.Application
}

// Stage is one stage of an application.
type Stage struct {
	Name       string
	App        *Application
	Account    *Account
	Production bool
	Source     *schema.Stage
}

// Data is a data set an application stores.
type Data struct {
	Name           string
	App            *Application
	Classification *Classification
	Services       []*Service
	Users          []*PrincipalRef
	// Key protects the data; nil when KeyType is AWS owned or AWS managed.
	Key     *Key
	KeyType KeyType
	Source  *schema.Data
}

// Key is a key of an application, explicit or derived, before it is
// instantiated per stage.
type Key struct {
	Name    string
	App     *Application
	Derived bool
	// Source is the key block; nil for a derived key.
	Source      *schema.Key
	Description string
	// Users are the key's own users; the users of the data it protects are
	// added per instance.
	Users []*PrincipalRef
	// Administrators, when AdministratorsSet, replace the strategy's default.
	Administrators     []*PrincipalRef
	AdministratorsSet  bool
	Services           []*Service
	Spec               string
	Usage              string
	Origin             string // "aws_kms" or "external"
	RotationDays       int    // 0: no automatic rotation
	DeletionWindowDays int
	Regions            []string // the first is the primary region
	EncryptionContext  []schema.KV
	IAMDelegation      bool
	SharedAcrossStages bool
	Tags               []schema.KV
	Protects           []*Data
	// Reasons are the principles that made this a key of its own.
	Reasons []string
}

// Range is where findings about the key point: the key block, or for a
// derived key the first data block it protects.
func (k *Key) Range() hcl.Range {
	if k.Source != nil {
		return k.Source.DefRange
	}
	return k.Protects[0].Source.DefRange
}

// Classifications returns the classifications of the data the key protects,
// most sensitive first.
func (k *Key) Classifications() []*Classification {
	var out []*Classification
	for _, d := range k.Protects {
		// A data set whose classification did not resolve has none; the
		// model is then incomplete and only its diagnostics are used.
		if d.Classification != nil && !containsClass(out, d.Classification) {
			out = append(out, d.Classification)
		}
	}
	sortClasses(out)
	return out
}

// CanRotate reports whether KMS can rotate the key automatically.
func (k *Key) CanRotate() bool {
	return k.Spec == "SYMMETRIC_DEFAULT" && k.Origin == "aws_kms"
}

// KeyType is the key's type: customer managed, or external for imported
// key material.
func (k *Key) KeyType() KeyType {
	if k.Origin == "external" {
		return External
	}
	return CustomerManaged
}

// MultiRegion reports whether the key has replicas.
func (k *Key) MultiRegion() bool { return len(k.Regions) > 1 }

// KeyInstance is one KMS key that must exist: a key of an application in one
// stage (or in all stages, when shared).
type KeyInstance struct {
	Key *Key
	App *Application
	// Stage is nil for a key shared across stages; Stages lists the stages
	// the instance serves.
	Stage  *Stage
	Stages []*Stage
	// Account is where the key lives.
	Account        *Account
	Region         string
	ReplicaRegions []string
	Alias          string
	// PolicyAdministrators may change the key policy; Operators (hybrid) run
	// the key day to day; Users use it. Each list is sorted and unique.
	PolicyAdministrators []Principal
	Operators            []Principal
	Users                []Principal
	Services             []*Service
	Classification       *Classification
	MonthlyUSD           float64
	// PolicyFile is the path of the key policy under the output directory.
	PolicyFile string
}

// Tags are kpgen's own tags (application, stage, classification, key), then
// the key's tags from the spec, sorted by key: what every output tags the
// key with.
func (ki *KeyInstance) Tags() []schema.KV {
	tags := []schema.KV{{Key: "kpgen:application", Value: ki.App.Name}}
	if ki.Stage != nil {
		tags = append(tags, schema.KV{Key: "kpgen:stage", Value: ki.Stage.Name})
	}
	if ki.Classification != nil {
		tags = append(tags, schema.KV{Key: "kpgen:classification", Value: ki.Classification.Name})
	}
	tags = append(tags, schema.KV{Key: "kpgen:key", Value: ki.Key.Name})
	return append(tags, ki.Key.Tags...) // sorted by the loader
}

// StageName is the instance's stage, or "" for a key shared across stages.
func (ki *KeyInstance) StageName() string {
	if ki.Stage == nil {
		return ""
	}
	return ki.Stage.Name
}

// ID is "app/stage/key" (or "app/key" when shared): how messages name the
// instance.
func (ki *KeyInstance) ID() string {
	if ki.Stage == nil {
		return ki.App.Name + "/" + ki.Key.Name
	}
	return ki.App.Name + "/" + ki.Stage.Name + "/" + ki.Key.Name
}

// Production reports whether any stage the instance serves is production.
func (ki *KeyInstance) Production() bool {
	for _, s := range ki.Stages {
		if s.Production {
			return true
		}
	}
	return false
}

// Totals sums the inventory.
type Totals struct {
	Keys       int
	Replicas   int
	MonthlyUSD float64
}

func containsClass(cs []*Classification, c *Classification) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}
