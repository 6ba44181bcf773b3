"""From HTML to files: PDF (WeasyPrint, PDF/UA), Word, OpenDocument."""
