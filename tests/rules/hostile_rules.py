"""A hypothesis strategy for rule files written by a careless or hostile author: valid and invalid, deep,
aliased, with random templates and patterns. Shared by the ``vigil check`` property test and the daemon's
SIGHUP fuzz test."""

from __future__ import annotations

from hypothesis import strategies as st

_PATTERNS = [
    "talks resumed", "(a|a)+$", "(a|aa)+b", "(.*){1,32000}[bc]", "(a{1,3}){1,40}x", "(a+)+", "(unclosed",
    "[z-a]", "{date}", "x{1,99999999}", "(?P<date>x)", "\\\\", "\\u0000", "",
]
_TEMPLATES = [
    "{{ item_title }}: {{ change }}", "{{ nope }}", "{{ 1/0 }}", "{{ range(10**9)|length }}", "{{ 'a' * 10**8 }}",
    "{{ item_title + 3 }}", "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "{{ item_title.__class__.__mro__ }}", "{% if %}", "{{ 'x'|center(10**9) }}", "{{ '%999999999d' % 1 }}",
]
_EVERY = ["10m", "10", "0s", "1s", "-1m", "99999999999w", "tomorrow", "1.5h"]
_URLS = ["json://localhost/x", "jsno://host/x", "${UNSET_VAR}", "mailto://", "://", "slack://a/b/c"]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def _structured(draw: st.DrawFn) -> str:
    pattern = draw(st.one_of(st.sampled_from(_PATTERNS), st.text(max_size=30)))
    template = draw(st.one_of(st.sampled_from(_TEMPLATES), st.text(max_size=40)))
    every = draw(st.sampled_from(_EVERY))
    url = draw(st.sampled_from(_URLS))
    state = draw(st.sampled_from(["agreed", "none", "", "x" * 300]))
    return (
        "sources:\n"
        f"  wire: {{url: 'https://example.org/feed', every: {_quote(every) if every != '10' else every}}}\n"
        "items:\n"
        "  talks:\n"
        "    title: Talks\n"
        "    states:\n"
        f"      {_quote(state)}: [{_quote(pattern)}]\n"
        "alerts:\n"
        "  - name: news\n"
        "    when: {item: talks}\n"
        f"    title: {_quote(template)}\n"
        f"    body: {_quote(draw(st.sampled_from(_TEMPLATES)))}\n"
        "    notify: [ops]\n"
        "subscribers:\n"
        f"  ops: {{urls: [{_quote(url)}]}}\n"
    )


@st.composite
def _deep(draw: st.DrawFn) -> str:
    depth = draw(st.integers(min_value=20, max_value=3000))
    opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
    return f"items: {opener * depth}x{closer * depth}\n"


@st.composite
def _aliased(draw: st.DrawFn) -> str:
    width = draw(st.integers(min_value=2, max_value=12))
    levels = draw(st.integers(min_value=1, max_value=9))
    lines = ["items:", f"  a0: {{title: &a0 [{', '.join(['lol'] * width)}]}}"]
    for level in range(1, levels + 1):
        lines.append(f"  a{level}: {{title: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]}}")
    section = draw(st.sampled_from(["alerts", "cues"]))
    return "\n".join(lines) + f"\n{section}: *a{levels}\n"


def hostile_rule_files() -> st.SearchStrategy[str]:
    """Rule file texts: structured files with hostile values, deep nesting, alias bombs, random text."""
    return st.one_of(
        _structured(), _deep(), _aliased(),
        st.text(alphabet=st.sampled_from(list("[]{}:-&*!|>'\"#%@` \n\tab1")), max_size=200),
    )
