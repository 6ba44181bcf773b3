"""Ground floor: errors, the model, the project and its file-access rule, writes, the lock."""
