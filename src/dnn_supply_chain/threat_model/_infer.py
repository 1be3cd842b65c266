"""
The scope of a threat model, inferred from what a team already has: a
CycloneDX ML-BOM (JSON, spec 1.5 or 1.6) or a Hugging Face model card (its
YAML front matter).

Every inferred stage, category and modality names the field it came from
and the rule of the mapping table that made it (``docs/from-a-bom.md``);
what the file does not say is listed as not inferred, and fields the table
does not know are ignored and listed.  Nothing is inferred from a field's
absence.
"""

from __future__ import annotations

import os
import re

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs

from dnn_supply_chain._files import ReadFailure, read_data, read_text
from dnn_supply_chain._parsing import MissingParser, ParseFailure, parse_yaml
from dnn_supply_chain._text import show
from dnn_supply_chain.exceptions import (
    Location,
    Problem,
    ThreatModelError,
    format_location,
)

from ._model import ThreatModel
from ._starter import starter_threat_model


if TYPE_CHECKING:
    from dnn_supply_chain._taxonomy import Taxonomy


__all__ = [
    "BOM_SPEC_VERSIONS",
    "MODEL_CARD_EXTRA",
    "InferredItem",
    "ScopeInference",
    "infer_scope_from_bom",
    "infer_scope_from_model_card",
]

#: The CycloneDX specification versions whose ML-BOM fields are read.
BOM_SPEC_VERSIONS: Final = ("1.5", "1.6")

#: The optional extra that reading a model card's front matter needs.
MODEL_CARD_EXTRA: Final = "dnn-supply-chain[model-card]"

InferredKind: TypeAlias = Literal["stage", "category", "modality"]

# -- the mapping table --------------------------------------------------------

# Hugging Face tasks (pipeline_tag, and CycloneDX modelParameters.task when
# it uses them) and the taxonomy's modalities.  A task across modalities
# gets each of them and "multimodal": an attack on any one of them may
# apply, and leaving one out would hide its attacks.
_VISION: Final = ("vision",)
_NLP: Final = ("NLP",)
_SPEECH: Final = ("speech",)
_VISION_TEXT: Final = ("vision", "NLP", "multimodal")
_AUDIO_TEXT: Final = ("speech", "NLP", "multimodal")
TASK_MODALITIES: Final[Mapping[str, tuple[str, ...]]] = {
    # Natural language
    "text-classification": _NLP,
    "token-classification": _NLP,
    "question-answering": _NLP,
    "zero-shot-classification": _NLP,
    "translation": _NLP,
    "summarization": _NLP,
    "text-generation": _NLP,
    "text2text-generation": _NLP,
    "fill-mask": _NLP,
    "sentence-similarity": _NLP,
    "text-ranking": _NLP,
    # Vision
    "image-classification": _VISION,
    "object-detection": _VISION,
    "image-segmentation": _VISION,
    "depth-estimation": _VISION,
    "image-to-image": _VISION,
    "unconditional-image-generation": _VISION,
    "video-classification": _VISION,
    "mask-generation": _VISION,
    "keypoint-detection": _VISION,
    "image-feature-extraction": _VISION,
    # Speech and audio
    "automatic-speech-recognition": _AUDIO_TEXT,
    "text-to-speech": _AUDIO_TEXT,
    "text-to-audio": _AUDIO_TEXT,
    "audio-classification": _SPEECH,
    "audio-to-audio": _SPEECH,
    "voice-activity-detection": _SPEECH,
    # Across modalities
    "image-to-text": _VISION_TEXT,
    "image-text-to-text": _VISION_TEXT,
    "visual-question-answering": _VISION_TEXT,
    "document-question-answering": _VISION_TEXT,
    "text-to-image": _VISION_TEXT,
    "zero-shot-image-classification": _VISION_TEXT,
    "zero-shot-object-detection": _VISION_TEXT,
    "video-text-to-text": _VISION_TEXT,
    # Time series
    "time-series-forecasting": ("time series",),
}

# CycloneDX modelParameters.inputs[].format (the specification's
# examples: string, image, time-series).
FORMAT_MODALITIES: Final[Mapping[str, tuple[str, ...]]] = {
    "string": _NLP,
    "text": _NLP,
    "image": _VISION,
    "video": _VISION,
    "audio": _SPEECH,
    "speech": _SPEECH,
    "time-series": ("time series",),
}

