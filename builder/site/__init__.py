"""The website: pages from templates, data-quality pages, charts, downloads list, MkDocs hooks, search, links, CSP."""
