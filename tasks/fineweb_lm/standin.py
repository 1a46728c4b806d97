"""Write a synthetic stand-in for one shard of FineWeb's 10BT sample: the same path and parquet columns
(text, id, dump, url, date, file_path, language, language_score, token_count), 600 documents of
English-like sentences from a small grammar (about 330 KB), so that a byte-level model has something to
learn. For tests of the loader, baseline and grader; never a real score.

Usage: python standin.py FOLDER   (writes FOLDER/sample/10BT/000_00000.parquet)
"""

import random
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "_common"))
from standin_text import paragraph  # noqa: E402

rng = random.Random(11)
DUMP = "CC-MAIN-2024-10"
texts = ["\n".join(paragraph(rng, rng.randint(2, 6)) for _ in range(rng.randint(1, 4))) for _ in range(600)]
columns = {
    "text": texts,
    "id": [f"<urn:uuid:{rng.getrandbits(128):032x}>" for _ in texts],
    "dump": [DUMP] * len(texts),
    "url": [f"https://example{i}.org/page/{rng.randrange(1000)}" for i in range(len(texts))],
    "date": ["2024-02-2%dT0%d:12:30Z" % (rng.randrange(10), rng.randrange(10)) for _ in texts],
    "file_path": [f"s3://commoncrawl/crawl-data/{DUMP}/segments/{i}/warc/standin.warc.gz" for i in range(len(texts))],
    "language": ["en"] * len(texts),
    "language_score": [round(0.65 + 0.35 * rng.random(), 4) for _ in texts],
    "token_count": [len(t) // 4 for t in texts],
}
folder = Path(sys.argv[1]) / "sample" / "10BT"
folder.mkdir(parents=True, exist_ok=True)
pq.write_table(pa.table(columns), folder / "000_00000.parquet", row_group_size=200)
