"""Lambda entry points, one module per function in `careervp.resources.FUNCTIONS`."""
