"""Every link a user is shown opens: a crawl of the demo region as each role.

Starting from the home page, each user follows every link of every page (redirects too), a
few pages of each kind (school cards, programs, activities … differ only by their numbers).
No link may end in an error: a page that a role may not open must not be linked for it (a
403 here is a link shown by mistake), a 404 is a broken link, a 500 a broken page. PDF files
are left out (WeasyPrint takes seconds a document; the report tests render them).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import pytest

from opora.demo.generator import RegionSpec

SPEC = RegionSpec(seed=3, municipalities=3, schools=30, with_students=False)
SKIP = re.compile(r"^/(logout|admin|static|media)/|\.pdf$")
PER_KIND = 2


@pytest.fixture
def demo(db, tmp_path):
    from opora.demo.loader import load_demo

    return load_demo(directory=tmp_path / "demo", spec=SPEC)


def _kind(path: str) -> str:
    """Pages that differ only by a number or a school code are one kind."""
    path = re.sub(r"/schools/[^/]+/", "/schools/S/", path)
    return re.sub(r"\d+", "N", path)


def _links(html: str, base: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"#]+)"', html):
        target = urlparse(urljoin(base, href))
        if target.netloc not in ("", "testserver") or SKIP.search(target.path):
            continue
        found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def crawl(client) -> tuple[dict[str, int], list[tuple[str, int, str]]]:
    """Visit what the user can reach from «/»; the kinds of page seen and the failures
    (page, status, the page that linked it)."""
    queue, seen, kinds, failures = [("/", "")], set(), {}, []
    while queue:
        path, source = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        kind = _kind(path.split("?")[0])
        if kinds.get(kind, 0) >= PER_KIND:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        response = client.get(path)
        if response.status_code >= 400:
            failures.append((path, response.status_code, source))
            continue
        if response.status_code in (301, 302):
            queue.append((urlparse(urljoin(path, response["Location"])).path, path))
        elif "html" in response.get("Content-Type", ""):
            queue += [(link, path) for link in _links(response.content.decode(), path)]
    return kinds, failures


MUST_SEE = {
    "region": {"/identification/runs/N/", "/programs/N/indicators/", "/templates/", "/import/"},
    "mo01": {"/municipalities/N/", "/programs/N/", "/schools/S/"},
    "school": {"/schools/S/", "/programs/N/"},
    "curator": {"/schools/S/"},
}


def test_every_link_shown_to_each_role_opens(demo):
    """One demo region for the four roles (loading it is most of the test's time)."""
    from django.test import Client

    from opora.accounts.models import User

    for username, must_see in MUST_SEE.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        kinds, failures = crawl(client)

        assert failures == [], username
        must_see = must_see | {"/api/docs/", "/api/schema/"}  # the footer links every page
        assert must_see <= set(kinds), (username, sorted(must_see - set(kinds)))
