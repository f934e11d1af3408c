"""Domain layer: pure pandas logic (catalogue, groupings, statistics, scores, peers, sample data)."""
