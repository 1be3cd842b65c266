"""
The taxonomy's records: plain, immutable values that point at each other by
id.  A :class:`~dnn_supply_chain.Taxonomy` resolves the references.
"""

from __future__ import annotations

import json
import math
import re

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Final, Literal, TypeAlias

import attrs

from attrs import field

from ._checks import (
    CHECK,
    ID,
    ID_PATTERN,
    IDS,
    FieldValueError,
    NotFast,
    integer,
    nested,
    one_of,
    optional,
    pattern,
    string,
    strings,
)
from ._checks import field as rule_field
from ._text import is_text
from .exceptions import Problem


__all__ = [
    "BASES",
    "BUNDLED",
    "CLASS_OF_COLLECTION",
    "COLLECTIONS",
    "COLLECTION_OF",
    "ID_PATTERN",
    "KINDS",
    "KIND_OF_COLLECTION",
    "KIND_OF_TYPE",
    "KIND_TABLE",
    "Attack",
    "Attributes",
    "Basis",
    "Category",
    "CounterEvidence",
    "Defense",
    "Deprecation",
    "ExtensionInfo",
    "MappingReason",
    "Paper",
    "Provenance",
    "Record",
    "Stage",
    "SurveyListing",
    "Vocabulary",
]


_ATLAS_TECHNIQUE = re.compile(r"AML\.T[0-9]{4}(?:\.[0-9]{3})?")
_ATLAS_MITIGATION = re.compile(r"AML\.M[0-9]{4}")
_OWASP_ML = re.compile(r"ML[0-9]{2}")
_OWASP_LLM = re.compile(r"LLM(?:0[1-9]|10):2025")
_NIST_AML = re.compile(r"NISTAML\.0[1-9][0-9]?")
_DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
_ARXIV = re.compile(r"[0-9]{4}\.[0-9]{4,5}")

TEXT: Final = string(nonempty=True)
_STR: Final = string()
_OPT_STR: Final = optional(_STR)
_TERMS: Final = strings(unique=True)


