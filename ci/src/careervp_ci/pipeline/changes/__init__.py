"""Change selection, in one home: what a change since a git ref calls for.

`select` turns changed paths into the steps that run (the full bar, docs-level checks only, area-guarded
steps) and the phases they touch, and declares pr-validate.yml's path filter; `impact` narrows a suite to
the tests a change can reach, from the map a full run recorded; `reads` does the same for the pipeline's own
tests, from what each read (`read_tracker`, `reads_hook`) and executed.
"""
