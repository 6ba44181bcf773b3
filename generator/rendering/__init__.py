"""From a resolved letter to HTML: Jinja rendering and the pages' web fonts."""