class Attributes(Mapping[str, Any]):
    """
    Attributes that extensions attach to records: an immutable mapping of
    namespaced keys (``"acme:severity"``) to JSON values.

    Lists come back as tuples and objects as read-only mappings; two
    attribute mappings are equal when their JSON is.

    .. versionadded:: 0.1.0
    """

    __slots__ = ("_canonical", "_data")

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        items: Mapping[Any, Any] = {} if data is None else data
        if not isinstance(items, Mapping):
            msg = f"attributes must be a mapping, got {type(items).__name__}"
            raise TypeError(msg)
        for key in items:
            if not isinstance(key, str) or not key or not is_text(key):
                msg = f"attribute keys must be non-empty text, got {key!r}"
                raise TypeError(msg)
        self._data: Mapping[str, Any] = MappingProxyType(
            {key: _freeze(value, key) for key, value in items.items()}
        )
        self._canonical: str | None = None

    def _key(self) -> str:
        # Computed when first compared or hashed: most records carry no
        # attributes and are never hashed.
        if self._canonical is None:
            self._canonical = json.dumps(
                self.to_json(), sort_keys=True, ensure_ascii=False
            )
        return self._canonical

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Attributes):
            return self._key() == other._key()
        if isinstance(other, Mapping):
            return self == Attributes(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Attributes({self.to_json()!r})"

    def to_json(self) -> dict[str, Any]:
        """
        Return the attributes as plain JSON values (lists and dicts).
        """
        return {key: _thaw(value) for key, value in self._data.items()}


_MAX_DEPTH = 64
# Python refuses to print an int of more than 4300 digits.
_MAX_INT = 10**4000


def _freeze(value: object, path: str, depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        msg = f"attribute {path!r}: values nest more than {_MAX_DEPTH} deep"
        raise ValueError(msg)
    if isinstance(value, str):
        if not is_text(value):
            msg = f"attribute {path!r}: not Unicode text (a lone surrogate)"
            raise ValueError(msg)
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= _MAX_INT:
            msg = f"attribute {path!r}: an integer too long to write as JSON"
            raise ValueError(msg)
        return value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            msg = f"attribute {path!r}: {value!r} is not a JSON number"
            raise ValueError(msg)
        return value
    if isinstance(value, list | tuple):
        return tuple(
            _freeze(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)
        )
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                msg = f"attribute {path!r}: object keys must be strings, got {key!r}"
                raise TypeError(msg)
        return MappingProxyType(
            {k: _freeze(v, f"{path}.{k}", depth + 1) for k, v in value.items()}
        )
    msg = f"attribute {path!r}: {type(value).__name__} is not a JSON value"
    raise TypeError(msg)


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    return value


_NO_ATTRIBUTES = Attributes()


def _fast_attributes(value: Any) -> Attributes:
    if type(value) is not dict:
        raise NotFast
    try:
        return _to_attributes(value)
    except (TypeError, ValueError):
        raise NotFast from None


def _to_attributes(value: Mapping[str, Any] | None) -> Attributes:
    if isinstance(value, Attributes):
        return value
    # Anything that is not a mapping (even an empty list) goes to
    # Attributes(), which refuses it.
    maybe: object = value
    if maybe is None or (isinstance(maybe, Mapping) and not maybe):
        return _NO_ATTRIBUTES
    return Attributes(value)


# The crosswalk fields' rules, shared by attacks and defenses.
_ATLAS_TECHNIQUES: Final = strings(pattern(_ATLAS_TECHNIQUE), unique=True)
_ATLAS_MITIGATIONS: Final = strings(pattern(_ATLAS_MITIGATION), unique=True)
_OWASP_ML_IDS: Final = strings(pattern(_OWASP_ML), unique=True)
_OWASP_LLM_IDS: Final = strings(pattern(_OWASP_LLM), unique=True)
_NIST_AML_IDS: Final = strings(pattern(_NIST_AML), unique=True)


@attrs.frozen(kw_only=True)
class Stage:
    """
    A stage of a model's lifecycle in the supply chain.

    Attributes:
        id: The stable id, for example ``"design"``.
        name: The English name, for example ``"Model design"``.
        name_zh: The Chinese name as the survey writes it.
        description: One sentence on what happens in the stage.
        actors: Who acts in the stage (English, with the survey's Chinese).
        artefacts: What the stage produces or touches.
        operations: What the actors do in the stage.
        next: The ids of the stages that follow this one.
        attributes: Namespaced attributes that extensions attach.

    .. versionadded:: 0.1.0
    """

    id: str = rule_field(ID)
    name: str = rule_field(TEXT)
    name_zh: str = rule_field(TEXT)
    description: str = rule_field(TEXT)
    actors: tuple[str, ...] = rule_field(strings(), default=())
    artefacts: tuple[str, ...] = rule_field(strings(), default=())
    operations: tuple[str, ...] = rule_field(strings(), default=())
    next: tuple[str, ...] = rule_field(IDS, default=())
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata={CHECK: _fast_attributes},
    )


@attrs.frozen(kw_only=True)
class Category:
    """
    A sub-category of the attacks of one stage.

    Attributes:
        id: The stable id, for example ``"compression"``.
        stage: The id of the stage the category belongs to.
        name: The English name.
        name_zh: The Chinese name as the survey writes it.
        attributes: Namespaced attributes that extensions attach.

    .. versionadded:: 0.1.0
    """

    id: str = rule_field(ID)
    stage: str = rule_field(ID)
    name: str = rule_field(TEXT)
    name_zh: str = rule_field(TEXT)
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata={CHECK: _fast_attributes},
    )


@attrs.frozen(kw_only=True)
class MappingReason:
    """
    Why a record maps to an OWASP LLM Top 10 or NIST AI 100-2 entry.

    Attributes:
        id: The entry's id, one of the record's ``owasp_llm`` or
            ``nist_aml`` ids, for example ``"LLM03:2025"``.
        why: The reason, quoting the framework where its words decide.
        confidence: ``"medium"`` where the mapping is a weaker fit, as the
            reference marks it; ``None`` where no qualification is stated.

    .. versionadded:: 0.2.0
    """

    id: str = rule_field(TEXT)
    why: str = rule_field(TEXT)
    confidence: str | None = rule_field(optional(TEXT), default=None)


