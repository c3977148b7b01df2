"""The snippet pipeline: extract executable fences, run them, record their outputs.

Run `python -m tools --help`. The site build only reads what these tools record.
"""
