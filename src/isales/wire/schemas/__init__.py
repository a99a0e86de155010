"""Per-interface field lists (what a request may carry) and wire forms (what an answer says)."""
