"""Gap analysis: what a job asks for that a CV does not show, and the candidate's answers about it."""
