"""The command line and the author's loop (watch, serve): parsing and display only."""
