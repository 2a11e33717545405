"""The build's steps, in the order pipeline/build.py runs them: read, open data, pages, MkDocs, search, PDFs, links."""
