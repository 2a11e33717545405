"""The printed document: print HTML from templates, WeasyPrint rendering with bundled fonts, layout checks."""
