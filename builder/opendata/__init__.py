"""Open data: each department and year as CSV, JSON, SQLite and XLSX; the year's and site's joined from pieces."""
