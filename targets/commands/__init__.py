"""The work of the commands that need a target (validate --target, build, plan, diff, apply).

cli.py declares each command's options and maps the outcome to an exit code; these modules do the rest.
"""
