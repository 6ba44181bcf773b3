"""What the campaign site says about a sign-on letter's signatories: how many signed it as
sent and how many of those have withdrawn since, who signed after it went out ("also signed
since"), and the count over time (signed and withdrawn per date). Names only: contacts and
consent are private and never reach the site."""

from __future__ import annotations

from collections import Counter

from ..core.model import Letter, pick_locale


def signatures_summary(letter: Letter, locale: str) -> dict | None:
    """None for a letter without signatories."""
    signatures = letter.signatures
    if signatures is None:
        return None
    members = [member for tier in signatures.tiers for member in tier.members]
    if not members and not signatures.since:
        return None
    withdrawn = [member for member in members if member.withdrawn is not None]
    signed: Counter = Counter(member.signed for member in (*members, *signatures.since))
    left: Counter = Counter(member.withdrawn for member in withdrawn)
    undated = signed.pop(None, 0)
    timeline = []
    total = undated
    if undated and signed:
        timeline.append({"date": None, "signed": undated, "withdrawn": 0, "total": total})
    for day in sorted(set(signed) | set(left)):
        total += signed[day] - left[day]
        timeline.append({"date": day, "signed": signed[day], "withdrawn": left[day],
                         "total": total, "after": day > letter.date})
    return {
        "count": len(members),
        "withdrawn": len(withdrawn),
        "since": [pick_locale(member.name, locale, letter.language)
                  for member in signatures.since],
        # One row says nothing a count does not: the table shows from two dates on.
        "timeline": timeline if len(timeline) > 1 else [],
    }
