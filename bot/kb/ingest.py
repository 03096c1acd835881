"""Rebuild a list document, as its authors wrote it, from the text extracted from its printed table.

The extraction carries the print layout's artifacts, which this module undoes:

* the header row (序号 / 工作任务 / 主要举措 / 经验做法) repeated on every page;
* HTML paragraph tags around cells and practices;
* a practice broken across a page boundary (its tail arrives as an unnumbered
  paragraph in the next row, with empty task and measure cells);
* a numbered practice printed under a later measure heading than the one its
  numbering belongs to (e.g. "3." printed first under （三） while （二） stopped at 2).

Anything else it cannot make sense of raises :class:`ParseError` naming the file and line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bot.kb.types import Practice

HEADER_CELLS = ("序号", "工作任务", "主要举措", "经验做法")
CHINESE_NUMERALS = "一二三四五六七八九十"
# Paragraph tags are layout, not content; any other tag means we misread the file.
PARAGRAPH_TAG = re.compile(r"</?p\s*>|<br\s*/?>", re.IGNORECASE)
OTHER_TAG = re.compile(r"<[a-zA-Z/][^>]*>")
MEASURE_HEADING = re.compile(r"^[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(\S.*)$")
PRACTICE_START = re.compile(r"^(\d{1,3})\s*[.．、]\s*(\S.*)$")
BATCH_IN_TITLE = re.compile(r"第([一二三四五六七八九十]+)批")


class ParseError(ValueError):
    """The document does not have the shape of a list document."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class ParsedDocument:
    """A list document rebuilt: its title, batch number and practices in document order."""

    title: str
    batch: int
    source: str
    practices: tuple[Practice, ...]


def chinese_numeral_value(numeral: str) -> int:
    """Value of a small Chinese numeral (一 … 九十九)."""
    if not numeral or any(ch not in CHINESE_NUMERALS for ch in numeral):
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    digits = {ch: i + 1 for i, ch in enumerate(CHINESE_NUMERALS)}
    if "十" not in numeral:
        if len(numeral) != 1:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
        return digits[numeral]
    tens, _, units = numeral.partition("十")
    if len(tens) > 1 or len(units) > 1:
        raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return (digits[tens] if tens else 1) * 10 + (digits[units] if units else 0)


