package model

import (
	"sort"
	"strings"
)

// Service is an AWS service that stores data with a KMS key on the caller's
// behalf. Its hosts are what the kms:ViaService condition names:
// HOST.REGION.amazonaws.com, in every partition (aws-cn included, as the
// AWS KMS Developer Guide says of the condition).
type Service struct {
	Name string
	// Hosts has one entry for most services; ElastiCache calls KMS under
	// two names, and its users need both.
	Hosts []string
	Title string
}

// Services is the service catalogue: the names a data block's services and a
// key's services may use. Sources: the AWS KMS Developer Guide
// (conditions-kms, kms:ViaService) and each service's encryption-at-rest page.
var Services = []*Service{
	{"athena", []string{"athena"}, "Amazon Athena"},
	{"backup", []string{"backup"}, "AWS Backup"},
	{"codebuild", []string{"codebuild"}, "AWS CodeBuild"},
	{"dms", []string{"dms"}, "AWS Database Migration Service"},
	{"docdb", []string{"rds"}, "Amazon DocumentDB"},
	{"dynamodb", []string{"dynamodb"}, "Amazon DynamoDB"},
	{"ebs", []string{"ec2"}, "Amazon EBS"},
	{"ecr", []string{"ecr"}, "Amazon ECR"},
	{"efs", []string{"elasticfilesystem"}, "Amazon EFS"},
	{"eks", []string{"eks"}, "Amazon EKS"},
	{"elasticache", []string{"elasticache", "dax"}, "Amazon ElastiCache"},
	{"firehose", []string{"firehose"}, "Amazon Data Firehose"},
	{"fsx", []string{"fsx"}, "Amazon FSx"},
	{"glue", []string{"glue"}, "AWS Glue"},
	{"kafka", []string{"kafka"}, "Amazon MSK"},
	{"keyspaces", []string{"cassandra"}, "Amazon Keyspaces"},
	{"kinesis", []string{"kinesis"}, "Amazon Kinesis Data Streams"},
	{"lambda", []string{"lambda"}, "AWS Lambda"},
	{"memorydb", []string{"memorydb"}, "Amazon MemoryDB"},
	{"neptune", []string{"rds"}, "Amazon Neptune"},
	{"opensearch", []string{"es"}, "Amazon OpenSearch Service"},
	{"rds", []string{"rds"}, "Amazon RDS and Aurora"},
	{"redshift", []string{"redshift"}, "Amazon Redshift"},
	{"s3", []string{"s3"}, "Amazon S3"},
	{"sagemaker", []string{"sagemaker"}, "Amazon SageMaker"},
	{"secretsmanager", []string{"secretsmanager"}, "AWS Secrets Manager"},
	{"sns", []string{"sns"}, "Amazon SNS"},
	{"sqs", []string{"sqs"}, "Amazon SQS"},
	{"ssm", []string{"ssm"}, "AWS Systems Manager Parameter Store"},
	{"timestream", []string{"timestream"}, "Amazon Timestream"},
}

// ServicePrincipal is an AWS service that calls KMS as itself rather than on
// a caller's behalf, named in a key's users as service:NAME. Its statements
// carry the conditions the service documents, so that it can use the key only
// for resources of the key instance's own account.
type ServicePrincipal struct {
	Name string
	// Host is the principal without its domain; a %s in it is the region.
	Host    string
	Title   string
	Actions []string
	// ContextKey, ContextOperator and ContextARN, when set, require the
	// encryption context the service sends (%[1]s partition, %[2]s region,
	// %[3]s account).
	ContextKey      string
	ContextOperator string
	ContextARN      string
	// SourceAccount adds aws:SourceAccount, the confused-deputy guard.
	SourceAccount bool
	// Describe adds kms:DescribeKey in a statement of its own, for services
	// that describe the key without an encryption context.
	Describe bool
}

