"""Languages: Babel locales, gettext catalogs of letters, the project glossary."""
