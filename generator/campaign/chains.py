"""Campaigns: letters that follow earlier ones, and the demands they carry from letter to letter."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..content import blocks, markdown
from ..core.model import Letter

# A demand stops being carried once it is met or withdrawn.
CLOSED_STATUSES = ("met", "withdrawn")


@dataclass(frozen=True)
class CampaignProblem:
    letter: str
    key: str  # "follows", or "body[3].demand_status[2].id"
    message: str


def chain(letter: Letter, by_id: dict[str, Letter]) -> list[Letter]:
    """The letters `letter` follows, oldest first, ending with `letter` itself."""
    found = [letter]
    while found[0].follows in by_id and by_id[found[0].follows] not in found:
        found.insert(0, by_id[found[0].follows])
    return found


def resolve(letters: list[Letter]) -> tuple[list[Letter], list[CampaignProblem]]:
    """Check every `follows` and give each carried demand its text and first date."""
    by_id = {letter.id: letter for letter in letters}
    problems: list[CampaignProblem] = []
    for letter in letters:
        if letter.follows is None:
            continue
        if letter.follows not in by_id:
            problems.append(CampaignProblem(
                letter.id, "follows", f"unknown letter '{letter.follows}'; expected the id of "
                f"a letter in content/letters ({', '.join(sorted(by_id))})"))
            continue
        seen, current = [letter.id], by_id[letter.follows]
        while current is not None:
            if current.id in seen:
                loop = " -> ".join([*seen, current.id])
                problems.append(CampaignProblem(
                    letter.id, "follows", f"the letters follow each other in a circle ({loop})"))
                break
            seen.append(current.id)
            current = by_id.get(current.follows) if current.follows else None
    resolved: dict[str, Letter] = {}
    for letter in sorted(letters, key=lambda each: len(chain(each, by_id))):
        earlier = [resolved.get(each.id, each) for each in chain(letter, by_id)[:-1]]
        body = []
        for index, block in enumerate(letter.body, start=1):
            declared = blocks.declaration_of(block)
            report = _reporter(problems, letter, f"body[{index}].{declared.kind}")
            body.append(declared.resolve(block, earlier, report))
        whole = dataclasses.replace(
            letter, body=tuple(body),
            follows_date=by_id[letter.follows].date if letter.follows in by_id else None,
            depends=letter.depends.union(*(each.depends for each in earlier)))
        resolved[letter.id] = _carry_references(whole, earlier)
    return [resolved[letter.id] for letter in letters], problems


def _reporter(problems: list[CampaignProblem], letter: Letter, field: str):
    """What a block declaration calls to report a problem of its campaign part."""

    def report(suffix: str, message: str) -> None:
        hint = "" if letter.follows else "; add 'follows: <letter-id>'"
        problems.append(CampaignProblem(letter.id, field + suffix, message + hint))

    return report


def _carry_references(letter: Letter, earlier: list[Letter]) -> Letter:
    """A carried demand that cites a note brings the note along from the letter that defines
    it, unless this letter defines a note of the same id itself."""
    defined = {reference.id for reference in letter.references}
    cited = markdown.citation_order(blocks.markdown_texts(letter))
    carried = []
    for label in cited:
        if label in defined:
            continue
        source = next((reference for each in reversed(earlier) for reference in each.references
                       if reference.id == label), None)
        if source is not None:
            carried.append(source)
            defined.add(label)
    if not carried:
        return letter
    return dataclasses.replace(letter, references=letter.references + tuple(carried))


@dataclass(frozen=True)
class OpenDemand:
    id: str
    text: str
    status: str
    first_date: object
    first_letter: str
    # The response received that set `status` last, if one did.
    response: object = None


def timeline(letters: list[Letter], responses=()) -> list:
    """The letters and the responses to them (responses.py), in date order. On one day,
    letters come first: a response answers a letter of its day or earlier."""
    ids = {letter.id for letter in letters}
    events = [(letter.date, 0, letter) for letter in letters]
    events += [(response.date, 1, response) for response in responses
               if response.replies_to in ids]
    return [event for _, _, event in sorted(events, key=lambda event: event[:2])]


def open_demands(letter: Letter, by_id: dict[str, Letter], responses=(),
                 until=None) -> list[OpenDemand]:
    """Every demand raised in the campaign up to `letter` that is neither met nor withdrawn,
    with its latest status: what a follow-up of `letter` carries. A response received up to
    `until` (a date) to one of those letters sets statuses as a letter does."""
    latest: dict[str, OpenDemand] = {}
    received = [response for response in responses if until is None or response.date <= until]
    for each in timeline(chain(letter, by_id), received):
        if not isinstance(each, Letter):
            for said in each.demands:
                if said.id in latest:
                    latest[said.id] = dataclasses.replace(latest[said.id], status=said.status,
                                                          response=each)
            continue
        for demand in each.demands():
            latest[demand.id] = OpenDemand(demand.id, demand.text, demand.status, each.date,
                                           each.id)
        for carried in each.carried():
            if carried.id in latest:
                latest[carried.id] = dataclasses.replace(latest[carried.id],
                                                         status=carried.status, response=None)
    return [demand for demand in latest.values() if demand.status not in CLOSED_STATUSES]


def tracker(letters: list[Letter], responses=()) -> list[dict]:
    """Demand by letter: for each demand, its text, first date and status in each letter, and
    in each response that speaks to it (keyed by the response's `column`), in date order."""
    rows: dict[str, dict] = {}
    for letter in timeline(sorted(letters, key=lambda each: each.date), responses):
        if not isinstance(letter, Letter):
            for said in letter.demands:
                if said.id in rows:
                    rows[said.id]["statuses"][letter.column] = said.status
            continue
        for demand in letter.demands():
            row = rows.setdefault(demand.id, {"id": demand.id, "text": demand.text,
                                              "to": demand.to, "first_date": letter.date,
                                              "statuses": {}})
            row["statuses"][letter.id] = demand.status
        for carried in letter.carried():
            if carried.id in rows:
                rows[carried.id]["statuses"][letter.id] = carried.status
    return list(rows.values())
