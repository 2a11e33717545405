"""The link check's fast tokenizer reads the same anchors and links as the standard library's HTML parser.

Generated pages mix quoted and unquoted attributes, character references, upper-case names, comments,
scripts and styles holding tag-like text, and stray `<`; only the cases where a browser and html.parser
disagree are left out (repeated attributes, unterminated markup, references without `;`).
"""

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.site.linkcheck import scan_page


class _Reference(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name == "id" or (name == "name" and tag == "a")):
                self.anchors.add(value)
            elif value is not None and name in ("href", "src"):
                self.links.append(value)


def reference_scan(html: str) -> tuple[set[str], list[str]]:
    parser = _Reference()
    parser.feed(html)
    parser.close()
    return parser.anchors, parser.links


PLAIN = st.text(alphabet="abcXYZ019._-#%?=中", min_size=1, max_size=8)
REFERENCES = st.sampled_from(["&amp;", "&lt;", "&gt;", "&#35;", "&#x41;", "&quot;", "&apos;"])
# Values start with a letter: a link to another site (//host) is left out of a scan unless it loads something.
QUOTED = st.builds(
    "".join, st.lists(st.one_of(PLAIN, REFERENCES, st.sampled_from([" ", ">", "<a href=x>", "/", "'"])), max_size=5)
).map(lambda value: f"v{value}")
UNQUOTED = st.builds("".join, st.lists(st.one_of(PLAIN, REFERENCES, st.just("/")), max_size=4)).map(lambda v: f"v{v}")
NAMES = st.sampled_from(["href", "src", "id", "name", "class", "title", "data-src", "HREF", "Id"])
TAGS = st.sampled_from(["a", "A", "div", "img", "link", "h2", "span", "p", "section"])
RAW_TEXT_TAGS = st.sampled_from(["script", "Script", "style"])


@st.composite
def attributes(draw: st.DrawFn, raw_text: bool = False) -> str:
    """A start tag's attributes, each name once, then the end of the tag.

    html.parser reads <script/> as an empty script; a browser ignores the / and reads the text after it as script.
    """
    text, unquoted_last = "", False
    for name in draw(st.lists(NAMES, max_size=4, unique_by=str.lower)):
        equals = draw(st.sampled_from(["=", " = ", "=\n"]))
        quote = draw(st.sampled_from(['"', "'", ""]))
        value = draw(QUOTED).replace(quote, {'"': "&#34;", "'": "&#39;"}[quote]) if quote else draw(UNQUOTED)
        flag = draw(st.sampled_from(["", " hidden"]))
        text += f" {name}{equals}{quote}{value}{quote}{flag}"
        unquoted_last = not quote and not flag
    endings = [" >"] if raw_text else [" >", " />"] if unquoted_last else [">", " >", "/>"]  # a / after x=y is y's
    return text + draw(st.sampled_from(endings))


RAW_TEXT = st.lists(st.sampled_from(['<a href="in-raw.html">', "x < y", "</p>", "<!--", "'>'", "中文", "\n"]))
PIECES = st.one_of(
    st.builds(lambda tag, rest: f"<{tag}{rest}", TAGS, attributes()),
    st.builds(lambda tag, rest: f"<{tag}{rest}", RAW_TEXT_TAGS, attributes(raw_text=True)),  # to the end or a </script>
    st.sampled_from(
        ["</a>", "</div>", "</P>", "</script>", "文字", "a < b", " &amp; ", "\n", "<br>", "<!doctype html>"]
    ),
    st.sampled_from(["<!-- <a href='c.html'> -->", "<!--x-->", "<!-- a - b -->"]),
    st.builds(
        lambda tag, rest, body: f"<{tag}{rest}{''.join(body)}</{tag}>",
        RAW_TEXT_TAGS,
        attributes(raw_text=True),
        RAW_TEXT,
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(PIECES, max_size=25).map("".join))
def test_the_tokenizer_agrees_with_html_parser(html: str) -> None:
    scan = scan_page(html, "2023/a/index.html")
    anchors, links = reference_scan(html)
    assert scan.anchors == anchors
    assert [link[0] for link in scan.links] == links
