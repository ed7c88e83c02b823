"""The knowledge base: documents whose body lives in S3 and whose metadata lives in DynamoDB."""
