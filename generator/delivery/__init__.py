"""What leaves the project: mail, the campaign site, the archive."""
