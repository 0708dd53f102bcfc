(
    """The plan: resources, the generic diff, change validators, orgs and snapshots, saved plans, reports, """
    """and the plan/apply/diff pipeline."""
)
