"""Read an untrusted PDF's pages in worker processes, each with a memory limit, all within a deadline.

A PDF is input from elsewhere: a 0.4 MB file can hold a compressed page of hundreds of
megabytes that pdfminer would decompress and parse for minutes. The pages are read in up to
two worker processes (the pages split between them, which also halves the time on two
cores); each worker is a fresh interpreter whose address space is limited, and the whole
reading has a deadline that grows with the page count. A file that breaks either is refused
with a message, and the workers are ended.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from pathlib import Path
from typing import Any

from ...errors import ImportFailed
from .page_layout import Page, read_page

MAX_BYTES = 50 * 1024 * 1024
MAX_PAGES = 400
MAX_CHARS_PER_PAGE = 20_000
MEMORY_LIMIT = 1536 * 1024 * 1024  # bytes of address space per worker
DEADLINE = (15.0, 0.5)  # seconds: to start, and per page
WORKERS = 2
ABNORMAL = "文件异常（例如页面内容被压缩得极大），不像一份普通的文本"
TOO_MUCH_MEMORY = "读取 PDF 需要的内存超过上限（{limit} MB），已中止——" + ABNORMAL


def read_pages(path: Path) -> list[Page]:
    """Every page's lines and tables, read in bounded workers; refuses files too large, encrypted or broken."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ImportFailed(f"PDF 文件太大（{size / 1024 / 1024:.0f} MB，上限 {MAX_BYTES // 1024 // 1024} MB）")
    started = time.monotonic()
    # Fresh interpreters, not forks: a fork of a large process (a test run, a build) inherits its address
    # space, which eats the memory limit, and its locks, threads and signal handlers, with which a worker
    # can hang; a hung pool never ends. Starting costs about half a second per worker.
    context = multiprocessing.get_context("spawn")
    workers = max(1, min(WORKERS, os.cpu_count() or 1))
    with context.Pool(workers, initializer=_limit_memory, initargs=(MEMORY_LIMIT,)) as pool:
        try:
            count = pool.apply_async(_page_count, (str(path), MAX_PAGES)).get(DEADLINE[0])
            deadline = started + DEADLINE[0] + DEADLINE[1] * count
            step = -(-count // workers)
            chunks = [(start, min(count, start + step)) for start in range(0, count, step)]
            pending = [pool.apply_async(_read_range, (str(path), *chunk, MAX_CHARS_PER_PAGE)) for chunk in chunks]
            return [page for result in pending for page in result.get(max(0.1, deadline - time.monotonic()))]
        except multiprocessing.TimeoutError:
            seconds = time.monotonic() - started
            raise ImportFailed(f"读取 PDF 超过 {seconds:.0f} 秒仍未完成，已中止——{ABNORMAL}") from None
        except MemoryError:
            limit = MEMORY_LIMIT // 1024 // 1024
            raise ImportFailed(
                f"读取 PDF 需要的内存超过上限（{limit} MB），已中止——文件异常，不像一份普通的文本"
            ) from None


def _limit_memory(limit: int) -> None:
    """In a worker: limit its address space, and keep the figure for the messages it sends back."""
    global MEMORY_LIMIT
    MEMORY_LIMIT = limit
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))


def _page_count(path: str, max_pages: int) -> int:
    with _opened(path) as pdf:
        try:
            count = len(pdf.pages)
        except MemoryError:
            raise
        except Exception as error:
            raise ImportFailed(f"不是可读取的 PDF 文件（{type(error).__name__}: {error}）——文件可能已损坏") from None
    if count > max_pages:
        raise ImportFailed(f"PDF 有 {count} 页，超过上限 {max_pages} 页——请只导入一个部门的文本")
    return count


def _read_range(path: str, start: int, end: int, max_chars: int) -> list[Page]:
    with _opened(path) as pdf:
        return [_read_one(pdf.pages[index], index + 1, max_chars) for index in range(start, end)]


def _read_one(page: Any, number: int, max_chars: int) -> Page:
    try:
        chars = len(page.chars)
        if chars > max_chars:
            raise ImportFailed(f"第 {number} 页有 {chars} 个字符，超过上限 {max_chars}——不像一页正文")
        read = read_page(page, number)
    except ImportFailed:
        raise
    except MemoryError:
        raise ImportFailed(TOO_MUCH_MEMORY.format(limit=MEMORY_LIMIT // 1024 // 1024)) from None
    except Exception as error:  # pdfminer raises many kinds on a damaged page; only a message crosses processes
        if _out_of_memory(error):
            raise ImportFailed(TOO_MUCH_MEMORY.format(limit=MEMORY_LIMIT // 1024 // 1024)) from None
        raise ImportFailed(f"PDF 第 {number} 页无法读取（{type(error).__name__}: {error}）——文件可能已损坏") from None
    finally:
        page.flush_cache()
    return read


def _out_of_memory(error: BaseException | None) -> bool:
    """pdfminer wraps zlib's `Unable to allocate output buffer` (and other MemoryErrors) in its own exception."""
    while error is not None:
        if isinstance(error, MemoryError) or "allocate" in str(error):
            return True
        error = error.__cause__ or error.__context__
    return False


class _opened:
    """pdfplumber's document, with its errors turned into messages that can cross a process boundary."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pdf: Any = None

    def __enter__(self) -> Any:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect

        try:
            self.pdf = pdfplumber.open(self.path)
        except MemoryError:
            raise
        except Exception as error:
            # pdfplumber wraps pdfminer's errors (PdfminerException): the password error is its first argument.
            if isinstance(error, PDFPasswordIncorrect) or any(isinstance(a, PDFPasswordIncorrect) for a in error.args):
                raise ImportFailed("PDF 有打开密码，无法读取——请向发布单位索取未加密的文件") from None
            raise ImportFailed(f"不是可读取的 PDF 文件（{type(error).__name__}: {error}）——文件可能已损坏") from None
        return self.pdf

    def __exit__(self, *exc: object) -> None:
        self.pdf.close()
