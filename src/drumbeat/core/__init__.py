"""The pure Drumbeat core: the domain model and every rule, with no I/O.

The CLI, the API and the pages all call these functions, so each rule has one
implementation.
"""
