"""The help text of every command and option: one table, read by the click decorators."""

HELP = {
    "main": "carta turns letters written as YAML and Markdown into PDF and HTML.",
    "project": "The letters project folder (default: the current folder).",
    "verbose": "Say more about what is done.",
    "quiet": "Print only problems.",
    "debug": "Show the full traceback of an unexpected error.",
    "build": "Build PDF and HTML for every letter (or the LETTER ids given) in every locale.",
    "check": "Check content for problems without building anything; exit 1 if there are any.",
    "init": "Create a new letters project in DIR, with an example letter that builds.",
    "locale": "Build only this locale (repeatable). Default: the locales in carta.toml.",
    "check_locale": "Check only this locale's translations (repeatable). Default: the locales "
                    "in carta.toml.",
    "check_strict": "Treat glossary findings (content/glossary.yaml) as problems: exit 1 when a "
                    "translation leaves out an approved term, uses a forbidden variant or misses "
                    "a first-use gloss. Without it they are warnings.",
    "archive_locale": "Archive only this locale (repeatable). Default: the locales in "
                      "carta.toml.",
    "mail_locale": "Attach only this locale's PDFs (repeatable). Default: the locales each "
                   "recipient reads, among those in carta.toml.",
    "watch_locale": "Rebuild only this locale (repeatable). Default: the locales in "
                    "carta.toml.",
    "format": "Build only this format (repeatable). Default: pdf and html; docx and odt are "
              "Word and OpenDocument copies for partners who edit in an office suite.",
    "reference_doc": "With --format docx or odt: take styles, page, header, footer and logo "
                     "from this Word document (a partner's letterhead, .docx or .dotx).",
    "diff_docx": "List what a reviewer changed in a returned DOCX of LETTER, field by field: "
                 "tracked insertions and deletions, comments, and plain edits against the "
                 "letter's current text. Writes nothing.",
    "out": "Write into this folder instead of the project's output/.",
    "jobs": "How many documents to make at once (processes).",
    "strict": "Fail a document when its PDF would leave out a resource it may not load (a file "
              "outside the project, anything on the network), instead of warning.",
    "draft": "Accept letters whose placeholders are not filled yet (from carta followup); "
             "their PDFs are watermarked as drafts.",
    "followup": "Write a draft letter that follows LETTER: same sender and recipients, every "
                "demand not yet met carried with its status, placeholders for the new prose.",
    "followup_date": "The new letter's date, as YYYY-MM-DD.",
    "followup_id": "The new letter's id (default: <date>-seguimiento).",
    "force": "Rebuild every document, even those whose inputs have not changed.",
    "allow": "Build locales whose translations are incomplete, using the source text where a "
             "translation is missing or stale (each one is reported).",
    "i18n": "Keep the letters' translation catalogs (gettext PO files) in step with the content.",
    "update": "Add new texts to each letter's PO catalogs, mark changed ones fuzzy and removed "
              "ones obsolete.",
    "stats": "Show how complete each letter's translation is, per locale.",
    "i18n_locale": "Only this locale (repeatable). Default: the locales in carta.toml.",
    "watch": "Build, then rebuild what each change to content or templates touches, in one "
             "warm process: HTML first, PDF after; a locale with problems is reported and "
             "skipped while the others build. Ctrl-C stops.",
    "interval": "Seconds between looks for changes when file notifications are not available.",
    "serve": "Preview the letters in a browser, rebuilt and reloaded as you save: an index, "
             "each document's web page beside its PDF, and its problems shown over the page. "
             "Writes where 'carta build' writes; publishes nothing. Ctrl-C stops.",
    "host": "The address to listen on. The default serves this machine only; any other "
            "address shows your letters to whoever can reach it.",
    "port": "The port to listen on (0: any free port, printed at start).",
    "serve_locale": "Preview only this locale (repeatable). Default: the locales in carta.toml.",
    "mail": "Write one e-mail (.eml) per recipient copy into output/mail/, with the PDFs "
            "attached; send them with --send. Nothing already delivered is sent again.",
    "send": "Send the messages over SMTP ([mail] in carta.toml, CARTA_SMTP_* variables; the "
            "password only from CARTA_SMTP_PASSWORD).",
    "limit": "Send at most N messages in this run.",
    "doctor": "Report what the PDF engine uses here (WeasyPrint, Pango, font subsetter); "
              "exit 1 if something that matters is missing.",
    "archive": "Add PDF/A copies of the letters, with their sources inside, to the archive "
               "folder and its manifest. Nothing there is ever overwritten.",
    "dry_run": "Only say what would be archived; write nothing.",
    "verify": "Check an archive folder (default: the project's) against its manifest: the "
              "hash chain and its head, hashes, PDF/A identity, embedded sources, and no "
              "hidden, extra or linked files. --expect-head and --public-key check the head "
              "against one recorded elsewhere.",
    "site": "Build the letters (drafts too, watermarked), then write a static campaign site "
            "into output/site/: every letter in every locale, where each demand stands, and a "
            "language switch. It works from a folder or any web host, and loads nothing else.",
    "response": "Record the replies received: the document, its text, and what it says about "
                "each demand (content/responses/).",
    "response_add": "Copy a received reply (FILE: a PDF, or an .eml with its attachments) into "
                    "content/responses/, with its text beside it, and write a YAML stub with "
                    "the date and sender read from it and [[TODO: ...]] for the rest. Never "
                    "overwrites.",
    "replies_to": "The id of the letter the reply answers.",
    "response_from": "Who answered: a recipient id (default: matched from the e-mail's From or "
                     "the PDF's author, when one recipient fits).",
    "response_date": "The reply's date, as YYYY-MM-DD (default: the e-mail's Date, or the "
                     "PDF's creation date).",
    "response_id": "The reply's id (default: <date>-respuesta-<sender>).",
    "response_language": "The reply's language (default: the letter's).",
    "ocr": "Read a scanned PDF by OCR (OCRmyPDF, Tesseract) and keep a searchable PDF/A beside "
           "it. OCR text has errors: check every quote against the document.",
    "import_scan": "Import a letter sent before carta from its scan (FILE, a PDF): the scan, a "
                   "searchable PDF/A read by OCR and its text go into content/scans/, and a "
                   "letter stub that records it into content/letters/, to follow up and "
                   "archive like any letter. Never overwrites.",
    "scan_date": "The letter's date, as YYYY-MM-DD.",
    "scan_id": "The letter's id (lowercase letters, digits, hyphens).",
    "scan_language": "The letter's language, for OCR too (default: the first locale).",
    "scan_sender": "The sender id (default: the only sender, if there is one).",
    "scan_to": "A recipient id (repeatable).",
    "no_ocr": "Keep the scan without reading it by OCR (nothing to search or quote).",
}