# Hugging Face base_model_relation and the secondary-development category.
RELATION_CATEGORIES: Final[Mapping[str, str]] = {
    "finetune": "transfer",
    "adapter": "transfer",
    "merge": "transfer",
    "quantized": "compression",
}

# Runtimes and model file formats that deploy a model to devices: a
# component (or a card's library_name or tag) of one of these names, or a
# file with one of these suffixes, puts deployment in scope.
ON_DEVICE_RUNTIMES: Final = frozenset(
    {
        "tflite",
        "tflite-runtime",
        "tensorflow-lite",
        "litert",
        "onnx",
        "onnxruntime",
        "onnxruntime-mobile",
        "coreml",
        "coremltools",
        "executorch",
        "gguf",
        "llama.cpp",
        "llama-cpp-python",
        "openvino",
        "tensorrt",
        "ncnn",
        "mnn",
    }
)
ON_DEVICE_SUFFIXES: Final = (
    ".tflite",
    ".onnx",
    ".mlmodel",
    ".mlpackage",
    ".gguf",
    ".pte",
)

# CycloneDX component types that are where a model is deployed.
_DEPLOYMENT_TYPES: Final = frozenset({"device", "firmware", "platform"})

# Model card keys the table knows: read (the first set), or known to say
# nothing about the scope (the second; not listed as ignored).
_CARD_READ: Final = frozenset(
    {
        "base_model",
        "base_model_relation",
        "pipeline_tag",
        "library_name",
        "tags",
    }
)
_CARD_SILENT: Final = frozenset(
    {
        "license",
        "license_name",
        "license_link",
        "language",
        "datasets",
        "metrics",
        "model-index",
        "thumbnail",
        "widget",
        "inference",
        "co2_eq_emissions",
        "new_version",
    }
)
_FRONT_MATTER: Final = re.compile(
    r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$", re.DOTALL | re.MULTILINE
)

_DESIGN: Final = (
    "derived from another model: its publisher's design and pre-training "
    "are in scope"
)
_CHANGED: Final = (
    "derived from another model: what was done to it is secondary development"
)


@attrs.frozen(kw_only=True)
class InferredItem:
    """
    One stage, category or modality of a scope, and where it came from.

    Attributes:
        kind: ``"stage"``, ``"category"`` or ``"modality"``.
        value: The taxonomy's id (a stage or category) or vocabulary term
            (a modality).
        field: Where in the file it came from, as a path
            (``"components[0].pedigree.ancestors"``, ``"base_model"``).
        reason: The rule of the mapping table that made it.

    .. versionadded:: 0.2.0
    """

    kind: InferredKind
    value: str
    field: str
    reason: str


@attrs.frozen(kw_only=True)
class ScopeInference:
    """
    What a BOM or a model card says of a threat model's scope.

    Attributes:
        source: The file it was read from.
        format: ``"cyclonedx"`` or ``"model-card"``.
        name: The model's name, where the file gives one.
        inferred: The stages, categories and modalities inferred, in the
            order of the file's fields.
        not_inferred: What the file does not say, one sentence each (the
            starter then keeps every stage, or every modality).
        ignored: Fields the mapping table does not know, as paths.

    .. versionadded:: 0.2.0
    """

    source: str
    format: Literal["cyclonedx", "model-card"]
    name: str | None = None
    inferred: tuple[InferredItem, ...] = ()
    not_inferred: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    def values(self, kind: InferredKind) -> tuple[str, ...]:
        """
        Return the distinct values inferred of *kind*, first one first.
        """
        return tuple(
            dict.fromkeys(i.value for i in self.inferred if i.kind == kind)
        )

    def fields(self, kind: InferredKind, value: str) -> tuple[str, ...]:
        """
        Return the fields that *value* of *kind* was inferred from.
        """
        return tuple(
            dict.fromkeys(
                i.field
                for i in self.inferred
                if i.kind == kind and i.value == value
            )
        )

    def starter(
        self, taxonomy: Taxonomy | None = None, *, name: str | None = None
    ) -> ThreatModel:
        """
        Return the starter threat model of this scope: one open threat per
        attack in scope (see
        :func:`~dnn_supply_chain.starter_threat_model`).  Without an
        inferred stage it keeps every stage, without an inferred modality
        every modality.

        Args:
            taxonomy: The taxonomy (default: the bundled one).
            name: The model's name (default: the file's, else
                ``"My model"``).
        """
        stages = self.values("stage")
        categories = self.values("category")
        return starter_threat_model(
            stages or None,
            taxonomy,
            name=name or self.name or "My model",
            modalities=self.values("modality") or None,
            categories=categories or None,
        )


