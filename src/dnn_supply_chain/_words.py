"""
The search normaliser: the one rule that turns a text into the terms of
the search index, applied alike to every record's text and to a query.

In order:

1. Case and compatibility forms are folded (``casefold`` and NFKC).
2. Number forms become one term: ``int8``, ``int-8``, ``int 8``,
   ``8-bit`` and ``8 bit`` are all ``int8``; ``fp16``, ``float-16`` are
   ``float16``.
3. The text is cut into words at white space and punctuation; a word
   joined by hyphens (``fine-tuning``) gives the joined word
   (``finetuning``) and each of its parts (``fine``, ``tuning``); a
   final ``'s`` is dropped.
4. Each word is brought to a simple stem (:func:`stem`): British ``-ise``
   spellings become ``-ize``, then one plural and one suffix are dropped,
   so that ``quantize``, ``quantized``, ``quantization`` and
   ``quantizing`` are one term, and so are ``prune`` and ``pruning``,
   ``distil``, ``distill`` and ``distillation``.
5. The phrases and words of :data:`SYNONYMS` become the term they stand
   for: ``Hugging Face``, ``model hub`` and ``download`` are all ``hub``;
   ``phone``, ``mobile`` and ``on-device`` are all ``deploy``.  Such a
   word counts as itself too, so that the word as written ranks above
   its synonyms.  The words of a family of :data:`BROADER`
   (``quantize``, ``prune``, ``distil``, ``compress``) also count as the
   family, a quarter as much.
6. The words of :data:`STOP_WORDS` are dropped, so that a question's
   own words ("attacks on a model I ...") do not count.

This module is at the bottom of the package: it imports nothing of it.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from typing import Final


__all__ = [
    "BROADER",
    "FAMILY_WEIGHT",
    "STOP_WORDS",
    "SYNONYMS",
    "fold_name",
    "stem",
    "terms",
]

#: Words that say nothing about what is searched for: articles,
#: pronouns, prepositions, question words and the like.  They are
#: dropped from texts and queries alike (after the phrases of
#: :data:`SYNONYMS` are matched, so that ``on device`` still counts).
STOP_WORDS: Final = frozenset(
    (
        "a",
        "about",
        "after",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "e",
        "eg",
        "etc",
        "for",
        "from",
        "g",
        "get",
        "has",
        "have",
        "how",
        "i",
        "ie",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "my",
        "of",
        "on",
        "onto",
        "or",
        "our",
        "over",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "under",
        "up",
        "us",
        "use",
        "using",
        "via",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    )
)

#: The synonym table: each term, and the words and phrases of the
#: bundled data's supply-chain vocabulary (and of its readers) that stand
#: for it.  A phrase is matched as a whole after the other rules, so
#: ``Hugging Face`` does not also match ``face``.
SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "hub": (
        "model hub",
        "model zoo",
        "model repository",
        "model registry",
        "hugging face",
        "huggingface",
        "hf hub",
        "download",
        "public",
        "publicly",
    ),
    "deploy": (
        "deployment",
        "deployer",
        "on-device",
        "on device",
        "device",
        "edge device",
        "edge",
        "embedded device",
        "phone",
        "smartphone",
        "mobile",
        "iot",
    ),
    "tflite": (
        "tensorflow lite",
        "tensorflow-lite",
        "tf lite",
        "tf-lite",
        "litert",
    ),
    "quantize": ("low-bit", "low precision", "low-precision"),
    "finetune": ("fine tune",),
    "pretrain": ("pre train",),
    "llm": ("large language model",),
    "stealing": ("extraction attack", "model extraction", "model theft"),
}

#: Broader terms: the term on the left and the words on the right (or
#: their synonyms) are one family, which every one of them also counts
#: as, at :data:`FAMILY_WEIGHT`, in texts and queries alike: a query about
#: quantizing also finds, further down, what is said of pruning and of
#: compression.
BROADER: Final[dict[str, tuple[str, ...]]] = {
    "compress": ("quantize", "prune", "distil", "sparsify"),
}

#: What a family of :data:`BROADER` counts for, next to a word's 1.
FAMILY_WEIGHT: Final = 0.25

# Words that look inflected but are not.
_KEEP: Final = frozenset({"bias", "embed", "series", "species"})

# The number forms, in one pass: int8, uint8, int-8, 8-bit, 8 bits ->
# int8; fp16, float-16 -> float16.
_NUMBER_FORM: Final = re.compile(
    r"\b(?:u?int[\s_-]?(?P<int>\d+)|(?P<bits>\d+)[\s_-]?bits?"
    r"|(?:float|fp)[\s_-]?(?P<float>\d+))\b"
)


def _number(match: re.Match[str]) -> str:
    if match["float"] is not None:
        return f" float{match['float']} "
    return f" int{match['int'] or match['bits']} "


# An apostrophe, typed or typeset.
_QUOTE: Final = "['\u2019]"
_WORD: Final = re.compile(rf"\w+(?:(?:-|{_QUOTE})\w+)*")
_BRITISH: Final = re.compile(r"(i)s(e|es|ed|ing|ation|ations)$")
_VOWEL: Final = re.compile(r"[aeiouy]")
_DIGIT: Final = re.compile(r"\d")
_PLAIN: Final = re.compile(r"\w+")
_SUFFIXES: Final = ("ation", "ment", "ing", "ed")
_MIN_STEM: Final = 3
_NOT_PLURAL: Final = frozenset({"ss", "us", "is"})
_APOSTROPHE: Final = re.compile(rf"{_QUOTE}s$|{_QUOTE}")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """
    The simple stem of a folded *word*.

    Only plain ASCII words without digits are changed: ``-ise`` becomes
    ``-ize``; a plural ``-ies`` becomes ``-y`` and a plural ``-s`` goes
    (not ``-ss``, ``-us``, ``-is``); then the first of ``-ation``,
    ``-ment``, ``-ing``, ``-ed`` that leaves a stem of three letters or
    more with a vowel goes, or ``-ion`` after ``ss`` or ``ct``; then a
    final ``-e``; then a doubled final letter is made single.
    """
    if word in _KEEP or not word.isascii() or not word.isalpha():
        return word
    w = _BRITISH.sub(r"\1z\2", word)
    if len(w) > _MIN_STEM + 1 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > _MIN_STEM and w.endswith("s") and w[-2:] not in _NOT_PLURAL:
        w = w[:-1]
    for suffix in _SUFFIXES:
        base = w.removesuffix(suffix)
        if (
            base != w
            and len(base) >= _MIN_STEM
            and _VOWEL.search(base)
            and not (suffix == "ed" and base.endswith("e"))
        ):
            w = base
            break
    else:
        if w.endswith(("ssion", "ction")):
            w = w[:-3]
    if len(w) > _MIN_STEM and w.endswith("e"):
        w = w[:-1]
    if len(w) > _MIN_STEM and w[-1] == w[-2]:
        w = w[:-1]
    return w


def _fold(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    folded = text.casefold()
    if _DIGIT.search(folded):
        folded = _NUMBER_FORM.sub(_number, folded)
    return folded


@functools.lru_cache(maxsize=65536)
def _word(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """
    The stem of the folded word *raw* as a whole, and its ``(word,
    stem)`` pairs: the whole word, then its hyphen-joined parts if any.
    """
    word = _APOSTROPHE.sub("", raw) if "'" in raw or "\u2019" in raw else raw
    if "-" not in word:
        whole = stem(word)
        return whole, ((word, whole),)
    parts = [p for p in word.split("-") if p]
    joined = "".join(parts)
    whole = stem(joined)
    return whole, ((joined, whole), *((p, stem(p)) for p in parts))


def _words(text: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """
    The words of *text*, each as :func:`_word` gives it.
    """
    return [_word(raw) for raw in _WORD.findall(_fold(text))]


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(whole for whole, _ in _words(phrase))


# The synonym table as the normaliser uses it: folded phrase -> term.
_PHRASES: Final[dict[tuple[str, ...], str]] = {
    _phrase_key(phrase): _phrase_key(term)[0]
    for term, phrases in SYNONYMS.items()
    for phrase in (term, *phrases)
}
_LONGEST: Final = max(len(key) for key in _PHRASES)
# The first words of the phrases of more than one word.
_STARTS: Final = frozenset(key[0] for key in _PHRASES if len(key) > 1)
# term -> its family's own term, which no word folds to.
_FAMILY_OF: Final[dict[str, str]] = {
    _phrase_key(word)[0]: "~" + _phrase_key(term)[0]
    for term, words in BROADER.items()
    for word in (term, *words)
}


@functools.lru_cache(maxsize=65536)
def _expand(key: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """
    The terms of the folded word or phrase *key*: the term of
    :data:`SYNONYMS` it stands for, and the word itself too when it is not
    that term (so that the word as written counts more than a synonym),
    then the family of :data:`BROADER` it belongs to, if any, at
    :data:`FAMILY_WEIGHT`.
    """
    literal = "_".join(key)
    term = _PHRASES.get(key, literal)
    out = [(term, 1.0)]
    if term != literal:
        out.append((literal, 1.0))
    family = _FAMILY_OF.get(term)
    if family is not None:
        out.append((family, FAMILY_WEIGHT))
    return tuple(out)


@functools.lru_cache(maxsize=65536)
def _word_terms(
    pairs: tuple[tuple[str, str], ...],
) -> tuple[tuple[str, float], ...]:
    return tuple(
        found
        for word, stemmed in pairs
        if word not in STOP_WORDS
        for found in _expand((stemmed,))
    )


def terms(text: str) -> list[tuple[str, float]]:
    """
    The search terms of *text* with their weights, in order, repeats
    kept: the normaliser that the index applies to every record and the
    search to a query.
    """
    words = _words(text)
    out: list[tuple[str, float]] = []
    i = 0
    count = len(words)
    while i < count:
        whole, pairs = words[i]
        size = min(_LONGEST, count - i) if whole in _STARTS else 1
        while size > 1:
            key = tuple(w[0] for w in words[i : i + size])
            if key in _PHRASES:
                out += _expand(key)
                break
            size -= 1
        else:
            out += _word_terms(pairs)
        i += size
    return out


def fold_name(text: str) -> str:
    """
    *text* with case, compatibility forms and punctuation folded: how a
    name is compared with a query as a whole.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(_PLAIN.findall(text.casefold()))
