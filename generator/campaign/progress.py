"""Each demand's progress across its campaign: its level on the IRM's scale and its milestones.

A letter gives a demand's `completion:` where it raises it or reports its status (a
`demand_status` item); the latest one given counts. Where none is given, the level its status
stands for (core.model.STATUS_COMPLETION) is the one reported by `carta status` and in
campaign.json, marked as derived; the letters and the site draw a bar only for a level given.
"""

from __future__ import annotations

from ..core.model import STATUS_COMPLETION, Letter, Milestone


def progress(letters: list[Letter]) -> dict[str, dict]:
    """Demand id -> {"completion": the latest level given, or None; "milestones": every
    milestone recorded for it, in date order}, over `letters` (any order)."""
    found: dict[str, dict] = {}
    for letter in sorted(letters, key=lambda each: (each.date, each.id)):
        for item in [*letter.demands(), *letter.carried()]:
            entry = found.setdefault(item.id, {"completion": None, "milestones": []})
            if item.completion:
                entry["completion"] = item.completion
            entry["milestones"] += [milestone for milestone in item.milestones
                                    if milestone not in entry["milestones"]]
    for entry in found.values():
        entry["milestones"].sort(key=lambda milestone: milestone.date)
    return found


def level(given: str | None, status: str) -> tuple[str | None, bool]:
    """The level to report, and whether it was given (False: derived from the status)."""
    return (given, True) if given else (STATUS_COMPLETION[status], False)


def milestone_data(milestone: Milestone) -> dict:
    return {"date": milestone.date.isoformat(), "text": milestone.text,
            "source": milestone.source}