# -- reading ------------------------------------------------------------------


def _read(path: str | os.PathLike[str], source: str) -> str:
    try:
        return read_text(path, source=source)
    except ReadFailure as exc:
        raise ThreatModelError([exc.problem], source=source) from None


def _fail(source: str, location: Location, message: str) -> ThreatModelError:
    return ThreatModelError(
        [Problem(source=source, location=location, message=message)],
        source=source,
    )


class _Collector:
    """
    The items, notes and ignored fields of one inference, as found.
    """

    def __init__(self) -> None:
        self.items: list[InferredItem] = []
        self.not_inferred: list[str] = []
        self.ignored: list[str] = []

    def add(
        self, kind: InferredKind, value: str, where: Location, reason: str
    ) -> None:
        self.items.append(
            InferredItem(
                kind=kind,
                value=value,
                field=format_location(where),
                reason=reason,
            )
        )

    def derived(self, where: Location) -> None:
        self.add("stage", "design", where, _DESIGN)
        self.add("stage", "secondary-development", where, _CHANGED)

    def has(self, kind: InferredKind) -> bool:
        return any(i.kind == kind for i in self.items)

    def modalities_of(
        self, what: Literal["task", "format"], value: object, where: Location
    ) -> bool:
        """
        Add the modalities of the task or format *value* by the mapping
        table; tell whether the table knew it.
        """
        table = TASK_MODALITIES if what == "task" else FORMAT_MODALITIES
        if not isinstance(value, str):
            return False
        found = table.get(value.strip().casefold())
        if found is None:
            return False
        reason = f"the {what} {show(value)} works with {', '.join(found)}"
        for term in found:
            self.add("modality", term, where, reason)
        return True

    def result(
        self,
        source: str,
        fmt: Literal["cyclonedx", "model-card"],
        name: str | None,
    ) -> ScopeInference:
        if not self.has("stage"):
            self.not_inferred.append(
                "stages: nothing in the file says where the model comes "
                "from, how it is changed, where it runs or whether it is "
                "served; the starter keeps every stage"
            )
        elif not self.has("category") and any(
            i.kind == "stage" and i.value == "secondary-development"
            for i in self.items
        ):
            self.not_inferred.append(
                "categories: the file does not say how the model was made "
                "from its base model (transfer or compression); the starter "
                "keeps all of secondary development"
            )
        if not self.has("modality"):
            self.not_inferred.append(
                "modalities: the file names no task or input format the "
                "mapping table knows; the starter keeps every modality"
            )
        return ScopeInference(
            source=source,
            format=fmt,
            name=name,
            inferred=tuple(self.items),
            not_inferred=tuple(self.not_inferred),
            ignored=tuple(self.ignored),
        )


# -- CycloneDX ----------------------------------------------------------------


