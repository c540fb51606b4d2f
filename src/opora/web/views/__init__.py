"""Page views, one module per group of pages: overview, schools, imports, downloads."""
