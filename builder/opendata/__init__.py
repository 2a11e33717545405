"""Open data: each department and year as CSV, JSON, SQLite and XLSX, joined from the departments' own files."""
