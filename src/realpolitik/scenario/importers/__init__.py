"""Importers: turn other programs' and data sets' files into realpolitik scenarios."""
