"""
The search normaliser and what it lets a search find: word forms, number
forms, synonyms, stop words, and a question asked in plain words.
"""

from __future__ import annotations

import pytest

from hypothesis import given
from hypothesis import strategies as st

import dnn_supply_chain as dsc

from dnn_supply_chain._words import (
    BROADER,
    FAMILY_WEIGHT,
    STOP_WORDS,
    SYNONYMS,
    stem,
    terms,
)


QUESTION = (
    "attacks on a model I download from a hub and quantize to int8 for a phone"
)


def words(text):
    """
    The terms of *text* that count fully, in order.
    """
    return [t for t, share in terms(text) if share == 1.0]


def compression_or_deployment(rec):
    """
    Whether *rec* is an attack on compression or at deployment.
    """
    return isinstance(rec, dsc.Attack) and (
        rec.category == "compression" or rec.stage == "deployment"
    )


class TestNormaliser:
    """
    terms() folds the forms of one word into one term.
    """

    @pytest.mark.parametrize(
        "forms",
        [
            ("quantize", "quantized", "quantization", "quantizing"),
            ("quantise", "quantisation", "Quantizes", "QUANTIZED"),
            ("finetune", "fine tune", "Finetuned", "finetuning"),
            ("fine-tune", "fine-tuning", "fine-tuned", "Fine-Tunes"),
            ("prune", "pruning", "pruned", "prunes"),
            ("distil", "distill", "distillation", "distilled", "distils"),
            ("int8", "int-8", "INT 8", "8-bit", "8 bit", "8bit", "uint8"),
            ("fp16", "float16", "float-16", "FP-16"),
            ("tflite", "TensorFlow Lite", "TensorFlow-Lite", "TF Lite"),
            ("hub", "model hub", "Hugging Face", "huggingface", "model zoo"),
            ("phone", "smartphone", "mobile", "on-device", "on device"),
        ],
    )
    def test_forms_meet(self, forms):
        """
        Every form shares its first term with the first form.
        """
        first = terms(forms[0])[0][0]
        for form in forms:
            assert first == terms(form)[0][0], form

    def test_parts_of_joined_words(self):
        """
        A hyphen-joined word counts as itself joined and as its parts.
        """
        assert ["posttrain", "post", "train"] == words("post-training")

    def test_stop_words(self):
        """
        A question's own words are dropped; what it asks about stays.
        """
        assert {"attack", "model", "hub", "download", "quantiz", "int8"} <= {
            t for t, _ in terms(QUESTION)
        }
        assert not {"on", "a", "i", "from", "and", "to", "for"} & {
            t for t, _ in terms(QUESTION)
        }
        assert [] == terms("what is it and how do I use this")

    def test_synonym_counts_as_itself_too(self):
        """
        A synonym gives its term and the word as written.
        """
        assert ["hub", "download"] == words("download")
        assert ["hub", "hug_fac"] == words("Hugging Face")
        assert ["hub"] == words("hub")

    def test_family(self):
        """
        The words of a BROADER family also count as the family, less.
        """
        assert ("~compres", FAMILY_WEIGHT) in terms("quantized")
        assert ("~compres", FAMILY_WEIGHT) in terms("compression")
        assert all(s == 1.0 for t, s in terms("backdoor"))

    def test_other_scripts_and_digits_unchanged(self):
        """
        Only plain ASCII words are stemmed.
        """
        assert "部署阶段" == stem("部署阶段")
        assert "resnet50" == stem("resnet50")
        assert "bias" == stem("bias")

    def test_tables_fold_to_themselves(self):
        """
        Every word of the tables folds to one term, and no stop word is
        a term of the tables.
        """
        for term, phrases in {**SYNONYMS, **BROADER}.items():
            assert 1 == len(words(term)), term
            for phrase in phrases:
                assert words(phrase), phrase
        assert not STOP_WORDS & set(SYNONYMS)

    @given(st.text(max_size=200))
    def test_total_and_deterministic(self, text):
        """
        Any text gives terms, the same each time, each a non-empty string.
        """
        found = terms(text)
        assert found == terms(text)
        assert all(t and share > 0 for t, share in found)


