"""
The taxonomy as a STIX 2.1 bundle, for threat-intelligence platforms.

The bundle is plain JSON built with the standard library; the ``stix2``
packages are not needed to write it, only to read it.

What becomes what:

- Each attack becomes an ``attack-pattern`` and each defense a
  ``course-of-action``; the name is the record's name and the description
  its summary.
- A ``relationship`` of type ``mitigates`` runs from a course of action to
  an attack pattern for each link of counter evidence
  (:meth:`~dnn_supply_chain.Taxonomy.counter_evidence`), and for nothing
  else: a shared threat type makes none.  Its ``description`` gives the
  basis and what it means, the evidence, its source and its caveat, if
  any; its ``confidence`` is the basis on the STIX 2.1 "None / Low / Med /
  High" scale (``CONFIDENCE``): ``evaluated`` is High (85), ``claimed``
  Med (50) and ``mechanism`` Low (15).
- An attack pattern has one ``kill_chain_phases`` entry, with the
  ``kill_chain_name`` ``"dnn-supply-chain"`` and the stage's id as its
  ``phase_name``.
- ``external_references`` of an object, in this order:

  - the record itself: ``source_name`` ``"dnn-supply-chain"``,
    ``external_id`` the record's id, so that tools can map back;
  - for each of its papers, the introducing one first: a reference with
    the paper's id as ``source_name``, its title, venue and year as
    ``description`` and its landing page as ``url``; then, where known,
    the DOI (``source_name`` ``"doi"``, ``url``
    ``https://doi.org/<doi>``), the arXiv id (``"arxiv"``,
    ``https://arxiv.org/abs/<id>``) and the code repository (``"code"``),
    whose descriptions name the paper's id;
  - the MITRE ATLAS techniques of an attack, or the ATLAS mitigations and
    countered techniques of a defense, as links for people:
    ``source_name`` ``"dnn-supply-chain-atlas-crosswalk"``, ``url``
    ``https://atlas.mitre.org/techniques/<id>`` or
    ``https://atlas.mitre.org/mitigations/<id>``, and a ``description``
    naming the ATLAS id and saying that it is a curated mapping.  These
    references carry no ``external_id``: in ATLAS's and ATT&CK's own
    bundles an object's ``external_id`` is that object's own id, and tools
    such as ``mitreattack-python``'s ``get_object_by_attack_id`` find an
    object by it; an object of ours is never an ATLAS technique or
    mitigation.  The machine-readable mapping is in the property extension
    (``atlas_techniques``, ``atlas_mitigations``, ``atlas_counters``);
  - the OWASP Machine Learning Security Top 10 risks: ``source_name``
    ``"owasp-ml-top-10-2023"``, ``external_id`` for example ``"ML06"``,
    ``url`` the project's page.

- What STIX has no property for travels in a property extension, published
  in the bundle as an ``extension-definition`` object (``EXTENSION_ID``,
  described by the JSON Schema that ``extension_schema()`` returns).
  Each attack pattern and course of action carries it under
  ``extensions[EXTENSION_ID]``, with ``extension_type``
  ``"property-extension"`` and:

  - ``stage``: the stage's id;
  - ``category``: the category's id (attacks that have one);
  - ``threat_types`` (attacks) or ``counters`` (defenses): threat types;
  - ``modalities``: data modalities;
  - ``attacker_access`` or ``defender_access``: what each side needs;
  - ``atlas_version``: the MITRE ATLAS release the ATLAS ids refer to;
  - ``atlas_techniques`` (attacks), ``atlas_mitigations`` and
    ``atlas_counters`` (defenses): the ATLAS ids of the curated crosswalk
    (``AML.T0018.000``, ``AML.M0008``);
  - ``owasp_llm`` and ``nist_aml``: the OWASP Top 10 for LLM Applications
    2025 ids (``LLM03:2025``) and NIST AI 100-2 E2025 class ids
    (``NISTAML.023``) of the crosswalk (their reasons are in the JSON
    export and ``show``);
  - ``provenance``: where the record came from: ``source`` (``"bundled"``
    or an extension's distribution), and where set ``version``,
    ``extension`` and ``extended_by``;
  - ``attributes``: the namespaced attributes extensions attach.

  Empty values are left out, as STIX asks.
- An ``identity`` named ``"dnn-supply-chain"`` is the ``created_by_ref`` of
  every object, its own included.  The survey is an external reference of
  the extension definition, whose stages and categories come from it.

The output is deterministic: exporting the same taxonomy twice gives the
same bytes.  Ids are UUIDv5 in the namespace ``NAMESPACE``
(``8c8e5641-8643-5227-a5d2-38dc3b4fe7a7``, itself the UUIDv5 of the URL
``https://pypi.org/project/dnn-supply-chain/``) of a key made of the STIX
type and the record ids, joined by ``/``:
``attack-pattern/ripple``, ``course-of-action/decree``,
``relationship/mitigates/decree/badencoder``,
``identity/dnn-supply-chain``, ``extension-definition/dnn-supply-chain``.
Record ids never contain ``/``, so keys never collide, and ids stay the
same from one release to the next.  The bundle's id is the UUIDv5 of
``bundle/`` and the SHA-256 of its objects, so it changes exactly when
they do.  ``created`` is the fixed ``TIMESTAMP``
(``2026-11-26T00:00:00.000Z``), never the time of the export; ``modified``
is ``TIMESTAMP`` plus a number of milliseconds under one day taken from the
SHA-256 of the object's content (every property but ``modified``), so that
it changes whenever the content does (an extension links to a record, a
summary is corrected) while the id stays: a consumer that keys objects by
``id`` and ``modified`` sees the new version.  Being a hash, it does not
order versions; each release of the bundled data moves ``TIMESTAMP`` on,
which does.  Objects come in the order identity,
extension definition, attack patterns, courses of action, relationships,
each in taxonomy order (the relationships by defense, each defense's
strongest evidence first); keys are sorted.

STIX recommends UUIDv4 for these objects, and hashes for the content of
every reference's ``url``.  Neither fits a reproducible export that
links to pages which change (MITRE's own ATLAS bundle uses UUIDv5 ids
too), so the official validator warns about every id (``uuid-check``,
103) and every object with a link (``extref-hashes``, 302), and reports
no error; ``stix2_validator --strict -d uuid-check,extref-hashes`` passes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid

from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

from dnn_supply_chain.crosswalk import load_crosswalk


if TYPE_CHECKING:
    from dnn_supply_chain._records import (
        Attack,
        CounterEvidence,
        Defense,
        Paper,
    )
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = [
    "CONFIDENCE",
    "EXTENSION_ID",
    "EXTENSION_VERSION",
    "NAMESPACE",
    "TIMESTAMP",
    "extension_schema",
    "render",
]

#: The namespace of the UUIDv5 ids:
#: ``uuid.uuid5(uuid.NAMESPACE_URL, "https://pypi.org/project/dnn-supply-chain/")``.
NAMESPACE: Final = uuid.UUID("8c8e5641-8643-5227-a5d2-38dc3b4fe7a7")

#: The ``created`` time of every object, and the base of its
#: ``modified`` (which adds a content-derived offset under one day): the
#: day this mapping was defined.  Objects keep their ids across releases,
#: so a release that changes the bundled data should move this date on.
TIMESTAMP: Final = "2026-11-26T00:00:00.000Z"

#: The version of the property extension (its ``version`` property).
EXTENSION_VERSION: Final = "1.0.0"

#: Where the extension's definition is published (its ``schema``
#: property).
_SCHEMA_URL: Final = "https://pypi.org/project/dnn-supply-chain/"

_CREATOR: Final = "dnn-supply-chain"
_KILL_CHAIN: Final = "dnn-supply-chain"
_ATLAS: Final = "https://atlas.mitre.org"
_OWASP: Final = (
    "https://owasp.org/www-project-machine-learning-security-top-10/"
)
_OWASP_SOURCE: Final = "owasp-ml-top-10-2023"
_ATLAS_SOURCE: Final = "dnn-supply-chain-atlas-crosswalk"

#: The ``confidence`` of a ``mitigates`` relationship, by the basis of its
#: counter evidence: the values the STIX 2.1 specification gives the
#: "None / Low / Med / High" scale (its appendix A, confidence scales)
#: for High, Med and Low.  Nothing is None: a pair without evidence has
#: no relationship.
CONFIDENCE: Final = {"evaluated": 85, "claimed": 50, "mechanism": 15}

#: What each basis means, for the description of a relationship.
_MEANING: Final = {
    "evaluated": "the defense's paper or official code runs this attack",
    "claimed": (
        "the defense's own text claims a narrow family of attacks that this "
        "attack belongs to, without testing it"
    ),
    "mechanism": (
        "the defense's method applies to this attack by construction; "
        "nothing claims or tests it"
    ),
}


def _stix_id(stix_type: str, *keys: str) -> str:
    """
    Return the id of the object of *stix_type* for the record ids *keys*.
    """
    name = "/".join((stix_type, *keys))
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, name)}"


#: The id of the extension-definition object that every attack pattern
#: and course of action refers to in its ``extensions``.
EXTENSION_ID: Final = _stix_id("extension-definition", _CREATOR)

_IDENTITY_ID: Final = _stix_id("identity", _CREATOR)


def extension_schema() -> dict[str, Any]:
    """
    Return the JSON Schema of the property extension: what an object holds
    under ``extensions[EXTENSION_ID]``.
    """
    strings = {"type": "array", "items": {"type": "string"}, "minItems": 1}
    text = {"type": "string", "minLength": 1}
    atlas_techniques = {
        **strings,
        "items": {
            "type": "string",
            "pattern": "^AML\\.T[0-9]{4}(\\.[0-9]{3})?$",
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dnn-supply-chain taxonomy properties",
        "description": (
            "The survey's classification of an attack-pattern or "
            "course-of-action exported by dnn-supply-chain."
        ),
        "type": "object",
        "properties": {
            "extension_type": {"const": "property-extension"},
            "stage": text,
            "category": text,
            "threat_types": strings,
            "counters": strings,
            "modalities": strings,
            "attacker_access": text,
            "defender_access": text,
            "atlas_version": text,
            "atlas_techniques": atlas_techniques,
            "atlas_mitigations": {
                **strings,
                "items": {"type": "string", "pattern": "^AML\\.M[0-9]{4}$"},
            },
            "atlas_counters": atlas_techniques,
            "owasp_llm": {
                **strings,
                "items": {
                    "type": "string",
                    "pattern": "^LLM[0-9]{2}:[0-9]{4}$",
                },
            },
            "nist_aml": {
                **strings,
                "items": {
                    "type": "string",
                    "pattern": "^NISTAML\\.[0-9]{2,3}$",
                },
            },
            "provenance": {
                "type": "object",
                "properties": {
                    "source": text,
                    "version": text,
                    "extension": text,
                    "extended_by": strings,
                },
                "required": ["source"],
                "additionalProperties": False,
            },
            "attributes": {"type": "object", "minProperties": 1},
        },
        "required": ["extension_type", "stage", "provenance"],
        "additionalProperties": False,
    }


def _common(stix_type: str, stix_id: str) -> dict[str, Any]:
    """
    Return the properties every object shares.
    """
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": stix_id,
        "created_by_ref": _IDENTITY_ID,
        "created": TIMESTAMP,
        "modified": TIMESTAMP,
    }


def _identity() -> dict[str, Any]:
    """
    Return the identity that creates every object, itself included (as
    the STIX interoperability profile asks).
    """
    found = _common("identity", _IDENTITY_ID)
    found.update(
        name=_CREATOR,
        identity_class="group",
        description=(
            "The maintainers of dnn-supply-chain, the Python library that "
            "publishes the taxonomy of the survey 'Security of Deep Neural "
            "Network Supply Chains: A Survey'."
        ),
    )
    return found


def _extension_definition(taxonomy: Taxonomy) -> dict[str, Any]:
    """
    Return the extension-definition object of the property extension.
    """
    found = _common("extension-definition", EXTENSION_ID)
    found.update(
        name="dnn-supply-chain taxonomy properties",
        description=(
            "Where an attack-pattern or course-of-action sits in the "
            "taxonomy of deep-learning model supply chains: its lifecycle "
            "stage, attack category, threat types, data modalities and "
            "what it needs, and where the record came from (the bundled "
            "survey or an extension package)."
        ),
        schema=_SCHEMA_URL,
        version=EXTENSION_VERSION,
        extension_types=["property-extension"],
    )
    survey = taxonomy.survey_paper
    if survey is not None:
        found["external_references"] = _paper_references(survey)
    return found


def _citation(paper: Paper) -> str:
    """
    Return the title of *paper*, followed by its venue and year if known.
    """
    where = paper.venue_short or ", ".join(
        str(part) for part in (paper.venue, paper.year) if part is not None
    )
    return f"{paper.title} ({where})" if where else paper.title


# An absolute http(s) URI of RFC 3986 characters only: what STIX's url
# properties must hold. Data the loader accepts may hold less (a space, no
# scheme); such text goes to the reference's description instead.
_URI: Final = re.compile(r"https?://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+")


def _uri(text: str) -> str | None:
    """
    *text* if it is a valid absolute http(s) URI, else None.
    """
    return text if _URI.fullmatch(text) else None


def _doi_url(doi: str) -> str:
    """
    The resolver URL of *doi*, percent-encoding what a URI cannot hold.
    """
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


def _paper_references(paper: Paper) -> list[dict[str, str]]:
    """
    Return the external references of *paper*: itself, then its DOI, arXiv
    id and code repository where known.
    """
    own: dict[str, str] = {
        "source_name": paper.id,
        "description": _citation(paper),
    }
    if paper.url:
        url = _uri(paper.url)
        if url is None:
            own["description"] += (
                f"; landing page, not a valid URI: {paper.url}"
            )
        else:
            own["url"] = url
    found = [own]
    if paper.doi:
        found.append(
            {
                "source_name": "doi",
                "external_id": paper.doi,
                "url": _doi_url(paper.doi),
                "description": f"DOI of {paper.id}",
            }
        )
    if paper.arxiv:
        found.append(
            {
                "source_name": "arxiv",
                "external_id": paper.arxiv,
                "url": f"https://arxiv.org/abs/{paper.arxiv}",
                "description": f"arXiv preprint of {paper.id}",
            }
        )
    if paper.code:
        code = _uri(paper.code)
        found.append(
            {
                "source_name": "code",
                "url": code,
                "description": f"Code of {paper.id}",
            }
            if code is not None
            else {
                "source_name": "code",
                "description": f"Code of {paper.id}, not a valid URI: {paper.code}",
            }
        )
    return found


def _atlas_references(
    ids: tuple[str, ...], kind: str, role: str
) -> list[dict[str, str]]:
    """
    Return a link to the ATLAS page of each entry of *kind*
    (``techniques`` or ``mitigations``) in *ids*, without an
    ``external_id`` (which would claim the ATLAS id as the object's own).
    """
    catalog = load_crosswalk()
    found = []
    for atlas_id in ids:
        name = catalog.current_name(atlas_id)
        named = f"{atlas_id} {name}" if name else atlas_id
        found.append(
            {
                "source_name": _ATLAS_SOURCE,
                "description": (
                    f"{role}: MITRE ATLAS {named} (curated crosswalk, not "
                    "an official MITRE mapping; not this object's own id)"
                ),
                "url": f"{_ATLAS}/{kind}/{atlas_id}",
            }
        )
    return found


def _owasp_references(ids: tuple[str, ...]) -> list[dict[str, str]]:
    """
    Return a reference to each OWASP Machine Learning Top 10 risk in *ids*.
    """
    return [
        {"source_name": _OWASP_SOURCE, "external_id": risk, "url": _OWASP}
        for risk in ids
    ]


def _atlas_version(taxonomy: Taxonomy, *ids: tuple[str, ...]) -> str | None:
    """
    Return the ATLAS release of *taxonomy* if any of *ids* is set.
    """
    return taxonomy.atlas_version if any(ids) else None


def _references(
    taxonomy: Taxonomy, record: Attack | Defense
) -> list[dict[str, str]]:
    """
    Return the references *record* and its papers share between attack
    patterns and courses of action: the record itself, then its papers.
    """
    found = [{"source_name": _CREATOR, "external_id": record.id}]
    for paper in taxonomy.papers_of(record.id):
        found.extend(_paper_references(paper))
    return found


def _extension(
    taxonomy: Taxonomy, record: Attack | Defense, properties: dict[str, Any]
) -> dict[str, Any]:
    """
    Return the ``extensions`` property of *record*: the taxonomy properties
    in *properties*, without the empty ones, and where it came from.
    """
    found: dict[str, Any] = {"extension_type": "property-extension"}
    found.update((k, v) for k, v in properties.items() if v)
    origin = taxonomy.provenance(record.id)
    provenance: dict[str, Any] = {"source": origin.source}
    if origin.version is not None:
        provenance["version"] = origin.version
    if origin.extension is not None:
        provenance["extension"] = origin.extension
    if origin.extended_by:
        provenance["extended_by"] = list(origin.extended_by)
    found["provenance"] = provenance
    if record.attributes:
        found["attributes"] = record.attributes.to_json()
    return {EXTENSION_ID: found}


def _attack_pattern(taxonomy: Taxonomy, attack: Attack) -> dict[str, Any]:
    """
    Return the attack-pattern object of *attack*.
    """
    found = _common("attack-pattern", _stix_id("attack-pattern", attack.id))
    found["name"] = attack.name
    if attack.summary:
        found["description"] = attack.summary
    found["kill_chain_phases"] = [
        {"kill_chain_name": _KILL_CHAIN, "phase_name": attack.stage}
    ]
    found["external_references"] = [
        *_references(taxonomy, attack),
        *_atlas_references(
            attack.atlas_techniques,
            "techniques",
            "ATLAS technique it realises",
        ),
        *_owasp_references(attack.owasp_ml),
    ]
    found["extensions"] = _extension(
        taxonomy,
        attack,
        {
            "stage": attack.stage,
            "category": attack.category,
            "threat_types": list(attack.threat_types),
            "modalities": list(attack.modalities),
            "attacker_access": attack.attacker_access,
            "atlas_version": _atlas_version(taxonomy, attack.atlas_techniques),
            "atlas_techniques": list(attack.atlas_techniques),
            "owasp_llm": list(attack.owasp_llm),
            "nist_aml": list(attack.nist_aml),
        },
    )
    return found


def _course_of_action(taxonomy: Taxonomy, defense: Defense) -> dict[str, Any]:
    """
    Return the course-of-action object of *defense*.
    """
    found = _common(
        "course-of-action", _stix_id("course-of-action", defense.id)
    )
    found["name"] = defense.name
    if defense.summary:
        found["description"] = defense.summary
    found["external_references"] = [
        *_references(taxonomy, defense),
        *_atlas_references(
            defense.atlas_mitigations,
            "mitigations",
            "ATLAS mitigation it implements",
        ),
        *_atlas_references(
            defense.atlas_counters, "techniques", "ATLAS technique it counters"
        ),
        *_owasp_references(defense.owasp_ml),
    ]
    found["extensions"] = _extension(
        taxonomy,
        defense,
        {
            "stage": defense.stage,
            "counters": list(defense.counters),
            "modalities": list(defense.modalities),
            "defender_access": defense.defender_access,
            "atlas_version": _atlas_version(
                taxonomy, defense.atlas_mitigations, defense.atlas_counters
            ),
            "atlas_mitigations": list(defense.atlas_mitigations),
            "atlas_counters": list(defense.atlas_counters),
            "owasp_llm": list(defense.owasp_llm),
            "nist_aml": list(defense.nist_aml),
        },
    )
    return found


def _sentence(text: str) -> str:
    """
    Return *text* ending with a full stop.
    """
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _mitigates(
    defense: Defense, attack: Attack, link: CounterEvidence
) -> dict[str, Any]:
    """
    Return the relationship saying that *defense* mitigates *attack*, on
    the evidence of *link*.
    """
    found = _common(
        "relationship",
        _stix_id("relationship", "mitigates", defense.id, attack.id),
    )
    parts = [
        f"{defense.name} counters {attack.name}.",
        f"Basis: {link.basis} ({_MEANING[link.basis]}).",
        f"Evidence: {_sentence(link.evidence)}",
        f"Source: {_sentence(link.source)}",
    ]
    if link.caveat is not None:
        parts.append(f"Caveat: {_sentence(link.caveat)}")
    found.update(
        relationship_type="mitigates",
        source_ref=_stix_id("course-of-action", defense.id),
        target_ref=_stix_id("attack-pattern", attack.id),
        confidence=CONFIDENCE[link.basis],
        description=" ".join(parts),
    )
    return found


_DAY_MS: Final = 86_400_000


def _stamped(obj: dict[str, Any]) -> dict[str, Any]:
    """
    *obj* with ``modified`` derived from its content: ``TIMESTAMP`` plus
    up to a day of milliseconds from the SHA-256 of every other property.
    """
    content = {k: v for k, v in obj.items() if k != "modified"}
    digest = hashlib.sha256(_dumps(content).encode("utf-8")).digest()
    offset = int.from_bytes(digest[:8], "big") % _DAY_MS
    base = dt.datetime.fromisoformat(TIMESTAMP)
    when = base + dt.timedelta(milliseconds=offset)
    return {
        **obj,
        "modified": when.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{when.microsecond // 1000:03d}Z",
    }


def _dumps(data: object) -> str:
    """
    Return *data* as the JSON text of the export: sorted keys, indented.
    """
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)


def render(taxonomy: Taxonomy) -> str:
    """
    Return *taxonomy* as the JSON text of a STIX 2.1 bundle.

    The same taxonomy always gives the same text.

    .. versionadded:: 0.1.0
    """
    objects = [
        _identity(),
        _extension_definition(taxonomy),
        *(_attack_pattern(taxonomy, a) for a in taxonomy.attacks),
        *(_course_of_action(taxonomy, d) for d in taxonomy.defenses),
        *(
            _mitigates(d, taxonomy.attack(link.attack), link)
            for d in taxonomy.defenses
            for link in taxonomy.counter_evidence(defense=d.id)
        ),
    ]
    objects = [_stamped(o) for o in objects]
    digest = hashlib.sha256(_dumps(objects).encode("utf-8")).hexdigest()
    bundle = {
        "type": "bundle",
        "id": _stix_id("bundle", digest),
        "objects": objects,
    }
    return _dumps(bundle) + "\n"
