"""Parse normalised assessment text into the typed model (pia_graph.model)."""
