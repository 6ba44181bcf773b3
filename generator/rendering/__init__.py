"""From a resolved letter to HTML: Jinja rendering, the pages' web fonts."""
