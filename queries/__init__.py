"""The canned SPARQL queries (*.rq), shipped inside the installed package as pia_graph.queries and read with importlib.resources."""
