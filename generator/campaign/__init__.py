"""Letters in time: follow-up chains, carried demands, replies received."""
