"""Give WeasyPrint the files of the allowed folders and nothing else: no network, no other path."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedResource(Exception):
    """The document asked for a URL outside the allowed folders."""


class LocalFilesFetcher(URLFetcher):
    """Serve `file:` URLs inside `roots`; refuse every other URL, which stops the rendering.

    WeasyPrint turns any error raised here into a fatal error (`fail_on_errors`), so a
    refused resource can never be silently replaced by an empty one.
    """

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(fail_on_errors=True, allowed_protocols=("file",))
        self.roots = tuple(root.resolve() for root in roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        path = self.allowed_path(url)
        if path is None:
            raise RefusedResource(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def allowed_path(self, url: str) -> Path | None:
        """The local file a URL names, if it is an existing file inside one of the roots."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_file() or not any(path.is_relative_to(root) for root in self.roots):
            return None
        return path
