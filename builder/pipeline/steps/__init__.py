"""The build's steps, one module each, run in the order of STEPS in builder/pipeline/build.py.

A step module has TITLE (its stage in the progress display, or None), `wanted(b)`, `total(b)`
(the items it works through, for the progress bar) and `run(b, stage)`, and the functions
that make its reuse keys; see builder/pipeline/context.py and docs/internals.md.
"""
