"""The five seed documents, shipped inside the installed package as pia_graph.samples (what `pia-graph serve` shows by default)."""