def infer_scope_from_bom(
    bom: str | os.PathLike[str] | Mapping[str, Any],
    *,
    source: str | None = None,
) -> ScopeInference:
    """
    Infer a threat model's scope from a CycloneDX BOM (JSON, spec 1.5 or
    1.6), by the mapping table of :doc:`/from-a-bom`.

    Args:
        bom: A file, or its parsed data.
        source: The name that problems are reported against (default: the
            file's).

    Raises:
        ThreatModelError: The file cannot be read, is not JSON, not a
            CycloneDX BOM or of another spec version; every problem with
            its path.

    .. versionadded:: 0.2.0
    """
    if isinstance(bom, Mapping):
        where = source or "<BOM>"
        data: object = bom
    else:
        where = os.fspath(bom) if source is None else source
        try:
            data = read_data(bom, toml=False, source=where)
        except ReadFailure as exc:
            raise ThreatModelError([exc.problem], source=where) from None
    if not isinstance(data, Mapping):
        raise _fail(where, (), "not a CycloneDX BOM: expected a JSON object")
    if data.get("bomFormat") != "CycloneDX":
        raise _fail(
            where,
            ("bomFormat",),
            f"not a CycloneDX BOM: bomFormat is {show(data.get('bomFormat'))}, "
            "not 'CycloneDX' (only the JSON form is read)",
        )
    version = data.get("specVersion")
    if version not in BOM_SPEC_VERSIONS:
        raise _fail(
            where,
            ("specVersion",),
            f"CycloneDX specVersion {show(version)} is not read: the "
            f"ML-BOM fields are those of {' and '.join(BOM_SPEC_VERSIONS)}",
        )
    found = _Collector()
    problems: list[Problem] = []
    name: str | None = None
    for location, component in _components(data, problems, where):
        if name is None and component.get("type") == "machine-learning-model":
            name = _name(component)
        _component(found, component, location)
    if name is None:
        meta = data.get("metadata")
        if isinstance(meta, Mapping) and isinstance(
            meta.get("component"), Mapping
        ):
            name = _name(meta["component"])
    services = data.get("services")
    if isinstance(services, list) and services:
        found.add(
            "stage",
            "usage",
            ("services",),
            "the BOM describes services: users call the model",
        )
    elif services is not None and not isinstance(services, list):
        problems.append(
            _shape(where, ("services",), "an array of services", services)
        )
    if problems:
        raise ThreatModelError(problems, source=where)
    return found.result(where, "cyclonedx", name)


def _shape(
    source: str, location: Location, expected: str, value: object
) -> Problem:
    return Problem(
        source=source,
        location=location,
        message=f"expected {expected}, got {show(value)}",
    )


def _name(component: Mapping[str, Any]) -> str | None:
    value = component.get("name")
    return value.strip() or None if isinstance(value, str) else None


def _components(
    data: Mapping[str, Any], problems: list[Problem], source: str
) -> Iterator[tuple[Location, Mapping[str, Any]]]:
    """
    Every component of the BOM with its location, the metadata's component
    first, nested components after their parent; problems of shape are
    added to *problems*.
    """
    pending: list[tuple[Location, object]] = []
    meta = data.get("metadata")
    if isinstance(meta, Mapping) and "component" in meta:
        pending.append((("metadata", "component"), meta["component"]))
    if "components" in data:
        pending.append((("components",), data["components"]))
    # Depth first, in file order: a stack of what is left to visit.
    pending.reverse()
    while pending:
        location, value = pending.pop()
        if location[-1] == "components":
            if not isinstance(value, list):
                problems.append(
                    _shape(source, location, "an array of components", value)
                )
                continue
            pending.extend(
                reversed([((*location, i), v) for i, v in enumerate(value)])
            )
            continue
        if not isinstance(value, Mapping):
            problems.append(
                _shape(source, location, "a component object", value)
            )
            continue
        yield location, value
        if "components" in value:
            pending.append(((*location, "components"), value["components"]))


def _component(
    found: _Collector, component: Mapping[str, Any], where: Location
) -> None:
    kind = component.get("type")
    name = component.get("name")
    folded = name.strip().casefold() if isinstance(name, str) else ""
    if kind in _DEPLOYMENT_TYPES:
        found.add(
            "stage",
            "deployment",
            (*where, "type"),
            f"a {kind} component: the model is deployed to it",
        )
    if folded in ON_DEVICE_RUNTIMES or folded.endswith(ON_DEVICE_SUFFIXES):
        found.add(
            "stage",
            "deployment",
            (*where, "name"),
            f"{show(name)} is an on-device runtime or model file format",
        )
    if kind != "machine-learning-model":
        return
    pedigree = component.get("pedigree")
    if isinstance(pedigree, Mapping):
        ancestors = pedigree.get("ancestors")
        if isinstance(ancestors, list) and ancestors:
            found.derived((*where, "pedigree", "ancestors"))
    card = component.get("modelCard")
    if not isinstance(card, Mapping):
        return
    for key in card:
        if key != "modelParameters":
            found.ignored.append(format_location((*where, "modelCard", key)))
    params = card.get("modelParameters")
    if not isinstance(params, Mapping):
        return
    at = (*where, "modelCard", "modelParameters")
    task = params.get("task")
    if task is not None and not found.modalities_of(
        "task", task, (*at, "task")
    ):
        found.not_inferred.append(
            f"modalities of {format_location((*at, 'task'))} {show(task)}: not a task "
            "of the mapping table"
        )
    # The inputs' formats only: what a model gives (a class label as a
    # string) says nothing of the data an attacker crafts or poisons.
    entries = params.get("inputs")
    if isinstance(entries, list):
        for i, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or "format" not in entry:
                continue
            spot = (*at, "inputs", i, "format")
            if not found.modalities_of("format", entry["format"], spot):
                found.not_inferred.append(
                    f"modalities of {format_location(spot)} {show(entry['format'])}: "
                    "not a format of the mapping table"
                )
    for key in params:
        if key not in {"task", "inputs"}:
            found.ignored.append(format_location((*at, key)))