// ServicePrincipals is the catalogue of service:NAME principals. Sources: the
// CloudWatch Logs guide (encrypt-log-data-kms), the CloudTrail guide
// (create-kms-key-policy-for-cloudtrail), the EventBridge and CloudWatch
// guides for encrypted SNS and SQS targets, and the Amazon SQS guide
// ("compatibility between event sources from AWS services and encrypted
// queues") for Amazon SNS and Amazon S3 event notifications.
var ServicePrincipals = []*ServicePrincipal{
	{
		Name: "cloudtrail", Host: "cloudtrail", Title: "AWS CloudTrail",
		Actions:    []string{"kms:GenerateDataKey*"},
		ContextKey: "kms:EncryptionContext:aws:cloudtrail:arn", ContextOperator: "StringLike",
		ContextARN:    "arn:%[1]s:cloudtrail:*:%[3]s:trail/*",
		SourceAccount: true, Describe: true,
	},
	{
		Name: "cloudwatch", Host: "cloudwatch", Title: "Amazon CloudWatch (alarm actions)",
		Actions:       []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		SourceAccount: true,
	},
	{
		Name: "events", Host: "events", Title: "Amazon EventBridge",
		Actions:       []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		SourceAccount: true,
	},
	{
		Name: "s3", Host: "s3", Title: "Amazon S3 (event notifications to encrypted queues and topics)",
		Actions:       []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		SourceAccount: true,
	},
	{
		Name: "sns", Host: "sns", Title: "Amazon SNS (delivery to encrypted queues)",
		Actions:       []string{"kms:Decrypt", "kms:GenerateDataKey*"},
		SourceAccount: true,
	},
	{
		Name: "logs", Host: "logs.%s", Title: "Amazon CloudWatch Logs",
		Actions:    []string{"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
		ContextKey: "kms:EncryptionContext:aws:logs:arn", ContextOperator: "ArnLike",
		ContextARN: "arn:%[1]s:logs:%[2]s:%[3]s:*",
	},
}

// DNSSuffix is the domain of AWS's service endpoints in a partition:
// amazonaws.com.cn in the China Regions, amazonaws.com elsewhere.
func DNSSuffix(partition string) string {
	if partition == "aws-cn" {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// ViaServiceValues is the kms:ViaService values of the service in a region.
// They end in amazonaws.com in every partition, where the endpoints of the
// China Regions end in amazonaws.com.cn.
func (s *Service) ViaServiceValues(region string) []string {
	out := make([]string, len(s.Hosts))
	for i, h := range s.Hosts {
		out[i] = h + "." + region + ".amazonaws.com"
	}
	return out
}

// Principal is the service principal in a region. A principal per region
// (CloudWatch Logs') takes the partition's domain, as the service's
// endpoints do (logs.cn-north-1.amazonaws.com.cn); the others are
// SERVICE.amazonaws.com in every partition.
func (sp *ServicePrincipal) Principal(region, partition string) string {
	if strings.Contains(sp.Host, "%s") {
		return strings.ReplaceAll(sp.Host, "%s", region) + "." + DNSSuffix(partition)
	}
	return sp.Host + ".amazonaws.com"
}

// LookupService returns the catalogue entry named name, or nil.
func LookupService(name string) *Service {
	i := sort.Search(len(Services), func(i int) bool { return Services[i].Name >= name })
	if i < len(Services) && Services[i].Name == name {
		return Services[i]
	}
	return nil
}

// LookupServicePrincipal returns the service principal named name, or nil.
func LookupServicePrincipal(name string) *ServicePrincipal {
	for _, sp := range ServicePrincipals {
		if sp.Name == name {
			return sp
		}
	}
	return nil
}

// ServiceNames lists the catalogue's names, for suggestions and docs.
func ServiceNames() []string {
	names := make([]string, len(Services))
	for i, s := range Services {
		names[i] = s.Name
	}
	return names
}

// ServicePrincipalNames lists the service principals' names.
func ServicePrincipalNames() []string {
	names := make([]string, len(ServicePrincipals))
	for i, s := range ServicePrincipals {
		names[i] = s.Name
	}
	return names
}
