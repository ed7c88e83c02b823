"""CV tailoring: a CV rewritten by the model for one job, from the CV's own facts only, stored in S3."""
