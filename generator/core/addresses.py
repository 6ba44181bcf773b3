"""Checks for the texts that end up in e-mail headers: one address per field, no line breaks.

A bottom-level module (it imports nothing from carta) so that validate, project and mail can all
use the same rules: `carta check` refuses what `carta mail` could not send safely, and mail
checks again before a byte goes to the server.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

# Every character that some program treats as the end of a line. CR and LF end a header (and
# would let a content author add headers such as Bcc); the others split lines in Python's
# str.splitlines, in JSON Lines readers and in terminals. NUL ends a string in C programs.
LINE_BREAKS = {
    "\r": "a carriage return (CR)",
    "\n": "a line feed (LF)",
    "\v": "a vertical tab",
    "\f": "a form feed",
    "\x00": "a NUL character",
    "\x1c": "a file separator",
    "\x1d": "a group separator",
    "\x1e": "a record separator",
    "\x85": "a next-line character (U+0085)",
    "\u2028": "a line separator (U+2028)",
    "\u2029": "a paragraph separator (U+2029)",
}


def check_header_text(text: str) -> str | None:
    """Why `text` cannot go into an e-mail header as one line, or None when it can."""
    found = _line_break(text)
    if found is None:
        return None
    return f"expected text on one line, found {found}; write it without line breaks"


def _line_break(text: str) -> str | None:
    return next((name for char, name in LINE_BREAKS.items() if char in text), None)


def check_address(text: str) -> str | None:
    """Why `text` is not exactly one e-mail address, or None when it is.

    Only the form is checked (no DNS lookup): carta runs offline, and a domain that does not
    answer today may answer tomorrow. A list ("a@example.org, b@example.org"), a display name
    ("Ana <a@example.org>") or shell characters are all refused, so an address field can never
    add a recipient the content does not name as one."""
    if not isinstance(text, str):
        return f"expected one e-mail address such as name@example.org, found {text!r}"
    found = _line_break(text)
    if found is not None:
        return f"expected one e-mail address such as name@example.org, found {found} in it"
    if text.count("@") > 1 or "," in text or ";" in text:
        return (f"expected one e-mail address such as name@example.org, found {text!r}; "
                "give each recipient its own entry with its own address")
    try:
        # ASCII only: an internationalized local part needs SMTPUTF8, which many servers
        # lack, and would be mangled in the .eml draft; a domain has an ASCII form to use.
        valid = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        return (f"expected one e-mail address such as name@example.org, found {text!r}: "
                f"{error}")
    if not text.isascii():
        return (f"expected an e-mail address in ASCII letters, found {text!r}; write it as "
                f"{valid.ascii_email}")
    return None
