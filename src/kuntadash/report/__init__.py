"""Printable reports (report layer): layout over the views, nothing computed here."""
