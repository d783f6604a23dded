"""Lotse: the shared work platform of regional skilled-labour alliances."""
