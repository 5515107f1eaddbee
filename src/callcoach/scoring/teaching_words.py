"""The words of what people taught, as tf-idf columns for the teaching model."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

WORDS_WEIGHT = 2.0  # the turn's words (tf-idf, unit length), next to its unit-length embedding
CONTEXT_WORDS_WEIGHT = 1.0  # the words just before it, like the context embedding
MIN_WORD_TURNS = 2  # a word must occur in this many labelled turns to be learned
WORD_NGRAMS = (1, 1)  # single words (word pairs measured no better, at twice the cost)
REPLY_WORDS_WEIGHT = 1.0


@dataclass(frozen=True)
class Words:
    """The words of a rubric's labelled turns, as tf-idf columns.

    Sentence embeddings blur what a few words decide ("we don't need the training" against "we
    need the training"; "not sure" in the objection before a reply): the teaching model also
    learns from the words that recur in the labelled turns and in what came just before them.
    The vocabulary is the teaching's own (nothing is listed by hand), so it works for any rubric.
    """

    vectorizer: TfidfVectorizer | None

    @classmethod
    def fit(cls, texts: list[str]) -> Words:
        vectorizer = TfidfVectorizer(
            ngram_range=WORD_NGRAMS,
            min_df=MIN_WORD_TURNS,
            sublinear_tf=True,
            token_pattern=r"(?u)\b\w+\b",
            dtype=np.float32,
        )
        try:
            vectorizer.fit([t for t in texts if t.strip()])
        except ValueError:  # no word occurs often enough (or no text at all)
            return cls(None)
        return cls(vectorizer)

    def columns(
        self,
        texts: tuple[str, ...],
        contexts: tuple[str, ...],
        replies: tuple[str, ...] | None = None,
    ) -> sparse.csr_matrix | None:
        """Weighted tf-idf of the turns and of their contexts (and replies), side by side (None:
        no vocabulary).

        Each distinct text is analysed once (a call's sentences share their turn's context).
        """
        if self.vectorizer is None or not texts:
            return None
        everything = (*texts, *contexts, *(replies or ()))
        distinct = {text: row for row, text in enumerate(dict.fromkeys(everything))}
        matrix = self.vectorizer.transform(list(distinct))
        parts = [
            matrix[[distinct[t] for t in texts]] * WORDS_WEIGHT,
            matrix[[distinct[c] for c in contexts]] * CONTEXT_WORDS_WEIGHT,
        ]
        if replies is not None:
            parts.append(matrix[[distinct[r] for r in replies]] * REPLY_WORDS_WEIGHT)
        return sparse.hstack(parts, format="csr", dtype=np.float32)


NO_WORDS = Words(None)  # no teaching yet: no vocabulary
