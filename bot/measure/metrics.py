"""One definition of each metric the project reports: hit@3, refusals, percentiles."""
from __future__ import annotations

from typing import Sequence

HIT_AT = 3


def cites_section(practice_id: str, section: str) -> bool:
    """Whether a practice lies in a section: a measure ("5.1" holds 5.1.2) or the practice itself."""
    return practice_id == section or practice_id.startswith(section + ".")


def hit_at(cited: Sequence[str], sections: Sequence[str], k: int = HIT_AT) -> bool:
    """hit@k: at least one of the first ``k`` practices cited lies in a section that answers the question."""
    return any(cites_section(pid, section) for pid in list(cited)[:k] for section in sections)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0.5 for p50, 0.95 for p95); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[rank]


def share(count: int, total: int) -> float:
    """count / total, 0 when there is nothing to count."""
    return count / total if total else 0.0
