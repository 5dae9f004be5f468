"""Routing suggestions (分办建议): which category and handling unit a petition's content points to.

Two methods, one interface (`suggest` / `selectors.suggest_routing`):

- **Classifier**, once the county has enough history (`MIN_HISTORY` petitions with a handling
  unit): jieba segmentation with the domain dictionary (data/domain_dict.txt plus every
  Category.keywords), TF-IDF over words and word pairs, logistic regression; one model for
  content → category and one for content → handling_unit. `train()` measures accuracy on a
  held-out fifth of the history, then refits on all of it and stores both models with joblib
  under `XINFANG_ROUTING_MODEL_DIR` (default var/models/). `manage.py train_routing` runs it.
- **Keyword rules** (各部门归口处理信访问题的办法), with too little history or no stored model:
  Category.keywords point to the category's default unit; Unit.responsibilities (归口事项)
  point to the unit; with no hit, the township of the place where the matter arose (属地).

The suggestion never decides: the office picks the unit. Nothing here looks at who petitions.
"""

import hashlib
import logging
import os
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import Q

MIN_HISTORY = int(os.environ.get("XINFANG_ROUTING_MIN_HISTORY", "200"))
MODEL_FILE = "routing.joblib"
MAX_TRAINING_ROWS = 50_000
DICT_FILE = Path(__file__).resolve().parent / "data" / "domain_dict.txt"
_SPLIT_TERMS = re.compile(r"[\s,，、;；。:：/()（）]+")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 我 我们 他 他们 你 您 这 那 有 也 都 就 被 把 对 为 请 要 没有 一个 问题 反映 情况 要求".split()
)

_lock = threading.Lock()
_state: dict = {"jieba": None, "words": frozenset(), "model": None, "model_mtime": None}


def model_dir() -> Path:
    return Path(getattr(settings, "XINFANG_ROUTING_MODEL_DIR", settings.BASE_DIR / "var" / "models"))


def model_path() -> Path:
    """One file per database: a model names units by primary key, so it belongs to the database it learnt from."""
    from django.db import connection

    tag = hashlib.sha1(str(connection.settings_dict.get("NAME", "")).encode()).hexdigest()[:10]
    return model_dir() / f"{MODEL_FILE.removesuffix('.joblib')}-{tag}.joblib"


# --- segmentation -----------------------------------------------------------------------


def _domain_words() -> set[str]:
    from xinfang.petitions.models import Category

    words = set()
    for keywords in Category.objects.filter(active=True).values_list("keywords", flat=True):
        words.update(w for w in _SPLIT_TERMS.split(keywords or "") if len(w) >= 2)
    return words


def _jieba():
    """A jieba tokenizer of our own (not the global one) with the domain dictionary loaded."""
    with _lock:
        if _state["jieba"] is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)  # jieba sets its own logger to DEBUG on import
            tok = jieba.Tokenizer()
            tok.load_userdict(str(DICT_FILE))
            _state["jieba"] = tok
        return _state["jieba"]


def add_domain_words(words) -> None:
    tok = _jieba()
    new = set(words) - _state["words"]
    for word in new:
        tok.add_word(word, freq=20000)
    _state["words"] = _state["words"] | new


def tokenize(text: str) -> list[str]:
    """Words of a text: jieba with the domain dictionary, minus punctuation and stop words."""
    return [w for w in _jieba().lcut(text or "") if _WORD.search(w) and w not in STOPWORDS]


# --- the classifier ---------------------------------------------------------------------


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(tokenizer=tokenize, token_pattern=None, lowercase=False, ngram_range=(1, 2), sublinear_tf=True, min_df=1),
            ),
            ("clf", LogisticRegression(max_iter=2000, C=5.0)),
        ]
    )


def history():
    """(contents, category codes, unit codes) of the county's routed petitions, newest first.

    Codes, not primary keys: a model stays valid across a reload of the same county, and a model
    from another database names units that simply are not found (then keyword rules answer)."""
    from xinfang.petitions.models import Petition

    rows = list(
        Petition.objects.filter(handling_unit__isnull=False)
        .order_by("-registered_at")
        .values_list("content", "category__code", "handling_unit__code")[:MAX_TRAINING_ROWS]
    )
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _topk_accuracy(model, x, y, k=3) -> float:
    import numpy as np

    proba = model.predict_proba(x)
    classes = model.classes_
    top = np.argsort(-proba, axis=1)[:, :k]
    hits = sum(1 for i, label in enumerate(y) if label in set(classes[top[i]]))
    return hits / len(y) if len(y) else 0.0


