"""
HTML: one self-contained page that draws the supply chain, the taxonomy's
or a threat model's coverage of it.

The picture is a grid: one column per stage, in lifecycle order, with the
stage's categories as sub-headings, and one cell per attack.

- :func:`render` (``export --format html``): every attack, each cell
  listing the defenses with counter evidence against it and their basis,
  or "no known defense" where the taxonomy has none; the cell's status is
  the strongest basis of that evidence.
- :func:`render_coverage` (``check FILE --format html``): each attack's
  coverage status (:data:`STATUSES`), the threats tagged with it, the
  mitigations whose threats name it, and the counter evidence at the
  report's basis from defenses whose modalities meet the scope's; then
  tables of the threats and of the mitigations.

The page needs nothing else: its style is inline, it has no script, and it
loads nothing (links to papers are plain ``<a href>``, written only for
http(s) URLs).  A status is always written out, with an icon and a border
style of its own: colour is never the only sign of it.  The page has a
dark scheme (``prefers-color-scheme``) and a print style.  Text from the
data is escaped; control and bidirectional-formatting characters are
written as visible ``\\uXXXX`` escapes, never passed through.  The output
is deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import html
import re

from typing import TYPE_CHECKING, Final, NamedTuple

from dnn_supply_chain._records import BASES
from dnn_supply_chain._taxonomy import current_id


if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from dnn_supply_chain._records import Attack, CounterEvidence
    from dnn_supply_chain._taxonomy import Taxonomy
    from dnn_supply_chain.threat_model import CoverageReport, Threat


__all__ = [
    "NO_KNOWN_DEFENSE",
    "STATUSES",
    "render",
    "render_coverage",
]


class Status(NamedTuple):
    """
    How one status of a cell is shown: its label, what it means, and the
    icon written before the label (the cell's CSS class is ``st-`` and
    the status's name).
    """

    label: str
    meaning: str
    icon: str


#: The status of an attack's cell, by name.  A coverage page uses the
#: first five, the taxonomy page the last four.
STATUSES: Final[Mapping[str, Status]] = {
    "supported": Status(
        "supported",
        "considered by a threat, and a mitigation has counter evidence "
        "against it at the report's basis or stronger",
        "\u2714",  # heavy check mark
    ),
    "open": Status(
        "open",
        "considered by a threat, but no mitigation has counter evidence "
        "against it",
        "!",
    ),
    "gap": Status(
        "gap",
        "in scope, but no threat considers it",
        "\u2716",  # heavy multiplication x
    ),
    "not-applicable": Status(
        "not applicable",
        "none of its modalities is one of the threat model's",
        "\u2013",  # en dash
    ),
    "out-of-scope": Status(
        "out of scope",
        "its stage or category is not in the threat model's scope",
        "\u00b7",  # middle dot
    ),
    "evaluated": Status(
        "evaluated",
        "a defense's paper or official code runs the attack",
        "\u2714",
    ),
    "claimed": Status(
        "claimed",
        "a defense's own text claims a family the attack belongs to; untested",
        "\u2713",  # check mark
    ),
    "mechanism": Status(
        "mechanism",
        "a defense applies by construction; nothing claims or tests it",
        "\u223c",  # tilde operator
    ),
    "no-known-defense": Status(
        "no known defense",
        "the taxonomy has no counter evidence against it: no defense is "
        "guessed",
        "\u2205",  # empty set
    ),
}

#: The badge of an attack without counter evidence (at the report's basis,
#: from a defense whose modalities meet the scope's) on a coverage page:
#: it comes on top of the cell's status, since a gap can have no known
#: defense and so can an attack a threat considers.  A cell that does not
#: apply gets none: what counters it does not matter to the system.
NO_KNOWN_DEFENSE: Final = STATUSES["no-known-defense"]

_COVERAGE: Final = (
    "supported",
    "open",
    "gap",
    "not-applicable",
    "out-of-scope",
)
_TAXONOMY: Final = ("evaluated", "claimed", "mechanism", "no-known-defense")

# What a terminal or a browser would act on, hide or reorder: C0 and C1
# controls (but tab and line feed), DEL, bidirectional formatting, and
# lone surrogates, which UTF-8 cannot carry.
_UNSAFE: Final = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)


def _text(value: str) -> str:
    """
    *value* as HTML text or attribute value: escaped, with each unsafe
    character written as a visible ``\\uXXXX`` escape.
    """
    safe = _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    return html.escape(safe, quote=True)


def _href(url: str | None) -> str | None:
    """
    *url*, escaped for an ``href``, if it is an http(s) URL without
    spaces or controls; otherwise None.
    """
    if (
        url is None
        or not url.startswith(("https://", "http://"))
        or any(c.isspace() or not c.isprintable() for c in url)
    ):
        return None
    return html.escape(url, quote=True)


def _anchor(kind: str, record_id: str) -> str:
    """
    An ``id`` for the element of a record, safe whatever the id holds.
    """
    return (
        kind
        + "-"
        + "".join(
            c
            if c.isascii() and (c.isalnum() or c in "-_")
            else f"_{ord(c):x}_"
            for c in record_id
        )
    )


_CSS: Final = """
:root {
  color-scheme: light dark;
  --fg: #1b1b1b; --bg: #ffffff; --muted: #555555; --rule: #c8c8c8;
  --head: #f2f2f2; --link: #0b57a4;
  --supported-bg: #e1f3e5; --supported-bd: #1d7a3a;
  --open-bg: #fff0d4; --open-bd: #a35200;
  --gap-bg: #fde3e1; --gap-bd: #b3261e;
  --na-bg: #efefef; --na-bd: #6b6b6b;
  --oos-bg: transparent; --oos-bd: #8a8a8a;
  --evaluated-bg: #e1f3e5; --evaluated-bd: #1d7a3a;
  --claimed-bg: #e6f0fb; --claimed-bd: #1f5fa8;
  --mechanism-bg: #f3ecfa; --mechanism-bd: #6a3d9a;
  --nkd-bg: #fde3e1; --nkd-bd: #b3261e;
}
@media (prefers-color-scheme: dark) {
  :root {
    --fg: #e8e8e8; --bg: #161616; --muted: #b0b0b0; --rule: #4a4a4a;
    --head: #242424; --link: #8cc4ff;
    --supported-bg: #123821; --supported-bd: #5fd07f;
    --open-bg: #3d2a08; --open-bd: #ffb454;
    --gap-bg: #461614; --gap-bd: #ff8a80;
    --na-bg: #2a2a2a; --na-bd: #a0a0a0;
    --oos-bd: #8a8a8a;
    --evaluated-bg: #123821; --evaluated-bd: #5fd07f;
    --claimed-bg: #102a47; --claimed-bd: #7db8ff;
    --mechanism-bg: #2c1b40; --mechanism-bd: #c9a3f0;
    --nkd-bg: #461614; --nkd-bd: #ff8a80;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0 auto; padding: 1rem 1.5rem 3rem; max-width: 110rem;
  font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg);
}
a { color: var(--link); }
h1 { font-size: 1.6rem; margin: 0.5rem 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.5rem;
     border-bottom: 1px solid var(--rule); }
.lede, .meta { color: var(--muted); margin: 0.25rem 0; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas,
       monospace; font-size: 0.9em; }
.legend { display: flex; flex-wrap: wrap; gap: 0.5rem; padding: 0;
          list-style: none; margin: 0.75rem 0; }
.legend li { padding: 0.3rem 0.6rem; max-width: 26rem; }
.grid { display: grid; gap: 0.75rem; align-items: start;
        grid-template-columns: repeat(var(--columns), minmax(13rem, 1fr)); }
.stage { border: 1px solid var(--rule); border-radius: 6px; padding: 0.5rem;
         min-width: 0; }
.stage > h3 { margin: 0 0 0.25rem; font-size: 1.1rem; }
.stage h4 { margin: 0.75rem 0 0.25rem; font-size: 0.95rem;
            color: var(--muted); text-transform: uppercase;
            letter-spacing: 0.03em; }
.stage.out-of-scope { border-style: dashed; }
.cells { list-style: none; margin: 0; padding: 0; }
.cell { margin: 0 0 0.5rem; padding: 0.4rem 0.5rem;
        border-left: 6px solid var(--rule); border-radius: 3px;
        break-inside: avoid; page-break-inside: avoid;
        overflow-wrap: anywhere; }
.cell .name { font-weight: 600; margin: 0; }
.cell .name code { font-weight: 400; color: var(--muted); }
.cell p, .cell ul { margin: 0.2rem 0; }
.cell ul { padding-left: 1.1rem; }
.cell .what { font-size: 0.8rem; color: var(--muted); margin-top: 0.3rem; }
.cell .names { font-size: 0.85rem; color: var(--muted); }
.status { font-weight: 700; font-size: 0.9rem; }
.icon { display: inline-block; width: 1.1em; text-align: center; }
.badge { display: inline-block; margin-left: 0.3rem; padding: 0 0.35rem;
         font-size: 0.8rem; font-weight: 600; border-radius: 3px;
         border: 1px dashed var(--nkd-bd); }
.st-supported { background: var(--supported-bg);
                border-left: 6px solid var(--supported-bd); }
.st-open { background: var(--open-bg); border-left: 6px dashed var(--open-bd); }
.st-gap { background: var(--gap-bg); border-left: 6px double var(--gap-bd); }
.st-not-applicable { background: var(--na-bg);
                     border-left: 6px dotted var(--na-bd); }
.st-out-of-scope { background: var(--oos-bg);
                   border-left: 6px dotted var(--oos-bd); }
.st-evaluated { background: var(--evaluated-bg);
                border-left: 6px solid var(--evaluated-bd); }
.st-claimed { background: var(--claimed-bg);
              border-left: 6px dashed var(--claimed-bd); }
.st-mechanism { background: var(--mechanism-bg);
                border-left: 6px dotted var(--mechanism-bd); }
.st-no-known-defense { background: var(--nkd-bg);
                       border-left: 6px double var(--nkd-bd); }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { border: 1px solid var(--rule); padding: 0.3rem 0.5rem;
         text-align: left; vertical-align: top; }
thead th { background: var(--head); }
tr { break-inside: avoid; page-break-inside: avoid; }
td ul { margin: 0; padding-left: 1.1rem; }
.summary { font-weight: 600; }
@media print {
  :root { color-scheme: light; }
  body { font-size: 9pt; max-width: none; padding: 0;
         color: #000; background: #fff; }
  a { color: #000; }
  /* A grid's columns of unequal length leave half-empty pages: on paper
     the stages follow one another, their cells in three columns. */
  .grid { display: block; }
  .stage { border: 0; padding: 0; margin: 0 0 0.75rem; }
  .stage > h3 { border-bottom: 1px solid #999; }
  .cells { columns: 3; column-gap: 0.5rem; }
  h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  .cell, .legend li, table, thead th {
    color: #000; background: #fff !important;
  }
  .cell .name code, .stage h4, .lede, .meta, .cell .what { color: #333; }
  .st-supported, .st-evaluated { border-left-color: #1d7a3a; }
  .st-open { border-left-color: #a35200; }
  .st-gap, .st-no-known-defense { border-left-color: #b3261e; }
  .st-claimed { border-left-color: #1f5fa8; }
  .st-mechanism { border-left-color: #6a3d9a; }
  .st-not-applicable, .st-out-of-scope { border-left-color: #6b6b6b; }
}
"""


def _status_line(name: str) -> str:
    status = STATUSES[name]
    return (
        f'<p class="status"><span class="icon" aria-hidden="true">'
        f"{status.icon}</span> {_text(status.label)}"
    )


def _badge() -> str:
    return (
        f'<span class="badge"><span aria-hidden="true">'
        f"{NO_KNOWN_DEFENSE.icon}</span> {_text(NO_KNOWN_DEFENSE.label)}"
        "</span>"
    )


def _legend(names: Sequence[str], note: str = "") -> list[str]:
    lines = ['<h2 id="legend">Legend</h2>']
    if note:
        lines.append(f"<p>{note}</p>")
    lines.append('<ul class="legend">')
    for name in names:
        status = STATUSES[name]
        lines.append(
            f'<li class="st-{name}"><strong><span class="icon" '
            f'aria-hidden="true">{status.icon}</span> '
            f"{_text(status.label)}</strong>: {_text(status.meaning)}</li>"
        )
    lines.append("</ul>")
    return lines


def _page(title: str, body: Iterable[str]) -> str:
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="dnn-supply-chain">',
        f"<title>{_text(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    return "\n".join([*head, *body, "</main>", "</body>", "</html>"]) + "\n"


def _attack_head(attack: Attack) -> str:
    return (
        f'<p class="name">{_text(attack.name)} '
        f"<code>{_text(attack.id)}</code></p>"
    )


def _evidence_items(
    taxonomy: Taxonomy, links: Iterable[CounterEvidence]
) -> list[str]:
    items = []
    for e in links:
        defense = taxonomy.defense(e.defense)
        items.append(
            f"<li>{_text(defense.name)} <code>{_text(defense.id)}</code>: "
            f"<strong>{_text(e.basis)}</strong></li>"
        )
    return items


def _listing(label: str, items: Sequence[str]) -> list[str]:
    if not items:
        return []
    return [f'<p class="what">{label}</p>', "<ul>", *items, "</ul>"]


class _Column(NamedTuple):
    """
    One stage's column: the stage's groups of attacks (a category's, or
    the stage's own when it has none), each with whether it is in scope.
    """

    stage_id: str
    heading: str
    in_scope: bool
    groups: tuple[tuple[str | None, bool, tuple[Attack, ...]], ...]


def _columns(
    taxonomy: Taxonomy,
    stages: Mapping[str, tuple[str, ...]] | None,
) -> list[_Column]:
    """
    The columns of the grid.  *stages* maps each stage in scope to the
    categories the scope narrows it to (none: all of it); None puts every
    stage in scope.
    """
    out = []
    for stage in taxonomy.stages:
        in_scope = stages is None or stage.id in stages
        narrowed = () if stages is None else stages.get(stage.id, ())
        groups: list[tuple[str | None, bool, tuple[Attack, ...]]] = [
            (
                category.name,
                in_scope and (not narrowed or category.id in narrowed),
                taxonomy.attacks_in(category.id),
            )
            for category in taxonomy.categories_of(stage.id)
        ]
        loose = tuple(
            a for a in taxonomy.attacks_in(stage.id) if a.category is None
        )
        if loose or not groups:
            groups.append(
                ("Other attacks" if groups else None, in_scope, loose)
            )
        out.append(_Column(stage.id, stage.name, in_scope, tuple(groups)))
    return out


def _grid(
    columns: Sequence[_Column],
    cell: Callable[[Attack], list[str]],
    out_of_scope: str,
) -> list[str]:
    lines = [
        f'<div class="grid" style="--columns: {len(columns)}">',
    ]
    for column in columns:
        scope = "" if column.in_scope else " out-of-scope"
        lines.append(
            f'<section class="stage{scope}" '
            f'aria-labelledby="{_anchor("stage", column.stage_id)}">'
        )
        lines.append(
            f'<h3 id="{_anchor("stage", column.stage_id)}">'
            f"{_text(column.heading)}</h3>"
        )
        if not column.in_scope:
            lines.append(f'<p class="meta">{out_of_scope}</p>')
        for heading, in_scope, attacks in column.groups:
            if heading is not None:
                lines.append(f"<h4>{_text(heading)}</h4>")
            if not attacks:
                lines.append('<p class="meta">No attacks.</p>')
                continue
            if not in_scope:
                noun = "attack" if len(attacks) == 1 else "attacks"
                lines += [
                    '<ul class="cells"><li class="cell st-out-of-scope">',
                    _status_line("out-of-scope") + "</p>",
                    f'<p class="what">{len(attacks)} {noun}, not judged</p>',
                    '<ul class="names">',
                    *(
                        f'<li title="{_text(a.id)}">{_text(a.name)}</li>'
                        for a in attacks
                    ),
                    "</ul></li></ul>",
                ]
                continue
            lines.append('<ul class="cells">')
            for attack in attacks:
                lines += cell(attack)
            lines.append("</ul>")
        lines.append("</section>")
    lines.append("</div>")
    return lines


# -- the taxonomy -----------------------------------------------------------


def render(taxonomy: Taxonomy) -> str:
    """
    Return the page of *taxonomy* (``export --format html``): every
    stage's attacks, each with the defenses that have counter evidence
    against it and their basis, or "no known defense".

    .. versionadded:: 0.2.0
    """
    survey = taxonomy.survey_paper
    title = survey.title if survey else "DNN supply-chain security taxonomy"
    undefended = taxonomy.undefended()

    def cell(attack: Attack) -> list[str]:
        links = taxonomy.counter_evidence(attack=attack.id)
        status = links[0].basis if links else "no-known-defense"
        lines = [
            f'<li class="cell st-{status}" id="{_anchor("attack", attack.id)}">',
            _attack_head(attack),
            _status_line(status) + "</p>",
        ]
        lines += _listing("Defenses", _evidence_items(taxonomy, links))
        papers = []
        for paper in taxonomy.papers_of(attack.id)[:1]:
            where = paper.venue_short or paper.venue or ""
            if paper.year is not None and str(paper.year) not in where:
                where = f"{where} {paper.year}".strip()
            label = _text(paper.title) + (
                f" ({_text(where)})" if where else ""
            )
            url = _href(
                paper.url
                or (f"https://doi.org/{paper.doi}" if paper.doi else None)
                or (
                    f"https://arxiv.org/abs/{paper.arxiv}"
                    if paper.arxiv
                    else None
                )
            )
            papers.append(
                f'<li><a href="{url}">{label}</a></li>'
                if url
                else f"<li>{label}</li>"
            )
        lines += _listing("Paper", papers)
        lines.append("</li>")
        return lines

    body = [
        f"<h1>{_text(title)}</h1>",
        (
            '<p class="lede">The attacks on the DNN supply chain, stage by '
            "stage, and the defenses the taxonomy's counter evidence pairs "
            "with each, strongest basis first.  Where there is no counter "
            "evidence the cell says so: a defense is never guessed.</p>"
        ),
        (
            f'<p class="summary">{len(taxonomy.stages)} stages, '
            f"{len(taxonomy.attacks)} attacks, {len(taxonomy.defenses)} "
            f"defenses, {len(taxonomy.counter_evidence())} links of counter "
            f"evidence; {len(undefended)} attacks with no known defense.</p>"
        ),
        *_legend(
            _TAXONOMY,
            "A cell's status is the strongest basis of the counter "
            "evidence against its attack.",
        ),
        '<h2 id="attacks">Attacks by stage</h2>',
        *_grid(_columns(taxonomy, None), cell, ""),
    ]
    return _page(title, body)


# -- a threat model's coverage ------------------------------------------


def _tagged(taxonomy: Taxonomy, threat: Threat) -> tuple[str, ...]:
    """
    The ids of the attacks *threat* is tagged with, renamed ids followed
    to their successor, as the report reads them.
    """
    found = (current_id(taxonomy, tag.id) for tag in threat.tags)
    return tuple(
        dict.fromkeys(
            ref
            for ref in found
            if ref in taxonomy and taxonomy.kind_of(ref) == "attack"
        )
    )


def render_coverage(report: CoverageReport, taxonomy: Taxonomy) -> str:
    """
    Return the page of *report*'s coverage (``check FILE --format
    html``).

    .. versionadded:: 0.2.0
    """
    model = report.model
    scope = model.scope
    statuses = report.attack_statuses()
    reasons = {n.attack.id: n.reason for n in report.not_applicable}
    tagged = {t.id: _tagged(taxonomy, t) for t in model.threats}
    threats_of: dict[str, list[Threat]] = {}
    for threat in model.threats:
        for attack_id in tagged[threat.id]:
            threats_of.setdefault(attack_id, []).append(threat)

    def in_scope(links: Iterable[CounterEvidence]) -> list[CounterEvidence]:
        return [
            e
            for e in links
            if scope.applies(taxonomy.defense(e.defense).modalities)
        ]

    def cell(attack: Attack) -> list[str]:
        status = statuses[attack.id]
        head = [
            f'<li class="cell st-{status}" id="{_anchor("attack", attack.id)}">',
            _attack_head(attack),
        ]
        if status == "not-applicable":
            # What counters an attack that does not apply is noise here.
            return [
                *head,
                _status_line(status) + "</p>",
                f"<p>{_text(reasons[attack.id])}</p>",
                "</li>",
            ]
        links = in_scope(
            taxonomy.counter_evidence(attack=attack.id, basis=report.basis)
        )
        badge = "" if links else " " + _badge()
        lines = [*head, _status_line(status) + badge + "</p>"]
        lines += _listing(
            "Threats",
            [
                f"<li><code>{_text(t.id)}</code> {_text(t.title)} "
                f"({_text(t.status)})</li>"
                for t in threats_of.get(attack.id, ())
            ],
        )
        touching = []
        for support in report.mitigations:
            if attack not in support.attacks:
                continue
            bases = [
                e.basis for e in support.evidence if e.attack == attack.id
            ]
            says = (
                f"<strong>{_text(bases[0])}</strong>"
                if bases
                else "no evidence against this attack"
            )
            touching.append(
                f"<li><code>{_text(support.mitigation.id)}</code> "
                f"{_text(support.mitigation.title)}: {says}</li>"
            )
        lines += _listing("Mitigations", touching)
        lines += _listing("Counter evidence", _evidence_items(taxonomy, links))
        lines.append("</li>")
        return lines

    columns = _columns(
        taxonomy, {s.stage.id: s.categories for s in report.stages}
    )
    counted = ", ".join(BASES[: BASES.index(report.basis) + 1])
    modalities = (
        ", ".join(scope.modalities)
        if scope.modalities
        else "any (the scope names none: every attack applies)"
    )
    summary = (
        f"{_plural(report.gap_count, 'gap')}, "
        f"{_plural(len(report.open_threats), 'open threat')}, "
        f"{_plural(len(report.unsupported), 'unsupported mitigation')}."
    )
    title = f"Threat model coverage: {model.name}"
    body = [
        f"<h1>{_text(title)}</h1>",
    ]
    if model.description:
        body.append(f'<p class="lede">{_text(model.description)}</p>')
    body += [
        (
            f'<p class="meta">Modalities: {_text(modalities)}.  Evidence that '
            f"counts as support: {_text(counted)}.</p>"
        ),
        f'<p class="summary">{_text(summary)}</p>',
        *_legend(
            _COVERAGE,
            f'The badge <span class="badge"><span aria-hidden="true">'
            f"{NO_KNOWN_DEFENSE.icon}</span> "
            f"{_text(NO_KNOWN_DEFENSE.label)}</span> marks an attack "
            "that no defense of the taxonomy whose modalities meet the "
            "scope's counters"
            + (
                ""
                if report.basis == BASES[-1]
                else f" at basis {_text(report.basis)} or stronger"
            )
            + ", be it a gap, open or supported: "
            f"{_text(NO_KNOWN_DEFENSE.meaning)}.",
        ),
        '<h2 id="attacks">Attacks by stage</h2>',
        *_grid(
            columns,
            cell,
            "Not in the threat model's scope.",
        ),
        *_threat_table(report, tagged),
        *_mitigation_table(report),
    ]
    return _page(title, body)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _attack_refs(ids: Iterable[str]) -> str:
    return ", ".join(
        f'<a href="#{_anchor("attack", a)}"><code>{_text(a)}</code></a>'
        for a in ids
    )


def _threat_table(
    report: CoverageReport,
    tagged: Mapping[str, tuple[str, ...]],
) -> list[str]:
    lines = ['<h2 id="threats">Threats</h2>']
    threats = report.model.threats
    if not threats:
        return [*lines, "<p>The threat model names no threat.</p>"]
    unmitigated = {t.id for t in report.unmitigated}
    lines += [
        "<table>",
        (
            "<thead><tr>"
            '<th scope="col">Id</th><th scope="col">Title</th>'
            '<th scope="col">Status</th><th scope="col">Attacks</th>'
            "</tr></thead>"
        ),
        "<tbody>",
    ]
    for t in threats:
        status = _text(t.status)
        if t.id in unmitigated:
            status += " (no mitigation)"
        if t.rationale:
            status += f": {_text(t.rationale)}"
        attacks = _attack_refs(tagged[t.id]) or "none of the taxonomy"
        lines.append(
            f'<tr><th scope="row"><code>{_text(t.id)}</code></th>'
            f"<td>{_text(t.title)}</td><td>{status}</td>"
            f"<td>{attacks}</td></tr>"
        )
    return [*lines, "</tbody>", "</table>"]


def _mitigation_table(report: CoverageReport) -> list[str]:
    lines = ['<h2 id="mitigations">Mitigations</h2>']
    if not report.mitigations:
        return [*lines, "<p>The threat model names no mitigation.</p>"]
    lines += [
        "<table>",
        (
            "<thead><tr>"
            '<th scope="col">Id</th><th scope="col">Title</th>'
            '<th scope="col">Support</th><th scope="col">Defenses</th>'
            '<th scope="col">Evidence</th>'
            "</tr></thead>"
        ),
        "<tbody>",
    ]
    for m in report.mitigations:
        defenses = (
            ", ".join(
                f"{_text(d.name)} <code>{_text(d.id)}</code>"
                for d in m.defenses
            )
            or "none of the taxonomy"
        )
        items = [
            f"<li><code>{_text(e.defense)}</code> against "
            f'<a href="#{_anchor("attack", e.attack)}">'
            f"<code>{_text(e.attack)}</code></a>: "
            f"<strong>{_text(e.basis)}</strong>"
            + (f" (caveat: {_text(e.caveat)})" if e.caveat else "")
            + "</li>"
            for e in m.evidence
        ]
        others = [a for a in m.without_evidence if a not in m.undefended]
        if m.status != "not-mapped" and others:
            items.append(
                "<li>no evidence that its defenses counter: "
                + _attack_refs(a.id for a in others)
                + "</li>"
            )
        if m.status != "not-mapped" and m.undefended:
            items.append(
                f"<li>{_text(NO_KNOWN_DEFENSE.label)}: "
                + _attack_refs(a.id for a in m.undefended)
                + "</li>"
            )
        evidence = f"<ul>{''.join(items)}</ul>" if items else ""
        lines.append(
            f'<tr><th scope="row"><code>{_text(m.mitigation.id)}</code></th>'
            f"<td>{_text(m.mitigation.title)} (mitigates "
            f"{_text(', '.join(m.mitigation.mitigates) or 'no threat')})</td>"
            f"<td>{_text(m.status)}</td><td>{defenses}</td>"
            f"<td>{evidence}</td></tr>"
        )
    return [*lines, "</tbody>", "</table>"]
