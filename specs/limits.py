"""Size limits on a spec, enforced while it is read so that no input can make Handrail slow.

A real spec is about 10 KB with a few thousand values; the limits leave ample room above that, and every
input within them is validated in well under two seconds.
"""

MAX_BYTES = 1_000_000
MAX_NODES = 20_000  # values after alias expansion, and the cap while parsing; the example spec has 500
MAX_DEPTH = 64
