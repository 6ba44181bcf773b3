"""The archive: PDF/A-3 copies with sources inside, a hash-chained manifest, never overwritten.

What was sent must be provable years later. manifest.py is the manifest's format, store.py
writes the archived copies (`carta archive`), signing.py signs the manifest's head, verify.py
checks a whole archive folder (`carta verify`); reading.py opens their files as if hostile.
"""
