"""A small client for the GitHub REST API: issue comments and a commit's pull requests.

The only module of `tuneops.github` that talks HTTP (through `tuneops.watchdog`,
the deadline-bound connections the backends use too). The token
goes in the `Authorization` header to the configured API root only: redirects
are not followed, and a pagination link is followed only when, after
normalisation, it has the same scheme, host and port and stays under the API's
path prefix (`/api/v3` on GitHub Enterprise). It never appears in a message:
every text GitHub writes (error messages, links) is redacted, made one line and
stripped of a leading `::` (`tuneops.server_text`) before it is shown.

Every request runs under a hard deadline (`Deadlines`), body included, and the
requests of one command share a total bound; an answer larger than `MAX_BODY`
is refused.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from tuneops import __version__
from tuneops.errors import TuneopsError
from tuneops.server_text import clean

if TYPE_CHECKING:
    import requests

PUBLIC_API = "https://api.github.com"
MAX_PAGES = 50  # 5,000 comments: far past any pull request a person reviews
# A page of 100 comments of GitHub's 65,536 characters, JSON-escaped, fits with room.
MAX_BODY = 32 * 1024 * 1024
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
_SECONDS = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long tuneops waits for GitHub.

    A request (connect, headers and body) gets `request_seconds`; all the
    requests of one command together get `command_seconds`. GitHub answers in
    well under a second; the bounds only stop a broken or hostile API (or a
    proxy in front of one) from holding a CI step: 30 s and 120 s cost a stuck
    job two minutes at most.
    """

    request_seconds: float = 30.0
    command_seconds: float = 120.0


DEADLINES = Deadlines()


