"""The Textual interface (imports textual; nothing in the core imports this package)."""
