"""Score the reader corpus: each file read exactly, refused clearly, or wrong.

The same scoring `tests/test_reader_corpus.py` runs (and fails on any wrong file):

    python scripts/corpus_score.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_reader_corpus import corpus_score  # noqa: E402


def main() -> None:
    score = corpus_score()
    total = sum(len(files) for files in score.values())
    for name, files in score.items():
        print(f"{name:<16} {len(files):>3} of {total}")
        if name == "wrong":
            for file in files:
                print(f"  {file}")
    sys.exit(1 if score["wrong"] else 0)


if __name__ == "__main__":
    main()
