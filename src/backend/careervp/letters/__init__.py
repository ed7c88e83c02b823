"""Cover letters: a letter written by the model for one job from the candidate's CV, stored in S3."""
