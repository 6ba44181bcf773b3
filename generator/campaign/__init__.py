"""Letters in time: follow-up chains, carried demands, responses and documents received."""
