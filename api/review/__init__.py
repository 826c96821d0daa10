"""Staff review: the item state machine, decisions, the queue (layer 2: no FastAPI here)."""
