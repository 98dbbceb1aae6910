"""core.words: the small wording helpers screens share."""

from tacompanion.core.words import clip, plural


def test_plural():
    assert [plural(n, "extract") for n in (0, 1, 2)] == ["0 extracts", "1 extract", "2 extracts"]


def test_clip_keeps_what_fits_and_marks_a_cut():
    assert clip("Silence", 7) == "Silence"
    assert clip("Silence", 6) == "Silen…"
    assert len(clip("Being with silence", 10)) == 10


def test_distinct_labels_keep_different_codes_apart():
    from tacompanion.core.words import distinct_labels

    names = ["silence is not absence", "silence is not empty", "learning to wait"]
    labels = distinct_labels(names, 15)
    assert len(set(labels)) == 3
    assert all(len(label) <= 15 for label in labels)
    assert labels[0].endswith("absence") and labels[1].endswith("empty")
    assert labels[2] == "learning to wa…"  # no clash: cut at the end as before
    # alike at both ends: the middle where they differ is shown
    alike = distinct_labels(["silence is not X in the group", "silence is not Y in the group"], 15)
    assert alike[0] != alike[1] and "X" in alike[0] and "Y" in alike[1]
    assert distinct_labels(["a", "b"], 15) == ["a", "b"]


def test_distinct_labels_never_clash_on_random_names():
    import random

    from tacompanion.core.words import distinct_labels

    rng = random.Random(15)
    vocabulary = ["silence", "is", "not", "a", "the", "group", "wait", "waiting", "thinking"]
    for _ in range(500):
        names = list({" ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 8)))
                      for _ in range(rng.randint(2, 12))})
        width = rng.randint(6, 24)
        labels = distinct_labels(names, width)
        assert all(len(label) <= width for label in labels)
        assert len(set(labels)) == len(names), (names, width, labels)
