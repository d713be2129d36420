"""The ontology (pia.ttl), shipped inside the installed package as pia_graph.ontology and read with importlib.resources."""
