"""Commands that write content: a new project, follow-ups, replies and scans, Word edits."""
