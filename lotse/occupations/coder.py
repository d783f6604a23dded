"""The job-title coder: free text -> ranked five-digit KldB codes with score and ESCO link.

Every five-digit code is described by labels: the job titles listed for it,
its official long and short title, the English title of the ISCO crosswalk and
the German labels of the ESCO occupations the BA maps to it. Labels and
queries go through :func:`text.normalise_title` and become TF-IDF vectors of
character 3- to 5-grams (which carry compounds: "Lohnbuchhalter" shares
"buchhalter" with "Buchhalter/in" and survives typos), whole words, and the
character n-grams of the first word, the head of most titles ("Meister/in -
Lackiererhandwerk"). A code's score fuses the best single label (nearest
neighbour), the best label of its three-digit group, the centroid of its
four-digit group, plus the log-probabilities of three linear classifiers: the
requirement level (fifth digit, driven by role words such as "Helfer",
"Meister", "Ingenieur"), the three-digit occupational group and the kind of
subgroup (fourth digit: 0 without specialisation, 9 supervision), so a title
like no known one still lands in the right group and level; and of a small
network over all codes, whose shared hidden layer carries what the titles of
one code teach about the others. Beside the title's own words, the Wiktionary
definitions of its words (``glosses``) are one more block of features, so
"Gräzist/in" meets the labels of philology through "Sprachwissenschaftler für
Altgriechisch". Fitting takes 20 to 40 seconds from the shipped text files and the
installed definitions; nothing is downloaded or pickled.
"""

import os
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from django.utils.functional import Promise
from sklearn.linear_model import SGDClassifier
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from lotse.network.regions import place_names
from lotse.occupations.features import TitleFeatures
from lotse.occupations.glossary import ENGLISH
from lotse.occupations.glosses import names_a_place
from lotse.occupations.reference import REQUIREMENT_LEVELS, Reference, get_reference
from lotse.occupations.text import normalise_title

# How much a label of each kind counts against a job title of the official list.
SOURCE_WEIGHTS = {"bb": 1.0, "ba": 1.0, "kldb": 0.9, "esco": 0.8, "en": 0.8}
# A first code below this score, or this close to the second, needs a human look.
# On unseen benchmark titles (5 folds) this flags 33 % and leaves 87 % right among the rest;
# known titles score far higher.
UNCERTAIN_SCORE = 0.1
UNCERTAIN_MARGIN = 0.1
BATCH = 512
# How a code's score fuses the evidence (tuned with bench/occupations.py on folds
# 1 and 2 of 5): the network's log-probability; the similarity of the code's
# nearest label, of its four-digit group's centroid and of the best label in its
# three-digit group; the log-probabilities of the requirement level, of the
# three-digit group and of the fourth digit, from linear classifiers.
FUSION = {
    "network": 0.1551,
    "nearest": 0.7487,
    "group": 0.2898,
    "near_field": 0.5514,
    "level": 0.1,
    "field": 0.1035,
    "kind": 0.0559,
}
NEAREST_MAX_DF = 0.005
PLACE_WORD_LENGTH = 4  # shorter words of place names ("bad", "am") are left in titles
_BEFORE_PLACES = frozenset({"in", "im", "bei", "raum", "region", "nahe", "um"})
# Words in GLOSS_KNOWN_LABELS labels or more ("fachkraft", "meister", "und") are read
# through the labels alone: a dictionary blurs what they say about level and code.
GLOSS_KNOWN_LABELS = 150
CLASSIFIER_ALPHA, FIELD_EPOCHS = 3e-6, 3
# The small network: hidden width, passes over the labels, Adagrad step, batch size.
NETWORK_WIDTH, NETWORK_EPOCHS, NETWORK_STEP, NETWORK_BATCH = 128, 8, 0.1, 256
_USABLE_RELATIONS = {"skos:exactMatch", "skos:closeMatch", "skos:narrowMatch"}


@dataclass(frozen=True)
class Label:
    text: str
    kldb5: str
    source: str
    esco_uri: str = ""
    preferred: bool = False  # the ESCO occupation's preferred label


