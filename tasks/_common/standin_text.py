"""English-like sentences from a small grammar, for the stand-ins of the text tasks: words, spaces,
capitals and punctuation recur in patterns, so a byte-level model learns something from a few
hundred kilobytes. Stand-in scripts put this folder on sys.path themselves (they run without it)."""

SUBJECTS = ["the cat", "a small dog", "my teacher", "the old man", "our neighbour", "the children", "a farmer",
            "the river", "this city", "the engineer", "a young girl", "the committee"]
VERBS = ["sees", "likes", "builds", "finds", "carries", "paints", "follows", "reads", "opens", "watches"]
OBJECTS = ["the red ball", "a long letter", "the garden", "an empty box", "the blue door", "a new house",
           "the morning train", "a quiet song", "the market", "three apples"]
TAILS = ["", "", " every day", " in the morning", " near the station", " after the rain", " with great care",
         " before dinner"]


def sentence(rng):
    """One sentence: a subject, a verb, an object and sometimes a time or place, capitalised."""
    words = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}"
    return words[0].upper() + words[1:] + rng.choice([".", ".", ".", "!", "?"])


def paragraph(rng, sentences):
    return " ".join(sentence(rng) for _ in range(sentences))
