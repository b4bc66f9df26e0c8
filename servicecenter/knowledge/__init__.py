"""The knowledge base (issue 12): articles for engineers, partners and customers; see docs/knowledge.md."""
