"""Tests of the whole project: docs, README tour, wheel, structure, golden copies, properties."""