# -- Hugging Face model cards -------------------------------------------------


def infer_scope_from_model_card(
    card: str | os.PathLike[str],
    *,
    source: str | None = None,
) -> ScopeInference:
    """
    Infer a threat model's scope from a Hugging Face model card (a
    ``README.md`` with YAML front matter), by the mapping table of
    :doc:`/from-a-bom`.  Reading the front matter needs PyYAML, the extra
    :data:`~dnn_supply_chain.threat_model.MODEL_CARD_EXTRA`; it is read with
    the safe loader only.

    Raises:
        ThreatModelError: The file cannot be read, its front matter is not
            YAML or not a mapping, or PyYAML is not installed (the message
            names the extra).

    .. versionadded:: 0.2.0
    """
    where = os.fspath(card) if source is None else source
    text = _read(card, where)
    found = _Collector()
    match = _FRONT_MATTER.match(text.removeprefix("\ufeff"))
    if match is None:
        found.not_inferred.append(
            "the card has no YAML front matter (metadata between '---' "
            "lines at its top)"
        )
        return found.result(where, "model-card", None)
    missing = (
        "reading a model card's front matter needs PyYAML, which the extra "
        f"{MODEL_CARD_EXTRA!r} installs (from a checkout: python -m pip "
        "install '.[model-card]')"
    )
    try:
        meta = parse_yaml(match[1], missing=missing)
    except MissingParser:
        raise _fail(where, (), missing) from None
    except ParseFailure as exc:
        problem = exc.problem(where)
        if problem.position is not None:
            # The front matter starts on the file's second line.
            line, column = problem.position
            problem = attrs.evolve(problem, position=(line + 1, column))
        raise ThreatModelError([problem], source=where) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _fail(
            where, (), f"the front matter is not a mapping: {show(meta)}"
        )
    _card(found, meta)
    return found.result(where, "model-card", _card_name(meta))


def _strings(value: object) -> list[tuple[int | None, str]]:
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, list):
        return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _card(found: _Collector, meta: dict[str, Any]) -> None:
    for key in meta:
        if key not in _CARD_READ and key not in _CARD_SILENT:
            found.ignored.append(key)
    bases = _strings(meta.get("base_model"))
    if bases:
        found.derived(("base_model",))
    relation = meta.get("base_model_relation")
    if relation is not None:
        category = (
            RELATION_CATEGORIES.get(relation.strip().casefold())
            if isinstance(relation, str)
            else None
        )
        if category is None:
            found.not_inferred.append(
                f"base_model_relation {show(relation)}: not a relation of "
                "the mapping table (finetune, adapter, merge, quantized)"
            )
        else:
            at: Location = ("base_model_relation",)
            reason = f"{show(relation)} is {category} of the base model"
            found.add("stage", "secondary-development", at, reason)
            found.add("category", category, at, reason)
    task = meta.get("pipeline_tag")
    if task is not None and not found.modalities_of(
        "task", task, ("pipeline_tag",)
    ):
        found.not_inferred.append(
            f"modalities of pipeline_tag {show(task)}: not a task of the "
            "mapping table"
        )
    for key in ("library_name", "tags"):
        for index, value in _strings(meta.get(key)):
            if value.strip().casefold() in ON_DEVICE_RUNTIMES:
                spot: Location = (key,) if index is None else (key, index)
                found.add(
                    "stage",
                    "deployment",
                    spot,
                    f"{show(value)} is an on-device runtime or model file "
                    "format",
                )


def _card_name(meta: dict[str, Any]) -> str | None:
    index = meta.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict):
        name = index[0].get("name")
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None
