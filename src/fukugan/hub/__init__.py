"""Intelligence-sharing hub (issue 5): organisations, users, TLP 2.0 markings,
clearance levels, one read policy, and a hash-chained audit log."""
