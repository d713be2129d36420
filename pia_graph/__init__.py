"""pia-graph: My Number privacy impact assessments (特定個人情報保護評価書) as a validated RDF knowledge graph."""

__version__ = "0.1.0"
