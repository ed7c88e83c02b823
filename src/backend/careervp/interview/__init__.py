"""Interview preparation: behavioural questions for a role, STAR answers, and a report of them."""
