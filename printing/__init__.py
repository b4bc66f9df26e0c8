"""Pure rendering: frozen dataclasses in, PDF/PNG/ZPL bytes out (no database, clock or network)."""
