"""Compile YAML + Markdown courses into offline LMS packages."""
