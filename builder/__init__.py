"""Build the public website, PDFs and open data of 部门预算绩效文本 from YAML files."""

from pathlib import Path

__version__ = "0.1.0"
PROJECT_ROOT = Path(__file__).resolve().parent.parent  # the folder holding builder/, theme/, content/, mkdocs.yml
