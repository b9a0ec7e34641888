# A kpgen spec describes an organization; kpgen works out which AWS KMS keys it
# needs and who may administer and use each one. Every *.kp.hcl file of this
# directory is part of the spec. Run `kpgen plan` to see the keys, `kpgen lint`
# to check the spec, and `kpgen build` to write policies and templates.

kpgen {
  version = 1
}

organization "example" {
  # decentralized: each owning team administers its keys.
  # centralized:   one security team administers every key, in key_account.
  # hybrid:        the security team administers; owning teams operate.
  strategy      = "hybrid"
  regions       = ["us-east-1"]
  security_team = "security"

  # The role that deploys the generated CloudFormation or Terraform. It is a
  # policy administrator, so that AWS's lockout safety check passes.
  deployer = "role/kpgen-deploy"
}

account "security" {
  id = "111111111111"
}

account "app-dev" {
  id = "222222222222"
}

account "app-prod" {
  id = "333333333333"
}

# Principle 1: data of different classifications gets different keys.
classification "public" {
  rank = 0
}

classification "confidential" {
  rank         = 2
  min_key_type = "customer_managed"
  rotation     = true
}

# Principle 4: key administrators are never key users. role/NAME names the
# role in each key's own account: KMS refuses key management from another.
team "security" {
  administrators = ["role/KeyAdministrator"]
}

team "web" {
  administrators = ["role/WebKeyOperator"]
}

# Principle 2: each application gets its own keys, per stage and account.
application "shop" {
  team = "web"

  stage "dev" {
    account = "app-dev"
  }

  stage "prod" {
    account = "app-prod"
  }

  # Principle 3: one kind of data keeps one key across the services it flows
  # through; kpgen derives the keys from the data blocks.
  data "catalog" {
    classification = "public"
    services       = ["s3"]
    users          = ["role/shop-web"]
  }

  data "customers" {
    classification = "confidential"
    services       = ["rds", "lambda"]
    users          = ["role/shop-api"]
  }
}
