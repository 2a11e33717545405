"""Reading PDFs with a text layer: page layout, ruled tables, bounded workers, and text exports of PDFs."""