@dataclass
class Evaluation:
    samples: int
    test_samples: int = 0
    category_accuracy: float | None = None
    unit_accuracy: float | None = None
    category_top3: float | None = None
    unit_top3: float | None = None
    method: str = "keywords"
    notes: list = field(default_factory=list)


def evaluate(contents, categories, units, *, test_size=0.2, seed=20260101) -> Evaluation:
    """Held-out accuracy: train on four fifths, score the fifth never seen (same split for both targets)."""
    from sklearn.metrics import accuracy_score
    from sklearn.model_selection import train_test_split

    n = len(contents)
    result = Evaluation(samples=n)
    if n < MIN_HISTORY:
        result.notes.append(f"历史信访件 {n} 件，少于 {MIN_HISTORY} 件：使用关键词规则")
        return result
    add_domain_words(_domain_words())
    idx = list(range(n))
    try:
        train_idx, test_idx = train_test_split(idx, test_size=test_size, random_state=seed, stratify=units)
    except ValueError:  # a unit with a single petition cannot be stratified
        train_idx, test_idx = train_test_split(idx, test_size=test_size, random_state=seed)
    pick = lambda seq, ids: [seq[i] for i in ids]  # noqa: E731
    for target, labels in (("category", categories), ("unit", units)):
        y_train = pick(labels, train_idx)
        if len(set(y_train)) < 2:
            result.notes.append(f"{target}: 历史中只有一个取值，无法训练")
            continue
        model = _pipeline().fit(pick(contents, train_idx), y_train)
        x_test, y_test = pick(contents, test_idx), pick(labels, test_idx)
        setattr(result, f"{target}_accuracy", float(accuracy_score(y_test, model.predict(x_test))))
        setattr(result, f"{target}_top3", float(_topk_accuracy(model, x_test, y_test)))
    result.test_samples = len(test_idx)
    result.method = "classifier" if result.unit_accuracy is not None else "keywords"
    return result


def train():
    """Evaluate on held-out history, refit on all of it, store the models, record the run."""
    import joblib

    from xinfang.knowledge.models import RoutingModelRun

    contents, categories, units = history()
    ev = evaluate(contents, categories, units)
    path = ""
    if ev.method == "classifier":
        payload = {"unit": _pipeline().fit(contents, units), "samples": len(contents), "words": sorted(_state["words"])}
        if len(set(categories)) >= 2:
            payload["category"] = _pipeline().fit(contents, categories)
        model_dir().mkdir(parents=True, exist_ok=True)
        tmp = model_path().with_suffix(".tmp")
        joblib.dump(payload, tmp)
        os.replace(tmp, model_path())  # atomic: a running server never reads half a file
        path = str(model_path())
    elif model_path().exists():
        # Too little history now (e.g. a fresh install): keep keyword rules, set the old model aside.
        os.replace(model_path(), model_path().with_suffix(".retired"))
    run = RoutingModelRun.objects.create(
        method=ev.method,
        samples=ev.samples,
        test_samples=ev.test_samples,
        category_accuracy=ev.category_accuracy,
        unit_accuracy=ev.unit_accuracy,
        category_top3=ev.category_top3,
        unit_top3=ev.unit_top3,
        model_path=path,
    )
    return run, ev


def _load_model():
    path = model_path()
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        _state["model"], _state["model_mtime"] = None, None
        return None
    if _state["model_mtime"] != mtime:
        import joblib

        with _lock:
            _state["model"] = joblib.load(path)
            _state["model_mtime"] = mtime
        add_domain_words(_state["model"].get("words", ()))
    return _state["model"]


# --- suggestions ------------------------------------------------------------------------


def _terms(text: str) -> list[str]:
    return [t for t in _SPLIT_TERMS.split(text or "") if len(t) >= 2]


