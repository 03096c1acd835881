"""Small frozen records that cross module boundaries, so no caller touches a session."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Optional

# How a hit relates to the place the user asked about.
REGION_EXACT = "exact"  # the practice is in that place, or inside it
REGION_PROVINCE = "province"  # same province
REGION_NONE = "none"  # elsewhere in the country (or no place asked)


@dataclass(frozen=True)
class Place:
    """A place in China's administrative hierarchy (province, city or county)."""

    code: str  # 6-digit administrative division code, e.g. "340523"
    name: str  # official name, e.g. "和县"
    level: str  # "province", "city" or "county"
    parent_code: Optional[str]
    province_code: str
    full_name: str  # e.g. "安徽省马鞍山市和县"


@dataclass(frozen=True)
class Practice:
    """One numbered practice of a list document, as its authors wrote it."""

    id: str  # task.measure.item, e.g. "5.1.2"
    citation: str  # the document's own numbering, e.g. "五（一）2"
    task: str  # work task title, e.g. "保障建筑工人合法权益"
    measure: str  # measure title, e.g. "推动制度建设防范拖欠"
    region: str  # as the document names it, e.g. "安徽省芜湖市"
    province: str  # e.g. "安徽省"
    title: str  # headline sentence
    text: str  # full body as printed
    document: str  # document title
    region_code: str = ""  # code of the leading place in the gazetteer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def card(self) -> dict[str, str]:
        """The fields of the design's `custom` practices payload."""
        return {
            "id": self.id,
            "citation": self.citation,
            "region": self.region,
            "province": self.province,
            "title": self.title,
            "document": self.document,
        }


@dataclass(frozen=True)
class Hit:
    """A ranked search result."""

    practice: Practice
    score: float
    region_match: str  # REGION_EXACT, REGION_PROVINCE or REGION_NONE

    def to_dict(self) -> dict[str, Any]:
        return {**self.practice.to_dict(), "score": round(self.score, 4), "region_match": self.region_match}