@dataclass(slots=True)
class Match:
    """One ranked code for a title."""

    rank: int
    kldb5: str
    score: float
    matched_title: str
    title: str  # the official title of the code
    requirement_level: str | Promise
    esco_uri: str
    esco_label: str
    # A person of a partner organisation chose this code for this title (``checked``).
    checked: bool = False


def reference_labels(reference: Reference, exclude: Iterable[str] = ()) -> list[Label]:
    """Every label of every five-digit code; ``exclude`` drops labels by normalised form.

    The benchmark passes the held-out titles' variant keys as ``exclude``, so a
    test title never reaches training through another source.
    """
    from lotse.occupations.text import variant_key

    excluded = set(exclude)
    labels: list[Label] = []
    for occupation in reference.occupations.values():
        if occupation.level == 5:
            labels.append(Label(occupation.title, occupation.code, "kldb"))
            labels.append(Label(occupation.short_title, occupation.code, "kldb"))
    labels += [Label(t.title, t.kldb5, t.source) for t in reference.job_titles]
    for mapping in reference.mappings:
        esco = reference.esco.get(mapping.esco_uri)
        if esco and mapping.relation in _USABLE_RELATIONS:
            # "Koch/Köchin": the preferred label joins both forms with a slash.
            for text in esco.preferred_label.split("/"):
                labels.append(Label(text, mapping.kldb5, "esco", esco.uri, preferred=True))
            for text in esco.alt_labels:
                labels.append(Label(text, mapping.kldb5, "esco", esco.uri))
    labels += [Label(link.kldb_title_en, link.kldb5, "en") for link in reference.isco_links]
    unique: dict[tuple[str, str, str], Label] = {}
    for label in labels:
        if label.text.strip():
            unique.setdefault((label.text, label.kldb5, label.esco_uri), label)
    return [
        label
        for label in unique.values()
        if label.kldb5 in reference.occupations and variant_key(label.text) not in excluded
    ]


class _Linear:
    """A fitted one-vs-rest logistic classifier, kept as weights laid out for fast scoring.

    scikit-learn transposes its (classes x features) weights on every call, which
    costs more than the whole rest of coding one title.
    """

    def __init__(self, classifier: SGDClassifier) -> None:
        self.weights = np.ascontiguousarray(classifier.coef_.T, dtype=np.float32)
        self.intercept = classifier.intercept_.astype(np.float32)

    def predict_proba(self, vectors: sp.csr_matrix) -> np.ndarray:
        """As ``SGDClassifier.predict_proba`` with log loss: normalised sigmoids."""
        probabilities = 1.0 / (1.0 + np.exp(-(vectors @ self.weights + self.intercept)))
        return probabilities / probabilities.sum(axis=1, keepdims=True)


