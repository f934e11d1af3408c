"""Domain layer: pure pandas (catalogue, groupings, statistics, scores, peers, sample data)."""