class GitHubApiError(TuneopsError):
    """GitHub answered with an error, or could not be reached."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MalformedAnswerError(GitHubApiError):
    """GitHub answered with something that is not the resource asked for."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Which request an answer came from, and what tuneops had done when it came."""

    method: str
    path: str
    done: str  # e.g. "no comment was written"

    def malformed(self, what: str) -> MalformedAnswerError:
        """The error for an answer that is not what GitHub sends."""
        return MalformedAnswerError(
            f"GitHub's answer to {self.method} {self.path} is malformed ({what}); {self.done}"
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer from GitHub, read whole within its deadline."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def _retry_after(answer: Answer) -> str | None:
    # Only digits are shown: a header is server text too.
    retry = answer.headers.get("Retry-After", "").strip()
    if retry:
        return f"{retry} seconds" if _SECONDS.fullmatch(retry) else "a while"
    if answer.headers.get("X-RateLimit-Remaining") == "0":
        reset = answer.headers.get("X-RateLimit-Reset", "").strip()
        return f"the limit resets at Unix time {reset}" if _SECONDS.fullmatch(reset) else "a while"
    return None


def _github_message(answer: Answer, token: str) -> str:
    try:
        body = json.loads(answer.body)
    except ValueError:
        return ""
    message = body.get("message") if isinstance(body, dict) else None
    return clean(str(message), (token,), limit=200) if message else ""


def _error(method: str, path: str, answer: Answer, token: str) -> GitHubApiError:
    status = answer.status
    said = _github_message(answer, token)
    code = f"{status}: {said}" if said else str(status)
    wait = _retry_after(answer)
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
    """Requests to one GitHub API root (`GITHUB_API_URL`; `/api/v3` on Enterprise).

    `deadlines` defaults to `DEADLINES`; `clock` measures the command's total
    (the per-request cut is real time, since a real socket waits).
    """

    token: str = field(repr=False)
    api_url: str = PUBLIC_API
    deadlines: Deadlines | None = None
    clock: Callable[[], float] = time.monotonic
    _session: requests.Session | None = field(default=None, repr=False)
    _started: float | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.api_url = self.api_url.rstrip("/")
        if self.deadlines is None:
            self.deadlines = DEADLINES

    def _url(self, path: str) -> str:
        return self.api_url + path

    def _same_api(self, url: str) -> bool:
        """The token may go to this URL: same scheme, host and port, and a path under
        the API prefix that no `.`/`..` segment (plain or percent-encoded), backslash
        or empty segment could move elsewhere once a server normalises it."""
        api, other = urlsplit(self.api_url), urlsplit(url)
        if (api.scheme, api.netloc.lower()) != (other.scheme, other.netloc.lower()):
            return False
        path = unquote(other.path)
        segments = path.split("/")[1:]
        if "\\" in path or any(s in ("", ".", "..") for s in segments):
            return False
        return path.startswith(api.path + "/")

    def _bound(self, method: str, shown: str) -> float:
        """Seconds this request may take: its own bound, within what is left of the
        command's."""
        deadlines = self.deadlines or DEADLINES
        now = self.clock()
        if self._started is None:
            self._started = now
        left = self._started + deadlines.command_seconds - now
        if left <= 0:
            raise GitHubApiError(
                f"tuneops' calls to GitHub took {deadlines.command_seconds:g} s in all, the "
                f"bound for one command; it did not send {method} {shown}"
            )
        return min(deadlines.request_seconds, left)

    def _send(self, method: str, url: str, body: dict[str, Any] | None, shown: str) -> Answer:
        import requests
        import urllib3.exceptions

        from tuneops.watchdog import GuardedAdapter, attempt_deadline

        seconds = self._bound(method, shown)
        if self._session is None:
            self._session = requests.Session()
            adapter = GuardedAdapter(max_retries=0)
            self._session.mount("https://", adapter)
            self._session.mount("http://", adapter)
        headers = {
            "Accept": "application/vnd.github+json",
            "Authorization": f"Bearer {self.token}",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": f"tuneops/{__version__}",
        }
        failure: str | None = None
        with attempt_deadline(seconds) as cut:
            try:
                response = self._session.request(
                    method,
                    url,
                    json=body,
                    headers=headers,
                    timeout=(min(10.0, seconds), seconds),
                    allow_redirects=False,
                    stream=True,
                )
                with response:
                    data = response.raw.read(MAX_BODY + 1, decode_content=True)
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
                failure = type(error).__name__
        # A cut socket may read as an early end of the body: the deadline decides.
        if cut.expired:
            raise GitHubApiError(
                f"GitHub did not answer {method} {shown} within {seconds:g} s; "
                "tuneops stopped waiting"
            )
        if failure is not None:
            raise GitHubApiError(f"cannot reach the GitHub API at {self.api_url} ({failure})")
        if len(data) > MAX_BODY:
            raise GitHubApiError(
                f"GitHub's answer to {method} {shown} is larger than {MAX_BODY // 2**20} MiB; "
                "tuneops did not read it"
            )
        answer = Answer(response.status_code, dict(response.headers), data)
        if answer.status >= 300:
            raise _error(method, shown, answer, self.token)
        return answer

    @staticmethod
    def _json(at: Endpoint, answer: Answer) -> Any:
        try:
            return json.loads(answer.body)
        except (ValueError, RecursionError):
            raise at.malformed("not JSON") from None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, *, done: str) -> Any:
        """One request to `path` under the API root; its JSON answer. `done` says what
        tuneops has done should the answer be malformed (the request may have acted)."""
        return self._json(
            Endpoint(method, path, done), self._send(method, self._url(path), body, path)
        )

    def pages(self, path: str, done: str) -> Iterator[Any]:
        """Every item of a paginated list, following the `Link: rel="next"` header;
        `done` says what tuneops has done should an answer be malformed."""
        at = Endpoint("GET", path, done)
        url: str | None = self._url(path + ("&" if "?" in path else "?") + "per_page=100")
        for _ in range(MAX_PAGES):
            if url is None:
                return
            if not self._same_api(url):
                raise GitHubApiError(
                    f"GitHub's next-page link for GET {path} leaves the API at "
                    f"{self.api_url}; tuneops did not follow it"
                )
            answer = self._send("GET", url, None, path)
            items = self._json(at, answer)
            if not isinstance(items, list):
                raise at.malformed("not a list")
            yield from items
            found = _NEXT.search(answer.headers.get("Link", ""))
            url = found.group(1) if found else None
        raise GitHubApiError(f"GET {path} has more than {MAX_PAGES} pages; giving up")

    def close(self) -> None:
        """Closes the pooled connections."""
        if self._session is not None:
            self._session.close()
