"""The SHACL shapes (pia-shapes.ttl), shipped inside the installed package as pia_graph.shapes and read with importlib.resources."""
