"""SQLAlchemy models of the practice database: documents, tasks, measures, practices, regions."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class DocumentRow(Base):
    __tablename__ = "documents"

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False, unique=True)
    batch = Column(Integer, nullable=False)
    source_file = Column(String(200), nullable=False)
    sha256 = Column(String(64), nullable=False)


class TaskRow(Base):
    __tablename__ = "tasks"

    id = Column(Integer, primary_key=True)
    document_id = Column(Integer, ForeignKey("documents.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    title = Column(String(200), nullable=False)


class MeasureRow(Base):
    __tablename__ = "measures"

    id = Column(Integer, primary_key=True)
    task_id = Column(Integer, ForeignKey("tasks.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    title = Column(String(200), nullable=False)


class RegionRow(Base):
    """A place of the gazetteer; the hierarchy is kept through parent_code."""

    __tablename__ = "regions"

    code = Column(String(12), primary_key=True)
    name = Column(String(64), nullable=False, index=True)
    level = Column(String(16), nullable=False)
    parent_code = Column(String(12), ForeignKey("regions.code"), nullable=True, index=True)
    province_code = Column(String(12), nullable=False, index=True)
    full_name = Column(String(128), nullable=False)


class PracticeRow(Base):
    __tablename__ = "practices"

    id = Column(String(32), primary_key=True)
    position = Column(Integer, nullable=False)  # order in the documents
    measure_id = Column(Integer, ForeignKey("measures.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    citation = Column(String(32), nullable=False)
    region = Column(String(64), nullable=False)
    province = Column(String(32), nullable=False, index=True)
    region_code = Column(String(12), ForeignKey("regions.code"), nullable=False, index=True)
    title = Column(Text, nullable=False)
    text = Column(Text, nullable=False)
