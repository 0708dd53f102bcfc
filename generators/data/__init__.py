"""Deals in and scores out: export readers, column maps, dates, live deal feeds, score reports, CSV cells."""