def chinese_numeral(value: int) -> str:
    """The Chinese numeral for 1 … 99, as the documents write task and measure numbers."""
    if not 0 < value < 100:
        raise ValueError(value)
    tens, units = divmod(value, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十")
    return head + (CHINESE_NUMERALS[units - 1] if units else "")


@dataclass
class _Item:
    number: int
    line: int
    paragraphs: list[str]


@dataclass
class _Measure:
    number: int
    title: str
    line: int
    items: list[_Item] = field(default_factory=list)

    def next_number(self) -> int:
        return len(self.items) + 1


@dataclass
class _Task:
    number: int
    title: str
    measures: list[_Measure] = field(default_factory=list)


def _paragraphs(cell: str, path: Path, line: int) -> list[str]:
    stray = OTHER_TAG.search(PARAGRAPH_TAG.sub("\n", cell))
    if stray:
        raise ParseError(path, line, f"unexpected markup {stray.group(0)!r}")
    return [p.strip() for p in PARAGRAPH_TAG.sub("\n", cell).split("\n") if p.strip()]


class _Parser:
    """Reads rows in order and keeps the task, measure and practice they belong to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.title: Optional[str] = None
        self.tasks: list[_Task] = []
        self.last_item: Optional[_Item] = None

    def error(self, line: int, message: str) -> ParseError:
        return ParseError(self.path, line, message)

    def feed(self, line_no: int, raw: str) -> None:
        line = raw.strip()
        if not line:
            return
        cells = [c.strip() for c in raw.rstrip("\r\n").split("\t")]
        if tuple(cells) == HEADER_CELLS:
            return
        if len(cells) == 1:
            if self.title is None and not self.tasks:
                self.title = line
                return
            raise self.error(line_no, "a line outside the table (expected 4 tab-separated columns)")
        if len(cells) != 4:
            raise self.error(line_no, f"expected 4 tab-separated columns, found {len(cells)}")
        if self.title is None:
            raise self.error(line_no, "the table starts before the document title")
        number_cell, task_cell, measure_cell, practice_cell = cells
        if number_cell:
            self._start_task(line_no, number_cell, task_cell)
        elif task_cell:
            raise self.error(line_no, "a task title without its number")
        measure_paragraphs = _paragraphs(measure_cell, self.path, line_no)
        if measure_paragraphs:
            self._start_measure(line_no, " ".join(measure_paragraphs))
        for paragraph in _paragraphs(practice_cell, self.path, line_no):
            self._add_paragraph(line_no, paragraph)

    def _start_task(self, line_no: int, numeral: str, title: str) -> None:
        try:
            number = chinese_numeral_value(numeral)
        except ValueError:
            raise self.error(line_no, f"task number {numeral!r} is not a Chinese numeral") from None
        if number != len(self.tasks) + 1:
            raise self.error(line_no, f"task {numeral} follows task {len(self.tasks)}")
        if not title:
            raise self.error(line_no, f"task {numeral} has no title")
        self.tasks.append(_Task(number, title))
        self.last_item = None

    def _start_measure(self, line_no: int, heading: str) -> None:
        match = MEASURE_HEADING.match(heading)
        if not match:
            raise self.error(line_no, f"measure heading {heading[:30]!r} does not start with （一）…")
        if not self.tasks:
            raise self.error(line_no, "a measure before any task")
        task = self.tasks[-1]
        number = chinese_numeral_value(match.group(1))
        if number != len(task.measures) + 1:
            raise self.error(line_no, f"measure （{match.group(1)}） follows measure {len(task.measures)}")
        task.measures.append(_Measure(number, match.group(2).strip(), line_no))
        self.last_item = None

    def _add_paragraph(self, line_no: int, paragraph: str) -> None:
        start = PRACTICE_START.match(paragraph)
        if start is None:
            # The tail of a practice broken across a page: it continues mid-sentence.
            if self.last_item is None:
                raise self.error(line_no, f"text {paragraph[:20]!r} belongs to no numbered practice")
            self.last_item.paragraphs.append(paragraph)
            return
        if not self.tasks or not self.tasks[-1].measures:
            raise self.error(line_no, "a practice before any measure")
        number = int(start.group(1))
        item = _Item(number, line_no, [start.group(2)])
        measures = self.tasks[-1].measures
        current = measures[-1]
        if number == current.next_number():
            current.items.append(item)
        elif len(measures) > 1 and number == measures[-2].next_number() and not current.items:
            # Printed under the next heading, but its numbering continues the previous measure.
            measures[-2].items.append(item)
        else:
            raise self.error(
                line_no, f"practice {number}. does not follow practice {current.next_number() - 1}. of its measure"
            )
        self.last_item = item

    def finish(self, line_no: int) -> None:
        if self.title is None:
            raise self.error(line_no, "empty document: no title")
        if not self.tasks:
            raise self.error(line_no, "no table rows found")
        for task in self.tasks:
            if not task.measures:
                raise self.error(line_no, f"task {chinese_numeral(task.number)} has no measures")
            for measure in task.measures:
                if not measure.items:
                    raise self.error(measure.line, f"measure （{chinese_numeral(measure.number)}） has no practices")


def _headline(body: str, region: str) -> str:
    """The practice's first sentence, without its leading place and final full stop."""
    first = body.split("。", 1)[0]
    return first[len(region):].strip() if first.startswith(region) else first.strip()


def _document_batch(title: str) -> int:
    match = BATCH_IN_TITLE.search(title)
    return chinese_numeral_value(match.group(1)) if match else 1


def practice_id(batch: int, task: int, measure: int, item: int) -> str:
    """`5.1.2` for the first batch; later batches are prefixed (`b2-5.1.2`) so ids stay unique."""
    base = f"{task}.{measure}.{item}"
    return base if batch == 1 else f"b{batch}-{base}"


def id_numbers(practice_id: str) -> tuple[int, int, int]:
    """(task, measure, item) of a practice id made by :func:`practice_id`."""
    task, measure, item = (int(n) for n in practice_id.rsplit("-", 1)[-1].split("."))
    return task, measure, item


def parse_text(text: str, path: Path | str = "<text>") -> ParsedDocument:
    """Parse a list document's extracted text.

    Raises:
        ParseError: naming the file and line of the first thing that makes no sense.
    """
    from bot.kb.regions import get_gazetteer

    path = Path(path)
    parser = _Parser(path)
    lines = text.splitlines()
    for line_no, raw in enumerate(lines, start=1):
        parser.feed(line_no, raw)
    parser.finish(len(lines))
    title = parser.title or ""
    batch = _document_batch(title)
    gazetteer = get_gazetteer()
    practices = []
    for task in parser.tasks:
        for measure in task.measures:
            for item in measure.items:
                body = "".join(item.paragraphs)
                lead = gazetteer.leading_place(body)
                if lead is None:
                    raise ParseError(path, item.line, f"practice {item.number}. does not start with a place: {body[:20]!r}")
                region, place = lead
                practices.append(
                    Practice(
                        id=practice_id(batch, task.number, measure.number, item.number),
                        citation=f"{chinese_numeral(task.number)}（{chinese_numeral(measure.number)}）{item.number}",
                        task=task.title,
                        measure=measure.title,
                        region=region,
                        province=gazetteer.province_of(place).name,
                        title=_headline(body, region),
                        text=body,
                        document=title,
                        region_code=place.code,
                    )
                )
    return ParsedDocument(title=title, batch=batch, source=path.name, practices=tuple(practices))


def parse_file(path: Path | str) -> ParsedDocument:
    """Parse one list document file (UTF-8, with or without BOM)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(path, 1, f"not UTF-8 text ({exc.reason})") from None
    return parse_text(text, path)

