"""The brief: the handoff document one role reads for one deal."""
