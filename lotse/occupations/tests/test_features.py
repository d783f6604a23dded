import numpy as np
import pytest
import scipy.sparse as sp

from lotse.occupations.features import TitleFeatures, head
from lotse.occupations.text import normalise_title

LABELS = [
    "Mechatroniker/in",
    "Kfz-Mechatroniker/in",
    "Koch/Köchin",
    "Beikoch/Beiköchin",
    "Altenpfleger/in",
    "Pflegefachmann/-frau",
    "Fachkraft - Lagerlogistik",
    "Fachkraft - Gastronomie",
    "Meister/in - Lackiererhandwerk",
    "Schweißer/in",
    "Waldhornbauer/in",
    "Gräzist/in",
]
TITLES = [
    "Mechatroniker",
    "Koch Koch",  # a word twice counts twice
    "Sensenschmied",  # a compound no label has
    "Fachkraft Lager",  # a known word: no definition of its own
    "xqzv",  # nothing known at all
    "",
    "Meister Waldhornbauer Gräzist",
]


def scikit_learn_rows(features: TitleFeatures, texts: list[str]) -> sp.csr_matrix:
    """What the fitted vectorizers' own ``transform`` makes of the texts."""
    blocks = [
        features._chars.transform(texts),
        features._words.transform(texts),
        features._heads.transform([head(text) for text in texts]),
    ]
    if features._glosses is not None:
        blocks.append(features._glosses.transform(features.definitions(texts)))
    return features._combine(blocks)


@pytest.fixture
def features():
    labels = [normalise_title(label) for label in LABELS]
    return TitleFeatures(labels, known={"fachkraft"})


def test_titles_get_the_same_features_as_from_scikit_learn(features):
    texts = [normalise_title(title) for title in TITLES]
    expected = scikit_learn_rows(features, texts)
    assert features.gloss_columns, "the definitions take part"
    assert expected[:, -features.gloss_columns :].nnz
    for attempt in ("words counted now", "words from the cache"):
        rows = features.transform(texts)
        assert rows.shape == expected.shape, attempt
        assert abs(rows - expected).max() < 1e-6, attempt


def test_a_title_gets_the_same_features_alone_as_in_a_batch(features):
    texts = [normalise_title(title) for title in TITLES]
    together = features.transform(texts).toarray()
    for row, text in enumerate(texts):
        alone = features.transform([text]).toarray()[0]
        np.testing.assert_allclose(alone, together[row], atol=1e-6)


def test_no_titles_make_no_rows(features):
    assert features.transform([]).shape == (0, features.labels.shape[1])


def test_a_title_with_nothing_known_has_no_features(features):
    assert features.transform(["xqzv"]).nnz == 0
    assert features.transform([""]).nnz == 0


def test_a_cache_emptied_by_another_request_meanwhile_loses_nothing(features, monkeypatch):
    texts = [normalise_title(title) for title in TITLES]
    expected = scikit_learn_rows(features, texts)
    count = features._count

    def count_while_another_thread_empties_the_cache(block, words):
        counted = count(block, words)
        features._cache[block].clear()
        return counted

    monkeypatch.setattr(features, "_count", count_while_another_thread_empties_the_cache)
    assert abs(features.transform(texts) - expected).max() < 1e-6
