"""Reading content: positioned YAML, the field reader, block declarations, Markdown, checks."""