def _keyword_suggestions(content: str, region=None, limit=3) -> list[dict]:
    from xinfang.org.models import Unit, UnitKind
    from xinfang.petitions.models import Category

    scores: dict[int, float] = defaultdict(float)
    reasons: dict[int, list[str]] = defaultdict(list)
    unit_category: dict[int, Category] = {}
    for cat in Category.objects.filter(active=True, default_unit__isnull=False).exclude(keywords="").select_related("default_unit"):
        hits = [w for w in _terms(cat.keywords) if w in content]
        if hits:
            uid = cat.default_unit_id
            scores[uid] += len(hits)
            reasons[uid].append(f"「{'、'.join(hits[:4])}」属{cat.name}类")
            if uid not in unit_category or len(hits) > 1:
                unit_category[uid] = cat
    handling_kinds = [UnitKind.DEPARTMENT, UnitKind.TOWNSHIP, UnitKind.OTHER]  # the office itself never handles by keyword
    for unit in (
        Unit.objects.filter(active=True, kind__in=handling_kinds).exclude(responsibilities="").only("pk", "responsibilities", "name")
    ):
        hits = [w for w in _terms(unit.responsibilities) if w in content]
        if hits:
            scores[unit.pk] += 0.5 * len(hits)
            reasons[unit.pk].append(f"「{'、'.join(hits[:4])}」在该单位归口事项内")
    if not scores and region is not None:
        # 属地管理: no keyword matched; the township where the matter arose is the default.
        township = (
            Unit.objects.filter(active=True, kind=UnitKind.TOWNSHIP, region__level="township")
            .filter(Q(region=region) | Q(region__path__in=_ancestor_paths(region.path)))
            .first()
        )
        if township is not None:
            scores[township.pk] = 0.2
            reasons[township.pk].append("未匹配到归口关键词，按属地由问题发生地乡镇办理")
    total = sum(scores.values()) or 1.0
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    units = Unit.objects.in_bulk([uid for uid, _ in ranked])
    cats_by_unit = {c.default_unit_id: c for c in Category.objects.filter(active=True, default_unit_id__in=units).order_by("code")}
    out = []
    for uid, score in ranked:
        out.append(
            {
                "unit": units[uid],
                "category": unit_category.get(uid) or cats_by_unit.get(uid),
                "confidence": round(_keyword_confidence(score, total, len(ranked)), 3),
                "reason": "；".join(reasons[uid]),
                "method": "keywords",
            }
        )
    return out


def _keyword_confidence(score: float, total: float, n: int) -> float:
    if score < 1:  # no keyword at all: only the place (属地)
        return score
    return min(score / total, 0.95) if n > 1 else min(0.5 + 0.1 * score, 0.9)


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def _classifier_suggestions(model: dict, content: str, limit=3) -> list[dict]:
    from xinfang.org.models import Unit
    from xinfang.petitions.models import Category

    unit_model = model["unit"]
    proba = unit_model.predict_proba([content])[0]
    order = proba.argsort()[::-1][:limit]
    unit_codes = [str(unit_model.classes_[i]) for i in order]
    cat_ranked = []
    if "category" in model:
        cat_model = model["category"]
        cat_proba = cat_model.predict_proba([content])[0]
        cat_ranked = [(str(cat_model.classes_[i]), float(cat_proba[i])) for i in cat_proba.argsort()[::-1]]
    units = Unit.objects.in_bulk(unit_codes, field_name="code")
    cats = Category.objects.in_bulk([c for c, _ in cat_ranked[:10]], field_name="code")
    words = [w for w in dict.fromkeys(tokenize(content)) if w in unit_model.named_steps["tfidf"].vocabulary_][:5]
    out = []
    for rank, code in enumerate(unit_codes):
        unit = units.get(code)
        if unit is None or not unit.active:
            continue
        # The most likely category that this unit handles; else the most likely category overall.
        category = next((cats[c] for c, _ in cat_ranked[:10] if c in cats and cats[c].default_unit_id == unit.pk), None)
        if category is None and cat_ranked:
            category = cats.get(cat_ranked[0][0])
        basis = f"依据本县 {model.get('samples', 0)} 件历史信访件的办理单位"
        out.append(
            {
                "unit": unit,
                "category": category,
                "confidence": round(float(proba[order[rank]]), 3),
                "reason": basis + (f"；关键词：{'、'.join(words)}" if words else ""),
                "method": "classifier",
            }
        )
    return out


def suggest(content: str, region=None, limit: int = 3) -> list[dict]:
    """Top suggestions: [{category, unit, confidence (0–1), reason, method}], best first."""
    content = (content or "").strip()
    if not content:
        return []
    model = _load_model()
    if model is not None:
        found = _classifier_suggestions(model, content, limit)
        if found:
            return found
    return _keyword_suggestions(content, region, limit)


# --- accusations never reach the accused --------------------------------------------------


def for_petition(suggestions: list[dict], petition, limit: int = 3) -> list[dict]:
    """A 检举控告's suggestions without the units where a respondent works (the access policy's guard, the same
    one the assign and forward services apply); instead, first, the unit's superior and the discipline organ.
    Other petitions: unchanged."""
    from xinfang.access import policy

    excluded = policy.accused_unit_ids(petition)
    if not excluded:
        return suggestions
    kept = [s for s in suggestions if s["unit"].pk not in excluded]
    offered = [
        {"unit": unit, "category": None, "confidence": None, "reason": reason, "method": "rule"}
        for unit, reason in policy.accused_alternatives(petition)
        if all(s["unit"].pk != unit.pk for s in kept)
    ]
    return (offered + kept)[: max(limit, len(offered))]