def _reason_of(
    reasons: tuple[MappingReason, ...], ref: str
) -> MappingReason | None:
    for reason in reasons:
        if reason.id == ref:
            return reason
    return None


#: The rule of the mapping reasons of attacks and defenses.
_REASONS: Final = strings(nested(MappingReason))


@attrs.frozen(kw_only=True)
class Attack:
    """
    An attack on the model supply chain, named after the technique its first
    paper introduces.

    Attributes:
        id: The stable id, for example ``"ripple"``.
        name: The technique's name, for example ``"RIPPLe weight poisoning"``.
        stage: The id of the stage the attack targets.
        category: The id of its sub-category, or ``None`` where the survey
            gives the stage none.
        threat_types: Terms of the threat-type vocabulary.
        modalities: Terms of the modality vocabulary.
        summary: What the attack does, in a few sentences.
        attacker_access: What the attacker needs.
        papers: The ids of its papers; the first introduced it.
        atlas_techniques: MITRE ATLAS technique ids (curated crosswalk).
        owasp_ml: OWASP Machine Learning Top 10 (2023) ids (curated
            crosswalk).
        owasp_llm: OWASP Top 10 for LLM Applications 2025 ids, for
            example ``"LLM03:2025"`` (curated crosswalk).
        nist_aml: NIST AI 100-2 E2025 class ids, for example
            ``"NISTAML.023"`` (curated crosswalk).
        mapping_reasons: The reason of each ``owasp_llm`` and ``nist_aml``
            id (:meth:`reason` finds one).
        attributes: Namespaced attributes that extensions attach.

    .. versionadded:: 0.1.0
    """

    id: str = rule_field(ID)
    name: str = rule_field(TEXT)
    stage: str = rule_field(ID)
    category: str | None = rule_field(optional(ID), default=None)
    threat_types: tuple[str, ...] = rule_field(_TERMS, default=())
    modalities: tuple[str, ...] = rule_field(_TERMS, default=())
    summary: str = rule_field(_STR, default="")
    attacker_access: str = rule_field(_STR, default="")
    papers: tuple[str, ...] = rule_field(IDS, default=())
    atlas_techniques: tuple[str, ...] = rule_field(
        _ATLAS_TECHNIQUES, default=()
    )
    owasp_ml: tuple[str, ...] = rule_field(_OWASP_ML_IDS, default=())
    owasp_llm: tuple[str, ...] = rule_field(_OWASP_LLM_IDS, default=())
    nist_aml: tuple[str, ...] = rule_field(_NIST_AML_IDS, default=())
    mapping_reasons: tuple[MappingReason, ...] = rule_field(
        _REASONS, default=()
    )
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata={CHECK: _fast_attributes},
    )

    def reason(self, ref: str) -> MappingReason | None:
        """
        Return the reason of the mapping to the OWASP LLM or NIST id
        *ref*, or ``None`` when the record gives none.

        .. versionadded:: 0.2.0
        """
        return _reason_of(self.mapping_reasons, ref)


