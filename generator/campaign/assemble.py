"""Assemble the whole content: every file read, the campaigns resolved, the responses cited.

`validate` is what every command that reads content calls: it reads the shared files and the
letters (generator/content/), resolves the chains of follow-ups (chains.py), reads the
responses received against those letters (responses.py), fills each letter's
`response_summary` blocks from them, and checks what is rendered once more.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ..content import checks
from ..content.letters import output_folders, read_letter
from ..content.load import load_content
from ..content.progress import source_problem
from ..content.reader import did_you_mean
from ..content.shared import read_recipients, read_senders, read_signatories
from ..core.errors import ContentError, Problem
from ..core.model import Content, Letter, Recipient, ResponseSummary, Signatory
from ..core.project import Project
from . import chains, responses
from .responses import Response


def validate(project: Project, only: tuple[str, ...] = (), drafts: bool = False,
             partial: bool = False) -> Content:
    """Load and check content/; raise one ContentError listing every problem found.

    Each letter is checked as written, then again once its campaign is resolved (carried
    demands bring their texts and the notes they cite). With `drafts`, letters that still hold
    placeholders pass (they are built watermarked). With `partial`, nothing is raised: the
    letters without problems come back, and `Content.problems` and `Content.not_valid` say
    what is wrong and which letters it keeps out (so a build can make all the others)."""
    problems: list[Problem] = []
    shared = [project.content / name for name in ("senders.yaml", "recipients.yaml")]
    senders, found = read_senders(project, load_content(project, shared[0]))
    problems += found
    recipients, found = read_recipients(load_content(project, shared[1]))
    problems += found
    signatories: dict[str, Signatory] = {}
    if (project.content / "signatories.yaml").exists():
        shared.append(project.content / "signatories.yaml")
        signatories, found = read_signatories(project, load_content(project, shared[2]))
        problems += found
    shared.append(project.settings_file)  # a dependency even while missing: creating it counts

    files = project.letter_files()
    if only:
        by_id = {path.stem: path for path in files}
        unknown = [ident for ident in only if ident not in by_id]
        for ident in unknown:
            problems.append(Problem(
                project.shown(project.letters_dir), None, None, "",
                f"no letter '{ident}'; expected one of: {', '.join(sorted(by_id)) or 'none'}"))
        files = [by_id[ident] for ident in only if ident in by_id]
    elif not files:
        problems.append(Problem(project.shown(project.letters_dir), None, None, "",
                                "expected letters (*.yaml files), found none"))
    letters: dict[str, Letter] = {}
    failed: set[str] = set()  # ids (file stems) of letters with problems of their own
    queue = list(files)
    owned = output_folders(project)  # letter ids that would write into carta's own folders
    while queue:
        path = queue.pop(0)
        letter, found = read_letter(load_content(project, path), senders, recipients,
                                    project.settings.locales[0], signatories, drafts, owned)
        problems += found
        if letter is None:
            failed.add(path.stem)
            continue
        letters[letter.id] = dataclasses.replace(
            letter, depends=frozenset([letter.source, *shared]))
        # The letters a chosen letter follows are read too: the campaign needs them.
        earlier = project.letters_dir / f"{letter.follows}.yaml"
        if letter.follows and letter.follows not in letters and earlier.is_file() \
                and earlier not in queue:
            queue.append(earlier)
    resolved, campaign_problems = chains.resolve(list(letters.values()))
    for found in campaign_problems:
        letter = letters[found.letter]
        failed.add(letter.id)
        message = found.message
        if found.key == "follows" and letter.follows in failed:
            message = (f"follows '{letter.follows}', which has problems of its own (listed "
                       "with its file); fix those first")
        line, column = letter.positions.get(found.key, (None, None))
        problems.append(Problem(letter.shown_as, line, column, found.key, message))
    # The responses received, checked against the letters; the letters' response_summary
    # blocks get what they cite.
    resolved, received, found = _attach(project, resolved, recipients, failed, drafts,
                                        only=bool(only))
    problems += found
    for letter in resolved:
        if letter.id in failed:
            continue
        # What is rendered is checked: the resolved letter, carried texts included.
        found = checks.letter_problems(letter, letter.shown_as, letter.positions, drafts,
                                       whole=True)
        if found:
            problems += found
            failed.add(letter.id)
    if problems and not partial:
        raise ContentError(problems)
    chosen = {path.stem for path in files}
    return Content(tuple(letter for letter in resolved
                         if letter.id in chosen and letter.id not in failed),
                   senders, recipients, signatories, responses=received,
                   problems=tuple(problems), not_valid=tuple(sorted(failed & chosen)))


def _attach(project: Project, letters: list[Letter], recipients: dict[str, Recipient],
            failed: set[str], drafts: bool = False, only: bool = False
            ) -> tuple[list[Letter], tuple[Response, ...], list[Problem]]:
    """Read every response in content/responses/, check it against the letters, and resolve
    each `response_summary` block of the letters. Returns the letters (their blocks filled
    in), the valid responses, and every problem; a letter whose citation fails joins `failed`.

    With `only` (some letters were chosen), responses to letters not read are left alone."""
    known = responses.Campaign(project, {letter.id: letter for letter in letters
                                         if letter.id not in failed},
                               {path.stem for path in project.letter_files()}, recipients,
                               drafts)
    received, problems = responses.read_all(
        project, known, {letter.id for letter in letters} if only else None)
    by_id = {response.id: response for response in received}
    every = {path.stem for path in responses.response_files(project)}
    result = []
    for letter in letters:
        if letter.id in failed:  # its own problems come first
            result.append(letter)
            continue
        cited, found = _cite(letter, by_id, every, known.letters)
        found += _milestone_sources(letter, {path.stem for path in project.letter_files()},
                                    every)
        if found:
            failed.add(letter.id)
            problems += found
        result.append(cited)
    return result, tuple(received), problems


def _milestone_sources(letter: Letter, letters: set[str], replies: set[str]) -> list[Problem]:
    """A milestone's source that names no letter or reply of the project (its web addresses
    were checked as the letter was read): the timeline would link to nothing."""
    problems = []
    for item in [*letter.demands(), *letter.carried()]:
        for milestone in item.milestones:
            found = milestone.source and source_problem(milestone.source, letters, replies)
            if found:
                field, line, column = milestone.where or ("", None, None)
                problems.append(Problem(letter.shown_as, line, column, field, found))
    return problems


def _cite(letter: Letter, received: dict[str, Response], every: set[str],
          letters: dict[str, Letter]) -> tuple[Letter, list[Problem]]:
    """The letter with each response_summary block filled from its response."""
    problems: list[Problem] = []
    earlier = {each.id for each in chains.chain(letter, letters)[:-1]}
    ours = {recipient.id for recipient in (*letter.recipients, *letter.cc)}
    used: set[Path] = set()  # the responses' files: what the letter now depends on too

    def fill(part: tuple, section: str) -> tuple:
        filled = []
        for index, block in enumerate(part, start=1):
            if not isinstance(block, ResponseSummary):
                filled.append(block)
                continue
            field = f"{section}[{index}].response_summary"
            line, column = letter.positions.get(field, (None, None))
            response = received.get(block.response)
            why = None
            if response is None and block.response in every:
                why = (f"the reply '{block.response}' has problems of its own (listed with its "
                       "file); fix those first")
            elif response is None:
                why = (f"unknown reply '{block.response}'; expected the id of a file in "
                       f"content/responses ({', '.join(sorted(received)) or 'none yet'})"
                       + did_you_mean(block.response, received))
            elif response.replies_to not in earlier:
                why = (f"the reply '{response.id}' answers '{response.replies_to}', which is "
                       f"not a letter this one follows; cite replies to earlier letters of its "
                       "campaign" + ("" if letter.follows else " (add 'follows: <letter-id>')"))
            elif response.date > letter.date:
                why = (f"the reply '{response.id}' is of {response.date.isoformat()}, after "
                       f"this letter ({letter.date.isoformat()}); a letter cites replies it "
                       "has received")
            if why:
                problems.append(Problem(letter.shown_as, line, column, field, why))
                filled.append(block)
                continue
            used.add(response.source)
            # What the block needs from the campaign, handed to it here.
            filled.append(dataclasses.replace(
                block, summary=response.summary,
                summary_lang=response.language if response.language != letter.language
                else None,
                date=response.date, replies_to=response.replies_to,
                replies_to_date=letters[response.replies_to].date,
                yours=response.sender.id in ours, quotes=tuple(response.quotes.values()),
                quote_lang=response.language))
        return tuple(filled)

    whole = dataclasses.replace(letter, body=fill(letter.body, "body"),
                                postscript=fill(letter.postscript, "postscript"))
    if used:
        whole = dataclasses.replace(whole, depends=whole.depends | used)
    return whole, problems