class _Network:
    """A one-hidden-layer network from a title's n-grams to its five-digit code.

    Unlike the linear classifiers, its codes share one small hidden layer, so
    what it learns of "Lebensmittel" for one code carries over to the others;
    this adds one to two points of top-1 and top-5 on unseen titles. Written in
    numpy (about thirty lines) rather than adding a deep-learning framework: a
    fit is eight passes of minibatch Adagrad, which touches only the n-gram
    rows a batch uses.
    """

    def __init__(self, vectors: sp.csr_matrix, targets: np.ndarray, classes: int) -> None:
        rng = np.random.default_rng(0)
        features = vectors.shape[1]
        # inner: n-gram -> hidden unit; outer: hidden unit -> code.
        self.inner = rng.standard_normal((features, NETWORK_WIDTH), dtype=np.float32)
        self.inner *= 0.1
        self.inner_bias = np.zeros(NETWORK_WIDTH, np.float32)
        self.outer = np.zeros((NETWORK_WIDTH, classes), np.float32)
        self.outer_bias = np.zeros(classes, np.float32)
        # Small products: one BLAS thread is fastest, and a second core busy with
        # other work would slow several threads down three-fold.
        with threadpool_limits(limits=1, user_api="blas"):
            self._fit(vectors.astype(np.float32, copy=False), targets, rng)

    def _fit(self, vectors: sp.csr_matrix, targets: np.ndarray, rng: np.random.Generator) -> None:
        features = vectors.shape[1]
        # Adagrad keeps one sum of squares per n-gram row (not per weight): as good
        # here, and the fit takes 11 s instead of 18.
        row_squares = np.full((features, 1), 1e-6, np.float32)
        dense = (self.inner_bias, self.outer, self.outer_bias)
        squares = [np.full_like(p, 1e-6) for p in dense]
        for _epoch in range(NETWORK_EPOCHS):
            order = rng.permutation(vectors.shape[0])
            for start in range(0, len(order), NETWORK_BATCH):
                rows = order[start : start + NETWORK_BATCH]
                batch = vectors[rows]
                hidden, scores = self._forward(batch)
                scores -= scores.max(axis=1, keepdims=True)
                error = np.exp(scores)
                error /= error.sum(axis=1, keepdims=True)
                error[np.arange(len(rows)), targets[rows]] -= 1.0
                error /= len(rows)
                back = (error @ self.outer.T) * (hidden > 0)
                used = np.flatnonzero(np.bincount(batch.indices, minlength=features))
                gradient = np.asarray(batch[:, used].T @ back, np.float32)
                row_squares[used] += (gradient**2).mean(axis=1, keepdims=True)
                self.inner[used] -= NETWORK_STEP * gradient / np.sqrt(row_squares[used])
                gradients = (back.sum(axis=0), hidden.T @ error, error.sum(axis=0))
                for parameter, square, part in zip(dense, squares, gradients, strict=True):
                    square += part**2
                    parameter -= NETWORK_STEP * part / np.sqrt(square)

    def _forward(self, vectors: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        hidden = np.maximum(vectors @ self.inner + self.inner_bias, 0)
        return hidden, hidden @ self.outer + self.outer_bias

    def predict_proba(self, vectors: sp.csr_matrix) -> np.ndarray:
        scores = self._forward(vectors)[1]
        probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
        return probabilities / probabilities.sum(axis=1, keepdims=True)


class Coder:
    """Fitted on labels; codes titles one at a time (autocomplete) or in batches (imports)."""

    def __init__(self, labels: Sequence[Label], reference: Reference | None = None) -> None:
        self.reference = reference or get_reference()
        # One label per normalised text and code ("Mechatroniker", "Mechatronikerin"):
        # the first keeps its text (official titles come first), takes the highest
        # weight of its kind and the ESCO link of any of them.
        merged: dict[tuple[str, str], Label] = {}
        for label in sorted(labels, key=lambda label: label.kldb5):
            key = (normalise_title(label.text), label.kldb5)
            kept = merged.get(key)
            if kept is None:
                merged[key] = label
                continue
            source = max(kept.source, label.source, key=SOURCE_WEIGHTS.__getitem__)
            esco_uri, preferred = kept.esco_uri, kept.preferred
            if label.esco_uri and (not esco_uri or (label.preferred and not preferred)):
                esco_uri, preferred = label.esco_uri, label.preferred
            merged[key] = Label(kept.text, kept.kldb5, source, esco_uri, preferred)
        self.labels = labels = list(merged.values())
        texts = [text for text, _code in merged]
        label_counts = Counter(word for text in texts for word in set(text.split()))
        # English words are read through the German word the glossary adds to them
        # (Wiktionary's "Nurse" is a nanny).
        known_words = frozenset(
            word for word, count in label_counts.items() if count >= GLOSS_KNOWN_LABELS
        ) | frozenset(ENGLISH)
        self._features = TitleFeatures(texts, known_words)
        # Vacancies name the place of work ("Produktionshelfer in Chemnitz"). The words of
        # German place names that no label has and the dictionary reads as a place are
        # dropped from titles: "chemnitz" read like "chemie" and sent a production helper
        # to the chemical industry. "Essen auf Rädern" keeps its "essen".
        candidates = {
            word
            for place in place_names()
            for word in normalise_title(place).split()
            if len(word) >= PLACE_WORD_LENGTH and word not in label_counts
        }
        self._places = frozenset(word for word in candidates if names_a_place(word))
        vectors = self._features.labels
        self.codes = sorted({label.kldb5 for label in labels})
        self.known_codes = frozenset(self.codes)
        self._code_index = index = {code: i for i, code in enumerate(self.codes)}
        owner = np.array([index[label.kldb5] for label in labels])
        self._owner = owner
        # Labels are sorted by code: one contiguous slice per code.
        self._starts = np.searchsorted(owner, np.arange(len(self.codes)))
        ends = [*self._starts[1:].tolist(), len(labels)]
        self._bounds = list(zip(self._starts.tolist(), ends, strict=True))
        self._weights = np.array([SOURCE_WEIGHTS[label.source] for label in labels], np.float32)
        # Equal similarity: the occupation whose preferred label it is wins.
        self._is_esco = np.array(
            [(1.0 if label.preferred else 0.99) if label.esco_uri else 0.0 for label in labels],
            np.float32,
        )
        columns = np.arange(len(labels))
        groups = sorted({code[:4] for code in self.codes})
        group_index = {group: i for i, group in enumerate(groups)}
        self._group_of = np.array([group_index[code[:4]] for code in self.codes])
        by_group = sp.csr_matrix(
            (self._weights, (self._group_of[owner], columns)), (len(groups), len(labels))
        )
        # For the nearest label, n-grams found in very many labels ("er ", "ter") only
        # add work to the sparse product, not ranking power: they are left out there.
        # So are the definitions' words: they tie a title to thousands of labels, which
        # made coding half as fast, and (measured) the classifiers make as good use of them.
        frequency = np.bincount(vectors.indices, minlength=vectors.shape[1])
        similar = frequency <= NEAREST_MAX_DF * len(labels)
        if self._features.gloss_columns:
            similar[vectors.shape[1] - self._features.gloss_columns :] = False
        common = sp.diags(similar.astype(np.float32))
        # Each label's kind weight is folded into its column once, not per query.
        self._labels_t = (vectors @ common).T.tocsr() @ sp.diags(self._weights)
        # The requirement level (fifth digit) follows role words ("Helfer", "Meister",
        # "Ingenieur") more than the trade: a small classifier over the job titles.
        titles = np.array([label.source in ("bb", "ba") for label in labels])
        title_codes = [label.kldb5 for label, keep in zip(labels, titles, strict=True) if keep]

        def fit(digits: slice, every_label: bool = False, **options: int | None) -> SGDClassifier:
            """A classifier from the job titles (or all labels) to some digits of their codes."""
            model = SGDClassifier(
                loss="log_loss", alpha=CLASSIFIER_ALPHA, random_state=0, **options
            )
            if every_label:
                return model.fit(vectors, [label.kldb5[digits] for label in labels])
            return model.fit(vectors[titles], [code[digits] for code in title_codes])

        levels = fit(slice(4, 5))
        self._levels = _Linear(levels)
        level_index = {level: i for i, level in enumerate(levels.classes_)}
        # The occupational group (three digits) carries over to titles like no known one;
        # learnt from every label (ESCO and official titles too), which helps top-5 most.
        fields = fit(slice(0, 3), every_label=True, max_iter=FIELD_EPOCHS, tol=None)
        self._fields = _Linear(fields)
        field_index = {field: i for i, field in enumerate(fields.classes_)}
        self._field_of = np.array([field_index[code[:3]] for code in self.codes])
        # The fourth digit means the same in every group: 0 without specialisation,
        # 9 supervision and management ("Meister", "Leiter"), 8 other specialisations.
        kinds = fit(slice(3, 4))
        self._kinds = _Linear(kinds)
        kind_index = {kind: i for i, kind in enumerate(kinds.classes_)}
        self._kind_of = np.array([kind_index[code[3]] for code in self.codes])
        self._level_of = np.array([level_index[code[4]] for code in self.codes])
        self._labels_t.eliminate_zeros()
        groups_t = normalize(by_group @ vectors).T.tocsr()
        # The common n-grams are left out of the group centroids too: as fine, faster.
        groups_t = (common @ groups_t).tocsr()
        groups_t.eliminate_zeros()
        self._groups_t = groups_t
        fields = [code[:3] for code in self.codes]
        self._field_starts = np.array(
            [i for i, f in enumerate(fields) if not i or f != fields[i - 1]]
        )
        self._field_index = np.repeat(
            np.arange(len(self._field_starts)), np.diff([*self._field_starts.tolist(), len(fields)])
        )
        self._network = _Network(vectors, owner, len(self.codes))

    def code_many(
        self, titles: Sequence[str], top: int = 5, checked: Sequence[str] = ()
    ) -> list[list[Match]]:
        """The ``top`` codes of each title, best first; titles are expected to be valid.

        ``checked`` holds, for each title, a code a person chose for it by hand, or
        "": that code comes first, with its own score, and the coder's follow.
        """
        if checked and len(checked) != len(titles):
            raise ValueError("checked must hold one code or '' for each title")
        results: list[list[Match]] = []
        for start in range(0, len(titles), BATCH):
            end = start + BATCH
            results += self._code_batch(titles[start:end], top, checked[start:end])
        return results

    def code(self, title: str, top: int = 5, checked: str = "") -> list[Match]:
        return self.code_many([title], top, [checked])[0]

    def _evidence(self, queries: sp.csr_matrix) -> tuple[dict[str, np.ndarray], sp.csr_matrix]:
        """Each kind of evidence as a (titles x codes) array, and the label similarities.

        A title shares n-grams with few labels, so the label similarities stay
        sparse and the nearest label of each code is taken from their non-zeros.
        """
        similarity = (queries @ self._labels_t).tocsr()
        codes = len(self.codes)
        rows = np.repeat(np.arange(similarity.shape[0]), np.diff(similarity.indptr))
        nearest = np.zeros(similarity.shape[0] * codes, np.float32)
        np.maximum.at(nearest, rows * codes + self._owner[similarity.indices], similarity.data)
        nearest = nearest.reshape(-1, codes)
        evidence = {
            "network": np.log(self._network.predict_proba(queries) + 1e-3),
            "nearest": nearest,
            "group": (queries @ self._groups_t).toarray()[:, self._group_of],
            # The best label of the code's three-digit group.
            "near_field": np.maximum.reduceat(nearest, self._field_starts, axis=1)[
                :, self._field_index
            ],
            # The logarithm of each class, then spread over its codes: 4, 144 and 10
            # logarithms a title instead of 1,300 each.
            "level": np.log(self._levels.predict_proba(queries) + 1e-3)[:, self._level_of],
            "field": np.log(self._fields.predict_proba(queries) + 1e-3)[:, self._field_of],
            "kind": np.log(self._kinds.predict_proba(queries) + 1e-3)[:, self._kind_of],
        }
        return evidence, similarity

    def _code_batch(
        self, titles: Sequence[str], top: int, checked: Sequence[str]
    ) -> list[list[Match]]:
        queries = self._features.transform([self._normalise(title) for title in titles])
        evidence, similarity = self._evidence(queries)
        scores = np.zeros_like(evidence["nearest"])
        for name, values in evidence.items():
            scores += FUSION[name] * values
        top = min(top, len(self.codes))
        best = np.argpartition(-scores, top - 1, axis=1)[:, :top]
        rows = np.arange(len(titles))[:, None]
        ranked = best[rows, np.argsort(-scores[rows, best], axis=1)]
        chosen = [self._code_index.get(code, -1) for code in checked] or [-1] * len(titles)
        for row, first in enumerate(chosen):
            if first >= 0:
                others = ranked[row][ranked[row] != first]
                ranked[row] = [first, *others[: top - 1]]
        closest, closest_esco = self._closest_labels(similarity, ranked)
        results = [
            [
                self._match(rank, int(i), float(scores[row, i]), int(label), int(esco))
                for rank, (i, label, esco) in enumerate(
                    zip(ranked[row], closest[row], closest_esco[row], strict=True), start=1
                )
            ]
            for row in range(len(titles))
        ]
        for matches, first in zip(results, chosen, strict=True):
            if first >= 0:
                matches[0].checked = True
        return results

    def _normalise(self, title: str) -> str:
        """The title as the labels are written: normalised, without the place of work."""
        words = normalise_title(title).split()
        kept: list[str] = []
        for word in words:
            if word not in self._places:
                kept.append(word)
                continue
            while kept and kept[-1] in _BEFORE_PLACES:  # "in", "im Raum"
                kept.pop()
        return " ".join(kept or words)

    def _closest_labels(
        self, similarity: sp.csr_matrix, ranked: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """For each title and ranked code, its label most like the title, and its ESCO label's.

        -1 where there is none. ESCO labels count with their weight in ``_is_esco`` (the
        occupation's preferred label before its other labels); of equals, the first wins.
        """
        codes = len(self.codes)
        wanted = np.zeros(similarity.shape[0] * codes, bool)
        pairs = (np.arange(len(ranked))[:, None] * codes + ranked).ravel()
        wanted[pairs] = True
        rows = np.repeat(np.arange(similarity.shape[0]), np.diff(similarity.indptr))
        keys = rows * codes + self._owner[similarity.indices]
        keep = wanted[keys] & (similarity.data > 0)
        keys, values, labels = keys[keep], similarity.data[keep], similarity.indices[keep]
        closest = []
        for weight in (None, self._is_esco[labels]):
            weighted = values if weight is None else values * weight
            positive = weighted > 0
            found_keys, found_labels = keys[positive], labels[positive]
            # Per key, the highest value first and, of equal values, the first label.
            order = np.lexsort((found_labels, -weighted[positive], found_keys))
            found_keys, found_labels = found_keys[order], found_labels[order]
            first = np.ones(len(found_keys), bool)
            first[1:] = found_keys[1:] != found_keys[:-1]
            unique, best = found_keys[first], found_labels[first]
            # Each wanted pair among the keys found (sorted): its label, or -1.
            at = np.minimum(np.searchsorted(unique, pairs), max(len(unique) - 1, 0))
            hit = unique[at] == pairs if len(unique) else np.zeros(len(pairs), bool)
            found = np.where(hit, best[at] if len(unique) else -1, -1)
            closest.append(found.astype(np.int64).reshape(ranked.shape))
        return closest[0], closest[1]

    def _match(self, rank: int, code_index: int, score: float, label: int, esco: int) -> Match:
        """One ranked code, with its label closest to the title and its ESCO label's (or -1)."""
        code = self.codes[code_index]
        occupation = self.reference.occupations[code]
        # Without any shared n-gram, the code's first label stands for it.
        matched = self.labels[label if label >= 0 else self._bounds[code_index][0]]
        # The ESCO occupation whose label is closest to the title, else the code's closest.
        occupation_esco = (
            self.reference.esco.get(self.labels[esco].esco_uri)
            if esco >= 0
            else self.reference.best_esco(code)
        )
        return Match(
            rank=rank,
            kldb5=code,
            score=round(score, 4),
            matched_title=matched.text,
            title=occupation.title,
            # Lazy: translated when shown, not once per candidate in a bulk run.
            requirement_level=REQUIREMENT_LEVELS[code[4]],
            esco_uri=occupation_esco.uri if occupation_esco else "",
            esco_label=occupation_esco.preferred_label if occupation_esco else "",
        )


_fitted: list[Coder] = []
_fitting = threading.Lock()


def _forget_fit_of_parent() -> None:
    """In a process forked while its parent fitted (gunicorn --preload), start afresh.

    The fitting thread does not come along into the child, but its held lock would:
    every request there would wait or hear "starting" for ever.
    """
    global _fitting
    if not _fitted:
        _fitting = threading.Lock()


os.register_at_fork(after_in_child=_forget_fit_of_parent)


class CoderStarting(Exception):
    """The coder is being fitted (the server has just started): ask again in a minute."""


def get_coder(wait: bool = True) -> Coder:
    """The coder fitted on all shipped labels, built on first use (20 to 40 seconds).

    Requests that arrive while another thread (the server's start-up) fits it wait
    for that fit instead of starting their own, which would cost 40 seconds and
    600 MB each; with ``wait=False`` they get ``CoderStarting`` at once instead.
    """
    if not _fitted:
        if not _fitting.acquire(blocking=wait):
            raise CoderStarting
        try:
            if not _fitted:
                reference = get_reference()
                _fitted.append(Coder(reference_labels(reference), reference))
        finally:
            _fitting.release()
    return _fitted[0]


def is_uncertain(matches: Sequence[Match]) -> bool:
    """Whether an import should show this coding to a person before trusting it."""
    if not matches:
        return True
    if matches[0].checked:
        return False
    margin = matches[0].score - matches[1].score if len(matches) > 1 else matches[0].score
    return matches[0].score < UNCERTAIN_SCORE or margin < UNCERTAIN_MARGIN
