"""The practice's pages, one module per concern."""
