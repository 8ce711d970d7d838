"""Repeated-issue clusters (issue 27): customer messages → vectors → clusters, the number of
clusters estimated from the data, new messages assigned incrementally, readable labels."""