@attrs.frozen(kw_only=True)
class Defense:
    """
    A defense of the model supply chain.

    Attributes:
        id: The stable id, for example ``"decree"``.
        name: The technique's name.
        stage: The id of the stage the defense protects.
        counters: The threat types it is about (threat-type vocabulary).
            A shared threat type does not make a defense counter an
            attack: :class:`CounterEvidence` does.
        attacks: Deprecated: attack ids an extension listed as countered.
            They are read as ``claimed`` :class:`CounterEvidence`; the
            bundled data leaves this empty.
        modalities: Terms of the modality vocabulary.
        summary: What the defense does, in a few sentences.
        defender_access: What the defender needs, as its paper says.
        stage_applied: Where in the supply chain the defense is applied,
            and by whom (empty when unknown).
        defender_needs: What the defender must have to apply it: access,
            data, compute (empty when unknown).
        papers: The ids of its papers; the first introduced it.
        atlas_mitigations: MITRE ATLAS mitigation ids (curated crosswalk).
        atlas_counters: MITRE ATLAS technique ids it works against (curated
            crosswalk).
        owasp_ml: OWASP Machine Learning Top 10 (2023) ids (curated
            crosswalk).
        owasp_llm: OWASP Top 10 for LLM Applications 2025 ids, for
            example ``"LLM03:2025"`` (curated crosswalk).
        nist_aml: NIST AI 100-2 E2025 class ids, for example
            ``"NISTAML.023"`` (curated crosswalk).
        mapping_reasons: The reason of each ``owasp_llm`` and ``nist_aml``
            id (:meth:`reason` finds one).
        attributes: Namespaced attributes that extensions attach.

    .. versionadded:: 0.1.0
    """

    id: str = rule_field(ID)
    name: str = rule_field(TEXT)
    stage: str = rule_field(ID)
    counters: tuple[str, ...] = rule_field(_TERMS, default=())
    attacks: tuple[str, ...] = rule_field(IDS, default=())
    modalities: tuple[str, ...] = rule_field(_TERMS, default=())
    summary: str = rule_field(_STR, default="")
    defender_access: str = rule_field(_STR, default="")
    stage_applied: str = rule_field(_STR, default="")
    defender_needs: str = rule_field(_STR, default="")
    papers: tuple[str, ...] = rule_field(IDS, default=())
    atlas_mitigations: tuple[str, ...] = rule_field(
        _ATLAS_MITIGATIONS, default=()
    )
    atlas_counters: tuple[str, ...] = rule_field(_ATLAS_TECHNIQUES, default=())
    owasp_ml: tuple[str, ...] = rule_field(_OWASP_ML_IDS, default=())
    owasp_llm: tuple[str, ...] = rule_field(_OWASP_LLM_IDS, default=())
    nist_aml: tuple[str, ...] = rule_field(_NIST_AML_IDS, default=())
    mapping_reasons: tuple[MappingReason, ...] = rule_field(
        _REASONS, default=()
    )
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata={CHECK: _fast_attributes},
    )

    def reason(self, ref: str) -> MappingReason | None:
        """
        Return the reason of the mapping to the OWASP LLM or NIST id
        *ref*, or ``None`` when the record gives none.

        .. versionadded:: 0.2.0
        """
        return _reason_of(self.mapping_reasons, ref)


@attrs.frozen(kw_only=True)
class SurveyListing:
    """
    How the survey's listing shows a paper, which may differ from the
    published version (a preprint title, an early-access year, a broken
    link).

    Attributes:
        section: The English name of the listing's section.
        section_zh: The section heading as the survey writes it.
        subsection: The English name of the subsection, if any.
        subsection_zh: The subsection heading as the survey writes it.
        index: The entry's number within its (sub)section, from 1.
        title: The title as listed.
        venue: The venue as listed.
        year: The year as listed.
        paper_url: The ``[paper]`` link as listed.
        code_url: The ``[code]`` link as listed, if any.

    .. versionadded:: 0.1.0
    """

    section: str = rule_field(TEXT)
    section_zh: str = rule_field(TEXT)
    subsection: str | None = rule_field(_OPT_STR, default=None)
    subsection_zh: str | None = rule_field(_OPT_STR, default=None)
    index: int = rule_field(integer(1))
    title: str = rule_field(TEXT)
    venue: str = rule_field(TEXT)
    year: int = rule_field(integer())
    paper_url: str | None = rule_field(_OPT_STR, default=None)
    code_url: str | None = rule_field(_OPT_STR, default=None)


