"""Text generation with the model: prompts as data, the Messages API call within a cost guard and a time
budget, and the generated documents stored in S3."""
