"""From HTML to files: PDF (WeasyPrint), PDF/UA structure, Word and OpenDocument copies."""
