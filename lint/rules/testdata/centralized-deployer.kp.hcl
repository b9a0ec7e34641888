kpgen {
  version = 1
}
organization "bank" {
  strategy      = "centralized"
  regions       = ["eu-west-1"]
  security_team = "security"
  key_account   = "security"
  deployer      = "role/kpgen-deploy"

}
account "security" {
  id = "111111111111"
}
account "pay-uat" {
  id = "222222222222"
}
account "pay-prod" {
  id = "333333333333"
}
classification "internal" {
  rank = 1
}
team "security" {
  administrators = ["role/KMSAdmin"]
}
team "payments" {
  administrators = ["role/PaymentsLead"]
}
application "audit" {
  team = "security"
  stage "prod" {
    account = "security"
  }
  data "findings" {
    classification = "internal"
    services       = ["s3"]
    users          = ["role/auditor"]
  }
}
application "payments" {
  team = "payments"
  stage "uat" {
    account = "pay-uat"
  }
  stage "prod" {
    account = "pay-prod"
  }
  data "ledger" {
    classification = "internal"
    services       = ["rds"]
    users          = ["role/payments-api"]
  }
}
