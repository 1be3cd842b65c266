"""
The taxonomy's records: plain, immutable values that point at each other by
id.  A :class:`~dnn_supply_chain.Taxonomy` resolves the references.
"""

from __future__ import annotations

import json
import math
import re

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

import attrs

from attrs import field, validators

from . import _checks as _c
from ._checks import ID_PATTERN, check
from ._text import is_text


__all__ = [
    "ID_PATTERN",
    "Attack",
    "Attributes",
    "Category",
    "Defense",
    "Deprecation",
    "Paper",
    "Record",
    "Stage",
    "SurveyListing",
    "Vocabulary",
]


_ATLAS_TECHNIQUE = re.compile(r"AML\.T[0-9]{4}(?:\.[0-9]{3})?")
_ATLAS_MITIGATION = re.compile(r"AML\.M[0-9]{4}")
_OWASP_ML = re.compile(r"ML[0-9]{2}")
_DOI = re.compile(r"10\.[0-9]{4,9}/\S+")
_ARXIV = re.compile(r"[0-9]{4}\.[0-9]{4,5}")

_Validator: TypeAlias = Callable[[Any, "attrs.Attribute[Any]", Any], Any]


def _unicode(
    _inst: object, attribute: attrs.Attribute[Any], value: Any
) -> None:
    if isinstance(value, str) and not is_text(value):
        msg = f"'{attribute.name}' is not Unicode text (a lone surrogate)"
        raise ValueError(msg)


_str = validators.and_(validators.instance_of(str), _unicode)
_optional_str = validators.optional(_str)
_id = validators.and_(_str, validators.matches_re(ID_PATTERN))


def _nonempty(
    _inst: object, attribute: attrs.Attribute[str], value: str
) -> None:
    if not value.strip():
        msg = f"'{attribute.name}' must not be empty"
        raise ValueError(msg)


_text = validators.and_(_str, _nonempty)


def _strings(
    member: _Validator = _str,
) -> _Validator:
    return validators.deep_iterable(
        member_validator=member,
        iterable_validator=validators.instance_of(tuple),
    )


def _unique(
    _inst: object,
    attribute: attrs.Attribute[tuple[str, ...]],
    value: tuple[str, ...],
) -> None:
    seen: set[str] = set()
    for item in value:
        if item in seen:
            msg = f"'{attribute.name}' lists {item!r} twice"
            raise ValueError(msg)
        seen.add(item)


def _ids() -> _Validator:
    return validators.and_(_strings(_id), _unique)


def _matching(
    pattern: re.Pattern[str],
) -> _Validator:
    return validators.and_(
        _strings(validators.and_(_str, validators.matches_re(pattern))),
        _unique,
    )


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
        raise _c.NotFast
    try:
        return _to_attributes(value)
    except (TypeError, ValueError):
        raise _c.NotFast from None


