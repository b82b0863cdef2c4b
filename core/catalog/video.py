"""Product videos, given as a link to YouTube, Vimeo or a video file.

We never contact the video host ourselves: parsing is purely on the URL's text, and the
storefront shows a click-to-play placeholder, so the shopper's browser talks to YouTube or
Vimeo only when the shopper asks. Embeds use the privacy-enhanced players
(``youtube-nocookie.com``, Vimeo with ``dnt=1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit

MAX_URL_LENGTH = 500

_YOUTUBE_HOSTS = frozenset({
    "youtube.com", "www.youtube.com", "m.youtube.com",
    "youtube-nocookie.com", "www.youtube-nocookie.com",
})
_YOUTU_BE_HOSTS = frozenset({"youtu.be", "www.youtu.be"})
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com"})
_VIMEO_PLAYER_HOSTS = frozenset({"player.vimeo.com"})
# Path prefixes under which a YouTube video ID follows: /shorts/<ID>, /embed/<ID>, ...
_YOUTUBE_ID_PREFIXES = frozenset({"shorts", "embed", "live", "v"})

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_VIMEO_ID = re.compile(r"[1-9][0-9]{0,11}")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,32}")
# "90", "90s", "1m30s", "1h2m3s": the forms YouTube uses for t= and start=.
_YOUTUBE_TIME = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?")
_HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_FILE_EXTENSIONS = (".mp4", ".webm")
# Characters allowed to stay as they are in a file URL's path; the rest is %-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"

_GENERIC = "Paste a link to a YouTube or Vimeo video, or to an .mp4 or .webm file."


class VideoUrlError(ValueError):
    """The link is not a video we can embed; ``str()`` is a message for the merchant."""


@dataclass(frozen=True)
class VideoEmbed:
    """A video to embed on a product page.

    ``provider`` is ``"youtube"``, ``"vimeo"`` or ``"file"``. For files, ``video_id``,
    ``embed_url`` and ``watch_url`` are all the (normalised) file URL.
    """

    provider: str
    video_id: str
    embed_url: str
    watch_url: str


def parse_video_url(url: str) -> VideoEmbed:
    """Parse a YouTube, Vimeo or direct ``.mp4``/``.webm`` link into an embed.

    ``http`` YouTube and Vimeo links are upgraded to ``https``; file links must be
    ``https`` already. Raises ``VideoUrlError`` with a message for the merchant.
    """
    url = url.strip()
    if not url:
        raise VideoUrlError(_GENERIC)
    if len(url) > MAX_URL_LENGTH:
        raise VideoUrlError(f"The link is too long (at most {MAX_URL_LENGTH} characters).")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise VideoUrlError("The link must not contain spaces or line breaks.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # e.g. an invalid port or a broken IPv6 address
        raise VideoUrlError(_GENERIC) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise VideoUrlError(_GENERIC)
    if "@" in parts.netloc:
        raise VideoUrlError("Links with a user name or password are not allowed.")
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        raise VideoUrlError(_GENERIC)
    host = (parts.hostname or "").rstrip(".")
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)

    if host in _YOUTUBE_HOSTS or host in _YOUTU_BE_HOSTS:
        return _youtube(host, segments, query, parts.fragment)
    if host in _VIMEO_HOSTS or host in _VIMEO_PLAYER_HOSTS:
        return _vimeo(host, segments, query)
    return _video_file(scheme, host, parts.path, parts.query, parts.fragment)


def optional_video(url: str | None) -> VideoEmbed | None:
    """The embed for a stored link, or ``None`` when it is blank or not valid. Never raises."""
    if url is None or not url.strip():
        return None
    try:
        return parse_video_url(url)
    except VideoUrlError:
        return None


def _youtube(
    host: str, segments: list[str], query: dict[str, list[str]], fragment: str
) -> VideoEmbed:
    video_id = None
    if host in _YOUTU_BE_HOSTS:
        video_id = segments[0] if len(segments) == 1 else None
    elif segments == ["watch"]:
        video_id = query.get("v", [None])[0]
    elif len(segments) == 2 and segments[0] in _YOUTUBE_ID_PREFIXES:
        video_id = segments[1]
    if not video_id or not _YOUTUBE_ID.fullmatch(video_id):
        raise VideoUrlError("This YouTube link does not point to a video.")

    start = _seconds(query.get("t", query.get("start", [""]))[0])
    if start is None and fragment.startswith("t="):
        start = _seconds(fragment[2:])
    embed_url = f"https://www.youtube-nocookie.com/embed/{video_id}"
    watch_url = f"https://www.youtube.com/watch?v={video_id}"
    if start:
        embed_url += f"?start={start}"
        watch_url += f"&t={start}s"
    return VideoEmbed("youtube", video_id, embed_url, watch_url)


def _vimeo(host: str, segments: list[str], query: dict[str, list[str]]) -> VideoEmbed:
    # Unlisted videos carry a privacy hash: vimeo.com/<ID>/<hash> or player ...?h=<hash>.
    if host in _VIMEO_PLAYER_HOSTS:
        ok = len(segments) == 2 and segments[0] == "video"
        video_id = segments[1] if ok else ""
        private = query.get("h", [""])[0]
    else:
        video_id = segments[0] if 1 <= len(segments) <= 2 else ""
        private = segments[1] if len(segments) == 2 else ""
    if not _VIMEO_ID.fullmatch(video_id) or (private and not _VIMEO_HASH.fullmatch(private)):
        raise VideoUrlError("This Vimeo link does not point to a video.")
    embed_url = f"https://player.vimeo.com/video/{video_id}?dnt=1"
    watch_url = f"https://vimeo.com/{video_id}"
    if private:
        embed_url += f"&h={private}"
        watch_url += f"/{private}"
    return VideoEmbed("vimeo", video_id, embed_url, watch_url)


def _video_file(scheme: str, host: str, path: str, query: str, fragment: str) -> VideoEmbed:
    if not path.lower().endswith(_FILE_EXTENSIONS):
        raise VideoUrlError(_GENERIC)
    if scheme != "https":
        raise VideoUrlError("Links to video files must start with https://.")
    if not _HOSTNAME.fullmatch(host):
        raise VideoUrlError(_GENERIC)
    # Rebuilt from its parts: lower-case host, no default port, non-ASCII %-encoded.
    file_url = urlunsplit((
        "https",
        host,
        quote(path, safe=_PATH_SAFE),
        quote(query, safe=_PATH_SAFE + "?"),
        quote(fragment, safe=_PATH_SAFE + "?"),
    ))
    return VideoEmbed("file", file_url, file_url, file_url)


def _seconds(value: str) -> int | None:
    """Seconds from a YouTube time such as ``"90"``, ``"90s"`` or ``"1h2m3s"``."""
    match = _YOUTUBE_TIME.fullmatch(value) if value else None
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds
