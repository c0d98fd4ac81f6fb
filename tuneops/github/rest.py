"""A small client for the GitHub REST API: issue comments and a commit's pull requests.

The only module of `tuneops.github` that talks HTTP. The token goes in the
`Authorization` header to the configured API host only: redirects are not
followed and a pagination link to another host is refused. It never appears
in a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tuneops import __version__
from tuneops.errors import TuneopsError

if TYPE_CHECKING:
    import requests

PUBLIC_API = "https://api.github.com"
TIMEOUT_SECONDS = (10.0, 30.0)
MAX_PAGES = 50  # 5,000 comments: far past any pull request a person reviews
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class GitHubApiError(TuneopsError):
    """GitHub answered with an error, or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _retry_after(response: requests.Response) -> str | None:
    retry = response.headers.get("Retry-After")
    if retry:
        return f"{retry} seconds"
    if response.headers.get("X-RateLimit-Remaining") == "0":
        reset = response.headers.get("X-RateLimit-Reset")
        return f"the limit resets at Unix time {reset}" if reset else "a while"
    return None


def _github_message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return str(message)[:200] if message else ""


def _error(method: str, path: str, response: requests.Response) -> GitHubApiError:
    status = response.status_code
    said = _github_message(response)
    code = f"{status}: {said}" if said else str(status)
    wait = _retry_after(response)
    if status == 429 or (status == 403 and wait):
        return GitHubApiError(
            f"GitHub API rate limit reached ({code}); try again after {wait or 'a while'}", status
        )
    if status == 401:
        return GitHubApiError(
            f"GitHub rejected the token ({code}); set GITHUB_TOKEN to a valid token", status
        )
    if status == 403:
        return GitHubApiError(
            f"GitHub refused {method} {path} ({code}); the token needs the "
            "`pull-requests: write` permission",
            status,
        )
    if status == 404:
        return GitHubApiError(
            f"GitHub found nothing at {method} {path} (404): check the repository and pull "
            "request number, and that the token can see them",
            status,
        )
    if status == 422:
        return GitHubApiError(f"GitHub rejected {method} {path} ({code})", status)
    return GitHubApiError(f"GitHub answered {method} {path} with {code}", status)


@dataclass(slots=True)
class GitHubClient:
    """Requests to one GitHub API root (`GITHUB_API_URL`; `/api/v3` on Enterprise)."""

    token: str = field(repr=False)
    api_url: str = PUBLIC_API
    _session: requests.Session | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.api_url = self.api_url.rstrip("/")

    def _url(self, path: str) -> str:
        return self.api_url + path

    def _same_api(self, url: str) -> bool:
        """The token may go to this URL: same scheme, host, port and API prefix."""
        api, other = urlsplit(self.api_url), urlsplit(url)
        return (api.scheme, api.netloc) == (other.scheme, other.netloc) and (
            other.path.startswith(api.path + "/") or other.path == api.path
        )

    def _send(self, method: str, url: str, body: dict[str, Any] | None) -> requests.Response:
        import requests

        if self._session is None:
            self._session = requests.Session()
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"tuneops/{__version__}",
        }
        shown = urlsplit(url).path
        try:
            response = self._session.request(
                method,
                url,
                json=body,
                headers=headers,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise GitHubApiError(
                f"cannot reach the GitHub API at {self.api_url} ({type(error).__name__})"
            ) from None
        if response.status_code >= 300:
            raise _error(method, shown, response)
        return response

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """One request to `path` under the API root; its JSON answer."""
        response = self._send(method, self._url(path), body)
        try:
            return response.json()
        except ValueError:
            raise GitHubApiError(f"GitHub answered {method} {path} with no JSON") from None

    def pages(self, path: str) -> Iterator[Any]:
        """Every item of a paginated list, following the `Link: rel="next"` header."""
        url: str | None = self._url(path + ("&" if "?" in path else "?") + "per_page=100")
        for _ in range(MAX_PAGES):
            if url is None:
                return
            if not self._same_api(url):
                raise GitHubApiError("GitHub's next-page link leaves the API host; refusing it")
            response = self._send("GET", url, None)
            try:
                items = response.json()
            except ValueError:
                raise GitHubApiError(f"GitHub answered GET {path} with no JSON") from None
            if not isinstance(items, list):
                raise GitHubApiError(f"GitHub answered GET {path} with something not a list")
            yield from items
            found = _NEXT.search(response.headers.get("Link", ""))
            url = found.group(1) if found else None
        raise GitHubApiError(f"GET {path} has more than {MAX_PAGES} pages; giving up")

    def close(self) -> None:
        """Closes the pooled connections."""
        if self._session is not None:
            self._session.close()