@attrs.frozen(kw_only=True)
class Paper:
    """
    A published paper, as verified against its publisher.

    Empty fields (``None``) are facts nobody could confirm; they are never
    guessed.

    Attributes:
        id: The BibTeX-style key, for example ``"kurita2020weight"``.
        title: The published title.
        authors: The authors, in order.
        venue: The full venue name.
        venue_short: A short venue label, for example ``"ACL 2020"``.
        year: The publication year.
        pages: The page range or article number.
        doi: The DOI, without ``https://doi.org/``.
        arxiv: The arXiv identifier.
        url: The paper's landing page.
        code: The code repository.
        listing: How the survey lists the paper, or ``None`` for a paper the
            survey does not list (the survey itself).
        attributes: Namespaced attributes that extensions attach.

    .. versionadded:: 0.1.0
    """

    id: str = rule_field(ID)
    title: str = rule_field(TEXT)
    authors: tuple[str, ...] = rule_field(strings(TEXT), default=())
    venue: str | None = rule_field(_OPT_STR, default=None)
    venue_short: str | None = rule_field(_OPT_STR, default=None)
    year: int | None = rule_field(optional(integer()), default=None)
    pages: str | None = rule_field(_OPT_STR, default=None)
    doi: str | None = rule_field(optional(pattern(_DOI)), default=None)
    arxiv: str | None = rule_field(optional(pattern(_ARXIV)), default=None)
    url: str | None = rule_field(_OPT_STR, default=None)
    code: str | None = rule_field(_OPT_STR, default=None)
    listing: SurveyListing | None = rule_field(
        optional(nested(SurveyListing)), default=None
    )
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata={CHECK: _fast_attributes},
    )


@attrs.frozen(kw_only=True)
class Vocabulary:
    """
    The controlled vocabulary that attacks and defenses are described with.

    It is open: extensions may add terms.

    Attributes:
        threat_types: The known threat types, for example ``"backdoor"``.
        modalities: The known data modalities, for example ``"NLP"``.

    .. versionadded:: 0.1.0
    """

    threat_types: tuple[str, ...] = rule_field(
        strings(TEXT, unique=True), default=()
    )
    modalities: tuple[str, ...] = rule_field(
        strings(TEXT, unique=True), default=()
    )


#: How a deprecated id was replaced.
CHANGES: Final = ("renamed", "merged", "split")


