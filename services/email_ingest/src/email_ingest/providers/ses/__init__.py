"""Amazon SES inbound through an SNS topic (receipt rule with an SNS action): SNS-signed JSON."""
