"""A normalised title as the coder's feature vector: n-grams, words, head and definitions.

Four TF-IDF blocks, each weighted and the whole row normalised: character 3- to
5-grams of every word (compounds, typos), the words themselves, the character
3- to 6-grams of the first word (the head of most titles: "Meister/in -
Lackiererhandwerk"), and the words of the Wiktionary definitions of the title's
words (``glosses``). scikit-learn fits the vocabularies and weights on the
labels. Coding does not call its ``transform``, which re-reads every title
character by character in Python and took a third of the coding time: every
block is a sum over the title's words, so each word's counts are worked out
once, kept, and a batch of titles becomes one sparse product of titles x words
and words x features, with the same weighting as scikit-learn's.
"""

from collections.abc import Callable, Container, Sequence
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from lotse.occupations.glosses import gloss_of, gloss_text

# Whole words and the first word's n-grams beside the character n-grams.
WORD_WEIGHT, HEAD_WEIGHT = 0.3, 0.3
# The words of the Wiktionary definitions of the title's words (``glosses``); those in
# more than GLOSS_MAX_DF of the labels ("person", "beruflich") say nothing about a code.
GLOSS_WEIGHT, GLOSS_MAX_DF = 0.5, 0.2
# Words whose counts are kept before the cache starts again: a kept word costs about
# 2 kB over the four blocks, so at most 40 MB; the 80 % list of job titles has 13,000.
CACHED_WORDS = 20_000

_Counts = tuple[np.ndarray, np.ndarray]  # feature columns and their counts for one word
_EMPTY: _Counts = (np.zeros(0, np.int32), np.zeros(0, np.float32))


def head(normalised: str) -> str:
    return normalised.split(" ", 1)[0]


class TitleFeatures:
    """Fitted on the labels' normalised texts; turns titles into rows of the same space.

    ``known`` words ("fachkraft", "meister", English glossary words) get no
    definitions: what they mean for a code, the labels teach better.
    """

    def __init__(self, texts: Sequence[str], known: Container[str]) -> None:
        self._known = known
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
        )
        self._words = TfidfVectorizer(
            analyzer="word", token_pattern=r"\S+", sublinear_tf=True, dtype=np.float32
        )
        self._heads = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 6), sublinear_tf=True, dtype=np.float32
        )
        definitions = self.definitions(texts)
        # Without the definitions (package not installed) the block is simply left out.
        self._glosses = (
            TfidfVectorizer(
                analyzer="word",
                token_pattern=r"\S+",
                sublinear_tf=True,
                dtype=np.float32,
                min_df=2,
                max_df=GLOSS_MAX_DF,
            )
            if any(definitions)
            else None
        )
        self.labels = self._combine(
            [
                self._chars.fit_transform(texts),
                self._words.fit_transform(texts),
                self._heads.fit_transform([head(text) for text in texts]),
                *([self._glosses.fit_transform(definitions)] if self._glosses else []),
            ]
        )
        self.gloss_columns = len(self._glosses.vocabulary_) if self._glosses else 0
        self._blocks = [self._chars, self._words, self._heads]
        if self._glosses:
            self._blocks.append(self._glosses)
        self._analysers: list[Callable[[str], list[str]]] = [
            vectorizer.build_analyzer() for vectorizer in self._blocks
        ]
        self._idf = [vectorizer.idf_.astype(np.float32) for vectorizer in self._blocks]
        # One cache per block: word (or head, for the head block) -> its counts.
        self._cache: list[dict[str, _Counts]] = [{} for _block in self._blocks]

    def definitions(self, texts: Sequence[str]) -> list[str]:
        """The definitions of each text's words, known words left out (``glosses``)."""
        return [gloss_text(text, self._known) for text in texts]

    @staticmethod
    def _combine(blocks: list[sp.spmatrix]) -> sp.csr_matrix:
        weights = [1.0, WORD_WEIGHT, HEAD_WEIGHT, GLOSS_WEIGHT][: len(blocks)]
        weighted = [weight * block for weight, block in zip(weights, blocks, strict=True)]
        return normalize(sp.hstack(weighted).tocsr())

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The rows of ``texts`` (normalised titles), as scikit-learn's ``transform`` gives them."""
        if not texts:
            return sp.csr_matrix((0, self.labels.shape[1]), dtype=np.float32)
        columns: dict[str, int] = {}
        rows, cols = [], []
        heads: dict[str, int] = {}
        head_cols = []
        for row, text in enumerate(texts):
            for word in text.split():
                rows.append(row)
                cols.append(columns.setdefault(word, len(columns)))
            head_cols.append(heads.setdefault(head(text), len(heads)))
        shape = (len(texts), len(columns))
        # Titles x words, counting a word that comes twice twice, as the n-grams do.
        words_in = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape)
        first = sp.csr_matrix(
            (np.ones(len(texts), np.float32), (np.arange(len(texts)), head_cols)),
            (len(texts), len(heads)),
        )
        blocks = []
        for block, idf in enumerate(self._idf):
            if block == 2:
                counts = first @ self._word_counts(block, list(heads), idf.size)
            else:
                counts = words_in @ self._word_counts(block, list(columns), idf.size)
            counts = counts.tocsr()
            # TfidfTransformer with sublinear_tf: 1 + log(count), times idf, unit length.
            np.log(counts.data, out=counts.data)
            counts.data += 1.0
            counts.data *= idf[counts.indices]
            blocks.append(normalize(counts))
        return self._combine(blocks)

    def _word_counts(self, block: int, words: list[str], width: int) -> sp.csr_matrix:
        """Words x features: each word's feature counts in one block, new words counted once.

        Web requests may code in several threads at once: a word is read from the
        cache once, so another thread emptying it meanwhile loses nothing.
        """
        cache = self._cache[block]
        if len(cache) > CACHED_WORDS:
            cache.clear()
        found = {word: kept for word in words if (kept := cache.get(word)) is not None}
        new = [word for word in words if word not in found]
        if new:
            found.update(self._count(block, new))
        rows = [found[word] for word in words]
        indptr = np.zeros(len(words) + 1, np.int64)
        np.cumsum([len(columns) for columns, _counts in rows], out=indptr[1:])
        columns = np.concatenate([c for c, _n in rows]) if rows else _EMPTY[0]
        counts = np.concatenate([n for _c, n in rows]) if rows else _EMPTY[1]
        return sp.csr_matrix((counts, columns, indptr), (len(words), width))

    def _count(self, block: int, words: list[str]) -> dict[str, _Counts]:
        """The features of ``words`` in one block, counted all at once and kept."""
        analyse = self._analysers[block]
        if self._blocks[block] is self._glosses:
            texts = ["" if word in self._known else gloss_of(word, self._known) for word in words]
        else:
            texts = words
        tokens = [analyse(text) if text else [] for text in texts]
        owner = np.repeat(np.arange(len(words)), [len(found) for found in tokens])
        # One pass in C from every token to its column (-1: not in the vocabulary).
        lookup = self._blocks[block].vocabulary_.get
        columns = np.fromiter(
            map(lookup, chain.from_iterable(tokens), repeat(-1)), np.int32, len(owner)
        )
        known = columns >= 0
        counts = sp.csr_matrix(
            (np.ones(int(known.sum()), np.float32), (owner[known], columns[known])),
            (len(words), self._idf[block].size),
        )  # duplicates summed: a word's count of each feature
        indptr, indices, data = counts.indptr, counts.indices, counts.data
        counted = {
            word: (indices[indptr[i] : indptr[i + 1]], data[indptr[i] : indptr[i + 1]])
            for i, word in enumerate(words)
        }
        self._cache[block].update(counted)
        return counted