def _successors(
    inst: Deprecation, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    wanted_many = inst.change == "split"
    if (len(value) > 1) != wanted_many or not value:
        many = "two or more successors" if wanted_many else "one successor"
        msg = f"'{attribute.name}' must list {many} for an id that was {inst.change}"
        raise FieldValueError(msg, attribute.name)


@attrs.frozen(kw_only=True)
class Deprecation:
    """
    An id that no longer names a record, and what replaced it.

    Ids are a public contract: a released id never changes meaning and is
    never reused.  When a record is renamed, merged into another or split,
    its old id stays here; :meth:`Taxonomy.get` follows it with a
    :class:`DeprecationWarning` naming the successor.

    Attributes:
        id: The old id.
        successors: The ids that replace it: one for ``renamed`` and
            ``merged``, several for ``split``.
        change: ``"renamed"``, ``"merged"`` or ``"split"``.
        since: The release that deprecated it, for example ``"0.2.0"``.
        note: Why, in a sentence.

    .. versionadded:: 0.1.0
    """

    id: str = rule_field(ID)
    change: str = rule_field(one_of(CHANGES))
    # Checked with the change: so never built by the fast path.
    successors: tuple[str, ...] = field(validator=[IDS.validator, _successors])
    since: str = rule_field(TEXT)
    note: str = rule_field(_STR, default="")


#: Any record a taxonomy holds by id.
Record: TypeAlias = Stage | Category | Attack | Defense | Paper


#: How strong the evidence that a defense counters an attack is.
Basis: TypeAlias = Literal["evaluated", "claimed", "mechanism"]

#: The bases of counter evidence, strongest first.
BASES: Final[tuple[Basis, ...]] = ("evaluated", "claimed", "mechanism")


@attrs.frozen(kw_only=True)
class CounterEvidence:
    """
    The evidence that a defense counters an attack.

    Attributes:
        defense: The defense's id.
        attack: The attack's id.
        basis: How strong the evidence is, strongest first:
            ``"evaluated"`` (the defense's paper or official code runs
            this attack), ``"claimed"`` (the defense's own text claims a
            narrow family the attack belongs to, untested) or
            ``"mechanism"`` (the method applies by construction; nothing
            claims or tests it).
        evidence: What the evidence is, in a sentence or two.
        source: Where it can be checked: a paper section, a file of the
            official code at a commit.
        caveat: What limits it, if anything.

    .. versionadded:: 0.2.0
    """

    defense: str = rule_field(ID)
    attack: str = rule_field(ID)
    basis: Basis = rule_field(one_of(BASES))
    evidence: str = rule_field(TEXT)
    source: str = rule_field(TEXT)
    caveat: str | None = rule_field(optional(TEXT), default=None)

    @property
    def rank(self) -> int:
        """
        The basis's place in :data:`BASES`: 0 for the strongest.
        """
        return BASES.index(self.basis)


@attrs.frozen(kw_only=True)
class Provenance:
    """
    Where a record came from.

    Attributes:
        source: ``"bundled"``, or the name of the distribution whose
            extension defines the record.
        version: That distribution's version (``None`` for bundled).
        extension: The extension's entry point name, if any.
        extended_by: The extensions that linked additions onto the record.

    .. versionadded:: 0.1.0
    """

    source: str
    version: str | None = None
    extension: str | None = None
    extended_by: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.extension is None:
            text = self.source
        else:
            text = (
                f"{self.source} {self.version} (extension {self.extension!r})"
            )
        if self.extended_by:
            text += f", extended by {', '.join(self.extended_by)}"
        return text


#: The provenance of the bundled records.
BUNDLED: Final = Provenance(source="bundled")


@attrs.frozen(kw_only=True)
class ExtensionInfo:
    """
    An installed extension, and what became of it.

    Attributes:
        name: The entry point name.
        distribution: The distribution that declares it.
        version: The distribution's version.
        value: The entry point's value (``module:file.toml`` or
            ``module:callable``).
        status: ``"loaded"``, ``"skipped"`` (broken) or
            ``"not selected"``.
        namespace: The namespace its fragment declares, once read.
        records: How many records it adds, once loaded.
        problems: Why it was skipped.

    .. versionadded:: 0.1.0
    """

    name: str
    distribution: str
    version: str
    value: str
    status: str = "not selected"
    namespace: str | None = None
    records: int = 0
    problems: tuple[Problem, ...] = ()

    @property
    def label(self) -> str:
        """
        ``name (distribution version)``, as messages name the extension.
        """
        return f"{self.name!r} ({self.distribution} {self.version})"


@attrs.frozen
class _Kind:
    """
    One kind of record: its name, the collection that holds it, its class.
    """

    name: str
    collection: str
    cls: type[Record]


#: Every kind of record, in the order a taxonomy lists them: the one table
#: the rest of the package derives its kind maps from.
KIND_TABLE: Final = (
    _Kind("stage", "stages", Stage),
    _Kind("category", "categories", Category),
    _Kind("attack", "attacks", Attack),
    _Kind("defense", "defenses", Defense),
    _Kind("paper", "papers", Paper),
)

#: The kinds of record, in the order a taxonomy lists them.
KINDS: Final = tuple(k.name for k in KIND_TABLE)
#: The collection names, in the same order.
COLLECTIONS: Final = tuple(k.collection for k in KIND_TABLE)
#: kind name -> collection name.
COLLECTION_OF: Final = {k.name: k.collection for k in KIND_TABLE}
#: collection name -> kind name.
KIND_OF_COLLECTION: Final = {k.collection: k.name for k in KIND_TABLE}
#: collection name -> record class.
CLASS_OF_COLLECTION: Final[dict[str, type[Record]]] = {
    k.collection: k.cls for k in KIND_TABLE
}
#: record class -> kind name.
KIND_OF_TYPE: Final[dict[type, str]] = {k.cls: k.name for k in KIND_TABLE}
