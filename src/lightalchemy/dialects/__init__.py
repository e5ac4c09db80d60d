"""Backends.  Each is loaded by URL name; every backend difference lives here."""
