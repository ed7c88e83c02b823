"""`careervp-ci account`: the account stack (careervp_infra.account) synthesized, checked, applied,
verified."""
