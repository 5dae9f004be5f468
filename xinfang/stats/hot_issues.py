"""Hot issues (热点问题): frequent terms, categories, rising topics and places with clusters.

Terms come from jieba with the domain dictionary and stop words in `xinfang/stats/data/`.
Terms are counted once per petition (document frequency), so one long letter does not
outweigh many short ones. Segmenting text is the one place that reads row values: it reads
the `content` column of at most `MAX_DOCS` petitions of the period (the most recent), and says
so in its result when the period has more. Everything else is a grouped aggregate.

Clusters are about places and matters (地点 × 问题类别), never about people.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path

from django.db.models import Count, QuerySet

from xinfang.org.models import Region
from xinfang.petitions.models import Petition

DATA = Path(__file__).resolve().parent / "data"
MAX_DOCS = 5000
CLUSTER_MIN = 3
_lock = threading.Lock()
_tokenizer = None
_stopwords: set[str] | None = None
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def tokenizer():
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(60)
            t = jieba.Tokenizer()
            t.load_userdict(str(DATA / "domain_dict.txt"))
            _tokenizer = t
    return _tokenizer


def stopwords() -> set[str]:
    global _stopwords
    if _stopwords is None:
        _stopwords = {w.strip() for w in (DATA / "stopwords.txt").read_text(encoding="utf-8").splitlines() if w.strip()}
    return _stopwords


def terms_of(text: str) -> set[str]:
    stop = stopwords()
    return {w for w in tokenizer().cut(text or "") if _WORD.match(w) and w not in stop}


def term_counts(qs: QuerySet[Petition], max_docs: int = MAX_DOCS) -> tuple[Counter, int, bool]:
    texts = list(qs.order_by("-registered_at").values_list("content", flat=True)[: max_docs + 1])
    truncated = len(texts) > max_docs
    counter: Counter = Counter()
    for text in texts[:max_docs]:
        counter.update(terms_of(text))
    return counter, min(len(texts), max_docs), truncated


def rising_terms(current: Counter, previous: Counter, limit: int = 10) -> list[dict]:
    rows = []
    for term, n in current.items():
        before = previous.get(term, 0)
        if n >= 2 and n > before:
            rows.append({"term": term, "count": n, "previous": before, "growth": n - before})
    rows.sort(key=lambda r: (-r["growth"], -r["count"], r["term"]))
    return rows[:limit]


def clusters(qs: QuerySet[Petition], minimum: int = CLUSTER_MIN, limit: int = 15) -> list[dict]:
    """Villages (or townships for county-level places) with ≥ minimum petitions of one category."""
    data = list(qs.order_by().values("region_id", "category__code", "category__name").annotate(n=Count("pk")))
    regions = {r["pk"]: r for r in Region.objects.filter(pk__in={d["region_id"] for d in data}).values("pk", "path")}
    folded: dict[tuple[str, str], dict] = {}
    for d in data:
        segments = regions[d["region_id"]]["path"].strip("/").split("/")
        place = segments[2] if len(segments) >= 3 else segments[-1]
        key = (place, d["category__code"])
        entry = folded.setdefault(key, {"place": place, "category": d["category__code"], "category_name": d["category__name"], "count": 0})
        entry["count"] += d["n"]
    names = {r.code: r.full_name for r in Region.objects.filter(code__in={k[0] for k in folded}).select_related("parent__parent__parent")}
    rows = [dict(e, place_name=names.get(e["place"], e["place"])) for e in folded.values() if e["count"] >= minimum]
    rows.sort(key=lambda r: (-r["count"], r["place"], r["category"]))
    return rows[:limit]


PLACE_SUFFIXES = ("村民小组", "社区", "街道", "村", "镇", "乡", "县", "组")


def place_words() -> set[str]:
    """Names of the county's places and their stems (光明村 → 光明): where a petition comes from is not
    what it is about, and the clusters below already count places."""
    words: set[str] = set()
    for name in Region.objects.values_list("name", flat=True):
        words.add(name)
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                words.add(name[: -len(suffix)])
                break
    return words


def hot_issues(qs: QuerySet[Petition], previous_qs: QuerySet[Petition], *, limit: int = 20) -> dict:
    from .breakdowns import by_category

    current, docs, truncated = term_counts(qs)
    previous, _, _ = term_counts(previous_qs)
    places = place_words()
    for counter in (current, previous):
        for word in places & counter.keys():
            del counter[word]
    return {
        "terms": [{"term": t, "count": n} for t, n in sorted(current.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]],
        "rising": rising_terms(current, previous),
        "categories": by_category(qs)[:10],
        "clusters": clusters(qs),
        "documents": docs,
        "truncated": truncated,
    }
