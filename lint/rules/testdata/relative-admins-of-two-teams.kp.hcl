# Teams web and data each call their own accounts' administrator
# role/KeyAdmin. A key of web's application that names it explicitly names
# web's role: data has no application in web's accounts.
kpgen {
  version = 1
}

organization "acme" {
  strategy = "decentralized"
  regions  = ["us-east-1"]
  deployer = "role/kpgen-deploy"
}

account "web-dev" {
  id = "222222222222"
}

account "web-prod" {
  id = "333333333333"
}

account "data-dev" {
  id = "444444444444"
}

account "data-prod" {
  id = "555555555555"
}

classification "confidential" {
  rank         = 2
  min_key_type = "customer_managed"
  rotation     = true
}

team "web" {
  administrators = ["role/KeyAdmin"]
}

team "data" {
  administrators = ["role/KeyAdmin"]
}

application "shop" {
  team = "web"
  stage "dev" {
    account = "web-dev"
  }
  stage "prod" {
    account = "web-prod"
  }
  data "customers" {
    classification = "confidential"
    services       = ["rds"]
    users          = ["role/shop-api"]
    key            = "cust"
  }
  key "cust" {
    administrators = ["role/KeyAdmin"]
  }
}

application "lake" {
  team = "data"
  stage "dev" {
    account = "data-dev"
  }
  stage "prod" {
    account = "data-prod"
  }
  data "events" {
    classification = "confidential"
    services       = ["s3"]
    users          = ["role/lake-etl"]
  }
}