def _to_attributes(value: Mapping[str, Any] | None) -> Attributes:
    if isinstance(value, Attributes):
        return value
    # Anything that is not a mapping (even an empty list) goes to
    # Attributes(), which refuses it.
    maybe: object = value
    if maybe is None or (isinstance(maybe, Mapping) and not maybe):
        return _NO_ATTRIBUTES
    return Attributes(value)


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

    id: str = field(validator=_id, metadata=check(_c.ID))
    name: str = field(validator=_text, metadata=check(_c.text))
    name_zh: str = field(validator=_text, metadata=check(_c.text))
    description: str = field(validator=_text, metadata=check(_c.text))
    actors: tuple[str, ...] = field(
        default=(), validator=_strings(), metadata=check(_c.STRINGS)
    )
    artefacts: tuple[str, ...] = field(
        default=(), validator=_strings(), metadata=check(_c.STRINGS)
    )
    operations: tuple[str, ...] = field(
        default=(), validator=_strings(), metadata=check(_c.STRINGS)
    )
    next: tuple[str, ...] = field(
        default=(), validator=_ids(), metadata=check(_c.IDS)
    )
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata=check(_fast_attributes),
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

    id: str = field(validator=_id, metadata=check(_c.ID))
    stage: str = field(validator=_id, metadata=check(_c.ID))
    name: str = field(validator=_text, metadata=check(_c.text))
    name_zh: str = field(validator=_text, metadata=check(_c.text))
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata=check(_fast_attributes),
    )


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
        attributes: Namespaced attributes that extensions attach.

    .. versionadded:: 0.1.0
    """

    id: str = field(validator=_id, metadata=check(_c.ID))
    name: str = field(validator=_text, metadata=check(_c.text))
    stage: str = field(validator=_id, metadata=check(_c.ID))
    category: str | None = field(
        default=None,
        validator=validators.optional(_id),
        metadata=check(_c.optional(_c.ID)),
    )
    threat_types: tuple[str, ...] = field(
        default=(),
        validator=validators.and_(_strings(), _unique),
        metadata=check(_c.UNIQUE_STRINGS),
    )
    modalities: tuple[str, ...] = field(
        default=(),
        validator=validators.and_(_strings(), _unique),
        metadata=check(_c.UNIQUE_STRINGS),
    )
    summary: str = field(default="", validator=_str, metadata=check(_c.str_))
    attacker_access: str = field(
        default="", validator=_str, metadata=check(_c.str_)
    )
    papers: tuple[str, ...] = field(
        default=(), validator=_ids(), metadata=check(_c.IDS)
    )
    atlas_techniques: tuple[str, ...] = field(
        default=(),
        validator=_matching(_ATLAS_TECHNIQUE),
        metadata=check(_c.tuple_of(_c.pattern(_ATLAS_TECHNIQUE), unique=True)),
    )
    owasp_ml: tuple[str, ...] = field(
        default=(),
        validator=_matching(_OWASP_ML),
        metadata=check(_c.tuple_of(_c.pattern(_OWASP_ML), unique=True)),
    )
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata=check(_fast_attributes),
    )


@attrs.frozen(kw_only=True)
class Defense:
    """
    A defense of the model supply chain.

    Attributes:
        id: The stable id, for example ``"decree"``.
        name: The technique's name.
        stage: The id of the stage the defense protects.
        counters: The threat types it counters (threat-type vocabulary).
        attacks: The ids of attacks it is explicitly known to counter,
            beyond those matched by threat type.
        modalities: Terms of the modality vocabulary.
        summary: What the defense does, in a few sentences.
        defender_access: What the defender needs.
        papers: The ids of its papers; the first introduced it.
        atlas_mitigations: MITRE ATLAS mitigation ids (curated crosswalk).
        atlas_counters: MITRE ATLAS technique ids it works against (curated
            crosswalk).
        owasp_ml: OWASP Machine Learning Top 10 (2023) ids (curated
            crosswalk).
        attributes: Namespaced attributes that extensions attach.

    .. versionadded:: 0.1.0
    """

    id: str = field(validator=_id, metadata=check(_c.ID))
    name: str = field(validator=_text, metadata=check(_c.text))
    stage: str = field(validator=_id, metadata=check(_c.ID))
    counters: tuple[str, ...] = field(
        default=(),
        validator=validators.and_(_strings(), _unique),
        metadata=check(_c.UNIQUE_STRINGS),
    )
    attacks: tuple[str, ...] = field(
        default=(), validator=_ids(), metadata=check(_c.IDS)
    )
    modalities: tuple[str, ...] = field(
        default=(),
        validator=validators.and_(_strings(), _unique),
        metadata=check(_c.UNIQUE_STRINGS),
    )
    summary: str = field(default="", validator=_str, metadata=check(_c.str_))
    defender_access: str = field(
        default="", validator=_str, metadata=check(_c.str_)
    )
    papers: tuple[str, ...] = field(
        default=(), validator=_ids(), metadata=check(_c.IDS)
    )
    atlas_mitigations: tuple[str, ...] = field(
        default=(),
        validator=_matching(_ATLAS_MITIGATION),
        metadata=check(
            _c.tuple_of(_c.pattern(_ATLAS_MITIGATION), unique=True)
        ),
    )
    atlas_counters: tuple[str, ...] = field(
        default=(),
        validator=_matching(_ATLAS_TECHNIQUE),
        metadata=check(_c.tuple_of(_c.pattern(_ATLAS_TECHNIQUE), unique=True)),
    )
    owasp_ml: tuple[str, ...] = field(
        default=(),
        validator=_matching(_OWASP_ML),
        metadata=check(_c.tuple_of(_c.pattern(_OWASP_ML), unique=True)),
    )
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata=check(_fast_attributes),
    )


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

    section: str = field(validator=_text, metadata=check(_c.text))
    section_zh: str = field(validator=_text, metadata=check(_c.text))
    subsection: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )
    subsection_zh: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )
    index: int = field(
        metadata=check(_c.positive_int),
        validator=validators.and_(
            validators.instance_of(int), validators.ge(1)
        ),
    )
    title: str = field(validator=_text, metadata=check(_c.text))
    venue: str = field(validator=_text, metadata=check(_c.text))
    year: int = field(
        validator=validators.instance_of(int), metadata=check(_c.int_)
    )
    paper_url: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )
    code_url: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )


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

    id: str = field(validator=_id, metadata=check(_c.ID))
    title: str = field(validator=_text, metadata=check(_c.text))
    authors: tuple[str, ...] = field(
        default=(),
        validator=_strings(_text),
        metadata=check(_c.tuple_of(_c.text)),
    )
    venue: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )
    venue_short: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )
    year: int | None = field(
        default=None,
        validator=validators.optional(validators.instance_of(int)),
        metadata=check(_c.optional(_c.int_)),
    )
    pages: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )
    doi: str | None = field(
        default=None,
        validator=validators.optional(
            validators.and_(_str, validators.matches_re(_DOI))
        ),
        metadata=check(_c.optional(_c.pattern(_DOI))),
    )
    arxiv: str | None = field(
        default=None,
        validator=validators.optional(
            validators.and_(_str, validators.matches_re(_ARXIV))
        ),
        metadata=check(_c.optional(_c.pattern(_ARXIV))),
    )
    url: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )
    code: str | None = field(
        default=None, validator=_optional_str, metadata=check(_c.opt_str)
    )
    listing: SurveyListing | None = field(
        default=None,
        validator=validators.optional(validators.instance_of(SurveyListing)),
        metadata=check(_c.optional(_c.nested(SurveyListing))),
    )
    attributes: Attributes = field(
        default=_NO_ATTRIBUTES,
        converter=_to_attributes,
        metadata=check(_fast_attributes),
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

    threat_types: tuple[str, ...] = field(
        default=(),
        validator=validators.and_(_strings(_text), _unique),
        metadata=check(_c.tuple_of(_c.text, unique=True)),
    )
    modalities: tuple[str, ...] = field(
        default=(),
        validator=validators.and_(_strings(_text), _unique),
        metadata=check(_c.tuple_of(_c.text, unique=True)),
    )


#: How a deprecated id was replaced.
CHANGES = ("renamed", "merged", "split")


def _successors(
    inst: Deprecation, attribute: attrs.Attribute[Any], value: tuple[str, ...]
) -> None:
    wanted_many = inst.change == "split"
    if (len(value) > 1) != wanted_many or not value:
        many = "two or more successors" if wanted_many else "one successor"
        msg = f"'{attribute.name}' must list {many} for an id that was {inst.change}"
        raise ValueError(msg)


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

    id: str = field(validator=_id, metadata=check(_c.ID))
    change: str = field(validator=validators.in_(CHANGES))
    successors: tuple[str, ...] = field(
        validator=validators.and_(_ids(), _successors)
    )
    since: str = field(validator=_text, metadata=check(_c.text))
    note: str = field(default="", validator=_str, metadata=check(_c.str_))


#: Any record a taxonomy holds by id.
Record: TypeAlias = Stage | Category | Attack | Defense | Paper
