"""Sign-ons from where they are collected: form exports read, mapped, de-duplicated, imported."""
