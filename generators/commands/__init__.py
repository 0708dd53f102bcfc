"""The work of the commands that need only a spec and deals (score, audit, brief).

cli.py declares each command's options; live deals come from a `connect` function it passes in, since
generators never import targets.
"""
