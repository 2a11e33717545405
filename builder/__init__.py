"""Build the public website, PDFs and open data of 部门预算绩效文本 from YAML files."""

__version__ = "0.1.0"