class TestSymptoms:
    """
    The words people use find the records they mean.
    """

    @pytest.mark.parametrize(
        "text", ["quantize", "int8", "8-bit", "int-8", "tflite", "8 bit"]
    )
    def test_quantization_words(self, tax, text):
        """
        Quantization words find an attack on compression first.
        """
        hits = tax.search(text, kinds=["attack"])
        assert hits, text
        assert "compression" == hits[0].record.category

    def test_hugging_face(self, tax):
        """
        Hugging Face finds the attack that names it first, then records
        of the stages that publish and take up pre-trained models.
        """
        hits = tax.search("hugging face", limit=10)
        assert "Hugging Face" in hits[0].record.summary
        assert {"design", "secondary-development"} >= {
            h.record.stage
            for h in hits
            if isinstance(h.record, dsc.Attack | dsc.Defense)
        }

    @pytest.mark.parametrize("text", ["phone", "mobile", "on-device"])
    def test_phone(self, tax, text):
        """
        A phone finds the deployment stage first, and only attacks on
        compression or at deployment.
        """
        hits = tax.search(text)
        assert tax.stage("deployment") is hits[0].record
        attacks = [h.record for h in hits if isinstance(h.record, dsc.Attack)]
        assert attacks
        assert all(compression_or_deployment(a) for a in attacks)

    def test_download(self, tax):
        """
        Downloading is what the secondary-development stage does.
        """
        hits = tax.search("download")
        assert tax.stage("secondary-development") is hits[0].record

    def test_fine_tune_forms(self, tax):
        """
        fine-tune, finetune and fine-tuning find the same best records.
        """
        tops = [
            [h.record.id for h in tax.search(text, limit=4)]
            for text in ("fine-tune", "finetune", "fine-tuning", "fine tune")
        ]
        assert all(top == tops[0] for top in tops)
        found = {h.record.id for h in tax.search("finetune", limit=None)}
        assert found <= {
            h.record.id for h in tax.search("fine-tuning", limit=None)
        }


class TestQuestion:
    """
    A question asked in plain words ranks the attacks it is about first.
    """

    def test_attacks_first(self, tax):
        """
        Every attack ranked above the first one neither on compression
        nor at deployment is one of them, and there are at least three.
        """
        hits = tax.search(QUESTION, kinds=["attack"], limit=None)
        leading = 0
        for hit in hits:
            if not compression_or_deployment(hit.record):
                break
            leading += 1
        assert leading >= 3
        assert {"compression", None} == {
            h.record.category for h in hits[:leading]
        }

    def test_any_kind(self, tax):
        """
        Without --kind too, the best two hits are such attacks.
        """
        hits = tax.search(QUESTION)
        assert all(compression_or_deployment(h.record) for h in hits[:2])

    def test_stop_words_do_not_drown_it(self, tax):
        """
        The question ranks as its content words alone do.
        """
        assert [h.record for h in tax.search(QUESTION)] == [
            h.record
            for h in tax.search(
                "attacks model download hub quantize int8 phone"
            )
        ]

    def test_cli(self, capsys):
        """
        One command answers it, compression and deployment attacks first.
        """
        from dnn_supply_chain.cli import main

        assert 0 == main(["search", "--kind", "attack", *QUESTION.split()])
        ids = [
            line.split()[0] for line in capsys.readouterr().out.splitlines()
        ]
        tax = dsc.load()
        assert all(compression_or_deployment(tax.get(i)) for i in ids[:3])


class TestDocumented:
    """
    docs/cli.md shows the tables the normaliser uses.
    """

    @staticmethod
    def table(text, first):
        """
        The rows of the Markdown table whose header starts with *first*.
        """
        lines = text.splitlines()
        start = lines.index(next(x for x in lines if x.startswith(first)))
        rows = {}
        for line in lines[start + 2 :]:
            if not line.startswith("|"):
                break
            key, values = (c.strip() for c in line.strip("|").split("|"))
            rows[key.strip("`")] = tuple(
                v.strip().strip("`") for v in values.split(",")
            )
        return rows

    def test_tables(self):
        """
        The synonym table, the families and the stop words are the code's.
        """
        from pathlib import Path

        text = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(
            encoding="utf-8"
        )
        assert SYNONYMS == self.table(text, "| Term | Synonyms |")
        assert BROADER == self.table(text, "| Family | Words |")
        line = next(
            x for x in text.splitlines() if x.startswith("Stop words:")
        )
        listed = line.removeprefix("Stop words:").strip().rstrip(".")
        assert sorted(STOP_WORDS) == [w.strip("`") for w in listed.split()]

    def test_full_width(self):
        """
        Full-width letters and digits fold as the docs say.
        """
        assert terms("\uff49\uff4e\uff54\uff18") == terms("int8")
