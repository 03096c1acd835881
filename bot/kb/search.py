"""Ranked search over practices: BM25 on jieba tokens, domain synonyms, place preference.

Why this method: the list is small (tens, later hundreds of practices), so the whole
index lives in memory. Okapi BM25 is the standard, well-understood ranking for short
keyword queries; here it runs over a weighted bag of fields (BM25F in its simplest
form: the headline counts `FIELD_WEIGHTS["title"]` times) and with weighted query
terms (a synonym counts less than a word the user typed). Off-the-shelf `rank_bm25`
supports neither field nor query-term weights and scores every document per term;
the few lines below precompute each (term, practice) contribution into an inverted
index, so a query costs one dictionary lookup per term (well under a millisecond).

Workers say 欠钱, 刷脸, 考个证; the document says 拖欠农民工工资, 人脸识别, 职业技能等级
证书. `data/kb/synonyms.yml` bridges the two, and misspelt domain words of three or
more characters (实明制, 工资专护) are read as the word they differ from by one
character.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.kb.synonyms import SynonymGroup, TypoReader, load_domain_words, load_synonyms
from bot.kb.text import normalize, tokenize
from bot.kb.types import REGION_EXACT, REGION_NONE, REGION_PROVINCE, Hit, Place, Practice

# BM25 parameters: the usual defaults (Robertson & Zaragoza 2009).
BM25_K1 = 1.2
BM25_B = 0.75
# How much each field of a practice counts. The body (`text`) already contains the
# headline once, so a headline word counts 1 + 2 = 3 times.
FIELD_WEIGHTS: Mapping[str, float] = {"title": 2.0, "text": 1.0, "measure": 1.0, "task": 0.5}
# Query-term weights: a word typed, a synonym of one, a misspelt domain word read right.
TYPED_WEIGHT = 1.0
TYPO_WEIGHT = 0.8
# A typed synonym far rarer in the list than its group (夜校 in one practice, 培训 in most) also
# counts as a word of its own, at this weight: the practice that says what was typed comes first.
LITERAL_WEIGHT = 0.5
RARER_LITERAL = 3  # "far rarer": in at most a third as many practices as the group
# A practice is relevant when its score reaches MIN_SCORE and RELATIVE_CUTOFF of the
# best score. Small talk (你好, 今天天气怎么样, 工地好热啊) scores 0 once stop words and
# generic words are gone; a single on-topic word scores 1.3 (培训, the commonest
# concept) to 4 (比赛); the relative cut drops the long tail of one-word overlaps.
# Set on data/measure/search_queries.yml and the off-topic cases of tests/kb/test_search.py.
MIN_SCORE = 1.0
# How much more a practice of the question's known topic counts (see `search(prefer=…)`): a long
# message's many ordinary words must not outweigh what it is about.
PREFER_BOOST = 3.0
# The score of a practice the query names by its numbering ("五（一）2"): above any BM25 score.
REFERENCE_SCORE = 100.0
RELATIVE_CUTOFF = 0.2

_MATCH_ORDER = {REGION_EXACT: 0, REGION_PROVINCE: 1, REGION_NONE: 2}


@dataclass(frozen=True)
class SearchResult:
    """A page of ranked hits, the place the search was about, and how many hits there are in all."""

    hits: tuple[Hit, ...]
    place: Optional[Place]
    total: int
    coverage: float = 0.0  # how much of the question (idf-weighted) the first hit speaks to, 0..1
    named: int = 0  # how many hits the query named by their numbering ("五（一）2")


@dataclass(frozen=True)
class _Concept:
    """One thing a query asks about: a synonym group (with per-term weights) or a single token."""

    group: Optional[int]  # index into the index's groups, None for a token
    key: str  # the token (for a token concept)
    weights: tuple[tuple[str, float], ...] = ()  # (term, weight) for a group concept
    weight: float = TYPED_WEIGHT  # for a token concept


class PracticeIndex:
    """An in-memory BM25 index of practices with place-aware ranking.

    Args:
        practices: The practices to search, in document order.
        gazetteer: A `bot.kb.regions.Gazetteer`; the process-wide one when omitted.
        synonyms: Synonym groups; those of `data/kb/synonyms.yml` when omitted.
    """

    def __init__(
        self,
        practices: Sequence[Practice],
        gazetteer: Any = None,
        synonyms: Optional[Sequence[SynonymGroup]] = None,
    ) -> None:
        if gazetteer is None:
            from bot.kb.regions import get_gazetteer

            gazetteer = get_gazetteer()
        self._gazetteer = gazetteer
        self._practices = tuple(practices)
        self._places = tuple(self._place_of(p) for p in self._practices)
        self._positions = {p.id: i for i, p in enumerate(self._practices)}
        self._groups = tuple(load_synonyms() if synonyms is None else synonyms)
        terms = {t for g in self._groups for t in g.terms}
        self._typos = TypoReader(list(load_domain_words()) + [t for t in terms if len(t) > 1])
        fields = [
            [(normalize(getattr(p, name), None).lower(), weight) for name, weight in FIELD_WEIGHTS.items()]
            for p in self._practices
        ]
        token_tfs = [self._token_tf(doc) for doc in fields]
        self._norms = self._length_norms([sum(tf.values()) for tf in token_tfs])
        self._postings = self._build_postings(token_tfs)
        self._group_patterns = tuple(_longest_first(group.terms) for group in self._groups)
        self._group_tfs = tuple(self._group_tf(group, fields) for group in self._groups)
        self._match_cache: dict[str, tuple[str, ...]] = {}

    # -- building ---------------------------------------------------------------

    def _place_of(self, practice: Practice) -> Optional[Place]:
        place = self._gazetteer.get(practice.region_code) if practice.region_code else None
        if place is None and practice.region:
            place = self._gazetteer.resolve(practice.region)
        return place

    @staticmethod
    def _token_tf(fields: Sequence[tuple[str, float]]) -> dict[str, float]:
        tf: dict[str, float] = defaultdict(float)
        for text, weight in fields:
            for token in tokenize(text):
                tf[token] += weight
        return tf

    @staticmethod
    def _length_norms(lengths: Sequence[float]) -> tuple[float, ...]:
        """BM25's per-practice length normalization, k1 * (1 - b + b * length / average)."""
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        return tuple(BM25_K1 * (1 - BM25_B + BM25_B * length / average) for length in lengths)

    def _idf(self, doc_freq: int) -> float:
        count = len(self._practices)
        return math.log(1 + (count - doc_freq + 0.5) / (doc_freq + 0.5))

    def _bm25(self, idf: float, freq: float, i: int) -> float:
        return idf * freq * (BM25_K1 + 1) / (freq + self._norms[i])

    def _build_postings(self, token_tfs: Sequence[Mapping[str, float]]) -> dict[str, tuple[tuple[int, float], ...]]:
        """Each token's BM25 contribution to each practice that contains it, precomputed."""
        doc_freq: dict[str, int] = defaultdict(int)
        for tf in token_tfs:
            for token in tf:
                doc_freq[token] += 1
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, tf in enumerate(token_tfs):
            for token, freq in tf.items():
                postings[token].append((i, self._bm25(self._idf(doc_freq[token]), freq, i)))
        return {token: tuple(entries) for token, entries in postings.items()}

    @staticmethod
    def _group_tf(group: SynonymGroup, fields: Sequence[Sequence[tuple[str, float]]]) -> dict[int, dict[str, float]]:
        """How often each practice says each term of a group (field-weighted, longest match first).

        Single-character terms (证, 娃) only trigger a group from a query: counted in
        the document they would match inside unrelated words (认证, 保证金).
        """
        pattern = _longest_first(group.terms)
        if pattern is None:
            return {}
        counts: dict[int, dict[str, float]] = {}
        for i, doc in enumerate(fields):
            found: dict[str, float] = defaultdict(float)
            for text, weight in doc:
                for match in pattern.finditer(text):
                    found[match.group()] += weight
            if found:
                counts[i] = dict(found)
        return counts

    # -- querying ---------------------------------------------------------------

    def _concepts(self, topic: str) -> list[_Concept]:
        """What a normalized, place-free query asks about.

        A synonym group any of whose terms the query contains is one concept: its
        terms count as one word (their occurrences add up, each at its weight, and
        BM25 sees the group's document frequency), so a practice naming five synonyms
        of 欠薪 does not outrank one that says 欠薪 plainly, and a rare synonym does not
        outweigh the word typed; a typed synonym far rarer in the list than its group also
        counts on its own (``LITERAL_WEIGHT``). Each typed word of two or more characters outside the
        matched groups is a concept of its own, as in plain BM25; single characters
        count only through a group (证, 学) or as part of a misspelt word.
        """
        typed = tokenize(topic)
        typed_set = set(typed)
        corrected = self._typos.corrections(topic)
        concepts: list[_Concept] = []
        literals: dict[str, _Concept] = {}
        covered: set[str] = set()
        for index, group in enumerate(self._groups):
            weights = {}
            pattern = self._group_patterns[index]
            said = set(pattern.findall(topic)) if pattern is not None else set()
            for term in group.terms:
                if term in said or (len(term) == 1 and term in typed_set):
                    weights[term] = TYPED_WEIGHT
                elif term in corrected:
                    weights[term] = TYPO_WEIGHT
            if weights:
                covered.update(weights)
                covered.update(token for term in weights for token in tokenize(term))
                all_weights = tuple((t, weights.get(t, group.weight)) for t in group.terms)
                concepts.append(_Concept(group=index, key=group.name, weights=all_weights))
                group_size = len(self._group_tfs[index])
                for term in said:
                    literal = self._postings.get(term, ())
                    if len(term) > 1 and literal and len(literal) * RARER_LITERAL <= group_size:
                        literals.setdefault(term, _Concept(group=None, key=term, weight=LITERAL_WEIGHT))
        concepts.extend(literals.values())  # once each, though a term may be in two groups (刷脸)
        for word in sorted(corrected):
            if word not in covered:
                concepts.append(_Concept(group=None, key=word, weight=TYPO_WEIGHT))
                covered.add(word)
        for token in dict.fromkeys(typed):
            if token not in covered and len(token) > 1:  # a lone character (不, 跑, 热) is no topic
                concepts.append(_Concept(group=None, key=token))
        return concepts

    def _scores(self, concepts: Sequence[_Concept]) -> list[float]:
        scores = [0.0] * len(self._practices)
        for concept in concepts:
            if concept.group is None:
                for i, contribution in self._postings.get(concept.key, ()):
                    scores[i] += concept.weight * contribution
                continue
            counts = self._group_tfs[concept.group]
            idf = self._idf(len(counts))
            weights = dict(concept.weights)
            for i, found in counts.items():
                freq = sum(weights.get(term, 0.0) * n for term, n in found.items())
                scores[i] += self._bm25(idf, freq, i)
        return scores

    def _coverage(self, concepts: Sequence[_Concept], i: int) -> float:
        """The idf-weighted share of the query's concepts that practice ``i`` contains."""
        total = found = 0.0
        for concept in concepts:
            if concept.group is None:
                postings = self._postings.get(concept.key, ())
                idf = self._idf(len(postings))
                present = any(j == i for j, _ in postings)
            else:
                counts = self._group_tfs[concept.group]
                idf = self._idf(len(counts))
                present = i in counts
            total += idf
            found += idf if present else 0.0
        return found / total if total else 0.0

    def _matches(self, place: Optional[Place]) -> tuple[str, ...]:
        """Each practice's `region_match` for the place asked about."""
        if place is None:
            return (REGION_NONE,) * len(self._practices)
        cached = self._match_cache.get(place.code)
        if cached is None:
            cached = tuple(self._match(place, p, own) for p, own in zip(self._practices, self._places))
            self._match_cache[place.code] = cached
        return cached

    def _match(self, asked: Place, practice: Practice, own: Optional[Place]) -> str:
        if own is not None:
            if own.code == asked.code or self._gazetteer.contains(asked, own):
                return REGION_EXACT
            return REGION_PROVINCE if own.province_code == asked.province_code else REGION_NONE
        province = self._gazetteer.province_of(asked)
        return REGION_PROVINCE if province is not None and practice.province == province.name else REGION_NONE

    def _place_and_topic(self, text: str, region: Optional[str]) -> tuple[Optional[Place], str]:
        """The place asked about, and the query with place names cut out."""
        from bot.kb.places import find_places

        mentions = find_places(text) if text else []
        topic = text
        for mention in sorted(mentions, key=lambda m: m.start, reverse=True):
            topic = topic[: mention.start] + " " + topic[mention.end :]
        place = None
        if isinstance(region, str) and region.strip():
            place = self._gazetteer.resolve(normalize(region))
        elif mentions:
            place = mentions[0].place
        return place, topic

    def _references(self, topic: str) -> tuple[list[int], str]:
        """The practices the query names by their numbering, and the query without those references."""
        from bot.kb.citations import find_references

        references = find_references(topic)
        named = [self._positions[r.practice_id] for r in references if r.practice_id in self._positions]
        for reference in reversed(references):
            topic = topic[: reference.start] + " " + topic[reference.end :]
        return named, topic

    def _preferred(self, scores: list[float], prefer: Sequence[str]) -> list[float]:
        """Scores with the practices of the preferred sections ("5.1", "2.1.3") raised by PREFER_BOOST."""
        if not prefer:
            return scores
        return [score * PREFER_BOOST if any(p.id == section or p.id.startswith(section + ".") for section in prefer)
                else score for score, p in zip(scores, self._practices)]

    def search(self, query: str, region: Optional[str] = None, limit: int = 5, offset: int = 0,
               prefer: Sequence[str] = ()) -> SearchResult:
        """Rank the practices for a worker's question.

        Args:
            query: What the user typed, in any form (it is normalized here).
            region: A place name that overrides any place in the query.
            limit: Hits per page.
            offset: Hits to skip (for paging; pages never repeat a practice).
            prefer: Sections ("5.1" a measure, "2.1.3" a practice) whose practices count
                PREFER_BOOST times: the topic the question is about, when known.

        Returns:
            Relevant practices, those in the place asked about (or inside it) first,
            then those in its province, then the rest, each group by score. A query
            that names only a place lists that place's practices, then its province's.
            Off-topic or unreadable input gives no hits.
        """
        place, topic = self._place_and_topic(normalize(query), region)
        matches = self._matches(place)
        named, topic = self._references(topic)
        concepts = self._concepts(topic.lower())
        if named:
            # A practice named by its numbering ("五（一）2") is what was asked for: it comes first.
            ranked = [(i, REFERENCE_SCORE) for i in named]
            if concepts:
                scores = self._scores(concepts)
                cutoff = max(MIN_SCORE, RELATIVE_CUTOFF * max(scores, default=0.0))
                ranked += sorted(((i, s) for i, s in enumerate(scores) if s >= cutoff and i not in named),
                                 key=lambda item: (_MATCH_ORDER[matches[item[0]]], -item[1], item[0]))
        elif concepts:
            scores = self._preferred(self._scores(concepts), prefer)
            cutoff = max(MIN_SCORE, RELATIVE_CUTOFF * max(scores, default=0.0))
            # In the place asked about, any practice on the topic counts: that is what the place question asks.
            ranked = [(i, s) for i, s in enumerate(scores)
                      if s >= cutoff or (s >= MIN_SCORE and matches[i] == REGION_EXACT)]
        elif place is not None:
            ranked = [(i, 0.0) for i, m in enumerate(matches) if m != REGION_NONE]
        else:
            ranked = []
        if not named:
            ranked.sort(key=lambda item: (_MATCH_ORDER[matches[item[0]]], -item[1], item[0]))
        start = max(0, _as_int(offset, 0))
        page = ranked[start : start + max(0, _as_int(limit, 5))]
        hits = tuple(Hit(self._practices[i], score, matches[i]) for i, score in page)
        best = max((item for item in ranked if item[0] not in named), key=lambda item: item[1], default=None)
        coverage = self._coverage(concepts, best[0]) if best is not None and concepts else 0.0
        return SearchResult(hits=hits, place=place, total=len(ranked), coverage=coverage, named=len(named))


def _longest_first(terms: Iterable[str]) -> Optional["re.Pattern[str]"]:
    """A pattern finding the terms (of two or more characters), the longest at each position."""
    long_terms = sorted((t for t in terms if len(t) > 1), key=len, reverse=True)
    return re.compile("|".join(re.escape(t) for t in long_terms)) if long_terms else None


def _as_int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return default
